@testable import ApipodKit
import Testing

@Suite struct HTTPRequestParserTests {
    @Test func GET_givesHeadThenEnd() {
        let outcome = parseRequests(RequestFixture.get.text)
        let expected = HTTPRequestHead(
            method: "GET", target: "/v1/models",
            headers: ["Host": "localhost:8081", "Authorization": "Bearer apk_test", "Accept": "*/*"]
        )
        #expect(outcome == ParseOutcome(events: [.head(expected), .end]))
    }

    @Test func POST_withContentLength_givesBody() {
        let outcome = parseRequests(RequestFixture.post.text)
        #expect(outcome.error == nil)
        #expect(outcome.heads.map(\.method) == ["POST"])
        #expect(outcome.bodies == [#"{"model":"cursor-pro-sonnet","stream":1}"#])
    }

    /// A Content-Length body may be received around the parser once nothing is buffered; the
    /// parser then only counts it, and ends the body (or fails it, cut short) as usual.
    @Test func bodyBytesReceivedDirectly_areCountedNotBuffered() throws {
        var parser = HTTPRequestParser()
        parser.append(Array("POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123".utf8))
        #expect(parser.directBodyBytesExpected == nil, "nothing is expected while no head was read")
        guard case .head? = try parser.next() else { Issue.record("expected a head"); return }
        #expect(parser.directBodyBytesExpected == nil, "buffered body bytes come out through the parser first")
        guard case .body(let piece)? = try parser.next() else { Issue.record("expected a piece"); return }
        #expect(Array(piece) == Array("0123".utf8))
        #expect(try parser.next() == nil)
        #expect(parser.directBodyBytesExpected == 6)
        parser.bodyBytesReceivedDirectly(4)
        #expect(parser.directBodyBytesExpected == 2)
        parser.bodyBytesReceivedDirectly(2)
        #expect(parser.directBodyBytesExpected == nil)
        #expect(try parser.next() == .end)

        var cut = HTTPRequestParser()
        cut.append(Array("POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n".utf8))
        _ = try cut.next()
        cut.bodyBytesReceivedDirectly(3)
        cut.finish()
        #expect(cut.directBodyBytesExpected == nil, "nothing more can come once the input ended")
        #expect(throws: HTTPParseError.truncatedMessage) { try cut.next() }
    }

    @Test func chunked_dropsFramingExtensionsAndTrailers() {
        let outcome = parseRequests(RequestFixture.chunked.text)
        #expect(outcome.error == nil)
        #expect(outcome.bodies == ["hello, world!!!"])
        #expect(outcome.heads.first?.headers["x-checksum"] == nil)
    }

    @Test func pipelinedRequests_comeOutInOrder() {
        let outcome = parseRequests(RequestFixture.pipelined.text)
        #expect(outcome.error == nil)
        #expect(outcome.heads.map(\.target) == ["/v1/models", "/v1/chat/completions", "/health", "/v1/messages"])
        #expect(outcome.bodies == ["", #"{"model":"cursor-pro-sonnet","stream":1}"#, "", "hello, world!!!"])
    }

    @Test func twoLeadingEmptyLines_areIgnored() {
        let outcome = parseRequests("\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n")
        #expect(outcome.error == nil)
        #expect(outcome.heads.count == 1)
    }

    @Test func headerValue_isTrimmedAndKeepsInnerSpaces_nameKeepsItsCase() {
        let outcome = parseRequests("GET / HTTP/1.1\r\nhOsT:h\r\nX-Note: \t a  b \t\r\n\r\n")
        let headers = outcome.heads.first?.headers
        #expect(headers?.first?.name == "hOsT")
        #expect(headers?["x-note"] == "a  b")
    }

    @Test func obsTextInValue_isAccepted() {
        let outcome = parseRequests("GET / HTTP/1.1\r\nHost: h\r\nX-Name: caf\u{e9}\r\n\r\n")
        #expect(outcome.heads.first?.headers["x-name"] == "caf\u{e9}")
    }

    @Test func HTTP10_withoutHost_isAccepted() {
        #expect(parseRequests("GET / HTTP/1.0\r\n\r\n").error == nil)
    }

    @Test func identicalContentLengths_areAccepted() {
        let outcome = parseRequests("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nok")
        #expect(outcome.bodies == ["ok"])
    }

    @Test func framing_isExposedWhileTheBodyIsRead() throws {
        var parser = HTTPRequestParser()
        parser.append(bytes("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nab"))
        #expect(parser.framing == nil)
        _ = try parser.next()
        #expect(parser.framing == .contentLength(4))
        #expect(try parser.next() == .body(bytes("ab")[...]))
        parser.append(bytes("cd"))
        #expect(try parser.next() == .body(bytes("cd")[...]))
        #expect(try parser.next() == .end)
        #expect(parser.framing == nil)
    }

    @Test func bodyBytes_areHandedOutAsTheyArrive_notBuffered() throws {
        var parser = HTTPRequestParser()
        parser.append(bytes("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 30000\r\n\r\n"))
        _ = try parser.next()
        for _ in 0..<10 {
            parser.append([UInt8](repeating: 0x61, count: 3000))
            #expect(try parser.next() == .body([UInt8](repeating: 0x61, count: 3000)[...]))
            #expect(parser.bufferedByteCount == 0)
        }
        #expect(try parser.next() == .end)
    }

    @Test func bufferedByteCount_countsWhatIsNotYetHandedOut() throws {
        var parser = HTTPRequestParser()
        parser.append(bytes(RequestFixture.get.text + "GET /next"))
        #expect(parser.bufferedByteCount == RequestFixture.get.text.utf8.count + 9)
        _ = try parser.next()
        _ = try parser.next()
        #expect(parser.bufferedByteCount == 9)
    }

    @Test func manyRequests_fedOneAtATime_leaveNothingBuffered() throws {
        var parser = HTTPRequestParser()
        for _ in 0..<1000 {
            parser.append(bytes(RequestFixture.post.text))
            while try parser.next() != nil {}
        }
        #expect(parser.bufferedByteCount == 0)
    }

    @Test func appendingARawBuffer_works() throws {
        var parser = HTTPRequestParser()
        bytes(RequestFixture.get.text).withUnsafeBytes { parser.append($0) }
        #expect(try parser.next().map { if case .head = $0 { true } else { false } } == true)
    }

    @Test func cleanEndOfInput_betweenRequests_isNotAnError() throws {
        var parser = HTTPRequestParser()
        parser.append(bytes(RequestFixture.get.text + "\r\n"))
        _ = try parser.next()
        _ = try parser.next()
        parser.finish()
        #expect(try parser.next() == nil)
    }

    @Test(arguments: [
        ("GET / HTTP/1.1\r\nHost: h\r\n\r\n", true),
        ("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", false),
        ("GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, CLOSE\r\n\r\n", false),
        ("GET / HTTP/1.0\r\n\r\n", false),
        ("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true),
        ("GET / HTTP/1.0\r\nConnection: te,\r\nConnection: keep-alive , x\r\n\r\n", true),
    ])
    func keepAlive_followsRFC9112Section9_3(text: String, keepAlive: Bool) {
        #expect(parseRequests(text).heads.first?.keepAlive == keepAlive)
    }
}
