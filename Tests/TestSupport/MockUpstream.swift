import ApipodKit
import Synchronization

/// An upstream for proxy tests: a real HTTP server on loopback, on its own event loop, whose
/// answers a test scripts and whose received requests a test inspects.
public final class MockUpstream: Sendable {
    /// A request as the upstream received it.
    public struct Received: Sendable {
        public let head: HTTPRequestHead
        public let body: [UInt8]
    }

    public typealias Behaviour = @Sendable (Received, ResponseWriter) async throws -> Void

    private let group: EventLoopGroup
    private let server: HTTPServer
    private let log = ReceivedLog()
    public var port: UInt16 { server.localAddress.port }

    public init(_ behaviour: @escaping Behaviour = MockUpstream.echoModel) throws {
        let log = self.log
        group = try EventLoopGroup(count: 1)
        server = try HTTPServer(
            configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0), group: group,
            handler: Handler(log: log, behaviour: behaviour))
    }

    /// Every request received so far, oldest first.
    public var received: [Received] { log.entries.withLock { $0 } }

    public func stop() async {
        await server.shutdown(grace: .milliseconds(100))
        group.shutdown()
    }

    /// Answers `{"model": <the model received>}` as JSON.
    public static let echoModel: Behaviour = { request, response in
        let model = (try? ModelField.find(in: request.body))??.value ?? ""
        var head = HTTPResponseHead(status: 200)
        head.headers.add(name: "Content-Type", value: "application/json")
        try await response.send(head, body: Array(#"{"model":"\#(model)"}"#.utf8))
    }

    private final class ReceivedLog: Sendable {
        /// Protected by its mutex: written by the upstream's loop, read by the test.
        let entries = Mutex<[Received]>([])
    }

    private struct Handler: HTTPHandler {
        let log: ReceivedLog
        let behaviour: Behaviour

        func handle(_ request: ServerRequest, _ response: ResponseWriter) async throws {
            let received = Received(head: request.head, body: try await request.collectBody())
            log.entries.withLock { $0.append(received) }
            try await behaviour(received, response)
        }
    }
}
