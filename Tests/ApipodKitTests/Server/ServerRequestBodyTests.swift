import Testing
@testable import ApipodKit

extension ServerTests {
/// Request bodies as a handler pulls them: framing removed, every byte intact, the connection
/// left at the next request, and `Expect: 100-continue` answered only when the body is wanted.
@Suite struct RequestBodyTests {
    /// Answers with the length of the body it collected and whether it equals `expected`.
    static func checkingBody(_ expected: [UInt8]) -> @Sendable (ServerRequest, ResponseWriter) async throws -> Void {
        { request, response in
            let body = try await request.collectBody()
            try await sendText("\(body.count) \(body == expected ? "intact" : "differs")", response)
        }
    }

    @Test(arguments: [0, 11, 4 << 20])
    func aContentLengthBody_ReachesTheHandlerIntact(size: Int) async throws {
        let body = testBytes(size)
        let server = try TestServer(Self.checkingBody(body))
        let connection = try await server.connect()
        try await connection.write(Array("POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: \(size)\r\n\r\n".utf8) + body)
        let response = try #require(try await connection.readResponse())
        #expect(response.status == 200)
        #expect(response.text == "\(size) intact")
        await server.stop()
    }

    @Test(arguments: [0, 11, 4 << 20])
    func aChunkedBody_ReachesTheHandlerIntact(size: Int) async throws {
        let body = testBytes(size, seed: 7)
        let server = try TestServer(Self.checkingBody(body))
        let connection = try await server.connect()
        try await connection.write(Array("POST /up HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n".utf8) + chunkedEncoding(of: body))
        let response = try #require(try await connection.readResponse())
        #expect(response.status == 200)
        #expect(response.text == "\(size) intact")
        await server.stop()
    }

    @Test(arguments: [
        "Content-Length: 10\r\n\r\n0123456789",
        "Transfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n6\r\nefghij\r\n0\r\n\r\n",
    ])
    func aSmallBodyTheHandlerIgnores_LeavesTheConnectionUsable(framedBody: String) async throws {
        let server = try TestServer { request, response in
            try await sendText("answered " + request.head.target, response)
        }
        let connection = try await server.connect()
        try await connection.write("POST /ignores HTTP/1.1\r\nHost: t\r\n" + framedBody)
        #expect(try #require(try await connection.readResponse()).text == "answered /ignores")
        try await connection.write("GET /next HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try #require(try await connection.readResponse()).text == "answered /next")
        #expect(server.connectionsUsed == 1)
        await server.stop()
    }

    /// A refused request whose body has not arrived: the answer says the connection closes,
    /// and it does at once, instead of draining the body at whatever pace the client chooses
    /// (a byte just before each read timeout had held a connection for weeks).
    @Test(arguments: [
        "Content-Length: 100000\r\n\r\n0123456789",
        "Transfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n",
    ])
    func aRefusedRequestWhoseBodyIsStillComing_IsAnsweredThenClosed(framedBody: String) async throws {
        let server = try TestServer { _, response in try await response.send(HTTPResponseHead(status: 401)) }
        let connection = try await server.connect()
        try await connection.write("POST /refused HTTP/1.1\r\nHost: t\r\n" + framedBody)
        let response = try #require(try await connection.readResponse())
        #expect(response.status == 401)
        #expect(response.head.headers["connection"] == "close")
        #expect(try await connection.readToEnd().isEmpty)
        await server.stop()
    }

    /// Memory follows the bytes that arrived: a client that declares 10 MB and sends one byte
    /// makes the server hold a small array, not reserve the declared length.
    @Test func aDeclaredLargeBodyWithOneByteSent_HoldsLittleMemory() async throws {
        let server = try TestServer { request, response in
            var body: [UInt8] = []
            await #expect(throws: HTTPParseError.self) { try await request.collectBody(into: &body) }
            try await sendText("\(body.count) \(body.capacity)", response)
        }
        let connection = try await server.connect()
        try await connection.write("POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: 10000000\r\n\r\nx")
        try connection.socket.shutdownWrite()
        let answer = try #require(try await connection.readResponse()).text.split(separator: " ").compactMap { Int($0) }
        #expect(answer.first == 1)
        #expect(try #require(answer.last) <= ServerRequest.initialBodyCapacity + 1024)
        await server.stop()
    }

    /// A large body is received in place, a chunk at a time, and never past its end: the
    /// request pipelined behind it in the same write is still served.
    @Test func aLargeBodyFollowedByAPipelinedRequest_BothServed() async throws {
        let body = testBytes(600_000, seed: 3)
        let server = try TestServer { request, response in
            if request.head.target == "/up" {
                let received = try await request.collectBody()
                try await sendText("\(received.count) \(received == body ? "intact" : "differs")", response)
            } else {
                try await sendText("answered " + request.head.target, response)
            }
        }
        let connection = try await server.connect()
        try await connection.write(Array("POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body
            + Array("GET /next HTTP/1.1\r\nHost: t\r\n\r\n".utf8))
        #expect(try #require(try await connection.readResponse()).text == "600000 intact")
        #expect(try #require(try await connection.readResponse()).text == "answered /next")
        await server.stop()
    }

    @Test func expect100Continue_IsAnsweredBeforeTheBodyWhenTheHandlerReadsIt() async throws {
        let server = try TestServer(Self.checkingBody(Array("hello".utf8)))
        let connection = try await server.connect()
        try await connection.write("POST /up HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
        let interim = try await connection.readOnce()
        #expect(String(decoding: interim, as: UTF8.self) == "HTTP/1.1 100 Continue\r\n\r\n")
        try await connection.write("hello")
        let response = try #require(try await connection.readResponse())
        #expect(response.status == 200)
        #expect(response.text == "5 intact")
        await server.stop()
    }

    @Test func expect100Continue_IsNotSentWhenTheHandlerAnswersWithoutTheBody() async throws {
        let server = try TestServer { _, response in
            try await response.send(HTTPResponseHead(status: 403))
        }
        let connection = try await server.connect()
        try await connection.write("POST /up HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
        let response = try #require(try await connection.readResponse())
        #expect(response.status == 403)
        // The client was never told to send its body, so where the next request would start is
        // unknown: the server says it closes, and does, and never sends a late 100.
        #expect(response.head.headers["connection"] == "close")
        #expect(try await connection.readToEnd().isEmpty)
        #expect(!String(decoding: connection.received, as: UTF8.self).contains("100 Continue"))
        await server.stop()
    }
}
}
