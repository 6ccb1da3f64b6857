@testable import ApipodKit
import Testing

@Suite struct HTTPResponseParserTests {
    @Test func contentLength_givesBody() {
        let outcome = parseResponses(ResponseFixture.contentLength.text, methods: ["POST"])
        #expect(outcome.error == nil)
        #expect(outcome.heads.map(\.status) == [200])
        #expect(outcome.heads.first?.reason == "OK")
        #expect(outcome.bodies == [#"{"ok":true}"#])
    }

    @Test func chunked_givesTheEventStream() {
        let outcome = parseResponses(ResponseFixture.chunked.text, methods: ["POST"])
        #expect(outcome.bodies == ["data: {\"a\":1}\n\ndata: {\"b\":2}\n\n"])
    }

    @Test func untilClose_endsAtEndOfInput() throws {
        var parser = HTTPResponseParser(expecting: ["GET"])
        parser.append(bytes("HTTP/1.1 200 OK\r\n\r\npart"))
        _ = try parser.next()
        #expect(parser.framing == .untilClose)
        #expect(try parser.next() == .body(bytes("part")[...]))
        #expect(try parser.next() == nil)
        parser.finish()
        #expect(try parser.next() == .end)
        #expect(try parser.next() == nil)
    }

    @Test func noContentAndNotModified_haveNoBody_evenWithContentLength() {
        let outcome = parseResponses(ResponseFixture.noContent.text, methods: ResponseFixture.noContent.methods)
        #expect(outcome.error == nil)
        #expect(outcome.heads.map(\.status) == [204, 304, 200])
        #expect(outcome.bodies == ["", "", "ok"])
    }

    @Test func manyPipelinedRequests_eachResponseIsFramedByItsOwnMethod() {
        // More than the 64 pending requests kept in one word, so the overflow is used too.
        let methods = (0..<150).map { $0 % 3 == 0 ? "HEAD" : "GET" }
        let text = methods.map { "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n" + ($0 == "HEAD" ? "" : "ok") }.joined()
        let outcome = parseResponses(text, methods: methods)
        #expect(outcome.error == nil)
        #expect(outcome.heads.count == 150)
        #expect(outcome.bodies == methods.map { $0 == "HEAD" ? "" : "ok" })
    }

    @Test func responseToHEAD_hasNoBody_evenWithContentLength() {
        let outcome = parseResponses(ResponseFixture.headResponse.text, methods: ["HEAD", "GET"])
        #expect(outcome.error == nil)
        #expect(outcome.heads.map { $0.headers["content-length"] } == ["1234", "2"])
        #expect(outcome.bodies == ["", "ok"])
    }

    @Test func interimResponses_areSkipped() {
        let outcome = parseResponses(ResponseFixture.continueThenOK.text, methods: ["POST"])
        #expect(outcome.error == nil)
        #expect(outcome.heads.map(\.status) == [200])
        #expect(outcome.bodies == ["hello"])
    }

    @Test func transferEncodingOverridesContentLength_inAResponse() {
        let outcome = parseResponses("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n")
        #expect(outcome.bodies == ["ok"])
    }

    @Test func statusLine_withoutReason_isAccepted() {
        let outcome = parseResponses("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\nHTTP/1.1 404 \r\nContent-Length: 0\r\n\r\n", methods: ["GET", "GET"])
        #expect(outcome.error == nil)
        #expect(outcome.heads.map(\.reason) == ["", ""])
    }

    @Test(arguments: [
        ("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", true),
        ("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", false),
        ("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", false),
        ("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", true),
    ])
    func keepAlive_followsRFC9112Section9_3(text: String, keepAlive: Bool) {
        #expect(parseResponses(text).heads.first?.keepAlive == keepAlive)
    }
}
