import Testing
@testable import ApipodKit

/// A client that hangs up must end its upstream request at once: an LLM keeps generating, and
/// billing, until its connection closes. The upstream here goes silent, so nothing but the
/// proxy's watch on the client can notice; without it the upstream connection would close only
/// at the upstream's next byte or after the ten-minute response timeout.
@Suite(.serialized)
struct ProxyHangUpTests {
    /// Far more than a healthy proxy needs, far less than a proxy that does not watch would take.
    static let closeLimit: Duration = .seconds(5)

    /// An upstream that reads one request, sends `answer` (perhaps nothing), then stays silent
    /// until the proxy ends the connection, and notes "closed" when it does.
    static func silentUpstream(after answer: String) throws -> ScriptedUpstream {
        try ScriptedUpstream { listener, log in
            let connection = try await ScriptedConnection(acceptingOn: listener, log: log)
            _ = try await connection.nextRequest(log: log)
            if !answer.isEmpty { try await connection.send(answer) }
            // A reset (the proxy closing with bytes unread) ends the connection as well.
            do { try await connection.holdUntilClosed() } catch SocketError.connectionReset {}
            log.note("closed")
        }
    }

    @Test func aClientThatHangsUpWhileTheUpstreamIsSilentMidStreamClosesTheUpstreamConnection() async throws {
        let upstream = try Self.silentUpstream(after: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n")
        let harness = try ProxyHarness(upstreamPort: upstream.port)
        let connection = try await harness.connect()
        try await connection.write(harness.rawChat(#"{"model":"m","stream":true}"#))
        #expect(try await connection.readUntil("first"))
        connection.socket.close()
        #expect(try await eventually(within: Self.closeLimit) { upstream.log.entries.contains("closed") })
        await harness.stop()
        await upstream.stop()
    }

    @Test func aClientThatHangsUpBeforeTheResponseHeadClosesTheUpstreamConnection() async throws {
        let upstream = try Self.silentUpstream(after: "")
        let harness = try ProxyHarness(upstreamPort: upstream.port)
        let connection = try await harness.connect()
        try await connection.write(harness.rawChat(#"{"model":"m"}"#))
        #expect(try await eventually(within: Self.closeLimit) { upstream.log.entries.contains("/v1/chat/completions") })
        connection.socket.close()
        #expect(try await eventually(within: Self.closeLimit) { upstream.log.entries.contains("closed") })
        await harness.stop()
        await upstream.stop()
    }
}
