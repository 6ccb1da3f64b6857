import Glibc
import Synchronization
import Testing
@testable import ApipodKit

extension ServerTests {
/// Between requests a connection has no task; a loop's workers serve whichever connection's
/// request has arrived (`ServerWorkers`). These check that sharing them holds up no one.
@Suite struct WorkerTests {
    /// Opens once; every request that waits on it is answered then.
    final class Gate: Sendable {
        private let state = Mutex<(open: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

        func wait() async {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.open { return true }
                    state.waiting.append(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }

        func open() {
            let waiting = state.withLock { state in
                state.open = true
                return state.waiting
            }
            for continuation in waiting { continuation.resume() }
        }
    }

    /// Two keep-alive connections on one loop send their next requests while the loop is held
    /// up, so both arrive in one batch: the worker that takes the first, whose handler then
    /// waits, must see to it that the second is served meanwhile. (On a machine too slow to send
    /// both within the hold-up they come in two batches, and the test still holds.)
    @Test func aRequestThatWaits_DoesNotHoldUpAnotherConnectionsRequest() async throws {
        let gate = Gate()
        let blocking = Atomic(false)
        let server = try TestServer(loops: 1) { request, response in
            switch request.head.target {
            case "/slow": await gate.wait()
            case "/block":
                blocking.store(true, ordering: .releasing)
                usleep(300_000)  // holds the loop's thread, on purpose
            default: break
            }
            try await sendText(request.head.target, response)
        }
        let slow = try await server.connect()
        let fast = try await server.connect()
        let blocker = try await server.connect()
        for connection in [slow, fast] {
            try await connection.write("GET /warm HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try await connection.readResponse()?.text == "/warm")
        }
        try await blocker.write("GET /block HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try await eventually { blocking.load(ordering: .acquiring) })
        try await slow.write("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")
        try await fast.write("GET /fast HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try await fast.readResponse()?.text == "/fast")
        #expect(try await blocker.readResponse()?.text == "/block")
        gate.open()
        #expect(try await slow.readResponse()?.text == "/slow")
        #expect(server.connectionsUsed == 3)
        await server.stop()
    }

    /// Many connections take turns on the loops' workers, each several requests long, with an
    /// idle gap between requests: every answer comes on its own connection, in order.
    @Test func manyConnectionsTakingTurns_EachGetTheirOwnAnswers() async throws {
        let server = try TestServer(KeepAliveTests.echoTarget)
        var connections: [RawConnection] = []
        for _ in 0..<40 { connections.append(try await server.connect()) }
        for round in 0..<5 {
            for (index, connection) in connections.enumerated() {
                try await connection.write("GET /\(index)/\(round) HTTP/1.1\r\nHost: t\r\n\r\n")
            }
            for (index, connection) in connections.enumerated() {
                let response = try #require(try await connection.readResponse())
                #expect(response.text == "/\(index)/\(round)")
                #expect(response.head.headers["x-peer"] == String(connection.localPort))
            }
        }
        #expect(server.connectionsUsed == 40)
        #expect(server.server.connectionCount == 40)
        await server.stop()
        #expect(server.server.connectionCount == 0)
    }
}
}
