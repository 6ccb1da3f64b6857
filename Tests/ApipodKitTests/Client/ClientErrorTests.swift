import Testing
@testable import ApipodKit

extension ClientTests {
/// How an exchange fails, sorted as the proxy answers its own client: unreachable (502),
/// no head in time (504), broken off or not HTTP (502).
@Suite struct ErrorTests {
    /// An upstream that reads one request, sends `answer`, and then closes the connection.
    static func answering(_ answer: String) throws -> ScriptedUpstream {
        try ScriptedUpstream { listener, log in
            let connection = try await ScriptedConnection(acceptingOn: listener, log: log)
            _ = try await connection.nextRequest(log: log)
            try await connection.send(answer)
            connection.close()
        }
    }

    /// Sends a GET and reads the body; the pieces read before the error are kept in `pieces`.
    static func fetchPieces(_ client: TestHTTPClient, into pieces: PiecesRead) async throws {
        try await client.run { client, loop in
            let response = try await client.send(request("GET", "/"), body: [], on: loop)
            while let piece = try await response.nextPiece() { pieces.append(piece) }
        }
    }

    @Test func aClosedPort_IsUnreachable() async throws {
        let group = try EventLoopGroup(count: 1)
        let port = try Socket.listen(host: "127.0.0.1", port: 0, on: group.loops[0]).localAddress.port
        group.shutdown()
        let client = try TestHTTPClient(port: port)
        let error = await #expect(throws: HTTPClientError.self) { _ = try await client.fetch("/") }
        #expect(error?.isUnreachable == true)
        client.stop()
    }

    @Test func anUpstreamThatNeverAnswers_TimesOut() async throws {
        let upstream = try ScriptedUpstream { listener, log in
            let connection = try await ScriptedConnection(acceptingOn: listener, log: log)
            try await connection.holdUntilClosed()
        }
        let client = try TestHTTPClient(port: upstream.port) { $0.responseHeadTimeout = .milliseconds(200) }
        let error = await #expect(throws: HTTPClientError.self) { _ = try await client.fetch("/") }
        #expect(error?.isResponseTimeout == true)
        client.stop()
        await upstream.stop()
    }

    @Test(arguments: [
        "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7\r\npartial\r\n",
    ])
    func anUpstreamThatBreaksOffMidBody_IsABadResponse(answer: String) async throws {
        let upstream = try Self.answering(answer)
        let client = try TestHTTPClient(port: upstream.port)
        let pieces = PiecesRead()
        let error = await #expect(throws: HTTPClientError.self) { try await Self.fetchPieces(client, into: pieces) }
        #expect(error?.isBadResponse == true)
        #expect(pieces.joined == Array("partial".utf8))
        client.stop()
        await upstream.stop()
    }

    @Test func anUpstreamThatFallsSilentMidBody_IsABadResponse() async throws {
        let upstream = try ScriptedUpstream { listener, log in
            let connection = try await ScriptedConnection(acceptingOn: listener, log: log)
            _ = try await connection.nextRequest(log: log)
            try await connection.send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial")
            try await connection.holdUntilClosed()
        }
        let client = try TestHTTPClient(port: upstream.port) { $0.bodyIdleTimeout = .milliseconds(200) }
        let pieces = PiecesRead()
        let error = await #expect(throws: HTTPClientError.self) { try await Self.fetchPieces(client, into: pieces) }
        #expect(error?.isBadResponse == true)
        #expect(pieces.joined == Array("partial".utf8))
        client.stop()
        await upstream.stop()
    }

    @Test func anUpstreamThatIsNotHTTP_IsABadResponse() async throws {
        let upstream = try Self.answering("SSH-2.0-OpenSSH_9.6\r\n\r\n")
        let client = try TestHTTPClient(port: upstream.port)
        let error = await #expect(throws: HTTPClientError.self) { _ = try await client.fetch("/") }
        #expect(error?.isBadResponse == true)
        client.stop()
        await upstream.stop()
    }
}
}
