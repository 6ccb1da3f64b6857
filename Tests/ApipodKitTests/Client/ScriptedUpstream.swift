import Glibc
import Synchronization
import Testing
@testable import ApipodKit

/// An upstream that is a bare listening socket and a script, for answers no HTTP server
/// gives: none at all, half a body, a close at the wrong moment. The script runs on the
/// upstream's own loop; `stop` cancels it and reports it if it failed.
final class ScriptedUpstream: Sendable {
    let port: UInt16
    /// What the script noted ("accepted", the targets it read…), in order.
    let log = ScriptLog()
    private let group: EventLoopGroup
    private let script: Task<Void, any Error>

    init(_ script: @escaping @Sendable (_ listener: Socket, _ log: ScriptLog) async throws -> Void) throws {
        group = try EventLoopGroup(count: 1)
        let listener = try Socket.listen(host: "127.0.0.1", port: 0, on: group.loops[0])
        port = try listener.localAddress.port
        let log = self.log
        self.script = Task(executorPreference: group.loops[0]) {
            defer { listener.close() }
            try await script(listener, log)
        }
    }

    func stop() async {
        script.cancel()
        if case .failure(let error) = await script.result, !(error is CancellationError) {
            Issue.record(error, "the upstream's script failed")
        }
        group.shutdown()
    }
}

/// Notes a script leaves for its test.
final class ScriptLog: Sendable {
    /// Protected by its mutex: written by the script, read by the test.
    private let notes = Mutex<[String]>([])

    func note(_ text: String) {
        notes.withLock { $0.append(text) }
    }

    var entries: [String] { notes.withLock { $0 } }
}

/// One connection a script accepted: it reads requests with the server's own parser and
/// writes whatever the script says.
final class ScriptedConnection {
    let socket: Socket
    private var parser = HTTPRequestParser()
    private var ended = false

    init(acceptingOn listener: Socket, log: ScriptLog) async throws {
        socket = try await listener.accept()
        log.note("accepted")
    }

    /// The next request's target, its body read and dropped; nil when the client closed first.
    func nextRequest(log: ScriptLog) async throws -> String? {
        var target: String?
        while true {
            if let event = try parser.next() {
                switch event {
                case .head(let head): target = head.target
                case .body: continue
                case .end:
                    log.note(target ?? "?")
                    return target
                }
                continue
            }
            if ended { return nil }
            let count = try await socket.readSome(deadline: hangGuard()) { parser.append($0) }
            if count == 0 {
                ended = true
                parser.finish()
            }
        }
    }

    func send(_ text: String) async throws {
        try await send(Array(text.utf8))
    }

    func send(_ bytes: [UInt8]) async throws {
        try await socket.write(bytes[...], deadline: hangGuard())
    }

    /// Holds the connection open, reading and dropping whatever comes, until the client
    /// closes it or the script is cancelled.
    func holdUntilClosed() async throws {
        while try await socket.readSome(deadline: .never, { _ in }) > 0 {}
    }

    func close() {
        socket.close()
    }

    /// Closes with a reset instead of a FIN (`SO_LINGER` of zero): the client's next write
    /// fails at once.
    func reset() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(socket.fileDescriptor, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        socket.close()
    }
}
