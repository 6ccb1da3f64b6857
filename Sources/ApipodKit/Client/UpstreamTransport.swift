/// How the proxy reaches its upstream: our own HTTP/1.1 client for `http://` (on the event
/// loops, a few microseconds per request), or URLSession for `https://` (the toolchain's only
/// TLS, through libcurl, at roughly forty times the CPU per request; fine for a remote upstream).
public protocol UpstreamTransport: Sendable {
    /// Sends a request from a task running on `loop` and returns when the response head arrived.
    /// - Throws: `HTTPClientError`, `SocketError.peerClosed` when `client` hangs up first, or
    ///   `CancellationError`.
    func request(_ head: HTTPRequestHead, body: RequestBody, on loop: EventLoop, watching client: Socket?) async throws -> any UpstreamAnswer
}

/// A response whose head has arrived and whose body the caller pulls piece by piece, so a slow
/// consumer slows the upstream. Belongs to the task that sent the request.
public protocol UpstreamAnswer: AnyObject {
    var head: HTTPResponseHead { get }
    /// True when the body's length is not known in advance: it is relayed as a stream.
    var isStreamed: Bool { get }
    /// Body bytes that have arrived and not been taken (with any chunk framing around them):
    /// when not zero, `nextPiece` will not wait.
    var bufferedBodyByteCount: Int { get }
    /// True when `nextPiece` would return without waiting: a whole piece (or the end) is
    /// buffered, not merely bytes of framing such as half a chunk-size line.
    var hasPieceReady: Bool { get }
    /// The next piece of the body, or nil at its end.
    /// - Throws: `HTTPClientError.badResponse`, `SocketError.peerClosed` when `client` hangs
    ///   up (the upstream exchange is then abandoned), or `CancellationError`.
    func nextPiece(watching client: Socket?) async throws -> ArraySlice<UInt8>?
    /// True once the body's end has been reached, so `nextPiece` would only return nil: a
    /// relay stops without that call. It may turn true together with the last piece.
    var isComplete: Bool { get }
    /// Abandons the response and its connection.
    func close()
}

extension HTTPClient: UpstreamTransport {
    public func request(_ head: HTTPRequestHead, body: RequestBody, on loop: EventLoop, watching client: Socket?) async throws -> any UpstreamAnswer {
        try await send(head, body: body, on: loop, watching: client)
    }
}

extension UpstreamResponse: UpstreamAnswer {
    public var isStreamed: Bool {
        if case .contentLength? = framing { return false }
        return true
    }
}
