/// Writes one response: either whole (`send`) or streamed (`start`, then `write` per piece,
/// then `finish`). Each piece goes to the socket as it is written, with no coalescing timer:
/// a streamed token reaches the client as soon as the handler has it. A client that reads
/// slowly makes `write` wait, which slows whoever produces the pieces instead of growing a buffer.
/// Belongs to the task serving the request.
public final class ResponseWriter {
    private enum Framing {
        case contentLength(remaining: Int)
        case chunked
        case untilClose
        case none
    }

    /// What the response needs of the request, taken once rather than a copy of its head.
    private let answersHEAD: Bool
    private let requestVersion: HTTPVersion
    let requestKeepsAlive: Bool
    /// Strong, not `unowned`: the connection does not hold this object, so there is no cycle, and
    /// an unowned read costs an atomic increment and decrement on every use.
    private let connection: ServerConnection
    /// This and the other fields marked so are read and set by the one task answering, each in
    /// a statement that reaches nothing else here: the runtime's exclusivity check could never
    /// fire, and it is off.
    @exclusivity(unchecked) private var framing: Framing?
    @exclusivity(unchecked) private var finished = false
    /// Head bytes from `startHoldingHead` not yet written: they leave with the first
    /// piece, at `flush()` or at `finish()`, so a short answer costs one send instead of two.
    @exclusivity(unchecked) private var pendingHead: [UInt8] = []
    @exclusivity(unchecked) public private(set) var status = 0
    /// Body bytes written (without chunk framing), for the request log.
    @exclusivity(unchecked) public private(set) var bodyBytesWritten = 0

    init(requestHead: HTTPRequestHead, connection: ServerConnection) {
        answersHEAD = requestHead.method == "HEAD"
        requestVersion = requestHead.version
        requestKeepsAlive = requestHead.keepAlive
        self.connection = connection
    }

    public var headSent: Bool { framing != nil }

    /// Whether the response is complete (sent whole, finished or aborted): whoever would call
    /// `finish()` (a handler ending its timed span, or the connection after it) skips it.
    var isFinished: Bool { finished }

    /// Sends a complete response with `body`, setting Content-Length. A status that has no
    /// content (1xx, 204, 304) gets neither the field nor the body (RFC 9110 §8.6, §6.4.1).
    public func send(_ head: consuming HTTPResponseHead, body: [UInt8] = []) async throws {
        let hasContent = !Self.hasNoContent(status: head.status)
        if hasContent { head.headers.replaceOrAdd(name: "Content-Length", decimal: body.count) }
        var bytes = prepare(&head, reserving: body.count, contentLength: hasContent ? body.count : nil)
        if case .contentLength? = framing {
            bytes += body
            bodyBytesWritten = body.count
        }
        try await connection.write(bytes)
        finished = true
    }

    /// Starts a streamed response. With a Content-Length the body is sent as is; without one,
    /// in chunks to an HTTP/1.1 client, or until the connection closes for 1.0.
    public func start(_ head: consuming HTTPResponseHead) async throws {
        try await connection.write(prepare(&head, reserving: 0))
    }

    /// Starts a streamed response whose head is held back until the first piece or `flush()`,
    /// for a caller that knows the first piece is already at hand: a short answer then costs
    /// one send instead of two.
    /// - Parameter firstPieceBytes: the first piece's size, as far as it is known; the head is
    ///   serialised with room for it, so the piece is appended in place.
    public func startHoldingHead(_ head: consuming HTTPResponseHead, firstPieceBytes: Int) {
        let framingRoom = 32  // a chunk-size line and its CRLFs
        pendingHead = prepare(&head, reserving: min(max(firstPieceBytes, 0), Self.heldHeadRoom) + framingRoom)
    }

    /// Writes a head held back by `startHoldingHead`, if any.
    public func flush() async throws {
        guard !pendingHead.isEmpty else { return }
        let bytes = pendingHead
        pendingHead = []
        try await connection.write(bytes)
    }

    /// Writes one piece of the body at once.
    public func write(_ piece: some Collection<UInt8>) async throws {
        guard !piece.isEmpty else { return }
        var bytes = pendingHead
        pendingHead = []
        switch framing {
        case .contentLength(let remaining)?:
            guard piece.count <= remaining else { throw ResponseError.bodyLongerThanDeclared }
            framing = .contentLength(remaining: remaining - piece.count)
            bytes.append(contentsOf: piece)
        case .chunked?:
            ChunkedEncoder.appendChunk(piece, to: &bytes)
        case .untilClose?:
            bytes.append(contentsOf: piece)
        case .none?:
            try await connection.write(bytes)
            return
        case nil:
            throw ResponseError.headNotSent
        }
        try await connection.write(bytes)
        bodyBytesWritten += piece.count
    }

    /// Ends the response. A streamed body shorter than its Content-Length cannot be repaired:
    /// the connection is closed so the client sees the truncation.
    public func finish() async throws {
        guard !finished else { return }
        finished = true
        var bytes = pendingHead
        pendingHead = []
        switch framing {
        case nil:
            try await send(HTTPResponseHead(status: 500))
        case .chunked?:
            bytes += ChunkedEncoder.terminator
        case .contentLength(let remaining)? where remaining > 0:
            connection.mustClose = true
        default:
            break
        }
        if !bytes.isEmpty { try await connection.write(bytes) }
    }

    /// Marks the connection to close after this response (say, after an upstream failure
    /// mid-stream, which HTTP/1.1 can only signal by closing).
    public func abort() {
        connection.mustClose = true
        finished = true
    }

    /// The most room a held-back head reserves for its first piece; a larger piece is appended
    /// all the same, at the cost of growing the array once. (A fixed 4 KiB had made every short
    /// answer allocate more than glibc's per-thread cache serves, and pay a coalescing free.)
    private static let heldHeadRoom = 64 * 1024

    /// Fixes the framing headers for this request and serialises the head, with room for
    /// `extra` bytes after it. `contentLength`: the head's Content-Length, when the caller has
    /// just set it and it need not be looked up and parsed again.
    private func prepare(_ head: inout HTTPResponseHead, reserving extra: Int, contentLength: Int? = nil) -> [UInt8] {
        precondition(framing == nil, "a response head is sent once")
        status = head.status
        let bodyless = answersHEAD || Self.hasNoContent(status: head.status)
        if let length = contentLength ?? Self.declaredLength(in: &head.headers) {
            framing = bodyless ? Framing.none : .contentLength(remaining: length)
        } else if bodyless {
            framing = Framing.none
        } else if requestVersion == .http1_1 {
            head.headers.replaceOrAdd(name: "Transfer-Encoding", value: "chunked")
            framing = .chunked
        } else {
            framing = .untilClose
            connection.mustClose = true
        }
        head.version = .http1_1
        if connection.continuePending {
            // RFC 9110 §10.1.1: the client still waits for a 100 before it sends the body, or
            // sends it anyway after a while; where its next request would start is unknowable.
            connection.continuePending = false
            connection.mustClose = true
        }
        if connection.unreadBodyIsStillComing { connection.mustClose = true }
        // A handler's own `Connection: close` ends the connection too, not only its header.
        if !requestKeepsAlive || !head.keepAlive || connection.mustClose || connection.record.isDraining {
            connection.mustClose = true
            head.headers.replaceOrAdd(name: "Connection", value: "close")
        } else if requestVersion == .http1_0 {
            head.headers.replaceOrAdd(name: "Connection", value: "keep-alive")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(head.serializedByteCount + extra)
        head.serialize(into: &bytes)
        return bytes
    }

    /// The head's Content-Length, as one field with one number. A list of one value repeated,
    /// or the same field twice, which a parser may accept (RFC 9112 §6.3) and a relayed head may
    /// carry, is rewritten as one field; an invalid one is dropped and the body framed anew. So
    /// a head never leaves with a length a cache in front might read its own way, nor with a
    /// length beside chunked framing.
    private static func declaredLength(in headers: inout HTTPHeaders) -> Int? {
        guard let first = headers.firstIndex(named: "content-length") else { return nil }
        // The usual head: one field, a plain number of a sane size.
        let plain = headers.withField(at: first) { _, value -> Int? in
            guard !value.isEmpty, value.count <= 18, value.allSatisfy(HTTPSyntax.isDigit) else { return nil }
            return value.reduce(0) { $0 * 10 + Int($1 &- UInt8(ascii: "0")) }
        }
        if let plain, headers.index(named: "content-length", after: first) == nil { return plain }
        guard let length = try? HTTPBodyFraming.contentLength(headers) else {
            headers.remove(named: "content-length")
            return nil
        }
        headers.replaceOrAdd(name: "Content-Length", decimal: length)
        return length
    }

    private static func hasNoContent(status: Int) -> Bool {
        status < 200 || status == 204 || status == 304
    }
}

@available(*, unavailable)
extension ResponseWriter: Sendable {}

/// A handler used a `ResponseWriter` out of order.
public enum ResponseError: Error, Equatable {
    case headNotSent
    case bodyLongerThanDeclared
}
