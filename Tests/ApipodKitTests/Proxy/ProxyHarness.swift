import Synchronization
import TestSupport
import Testing
@testable import ApipodKit

/// A running proxy (the same `ProxyService.start` that `serve` uses) in front of a mock
/// upstream, with a scratch key database holding one valid key.
struct ProxyHarness {
    let scratch = TemporaryDirectory()
    let upstream: MockUpstream
    let running: ProxyService.Running
    let clientGroup: EventLoopGroup
    let key: APIKey
    let store: KeyStore
    let logger: LineLogger

    init(
        adminSecret: String? = nil, maxBodyBytes: Int = 10 << 20, upstreamTimeout: Duration = .seconds(600),
        upstreamPort: UInt16? = nil, logFormat: LogFormat = .text, metrics: Bool = true,
        routing: RoutingTable = .builtIn, providerKeys: [String: String] = [:], _ behaviour: @escaping MockUpstream.Behaviour = MockUpstream.echoModel
    ) throws {
        upstream = try MockUpstream(behaviour)
        let databasePath = scratch.file("keys.db")
        store = try KeyStore(path: databasePath, opening: .mayCreate)
        key = try APIKey.generate()
        _ = try store.insert(key, name: "test", lifetime: nil)
        var configuration = ServerConfiguration(
            upstream: try UpstreamURL(parsing: "http://127.0.0.1:\(upstreamPort ?? upstream.port)"),
            upstreamKey: "upstream-secret", adminSecret: adminSecret, databasePath: databasePath)
        configuration.maxBodyBytes = maxBodyBytes
        configuration.upstreamResponseTimeout = upstreamTimeout
        configuration.logFormat = logFormat
        configuration.metricsEnabled = metrics
        configuration.routing = routing
        configuration.providerKeys = ProviderKeys(routing) { providerKeys[$0] }
        logger = LineLogger(fd: open(scratch.file("requests.log"), O_WRONLY | O_CREAT | O_APPEND, 0o600))
        running = try ProxyService.start(configuration, logger: logger, loops: 2)
        clientGroup = try EventLoopGroup(count: 1)
    }

    /// A loopback port nobody listens on: bound, read back, released.
    static func closedPort() throws -> UInt16 {
        let group = try EventLoopGroup(count: 1)
        defer { group.shutdown() }
        return try Socket.listen(host: "127.0.0.1", port: 0, on: group.loops[0]).localAddress.port
    }

    var client: TestClient { TestClient(loop: clientGroup.loops[0], port: running.server.localAddress.port) }

    var bearer: (String, String) { ("Authorization", "Bearer \(key.text)") }

    /// A connection that writes exactly the given bytes and keeps all it reads, for tests that
    /// watch the wire or hang up in the middle of an exchange.
    func connect() async throws -> RawConnection {
        try await RawConnection(port: running.server.localAddress.port, loop: clientGroup.loops[0])
    }

    /// A chat completion request with this harness's key, as the bytes a client sends.
    func rawChat(_ body: String) -> String {
        "POST /v1/chat/completions HTTP/1.1\r\nHost: proxy\r\nAuthorization: Bearer \(key.text)\r\n"
            + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    func chat(_ body: String, headers: [(String, String)]? = nil, path: String = "/v1/chat/completions") async throws -> TestClient.Response {
        try await client.send("POST", path, headers: headers ?? [bearer, ("Content-Type", "application/json")], body: Array(body.utf8))
    }

    /// The request log's lines (not serve's start-up lines) once at least `count` are written:
    /// a line follows its answer, so it may still be on its way when the client has the
    /// response. Fewer after 10 s.
    func logLines(atLeast count: Int = 1) async throws -> [String] {
        var lines: [String] = []
        for _ in 0..<400 {
            logger.flush()
            let text = String(decoding: try readFile(scratch.file("requests.log")), as: UTF8.self)
            lines = text.split(separator: "\n").filter { !$0.hasPrefix("apipodctl serve:") }.map(String.init)
            if lines.count >= count { break }
            try await Task.sleep(for: .milliseconds(25))
        }
        return lines
    }

    func stop() async {
        await running.stop(grace: .seconds(1))
        await upstream.stop()
        clientGroup.shutdown()
    }
}

import Glibc
