import Glibc
import Testing
@testable import ApipodKit

extension ServerTests {
/// The cap on open connections (`HTTPServerConfiguration.maxConnections`): at the cap the
/// server stops accepting, and takes the next connection when one closes.
@Suite struct ConnectionCapTests {
    @Test func atTheCap_ANewConnectionIsServedOnlyOnceAnotherCloses() async throws {
        let server = try TestServer(configure: { $0.maxConnections = 4 }) { request, response in
            try await sendText("served " + request.head.target, response)
        }
        var open: [RawConnection] = []
        for index in 1...4 {
            let connection = try await server.connect()
            try await connection.write("GET /\(index) HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try #require(try await connection.readResponse()).text == "served /\(index)")
            open.append(connection)
        }
        // The kernel completes the handshake; the connection waits in the listen backlog.
        let fifth = try await server.connect()
        try await fifth.write("GET /5 HTTP/1.1\r\nHost: t\r\n\r\n")
        await #expect(throws: SocketError.self) { try await fifth.readOnce(deadline: .after(.milliseconds(300))) }
        #expect(server.server.connectionCount == 4)
        open.removeFirst().socket.close()
        #expect(try #require(try await fifth.readResponse()).text == "served /5")
        #expect(server.server.connectionCount <= 4)
        await server.stop()
    }

    @Test func theDefaultCap_LeavesDescriptorsForUpstreamConnections() {
        var limit = rlimit()
        #expect(getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0)
        let cap = HTTPServerConfiguration(host: "127.0.0.1", port: 0).maxConnections
        #expect(cap >= 16)
        #expect(cap * 2 <= max(32, Int(clamping: limit.rlim_cur)))
    }
}
}
