import Glibc
import Synchronization
import Testing
@testable import ApipodKit

extension ClientTests {
/// A relay waits on the upstream while watching its own client: the client hanging up ends
/// the wait with `SocketError.peerClosed`, however long the upstream would have taken.
@Suite struct HangUpTests {
    /// Waits until the client's task is suspended in its wait, then hangs up the watched
    /// socket's peer.
    static func hangUp(_ peer: Int32, once ready: @escaping @Sendable () -> Bool, client: TestHTTPClient) async throws {
        #expect(try await eventually(ready))
        try await waitUntilSuspended(1, on: client.loop)
        close(peer)
    }

    @Test func nextPiece_ThrowsPeerClosed_WhenTheWatchedClientHangsUp() async throws {
        let upstream = try ScriptedUpstream { listener, log in
            let connection = try await ScriptedConnection(acceptingOn: listener, log: log)
            _ = try await connection.nextRequest(log: log)
            try await connection.send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n")
            try await connection.holdUntilClosed()
        }
        // A stalled upstream would end the wait with a bad response only after this.
        let client = try TestHTTPClient(port: upstream.port) { $0.bodyIdleTimeout = .seconds(20) }
        let (watchedFD, peer) = try makeDescriptorPair()
        let firstPieceRead = Atomic(false)
        async let outcome = client.run { client, loop in
            let watched = try Socket(adopting: watchedFD, on: loop)
            let response = try await client.send(request("GET", "/"), body: [], on: loop)
            let first = try await response.nextPiece(watching: watched).map(Array.init)
            firstPieceRead.store(true, ordering: .releasing)
            do {
                _ = try await response.nextPiece(watching: watched)
                return (first, nil as SocketError?)
            } catch let error as SocketError {
                return (first, error)
            }
        }
        try await Self.hangUp(peer, once: { firstPieceRead.load(ordering: .acquiring) }, client: client)
        let (first, error) = try await outcome
        #expect(first == Array("first".utf8))
        #expect(error == .peerClosed(operation: "read from 127.0.0.1:\(upstream.port)"))
        client.stop()
        await upstream.stop()
    }

    @Test func send_ThrowsPeerClosed_WhenTheWatchedClientHangsUpBeforeTheHead() async throws {
        let upstream = try ScriptedUpstream { listener, log in
            let connection = try await ScriptedConnection(acceptingOn: listener, log: log)
            _ = try await connection.nextRequest(log: log)
            try await connection.holdUntilClosed()
        }
        let client = try TestHTTPClient(port: upstream.port)
        let (watchedFD, peer) = try makeDescriptorPair()
        async let outcome = client.run { client, loop in
            let watched = try Socket(adopting: watchedFD, on: loop)
            do {
                _ = try await client.send(request("GET", "/"), body: [], on: loop, watching: watched)
                return nil as SocketError?
            } catch let error as SocketError {
                return error
            }
        }
        try await Self.hangUp(peer, once: { upstream.log.entries.contains("/") }, client: client)
        #expect(try await outcome == .peerClosed(operation: "read from 127.0.0.1:\(upstream.port)"))
        client.stop()
        await upstream.stop()
    }
}
}
