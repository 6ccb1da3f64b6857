import Testing
@testable import ApipodKit

extension ServerTests {
/// Bad input over a real connection: a clear status, then the connection closes.
@Suite struct DefenceTests {
    /// Reads the whole body and answers with its length.
    static func readBody(_ request: ServerRequest, _ response: ResponseWriter) async throws {
        try await sendText(String(try await request.collectBody().count), response)
    }

    /// Sends `request`, reads the one answer, and checks that the server then closed.
    static func answerThenClose(to request: [UInt8], server: TestServer) async throws -> RawResponse {
        let connection = try await server.connect()
        try await connection.write(request)
        let response = try #require(try await connection.readResponse())
        #expect(response.head.headers["connection"] == "close")
        #expect(try await connection.readToEnd().isEmpty)
        return response
    }

    @Test(arguments: [
        "GET / HTTP/1.1\nHost: t\n\n",
        "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: t\r\nX-Folded: a\r\n b\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
    ])
    func aMalformedRequest_Gets400AndTheConnectionCloses(request: String) async throws {
        let server = try TestServer(Self.readBody)
        #expect(try await Self.answerThenClose(to: Array(request.utf8), server: server).status == 400)
        await server.stop()
    }

    @Test func aHeaderSectionOverTheLimit_Gets431() async throws {
        let server = try TestServer(Self.readBody)
        let request = "GET / HTTP/1.1\r\nHost: t\r\nX-Big: \(String(repeating: "b", count: 40_000))\r\n\r\n"
        #expect(try await Self.answerThenClose(to: Array(request.utf8), server: server).status == 431)
        await server.stop()
    }

    @Test func aDeclaredBodyOverTheLimit_Gets413BeforeItIsSent() async throws {
        let server = try TestServer(configure: { $0.limits.maxBodyBytes = 1000 }, Self.readBody)
        let request = "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n"
        #expect(try await Self.answerThenClose(to: Array(request.utf8), server: server).status == 413)
        await server.stop()
    }

    @Test func aChunkedBodyGrowingOverTheLimit_Gets413() async throws {
        let server = try TestServer(configure: { $0.limits.maxBodyBytes = 1000 }, Self.readBody)
        let request = Array("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n".utf8) + chunkedEncoding(of: testBytes(2000))
        #expect(try await Self.answerThenClose(to: request, server: server).status == 413)
        await server.stop()
    }

    @Test func aSilentConnection_IsClosedByTheHeadTimeout() async throws {
        let server = try TestServer(configure: { $0.requestHeadTimeout = .milliseconds(200) }, Self.readBody)
        let connection = try await server.connect()
        #expect(try await connection.readToEnd().isEmpty)
        await server.stop()
    }

    @Test func aHeadSentAByteAtATime_IsCutByTheHeadTimeout() async throws {
        let server = try TestServer(configure: { $0.requestHeadTimeout = .milliseconds(300) }, Self.readBody)
        let connection = try await server.connect()
        let head = "GET / HTTP/1.1\r\nHost: t\r\nX-Slow: \(String(repeating: "s", count: 20_000))\r\n\r\n"
        let sent = try await trickle(head.utf8.map { [$0] }, over: connection)
        #expect(sent < head.utf8.count)
        #expect(try #require(try await connection.readResponse()).status == 408)
        #expect(try await connection.readToEnd().isEmpty)
        await server.stop()
    }

    @Test func aHeadThatStalls_IsCutByTheHeadTimeout() async throws {
        let server = try TestServer(configure: { $0.requestHeadTimeout = .milliseconds(300) }, Self.readBody)
        let connection = try await server.connect()
        try await connection.write("GET / HTTP/1.1\r\nHost: t\r\n")
        #expect(try #require(try await connection.readResponse()).status == 408)
        #expect(try await connection.readToEnd().isEmpty)
        await server.stop()
    }

    @Test func aHeadSentALineAtATimeOnAKeptAliveConnection_IsCutByTheHeadTimeout() async throws {
        let server = try TestServer(
            configure: {
                $0.requestHeadTimeout = .milliseconds(300)
                $0.idleTimeout = .seconds(30)
                $0.limits.maxHeaderCount = 10_000
            }, Self.readBody)
        let connection = try await server.connect()
        try await connection.write("GET /first HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try #require(try await connection.readResponse()).status == 200)
        let lines = ["GET /slow HTTP/1.1\r\n", "Host: t\r\n"] + (0..<5000).map { "X-\($0): v\r\n" }
        let sent = try await trickle(lines.map { Array($0.utf8) }, over: connection)
        #expect(sent < lines.count)
        #expect(try #require(try await connection.readResponse()).status == 408)
        await server.stop()
    }

    @Test func anIdleKeptAliveConnection_IsClosedByTheIdleTimeout() async throws {
        let server = try TestServer(configure: { $0.idleTimeout = .milliseconds(200) }, Self.readBody)
        let connection = try await server.connect()
        try await connection.write("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try #require(try await connection.readResponse()).status == 200)
        #expect(try await connection.readToEnd().isEmpty)
        #expect(try await eventually { server.server.connectionCount == 0 })
        await server.stop()
    }

    /// A body trickled a byte at a time, each well within the per-read timeout, is cut once it
    /// falls behind the minimum rate; by the per-read timeout alone it would last as long as
    /// the client pleased (here some ten seconds, the whole body).
    @Test func aBodyTrickledBelowTheMinimumRate_IsCut() async throws {
        let server = try TestServer(configure: {
            $0.bodyReadTimeout = .milliseconds(500)
            $0.minimumBodyRate = 1000
        }) { request, response in
            do {
                _ = try await request.collectBody()
                try await sendText("complete", response)
            } catch SocketError.timedOut {
                try await response.send(HTTPResponseHead(status: 408))
            }
        }
        let connection = try await server.connect()
        try await connection.write("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 500\r\n\r\n")
        let sent = try await trickle(Array(repeating: Array("x".utf8), count: 500), over: connection)
        #expect(sent < 500)
        #expect(try #require(try await connection.readResponse()).status == 408)
        await server.stop()
    }

    /// Writes `pieces` one by one, each after a short wait for an answer, until the server
    /// answers or closes; returns how many pieces it sent.
    func trickle(_ pieces: [[UInt8]], over connection: RawConnection) async throws -> Int {
        for (index, piece) in pieces.enumerated() {
            do {
                try await connection.write(piece)
            } catch SocketError.connectionReset {
                return index
            }
            do {
                try await connection.readOnce(deadline: .after(.milliseconds(20)))
                return index + 1
            } catch SocketError.timedOut {
                continue
            }
        }
        return pieces.count
    }
}
}
