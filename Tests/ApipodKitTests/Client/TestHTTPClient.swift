import Testing
@testable import ApipodKit

/// The tests of `Sources/ApipodKit/Client` (run them with `swift test --filter ClientTests`).
/// Serialized because every test opens real sockets; the time limit is a hang guard only.
@Suite(.serialized, .timeLimit(.minutes(1)))
enum ClientTests {}

/// An `HTTPClient` for an upstream on 127.0.0.1, with a loop of its own. `HTTPClient.send`
/// must run on one of the client's loops (its pools are per loop), so `run` runs code there.
final class TestHTTPClient: Sendable {
    let client: HTTPClient
    private let group: EventLoopGroup

    init(port: UInt16, configure: (inout HTTPClientConfiguration) -> Void = { _ in }) throws {
        var configuration = HTTPClientConfiguration(host: "127.0.0.1", port: port)
        configure(&configuration)
        group = try EventLoopGroup(count: 1)
        client = HTTPClient(configuration: configuration, group: group)
    }

    var loop: EventLoop { group.loops[0] }

    /// Runs `body` in a task on the client's loop and returns its result.
    func run<T: Sendable>(_ body: @escaping @Sendable (HTTPClient, EventLoop) async throws -> T) async throws -> T {
        let client = self.client
        let loop = self.loop
        return try await Task(executorPreference: loop) { try await body(client, loop) }.value
    }

    /// Sends a bodyless request and reads the whole response.
    func fetch(_ target: String, method: String = "GET") async throws -> (status: Int, body: [UInt8]) {
        try await run { client, loop in
            let response = try await client.send(request(method, target), body: [], on: loop)
            return (response.head.status, try await response.readBody())
        }
    }

    func stop() {
        group.shutdown()
    }
}

/// A request head as a proxy would send it upstream.
func request(_ method: String, _ target: String) -> HTTPRequestHead {
    HTTPRequestHead(method: method, target: target, headers: ["Host": "127.0.0.1"])
}

extension UpstreamResponse {
    /// Every body piece until the end, joined.
    func readBody(watching client: Socket? = nil) async throws -> [UInt8] {
        var body: [UInt8] = []
        while let piece = try await nextPiece(watching: client) { body += piece }
        return body
    }
}

extension HTTPClientError {
    var isUnreachable: Bool { if case .unreachable = self { true } else { false } }
    var isResponseTimeout: Bool { if case .responseTimeout = self { true } else { false } }
    var isBadResponse: Bool { if case .badResponse = self { true } else { false } }
}
