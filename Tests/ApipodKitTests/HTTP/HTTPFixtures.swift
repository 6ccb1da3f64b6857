import Testing

/// Messages every feeding test and the mutation test start from, close to what SDK clients and
/// LLM upstreams send.
struct RequestFixture: CustomTestStringConvertible, Sendable {
    let name: String
    let text: String
    var testDescription: String { name }

    static let get = RequestFixture(
        name: "GET",
        text: "GET /v1/models HTTP/1.1\r\nHost: localhost:8081\r\nAuthorization: Bearer apk_test\r\nAccept: */*\r\n\r\n"
    )
    static let post = RequestFixture(
        name: "POST with Content-Length",
        text: "POST /v1/chat/completions HTTP/1.1\r\nHost: proxy\r\nContent-Type: application/json\r\n"
            + "Content-Length: 40\r\n\r\n{\"model\":\"cursor-pro-sonnet\",\"stream\":1}"
    )
    static let chunked = RequestFixture(
        name: "chunked with extensions and trailers",
        text: "POST /v1/messages HTTP/1.1\r\nHost: proxy\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\nA ; ext ; other=\"q\"\r\n, world!!!\r\n0\r\nX-Checksum: 1\r\nX-Other: 2\r\n\r\n"
    )
    static let pipelined = RequestFixture(
        name: "pipelined",
        text: get.text + post.text + "\r\nGET /health HTTP/1.0\r\n\r\n" + chunked.text
    )
    static let all = [get, post, chunked, pipelined]
}

struct ResponseFixture: CustomTestStringConvertible, Sendable {
    let name: String
    let text: String
    let methods: [String]
    var testDescription: String { name }

    static let contentLength = ResponseFixture(
        name: "Content-Length",
        text: "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}",
        methods: ["POST"]
    )
    static let chunked = ResponseFixture(
        name: "chunked event stream",
        text: "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "f\r\ndata: {\"a\":1}\n\n\r\nf\r\ndata: {\"b\":2}\n\n\r\n0\r\n\r\n",
        methods: ["POST"]
    )
    static let untilClose = ResponseFixture(
        name: "until close",
        text: "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nstreamed until the server closes",
        methods: ["GET"]
    )
    static let noContent = ResponseFixture(
        name: "204 and 304, then 200",
        text: "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\nHTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\nContent-Length: 5\r\n\r\n"
            + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
        methods: ["DELETE", "GET", "GET"]
    )
    static let headResponse = ResponseFixture(
        name: "HEAD with Content-Length",
        text: "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
        methods: ["HEAD", "GET"]
    )
    static let continueThenOK = ResponseFixture(
        name: "100-continue then 200",
        text: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </style.css>\r\n\r\n"
            + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
        methods: ["POST"]
    )
    static let all = [contentLength, chunked, untilClose, noContent, headResponse, continueThenOK]
}
