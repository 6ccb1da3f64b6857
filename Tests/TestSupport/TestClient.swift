import ApipodKit
import Glibc

/// A minimal HTTP client for tests that sees what a real client sees: the raw response, each
/// body piece as it arrives, and when it arrived. One request per connection.
public struct TestClient: Sendable {
    public struct Response: Sendable {
        public let status: Int
        public let headers: HTTPHeaders
        public let body: [UInt8]
        /// Body pieces in arrival order, with the monotonic time each was read.
        public let pieces: [(bytes: [UInt8], at: Deadline)]
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    let loop: EventLoop
    let port: UInt16

    public init(loop: EventLoop, port: UInt16) {
        self.loop = loop
        self.port = port
    }

    /// Sends a request and reads the whole response. `onPiece` runs after each body piece and
    /// may return false to hang up early.
    public func send(
        _ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
        onPiece: (Int, [UInt8]) -> Bool = { _, _ in true }
    ) async throws -> Response {
        var head = HTTPRequestHead(method: method, target: target, headers: HTTPHeaders(headers.map { (name: $0.0, value: $0.1) }))
        head.headers.add(name: "Host", value: "127.0.0.1:\(port)")
        if let body { head.headers.add(name: "Content-Length", value: String(body.count)) }
        return try await sendRaw(head.serialized() + (body ?? []), method: method, onPiece: onPiece)
    }

    /// Sends `bytes` exactly as given (for malformed requests) and reads one response.
    public func sendRaw(_ bytes: [UInt8], method: String = "GET", onPiece: (Int, [UInt8]) -> Bool = { _, _ in true }) async throws -> Response {
        let socket = try await Socket.connect(host: "127.0.0.1", port: port, deadline: .after(.seconds(10)), on: loop)
        defer { socket.close() }
        try await socket.write(bytes[...], deadline: .after(.seconds(10)))
        var parser = HTTPResponseParser()
        parser.expectResponse(toMethod: method)
        var head: HTTPResponseHead?
        var body: [UInt8] = []
        var pieces: [(bytes: [UInt8], at: Deadline)] = []
        var ended = false
        while true {
            if let event = try parser.next() {
                switch event {
                case .head(let received): head = received
                case .body(let piece):
                    body += piece
                    pieces.append((Array(piece), Deadline.now))
                    if !onPiece(pieces.count, Array(piece)) {
                        return Response(status: head?.status ?? 0, headers: head?.headers ?? [:], body: body, pieces: pieces)
                    }
                case .end:
                    return Response(status: head?.status ?? 0, headers: head?.headers ?? [:], body: body, pieces: pieces)
                }
                continue
            }
            let count = try await socket.readSome(deadline: .after(.seconds(30))) { parser.append($0) }
            if count == 0 {
                // Closed before a response began: the parser has nothing more to say, and
                // reading on would only spin.
                if ended { throw SocketError.peerClosed(operation: "read a response") }
                ended = true
                parser.finish()
            }
        }
    }
}
