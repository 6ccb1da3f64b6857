import Synchronization
import Testing
@testable import ApipodKit

/// A one-way switch a test opens to let a handler go on.
final class Gate: Sendable {
    private let opened = Atomic(false)

    var isOpen: Bool { opened.load(ordering: .acquiring) }

    func open() {
        opened.store(true, ordering: .releasing)
    }
}

/// What a streaming handler ended with, seen from the test.
final class HandlerOutcome: Sendable {
    /// Protected by its mutex: the error the handler's stream ended with.
    let error = Mutex<(any Error)?>(nil)

    var ended: Bool { error.withLock { $0 != nil } }
}

extension ServerTests {
/// Graceful shutdown and clients that leave: what finishes, what is cut, and that every
/// connection is accounted for afterwards.
@Suite struct ShutdownTests {
    /// Writes "tick" every few milliseconds until a write or a sleep throws, and records why.
    static func endlessTicks(_ outcome: HandlerOutcome) -> @Sendable (ServerRequest, ResponseWriter) async throws -> Void {
        { _, response in
            try await response.start(HTTPResponseHead(status: 200))
            do {
                while true {
                    try await response.write(Array("tick".utf8))
                    try await Task.sleep(for: .milliseconds(5))
                }
            } catch {
                outcome.error.withLock { $0 = error }
                throw error
            }
        }
    }

    @Test func shutdown_LetsAStreamFinish_ClosesIdleConnectionsAtOnce_AndRefusesNewOnes() async throws {
        let gate = Gate()
        let server = try TestServer.outsideTheEphemeralRange { request, response in
            guard request.head.target == "/stream" else { return try await sendText("quick", response) }
            try await response.start(HTTPResponseHead(status: 200))
            try await response.write(Array("before ".utf8))
            _ = try await eventually(within: .seconds(10)) { gate.isOpen }
            try await response.write(Array("after".utf8))
        }
        let streaming = try await server.connect()
        try await streaming.write("GET /stream HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try await streaming.readUntil("before "))
        let idle = try await server.connect()
        try await idle.write("GET /quick HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try #require(try await idle.readResponse()).text == "quick")

        let shutdown = Task { await server.server.shutdown(grace: .seconds(10)) }
        // The stream is held at the gate, so both of these happen while it is in flight.
        #expect(try await idle.readToEnd().isEmpty)
        let refusal = await #expect(throws: SocketError.self) { _ = try await server.connect() }
        #expect(refusal.map { if case .connectionRefused = $0 { true } else { false } } == true)

        gate.open()
        let streamed = try #require(try await streaming.readResponse())
        #expect(streamed.text == "before after")
        #expect(try await streaming.readToEnd().isEmpty)
        await shutdown.value
        #expect(server.server.connectionCount == 0)
        await server.stop()
    }

    /// A keep-alive connection that has sent part of its next head when shutdown begins (the
    /// loop's watch has fired, or is about to, and a worker reads the rest) is closed at once:
    /// not after the head timeout, nor after the grace period, both far longer than the test's
    /// hang guard.
    @Test func shutdown_ClosesAConnectionMidwayThroughItsNextHead_AtOnce() async throws {
        let server = try TestServer(configure: { $0.requestHeadTimeout = .seconds(60) }) { _, response in
            try await sendText("quick", response)
        }
        let connection = try await server.connect()
        try await connection.write("GET /quick HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try #require(try await connection.readResponse()).text == "quick")
        try await connection.write("GET /next HTTP/1.1\r\nHo")
        let shutdown = Task { await server.server.shutdown(grace: .seconds(30)) }
        #expect(try await connection.readToEnd().isEmpty)
        await shutdown.value
        #expect(server.server.connectionCount == 0)
        await server.stop()
    }

    /// With no grace at all, idle connections are still closed and accounted for.
    @Test func shutdown_WithNoGrace_StillClosesIdleConnections() async throws {
        let server = try TestServer { _, response in try await sendText("quick", response) }
        let connection = try await server.connect()
        try await connection.write("GET /quick HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try #require(try await connection.readResponse()).text == "quick")
        await server.server.shutdown(grace: .zero)
        #expect(try await connection.readToEnd().isEmpty)
        #expect(server.server.connectionCount == 0)
        await server.stop()
    }

    @Test func shutdown_CutsAStreamThatOutlastsTheGrace() async throws {
        let outcome = HandlerOutcome()
        let server = try TestServer(Self.endlessTicks(outcome))
        let connection = try await server.connect()
        try await connection.write("GET /ticks HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try await connection.readUntil("tick"))
        await server.server.shutdown(grace: .milliseconds(200))
        #expect(server.server.connectionCount == 0)
        #expect(outcome.error.withLock { $0 is CancellationError })
        await #expect(throws: HTTPParseError.truncatedMessage) { _ = try await connection.readResponse() }
        await server.stop()
    }

    @Test func aClientLeavingMidStream_FailsTheHandlersWrite_AndFreesTheConnection() async throws {
        let outcome = HandlerOutcome()
        let server = try TestServer(Self.endlessTicks(outcome))
        let connection = try await server.connect()
        try await connection.write("GET /ticks HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try await connection.readUntil("tick"))
        connection.socket.close()
        #expect(try await eventually { outcome.ended })
        #expect(outcome.error.withLock { $0 is SocketError })
        #expect(try await eventually { server.server.connectionCount == 0 })
        await server.stop()
    }
}
}
