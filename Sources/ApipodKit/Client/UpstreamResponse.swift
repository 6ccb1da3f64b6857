/// A response whose head has arrived (by the time anyone but `HTTPClient` sees it) and whose
/// body is read on demand. Belongs to the task
/// that sent the request. Reading the body to its end returns the connection to its pool when
/// the upstream allows; `close()` (or dropping the response early) discards the connection.
/// `HTTPClient` makes it before the head arrives and reads the head into it, so the parser is
/// never a local of an async function.
public final class UpstreamResponse {
    /// Set once, by `readHead`, before `HTTPClient` hands the response out.
    @exclusivity(unchecked) public private(set) var head = HTTPResponseHead(status: 0)
    /// This and `peekedPiece` are touched by the one task reading the answer, each access a
    /// statement that reaches nothing else here, so the runtime's exclusivity check is off.
    @exclusivity(unchecked) private var socket: Socket?
    /// Each access is one parser call that touches nothing else, so the runtime's exclusivity
    /// check, paid on every read and event, could never fire and is switched off.
    @exclusivity(unchecked) private var parser: HTTPResponseParser
    private let pool: ConnectionPool
    private let configuration: HTTPClientConfiguration
    /// Body bytes read so far, for logs.
    @exclusivity(unchecked) public private(set) var bodyBytesRead = 0
    @exclusivity(unchecked) public private(set) var isComplete = false
    /// How the body is framed on the upstream connection, fixed when the head arrived.
    @exclusivity(unchecked) public private(set) var framing: HTTPBodyFraming?
    /// A piece, or the end, that `hasPieceReady` parsed ahead and `nextPiece` hands out first.
    /// (Kept apart rather than as an optional event: that enum's tag cost a runtime call.)
    @exclusivity(unchecked) private var peekedPiece: ArraySlice<UInt8>?
    private var peekedEnd = false

    /// A response to a request with `method` just written to `socket`.
    init(socket: Socket, pool: ConnectionPool, configuration: HTTPClientConfiguration, method: String) {
        self.socket = socket
        parser = HTTPResponseParser()
        parser.expectResponse(toMethod: method)
        self.pool = pool
        self.configuration = configuration
    }

    /// Reads until the head has arrived. Called once, by `HTTPClient`, before the response is
    /// handed out.
    /// - Throws: `UnansweredConnection` when the upstream reset or closed the connection before
    ///   any byte, `HTTPClientError.responseTimeout` or `.badResponse`, `SocketError.peerClosed`
    ///   when `client` hangs up, or `CancellationError`.
    func readHead(deadline: Deadline, watching client: Socket?) async throws {
        guard let socket, head.status == 0 else { preconditionFailure("readHead once, on a new response") }
        var received = 0
        while try !takeHead() {
            let count: Int
            do {
                count = try await socket.readSome(deadline: deadline, abortingOnHangupOf: client, waitFirst: received == 0) {
                    parser.append($0)
                }
            } catch let error as SocketError {
                switch error {
                case .timedOut: throw HTTPClientError.responseTimeout(error.description)
                case .connectionReset where received == 0:
                    throw UnansweredConnection(reason: error.description, requestWritten: true)
                case .peerClosed: throw error
                default: throw HTTPClientError.badResponse(error.description)
                }
            }
            if count == 0 {
                if received == 0 {
                    throw UnansweredConnection(reason: "the upstream closed the connection without answering", requestWritten: true)
                }
                parser.finish()
            }
            received += count
        }
    }

    /// Parses what has arrived; true once the final head is in `head`.
    @inline(never)
    private func takeHead() throws(HTTPClientError) -> Bool {
        while true {
            let event: HTTPParserEvent<HTTPResponseHead>?
            do { event = try parser.next() } catch { throw .badResponse(error.description) }
            switch event {
            case .head(let received)?:
                head = received
                framing = parser.framing
                return true
            case nil:
                return false
            case .body?, .end?:
                continue
            }
        }
    }

    deinit {
        socket?.close()
    }

    /// The next piece of the body as it arrives, or nil at its end.
    /// - Parameter client: a socket whose hang-up aborts the wait (`SocketError.peerClosed`).
    /// - Throws: `HTTPClientError.badResponse` if the upstream breaks off or times out between
    ///   pieces, `SocketError.peerClosed`, or `CancellationError`.
    public func nextPiece(watching client: Socket? = nil) async throws -> ArraySlice<UInt8>? {
        while let socket {
            let event: HTTPParserEvent<HTTPResponseHead>?
            if let piece = peekedPiece {
                peekedPiece = nil
                event = .body(piece)
            } else if peekedEnd {
                peekedEnd = false
                event = .end
            } else {
                do { event = try parser.next() } catch { throw fail(error.description) }
            }
            switch event {
            case .body(let piece)?:
                bodyBytesRead += piece.count
                // With nothing left in the buffer the next event can only be the end, known
                // without I/O when this piece completed a Content-Length body. Taken now, the
                // connection goes back to the pool before the piece is relayed, and the caller
                // learns from `isComplete` that no further call is needed. (An error here is
                // kept by the parser and thrown by the next call.)
                if parser.bufferedByteCount == 0, case .end? = try? parser.next() { end(socket) }
                return piece
            case .end?:
                end(socket)
                return nil
            case .head?:
                continue
            case nil:
                do {
                    let count = try await socket.readSome(deadline: .after(configuration.bodyIdleTimeout), abortingOnHangupOf: client) {
                        parser.append($0)
                    }
                    if count == 0 { parser.finish() }
                } catch let error as SocketError {
                    if case .peerClosed = error {
                        close()
                        throw error
                    }
                    throw fail(error.description)
                }
            }
        }
        return nil
    }

    public var bufferedBodyByteCount: Int { parser.bufferedByteCount }

    /// Parses ahead, without I/O, and keeps the event for `nextPiece`. A parse error is left
    /// for `nextPiece` to meet: the parser repeats it.
    public var hasPieceReady: Bool {
        if peekedPiece == nil, !peekedEnd, socket != nil {
            switch try? parser.next() {
            case .body(let piece)?: peekedPiece = piece
            case .end?: peekedEnd = true
            // An interim head, which `nextPiece` skips too, or nothing whole yet.
            case .head?, nil: break
            }
        }
        return peekedPiece != nil || peekedEnd
    }

    /// The body has ended: the connection is reused when the upstream allows it.
    private func end(_ socket: Socket) {
        self.socket = nil
        isComplete = true
        if head.keepAlive && framing != .untilClose && parser.bufferedByteCount == 0 {
            pool.giveBack(socket)
        } else {
            socket.close()
        }
    }

    /// Abandons the response and its connection.
    public func close() {
        socket?.close()
        socket = nil
    }

    private func fail(_ reason: String) -> HTTPClientError {
        close()
        return .badResponse(reason)
    }
}

@available(*, unavailable)
extension UpstreamResponse: Sendable {}
