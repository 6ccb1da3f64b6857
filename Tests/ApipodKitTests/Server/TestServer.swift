import Glibc
import Synchronization
import Testing
@testable import ApipodKit

/// The tests of `Sources/ApipodKit/Server` (run them with `swift test --filter ServerTests`).
/// Serialized because every test opens real sockets; the time limit is a hang guard only.
@Suite(.serialized, .timeLimit(.minutes(1)))
enum ServerTests {}

/// A handler made of a closure, so that each test says in place what its server does.
struct ClosureHandler: HTTPHandler {
    let body: @Sendable (ServerRequest, ResponseWriter) async throws -> Void

    func handle(_ request: ServerRequest, _ response: ResponseWriter) async throws {
        try await body(request, response)
    }
}

/// A real `HTTPServer` on 127.0.0.1 with a port the system chose and loops of its own, plus a
/// loop for the test's clients. It records the peer port of every request it serves, so a test
/// can count the connections its requests came on.
final class TestServer: Sendable {
    let server: HTTPServer
    let group: EventLoopGroup
    let clientGroup: EventLoopGroup
    private let peers = PeerLog()

    init(
        loops: Int = 2, port: UInt16 = 0, configure: (inout HTTPServerConfiguration) -> Void = { _ in },
        _ handle: @escaping @Sendable (ServerRequest, ResponseWriter) async throws -> Void
    ) throws {
        var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: port)
        configure(&configuration)
        let group = try EventLoopGroup(count: loops)
        let clientGroup = try EventLoopGroup(count: 1)
        let peers = self.peers
        do {
            server = try HTTPServer(configuration: configuration, group: group, handler: ClosureHandler { request, response in
                peers.ports.withLock { $0.append(request.remoteAddress?.port ?? 0) }
                try await handle(request, response)
            })
        } catch {
            // A port already taken (`outsideTheEphemeralRange` tries another) leaves no loops behind.
            group.shutdown()
            clientGroup.shutdown()
            throw error
        }
        self.group = group
        self.clientGroup = clientGroup
    }

    /// A server on a port below the system's ephemeral range, for a test that connects after
    /// the listener closed and expects a refusal. A port the system chose could, once freed, be
    /// bound again by another test's listener, or become the local port of the very connect
    /// that probes it, which on loopback then connects to itself (TCP's simultaneous open).
    /// Neither can happen below the range. Tries random ports until one is free.
    static func outsideTheEphemeralRange(
        _ handle: @escaping @Sendable (ServerRequest, ResponseWriter) async throws -> Void
    ) throws -> TestServer {
        let low = ephemeralRangeStart()
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<100 {
            do {
                return try TestServer(port: UInt16.random(in: (low / 2)..<low, using: &generator), handle)
            } catch SocketError.addressInUse {
                continue
            }
        }
        throw SocketError.addressInUse(operation: "bind below \(low), 100 tries")
    }

    /// The first port the system hands out for port 0 and for a client's connect.
    private static func ephemeralRangeStart() -> UInt16 {
        var text = [UInt8](repeating: 0, count: 64)
        let fd = open("/proc/sys/net/ipv4/ip_local_port_range", O_RDONLY)
        guard fd >= 0 else { return 32768 }
        defer { close(fd) }
        let count = read(fd, &text, text.count)
        let first = String(decoding: text[..<max(0, count)], as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\t" }).first
        return first.flatMap { UInt16($0) } ?? 32768
    }

    var port: UInt16 { server.localAddress.port }

    var clientLoop: EventLoop { clientGroup.loops[0] }

    /// The client port of each request served so far.
    var requestPeers: [UInt16] { peers.ports.withLock { $0 } }

    /// How many different connections the requests served so far came on.
    var connectionsUsed: Int { Set(requestPeers).count }

    func connect() async throws -> RawConnection {
        try await RawConnection(port: port, loop: clientLoop)
    }

    /// Shuts the server down (unless the test already did) and stops every loop.
    func stop() async {
        await server.shutdown(grace: .seconds(1))
        group.shutdown()
        clientGroup.shutdown()
    }
}

/// The client port of each request a server served, in arrival order.
final class PeerLog: Sendable {
    /// Protected by its mutex: written by the server's loops, read by the test.
    let ports = Mutex<[UInt16]>([])
}

/// Polls `condition` until it holds, for up to `limit`: a hang guard, not a clock, so a test
/// asserts the outcome and never how long it took. Throws `CancellationError` when cancelled.
func eventually(within limit: Duration = .seconds(5), _ condition: () -> Bool) async throws -> Bool {
    let clock = ContinuousClock()
    let end = clock.now.advanced(by: limit)
    while !condition() {
        if clock.now >= end { return false }
        try await Task.sleep(for: .milliseconds(5))
    }
    return true
}

/// A plain `200` with `body`, for handlers that just answer.
func sendText(_ text: String, _ response: ResponseWriter, headers: [(String, String)] = []) async throws {
    var head = HTTPResponseHead(status: 200)
    for (name, value) in headers { head.headers.add(name: name, value: value) }
    try await response.send(head, body: Array(text.utf8))
}
