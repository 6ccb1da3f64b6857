/// An HTTP/1.1 client for one upstream origin, on the event loops: a keep-alive pool per
/// loop, requests with a fixed body, and responses whose body the caller pulls piece by piece,
/// so that a slow consumer slows the upstream read. Generic: it knows nothing of what it carries.
public final class HTTPClient: Sendable {
    public let configuration: HTTPClientConfiguration
    private let pools: [ObjectIdentifier: ConnectionPool]
    /// Resolved once, here, so requests do not block a loop in `getaddrinfo`; nil when the
    /// name did not resolve at start, in which case each connect tries again.
    private let addresses: [SocketAddress]?

    public init(configuration: HTTPClientConfiguration, group: EventLoopGroup) {
        self.configuration = configuration
        addresses = try? SocketAddress.resolve(host: configuration.host, port: configuration.port)
        var pools: [ObjectIdentifier: ConnectionPool] = [:]
        for loop in group.loops {
            pools[ObjectIdentifier(loop)] = ConnectionPool(loop: loop, capacity: configuration.maxIdleConnectionsPerLoop)
        }
        self.pools = pools
    }

    /// Sends a request from a task running on `loop` and returns when the response head has
    /// arrived. A pooled connection that turns out to be closed is replaced once, transparently,
    /// when sending again cannot repeat an effect (`UnansweredConnection.allowsRetry`).
    /// - Parameter client: a socket whose hang-up aborts the wait (the downstream client).
    /// - Throws: `HTTPClientError`, `SocketError.peerClosed` when `client` hangs up, or
    ///   `CancellationError`.
    public func send(
        _ head: HTTPRequestHead, body: [UInt8], on loop: EventLoop, watching client: Socket? = nil
    ) async throws -> UpstreamResponse {
        try await send(head, body: .bytes(body), on: loop, watching: client)
    }

    /// `send(_:body:on:watching:)` with a body made of runs.
    public func send(
        _ head: HTTPRequestHead, body: RequestBody, on loop: EventLoop, watching client: Socket? = nil
    ) async throws -> UpstreamResponse {
        guard let pool = pools[ObjectIdentifier(loop)] else { preconditionFailure("send from a loop of the client's group") }
        var retried = false
        while true {
            let pooled = pool.take()
            let socket: Socket
            if let pooled {
                socket = pooled
            } else {
                socket = try await connect(on: loop)
            }
            do {
                return try await exchange(head, body: body, over: socket, pool: pool, watching: client)
            } catch let error as UnansweredConnection {
                socket.close()
                if pooled != nil && !retried && error.allowsRetry(of: head) {
                    retried = true
                    continue
                }
                throw HTTPClientError.badResponse(error.reason)
            } catch {
                socket.close()
                throw error
            }
        }
    }

    private func connect(on loop: EventLoop) async throws -> Socket {
        let deadline = Deadline.after(configuration.connectTimeout)
        var lastError: SocketError?
        let addresses: [SocketAddress]
        do {
            addresses = try self.addresses ?? SocketAddress.resolve(host: configuration.host, port: configuration.port)
        } catch {
            throw HTTPClientError.unreachable("\(error)")
        }
        for address in addresses {
            do {
                return try await Socket.connect(to: address, deadline: deadline, on: loop)
            } catch let error as SocketError {
                lastError = error
                if case .timedOut = error { break }
            }
        }
        throw HTTPClientError.unreachable(lastError?.description ?? "no address for \(configuration.host)")
    }

    /// The request written, then its response's head read. What each step needs lives in that
    /// step's own frame (`write`) or in the response (its parser), not here: a task keeps its
    /// frames' largest extent for as long as it lives, which for a connection's task means
    /// every stream it serves (docs/architecture.md, "Synchronous helpers stay out of async frames").
    @inline(never)
    private func exchange(
        _ head: HTTPRequestHead, body: RequestBody, over socket: Socket, pool: ConnectionPool, watching client: Socket?
    ) async throws -> UpstreamResponse {
        try await write(head, body: body, to: socket)
        let response = UpstreamResponse(socket: socket, pool: pool, configuration: configuration, method: head.method)
        try await response.readHead(deadline: .after(configuration.responseHeadTimeout), watching: client)
        return response
    }

    /// Writes the request: its own async function, finished before the head is awaited, so
    /// its locals never sit in a frame beside the response's.
    @inline(never)
    private func write(_ head: HTTPRequestHead, body: RequestBody, to socket: Socket) async throws {
        var bytes: [UInt8] = []
        // Bytes of the request the kernel took: whether the upstream may have acted on it.
        var written = 0
        let total = body.count
        // Room for the head and a small body, so no append has to grow the array.
        bytes.reserveCapacity(head.serializedByteCount + (total <= Self.coalescedBodyBytes ? total : 0))
        head.serialize(into: &bytes)
        do {
            // Small runs go in the same write as the head; a large one is written from where it
            // lies, never copied again.
            for index in 0..<body.runCount {
                let run = body.run(at: index)
                if total <= Self.coalescedBodyBytes || run.count < Self.coalescedRunBytes {
                    bytes += run
                    continue
                }
                if !bytes.isEmpty { try await socket.write(bytes[...], deadline: .after(configuration.bodyIdleTimeout), sent: &written) }
                bytes.removeAll()
                try await socket.write(run, deadline: .after(configuration.bodyIdleTimeout), sent: &written)
            }
            if !bytes.isEmpty { try await socket.write(bytes[...], deadline: .after(configuration.bodyIdleTimeout), sent: &written) }
        } catch let error as SocketError {
            if case .connectionReset = error {
                throw UnansweredConnection(reason: error.description, requestWritten: written > 0)
            }
            throw HTTPClientError.badResponse(error.description)
        }
    }
}

extension HTTPClient {
    /// A body up to this size is sent in one write with the head.
    static let coalescedBodyBytes = 64 * 1024
    /// In a larger body, runs shorter than this still join the write before them.
    static let coalescedRunBytes = 4096
}

/// The upstream reset or closed the connection before any byte of a response: on a reused
/// connection, usually one it had closed while idle. Whether the request may be sent again
/// follows Go's `http.Transport`: always when none of it was written, since the upstream then
/// cannot have acted on it; once written, only for a safe method (RFC 9110 §9.2.1), because the
/// upstream may have read the whole request and run it (a POST would then generate, and bill,
/// twice). Otherwise the exchange fails (502).
struct UnansweredConnection: Error {
    let reason: String
    let requestWritten: Bool

    func allowsRetry(of head: HTTPRequestHead) -> Bool {
        !requestWritten || Self.safeMethods.contains(head.method)
    }

    private static let safeMethods: Set<String> = ["GET", "HEAD", "OPTIONS", "TRACE"]
}
