@testable import ApipodKit
import Testing

@Suite struct HTTPSerializationTests {
    @Test func requestHead_isWrittenInOrder() {
        let head = HTTPRequestHead(method: "POST", target: "/v1/messages?beta=true", headers: ["Host": "up", "x-api-key": "k", "X-A": "1"])
        #expect(String(decoding: head.serialized(), as: UTF8.self)
            == "POST /v1/messages?beta=true HTTP/1.1\r\nHost: up\r\nx-api-key: k\r\nX-A: 1\r\n\r\n")
    }

    /// The usual heads are assembled in one copy, the rest part by part: both write the same
    /// words, whatever the version, status, reason or headers (removed fields included).
    @Test(arguments: [(1, 1, 200), (1, 0, 404), (0, 9, 999), (1, 1, 100), (2, 0, 200), (1, 10, 200), (1, 1, 99), (1, 1, 1000), (12, 3, 42)])
    func heads_areWrittenTheSameEitherWay(major: Int, minor: Int, status: Int) {
        var headers: HTTPHeaders = ["Host": "up", "Connection": "close", "X-B": "caf\u{e9}", "X-Empty": ""]
        headers.remove(named: "connection")
        let version = HTTPVersion(major: major, minor: minor)
        let response = HTTPResponseHead(version: version, status: status, reason: "Fine Thanks", headers: headers)
        #expect(String(decoding: response.serialized(), as: UTF8.self)
            == "HTTP/\(major).\(minor) \(status) Fine Thanks\r\nHost: up\r\nX-B: caf\u{e9}\r\nX-Empty: \r\n\r\n")
        let request = HTTPRequestHead(method: "PATCH", target: "/v1/\u{e9}?q", version: version, headers: headers)
        var bytes = Array("before".utf8)
        request.serialize(into: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self)
            == "beforePATCH /v1/\u{e9}?q HTTP/\(major).\(minor)\r\nHost: up\r\nX-B: caf\u{e9}\r\nX-Empty: \r\n\r\n")
    }

    @Test func responseHead_getsTheStandardReason() {
        let head = HTTPResponseHead(status: 502, headers: ["Content-Length": "0"])
        #expect(String(decoding: head.serialized(), as: UTF8.self) == "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
        #expect(HTTPResponseHead(status: 299).reason == "")
    }

    /// Numbers in heads are written straight into the bytes; every digit count, both ends of
    /// `Int` and hexadecimal chunk sizes come out as `String(_:radix:)` would write them.
    @Test(arguments: [0, 7, 9, 10, 99, 100, 255, 4096, 1_000_000, -1, -4096, Int.max, Int.min])
    func numbers_areWrittenAsStringWouldWriteThem(value: Int) {
        var decimal: [UInt8] = []
        decimal.appendDecimal(value)
        #expect(String(decoding: decimal, as: UTF8.self) == String(value))
        #expect(HTTPSyntax.decimalCount(value) == String(value).utf8.count)
        let hexadecimal = HTTPSyntax.withHexadecimal(value) { Array($0) }
        #expect(String(decoding: hexadecimal, as: UTF8.self) == String(value, radix: 16))
    }

    @Test func replaceOrAddDecimal_replacesEveryOccurrenceInPlace() {
        var headers: HTTPHeaders = ["A": "1", "content-length": "5", "B": "2", "Content-Length": "6"]
        headers.replaceOrAdd(name: "Content-Length", decimal: 1234)
        #expect(headers.map(\.name) == ["A", "Content-Length", "B"])
        #expect(headers["content-length"] == "1234")
        var empty = HTTPHeaders()
        empty.replaceOrAdd(name: "Content-Length", decimal: 0)
        #expect(String(decoding: HTTPResponseHead(status: 200, headers: empty).serialized(), as: UTF8.self)
            == "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    }

    @Test func serializeInto_appends() {
        var bytes = Array("prefix".utf8)
        HTTPResponseHead(version: .http1_0, status: 200, reason: "Fine").serialize(into: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == "prefixHTTP/1.0 200 Fine\r\n\r\n")
    }

    @Test func parsedHeads_serializeBackToTheirBytes() throws {
        let request = "PUT /a?b=c HTTP/1.1\r\nHost: h\r\nX-Dup: 1\r\nx-dup: 2\r\nContent-Length: 0\r\n\r\n"
        let head = try #require(parseRequests(request).heads.first)
        #expect(String(decoding: head.serialized(), as: UTF8.self) == request)

        let response = "HTTP/1.1 429 Slow Down\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n"
        let responseHead = try #require(parseResponses(response).heads.first)
        #expect(String(decoding: responseHead.serialized(), as: UTF8.self) == response)
    }

    @Test(arguments: [100, 101, 200, 201, 204, 304, 400, 401, 403, 404, 413, 414, 429, 431, 500, 501, 502, 503, 504, 505])
    func commonStatuses_haveAReason(status: Int) {
        #expect(!HTTPResponseHead.reasonPhrase(for: status).isEmpty)
    }
}

@Suite struct ChunkedEncoderTests {
    @Test func chunk_isHexSizeCRLFDataCRLF() {
        #expect(ChunkedEncoder.chunk(bytes("hello")) == bytes("5\r\nhello\r\n"))
        #expect(ChunkedEncoder.chunk([UInt8](repeating: 1, count: 255)).prefix(4) == bytes("ff\r\n")[...])
        #expect(ChunkedEncoder.terminator == bytes("0\r\n\r\n"))
    }

    @Test func emptyPiece_givesNoBytes_soItCannotEndTheBody() {
        #expect(ChunkedEncoder.chunk([UInt8]()).isEmpty)
    }

    @Test func encodedBody_roundTripsThroughTheParser() {
        var random = SeededRandom(seed: 7)
        let pieces = (0..<50).map { _ in
            (0..<Int.random(in: 0...300, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
        }
        var wire = HTTPRequestHead(method: "POST", target: "/", headers: ["Host": "h", "Transfer-Encoding": "chunked"]).serialized()
        for piece in pieces { ChunkedEncoder.appendChunk(piece, to: &wire) }
        wire += ChunkedEncoder.terminator
        let outcome = drive(HTTPRequestParser(), pieces: Splits.whole(wire))
        #expect(outcome.error == nil)
        #expect(outcome.events.count == 3)
        #expect(outcome.events[1] == .body(ArraySlice(pieces.joined())))
    }
}
