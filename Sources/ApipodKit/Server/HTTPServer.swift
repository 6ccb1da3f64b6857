import Synchronization

/// An HTTP/1.1 server on the event loops: one accept task hands each connection to the next
/// loop, which serves its first requests in a task of its own, then watches it between
/// requests and hands each new burst to one of the loop's worker tasks (`ServerConnection`,
/// `ServerWorkers`). It is generic: what a request means is the handler's business.
public final class HTTPServer: Sendable {
    public let configuration: HTTPServerConfiguration
    /// Where the server listens; with port 0, the port the system chose.
    public let localAddress: SocketAddress
    private let group: EventLoopGroup
    private let registry: ConnectionRegistry
    /// Protected by its mutex: the accept loop's task while the server runs.
    private let acceptTask = Mutex<Task<Void, Never>?>(nil)
    /// Ends every loop's idle workers (`ServerWorkers`), at the end of `shutdown`.
    private let closeWorkers: @Sendable () -> Void

    /// Binds the listening socket and starts accepting; the handler serves every request.
    /// - Throws: `SocketError` (`addressInUse`, an unresolvable host, …).
    public init(
        configuration: HTTPServerConfiguration, group: EventLoopGroup, handler: some HTTPHandler,
        onAcceptError: @escaping @Sendable (SocketError) -> Void = { _ in }
    ) throws(SocketError) {
        self.configuration = configuration
        self.group = group
        registry = ConnectionRegistry(limit: configuration.maxConnections)
        let loop = group.next()
        let listener = try Socket.listen(host: configuration.host, port: configuration.port, on: loop)
        localAddress = try listener.localAddress
        let registry = self.registry
        let pools = group.loops.map { ServerWorkers(loop: $0, handler: handler, registry: registry) }
        closeWorkers = {
            for pool in pools { pool.loop.post(.run { pool.close() }) }
        }
        let task = Task(executorPreference: loop) { [listener] in
            await Self.acceptLoop(
                listener: listener, group: group, registry: registry, configuration: configuration,
                pools: pools, onAcceptError: onAcceptError)
        }
        acceptTask.withLock { $0 = task }
    }

    /// Open connections, for logs and tests.
    public var connectionCount: Int { registry.count }

    /// Stops accepting, closes idle connections at once, lets responses in flight finish for up
    /// to `grace`, then closes whatever is left (giving up on those that ignore cancellation
    /// after 5 more seconds).
    public func shutdown(grace: Duration) async {
        if let task = acceptTask.withLock({ $0.take() }) {
            task.cancel()
            await task.value
        }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: grace)
        // At least once, even with no grace: it marks every connection as draining.
        for record in registry.all { _ = record.closeIfIdle() }
        while registry.count > 0 && clock.now < deadline {
            for record in registry.all { _ = record.closeIfIdle() }
            try? await Task.sleep(for: .milliseconds(10))
        }
        let giveUp = clock.now.advanced(by: .seconds(5))
        while registry.count > 0 && clock.now < giveUp {
            for record in registry.all { record.cancel() }
            try? await Task.sleep(for: .milliseconds(10))
        }
        closeWorkers()
    }

    /// A connection served by `workers` from its second burst on. Out of line: made inside the
    /// connection's task, its temporaries would stay in that task's first frame.
    @inline(never)
    private static func makeConnection<Handler: HTTPHandler>(
        _ socket: Socket, configuration: HTTPServerConfiguration, timeouts: ServerTimeouts, record: ConnectionRecord,
        workers: ServerWorkers<Handler>, registry: ConnectionRegistry
    ) -> ServerConnection {
        let connection = ServerConnection(socket: socket, limits: configuration.limits, timeouts: timeouts, record: record)
        let handoff = ConnectionHandoff(connection)
        connection.onNextRequest = { outcome in
            switch outcome {
            case .success:
                workers.serve(handoff)
            case .failure:
                handoff.connection.close()
                registry.remove(record)
            }
        }
        return connection
    }

    private static func acceptLoop<Handler: HTTPHandler>(
        listener: Socket, group: EventLoopGroup, registry: ConnectionRegistry,
        configuration: HTTPServerConfiguration, pools: [ServerWorkers<Handler>],
        onAcceptError: @Sendable (SocketError) -> Void
    ) async {
        defer { listener.close() }
        let timeouts = ServerTimeouts(configuration)
        while !Task.isCancelled {
            // At the cap, new connections wait in the listen backlog until one closes.
            await registry.waitForRoom()
            if Task.isCancelled { return }
            let loop = group.next()
            let socket: Socket
            do {
                socket = try await listener.accept(assigningTo: loop)
            } catch let error as SocketError {
                onAcceptError(error)
                continue
            } catch {
                return
            }
            let record = ConnectionRecord()
            registry.add(record)
            let workers = pools.first { $0.loop === loop }!
            let task = Task(executorPreference: loop) { [socket] in
                await TaskFrameReserve.reserve()
                let connection = makeConnection(socket, configuration: configuration, timeouts: timeouts, record: record, workers: workers, registry: registry)
                await loop.withSharedCancellation {
                    await ServerWorkers.serveBurst(connection, handler: workers.handler, registry: registry, firstBurst: true)
                }
            }
            record.activity.withLock { if case .starting = $0 { $0 = .task(task) } }
        }
    }
}
