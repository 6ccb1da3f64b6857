/// A request being served: its head at once, its body pulled piece by piece as the handler
/// asks, so a large upload is never held by the server unless the handler collects it.
/// Belongs to the task serving the request. Its counters are read and set by that task alone,
/// each in a statement that reaches nothing else here, so the runtime's exclusivity check on
/// them (four a request) is off.
public final class ServerRequest {
    public let head: HTTPRequestHead
    /// Strong, not `unowned`: the connection does not hold this object, so there is no cycle, and
    /// an unowned read costs an atomic increment and decrement on every use.
    private let connection: ServerConnection
    /// True once the parser has reported the end of this request's body.
    @exclusivity(unchecked) public private(set) var bodyFullyRead = false
    /// Body bytes handed to the handler so far.
    @exclusivity(unchecked) public private(set) var bodyBytesRead = 0
    /// Whether the request declared a body (Content-Length or chunked), even an empty one.
    public let hasBody: Bool
    /// When the first bytes of this request's head were read (or, for bytes that came with an
    /// earlier request, when the server turned to them): where the request's time starts, as
    /// nginx's `$request_time` does, so reading and parsing the head count too.
    public let receivedAt: Deadline
    /// When the body's grace ends: `bodyReadTimeout` after its first read from the socket; nil
    /// before. From then on the body must keep up with the minimum rate (`bodyReadDeadline`).
    @exclusivity(unchecked) private var bodyGraceEnd: Deadline?

    init(head: HTTPRequestHead, connection: ServerConnection) {
        self.head = head
        self.connection = connection
        receivedAt = connection.headArrival
        // Spelled as a switch: the closure form crashes the 6.3 optimiser (release builds).
        let bodyExpected: Bool
        switch connection.parser.framing {
        case .contentLength(let length)?: hasBody = true; bodyExpected = length > 0
        case .chunked?, .untilClose?: hasBody = true; bodyExpected = true
        case .none?, nil: hasBody = false; bodyExpected = false
        }
        connection.continuePending = bodyExpected && head.version == .http1_1
            && head.headers["expect"]?.lowercased() == "100-continue"
        if !bodyExpected { bodyFullyRead = connection.parser.endBodyIfEmpty() }
    }

    /// The client's address, for `X-Forwarded-For` and logs.
    public var remoteAddress: SocketAddress? { connection.socket.peerAddress }

    /// The client's host as text, formatted once per connection rather than once per request.
    public var remoteHost: String? { connection.remoteHost }

    /// The client's socket, only so a relay can abort its upstream read when the client hangs up
    /// (`Socket.read(into:abortingOnHangupOf:)`). Never read from or write to it.
    public var clientSocket: Socket { connection.socket }

    /// The next piece of the body, or nil at its end.
    /// - Throws: `HTTPParseError` for a malformed or oversized body, `SocketError` if the client
    ///   stalls longer than the body read timeout or goes away.
    public func nextBodyPiece() async throws -> ArraySlice<UInt8>? {
        while !bodyFullyRead {
            if let event = try connection.parser.next() {
                connection.continuePending = false
                switch event {
                case .body(let piece):
                    bodyBytesRead += piece.count
                    return piece
                case .end:
                    bodyFullyRead = true
                case .head:
                    continue
                }
            } else {
                try await sendContinueIfExpected()
                try await connection.fill(deadline: bodyReadDeadline())
            }
        }
        return nil
    }

    /// The deadline of the next wait for body bytes: the per-read timeout, and no later than the
    /// minimum rate allows (`HTTPServerConfiguration.minimumBodyRate`): the grace's end plus the
    /// time the bytes received so far have earned. Without the rate, a client sending a byte
    /// just before each read timeout held its connection for as long as its body lasted.
    private func bodyReadDeadline() -> Deadline {
        let perRead = Deadline.after(connection.timeouts.bodyRead)
        let graceEnd = bodyGraceEnd ?? perRead
        bodyGraceEnd = graceEnd
        return min(perRead, connection.timeouts.bodyRateDeadline(graceEnd: graceEnd, received: bodyBytesRead))
    }

    /// The whole body. The parser's body limit (413) bounds what this can hold.
    ///
    /// Bytes of a Content-Length body that were not already buffered with the head are received
    /// straight into the array that is returned, with no copy through the parser: a megabyte of
    /// chat history is copied by the kernel only.
    public func collectBody() async throws -> [UInt8] {
        var body: [UInt8] = []
        try await collectBody(into: &body)
        return body
    }

    /// `collectBody()` appending to `body`, which keeps what arrived if this throws.
    ///
    /// Memory follows the bytes that arrived, not the length a client declared: the array
    /// starts at `initialBodyCapacity` at most and at most quadruples when a read has filled it,
    /// and bytes are received into its spare capacity without being zeroed first. A client that
    /// declares 10 MB and sends one byte holds 64 KiB, not 10 MB reserved and 256 KiB zeroed;
    /// an honest 1 MB body grows twice (64 KiB, 256 KiB, 1 MB), copying a third of itself, where
    /// doubling had grown it four times and copied nearly all of it.
    func collectBody(into body: inout [UInt8]) async throws {
        if case .contentLength(let length)? = connection.parser.framing {
            body.reserveCapacity(body.count + min(length, Self.initialBodyCapacity))
        }
        while true {
            if let expected = connection.parser.directBodyBytesExpected {
                try await sendContinueIfExpected()
                if body.count == body.capacity {
                    body.reserveCapacity(body.count + min(expected, max(3 * body.count, Self.initialBodyCapacity)))
                }
                let room = min(expected, body.capacity - body.count)
                let count = try await connection.receive(appendingTo: &body, upTo: room, deadline: bodyReadDeadline())
                connection.parser.bodyBytesReceivedDirectly(count)
                bodyBytesRead += count
            } else if let piece = try await nextBodyPiece() {
                body.append(contentsOf: piece)
            } else {
                return
            }
        }
    }

    /// What `collectBody` reserves before any byte has arrived: the whole of most LLM requests.
    static let initialBodyCapacity = 64 * 1024

    /// Drops what the handler left unread of a body that has arrived whole, so the connection
    /// can serve another request. Never waits: a body still on its way made the response close
    /// the connection (`ServerConnection.unreadBodyIsStillComing`), and draining it at the
    /// client's pace would let a refused client hold the connection. False when the connection
    /// must close (more would have to be waited for, or the body is malformed).
    func discardArrivedBody() -> Bool {
        do {
            while let event = try connection.parser.next() {
                if case .end = event {
                    bodyFullyRead = true
                    return true
                }
            }
            return false
        } catch {
            return false
        }
    }

    /// RFC 9110 §10.1.1: a client that sent `Expect: 100-continue` waits for this before
    /// sending the body; it is sent only when the body is actually wanted, and never once the
    /// final response has begun or the client has started sending anyway.
    private func sendContinueIfExpected() async throws {
        guard connection.continuePending else { return }
        connection.continuePending = false
        guard connection.parser.bufferedByteCount == 0 else { return }
        try await connection.write(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
    }
}

@available(*, unavailable)
extension ServerRequest: Sendable {}
