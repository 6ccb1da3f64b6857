@testable import ApipodKit

/// One response as a client read it off the wire.
struct RawResponse {
    let head: HTTPResponseHead
    let body: [UInt8]
    /// Body pieces as the parser handed them out, in arrival order.
    let pieces: [[UInt8]]

    var status: Int { head.status }
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// A client connection to a server under test that writes exactly the bytes a test gives it
/// and reads responses one after another on the same socket, so keep-alive, pipelining and
/// closing can be observed. Everything it read is kept, for checks on the raw wire.
final class RawConnection {
    let socket: Socket
    private var parser = HTTPResponseParser()
    /// Every byte read from the server so far.
    private(set) var received: [UInt8] = []
    /// Whether the server ended the connection (end of stream or reset).
    private(set) var closedByServer = false

    init(port: UInt16, loop: EventLoop) async throws {
        socket = try await Socket.connect(host: "127.0.0.1", port: port, deadline: hangGuard(), on: loop)
    }

    deinit {
        socket.close()
    }

    /// The client's own port: what the server sees as the peer's.
    var localPort: UInt16 { (try? socket.localAddress.port) ?? 0 }

    func write(_ text: String) async throws {
        try await write(Array(text.utf8))
    }

    func write(_ bytes: [UInt8]) async throws {
        try await socket.write(bytes[...], deadline: hangGuard())
    }

    /// Reads once, waiting until `deadline`; returns what arrived (empty at end of stream).
    /// The bytes also go to the response parser.
    @discardableResult
    func readOnce(deadline: Deadline = hangGuard()) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        do {
            let count = try await socket.readSome(deadline: deadline) { bytes += $0 }
            if count == 0 { markClosed() }
        } catch SocketError.connectionReset {
            markClosed()
        }
        received += bytes
        parser.append(bytes)
        return bytes
    }

    /// Reads one whole response to a request made with `method`; nil when the server closed
    /// the connection before sending one. `onPiece` runs after each body piece with the body
    /// bytes received so far. Throws `HTTPParseError` for a response cut short.
    func readResponse(to method: String = "GET", onPiece: (Int) -> Void = { _ in }) async throws -> RawResponse? {
        parser.expectResponse(toMethod: method)
        var head: HTTPResponseHead?
        var body: [UInt8] = []
        var pieces: [[UInt8]] = []
        while true {
            guard let event = try parser.next() else {
                if closedByServer { return nil }
                try await readOnce()
                continue
            }
            switch event {
            case .head(let received):
                head = received
            case .body(let piece):
                body += piece
                pieces.append(Array(piece))
                onPiece(body.count)
            case .end:
                guard let head else { return nil }
                return RawResponse(head: head, body: body, pieces: pieces)
            }
        }
    }

    /// Reads until the bytes received so far contain `text`; false if the server closed first.
    /// What was read still goes to the next `readResponse`.
    func readUntil(_ text: String) async throws -> Bool {
        while !String(decoding: received, as: UTF8.self).contains(text) {
            if closedByServer { return false }
            try await readOnce()
        }
        return true
    }

    /// Reads until the server ends the connection; returns the bytes that came first.
    func readToEnd() async throws -> [UInt8] {
        var bytes: [UInt8] = []
        while !closedByServer { bytes += try await readOnce() }
        return bytes
    }

    private func markClosed() {
        closedByServer = true
        parser.finish()
    }
}
