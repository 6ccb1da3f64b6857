/// The tasks that serve one server's connections on one loop, kept from request to request.
///
/// Why: between requests a connection has no task; the loop watches it (`ServerConnection`).
/// When its next request arrives it joins the `ready` queue, which the workers drain. A worker
/// that takes a connection while others still wait first makes sure another worker will run,
/// so a burst that suspends (a proxied request waiting for its upstream) holds up nobody, while
/// bursts that complete at once (short answers) are served one after another by the same
/// worker, whose frames and status records stay in cache. A task per connection had left a
/// thousand connections' task memory to be fetched from afar on every request (about 40 of 45
/// simulated L2 misses a request at 500 connections a loop) and held 3.9 KB per idle
/// connection; a fresh task per request cost some 9,000 instructions to make and unmake.
///
/// @unchecked Sendable: everything here runs on `loop`'s thread — the watches' callbacks that
/// call `serve`, and the workers, which run on the loop — so its state needs no lock.
final class ServerWorkers<Handler: HTTPHandler>: @unchecked Sendable {
    /// @unchecked for the same reason as its pool: touched on the loop's thread only.
    private final class Worker: @unchecked Sendable {
        var task: Task<Void, Never>?
        /// Set while idle; resumed with false when the pool closes.
        var wake: UnsafeContinuation<Bool, Never>?
    }

    let loop: EventLoop
    let handler: Handler
    private let registry: ConnectionRegistry
    /// Connections whose next request has arrived, in order. This and `idle` are touched on the
    /// loop's thread only, each access one queue or array call that reaches nothing else here,
    /// so the runtime's exclusivity check is off.
    @exclusivity(unchecked) private var ready = ArrayQueue<ConnectionHandoff>()
    /// Workers resumed or started that have not yet taken a connection.
    private var scheduled = 0
    /// Workers waiting for work, the last to finish at the end.
    @exclusivity(unchecked) private var idle: [Worker] = []
    private var isClosed = false
    private var closesWithLoop = false
    /// Idle workers kept; one finishing beyond this ends (many slow streams may have needed many).
    private static var maxIdle: Int { 64 }

    init(loop: EventLoop, handler: Handler, registry: ConnectionRegistry) {
        self.loop = loop
        self.handler = handler
        self.registry = registry
    }

    /// Queues `handoff`'s connection, whose next request has arrived, for a worker.
    func serve(_ handoff: ConnectionHandoff) {
        precondition(loop.isCurrent, "workers are handed connections on their loop")
        if !closesWithLoop {
            closesWithLoop = true
            loop.whenStopping { [self] in close() }
        }
        ready.append(handoff)
        scheduleWorkerIfNone()
    }

    /// Ends the idle workers; those still busy end once the queue is empty. Called when the
    /// server shuts down and when the loop stops.
    func close() {
        precondition(loop.isCurrent, "workers are closed on their loop")
        isClosed = true
        for worker in idle { worker.wake.take()?.resume(returning: false) }
        idle.removeAll()
    }

    private func scheduleWorkerIfNone() {
        guard scheduled == 0 else { return }
        scheduled += 1
        if let worker = idle.popLast() {
            // Set together with joining `idle`: an idle worker always has one.
            guard let wake = worker.wake.take() else { preconditionFailure("an idle worker without its continuation") }
            wake.resume(returning: true)
            return
        }
        let worker = Worker()
        worker.task = Task(executorPreference: loop) { await self.work(worker) }
    }

    private func work(_ worker: Worker) async {
        await TaskFrameReserve.reserve()
        await loop.withSharedCancellation {
            while true {
                scheduled -= 1
                // A cancelled worker's task stays cancelled: it must not serve anyone else.
                while !Task.isCancelled, let handoff = ready.popFirst() {
                    if !ready.isEmpty { scheduleWorkerIfNone() }
                    if let task = worker.task { handoff.connection.record.activity.withLock { $0 = .task(task) } }
                    await Self.serveBurst(handoff.connection, handler: handler, registry: registry, firstBurst: false)
                }
                if Task.isCancelled {
                    if !ready.isEmpty { scheduleWorkerIfNone() }
                    return
                }
                guard !isClosed, idle.count < Self.maxIdle else { return }
                let proceed = await withUnsafeContinuation { wake in
                    worker.wake = wake
                    idle.append(worker)
                }
                if !proceed { return }
            }
        }
    }

    /// Serves requests until the connection goes quiet (the loop then watches it) or must close.
    static func serveBurst(
        _ connection: ServerConnection, handler: Handler, registry: ConnectionRegistry, firstBurst: Bool
    ) async {
        if !(await connection.run(handler: handler, firstBurst: firstBurst)) {
            connection.close()
            registry.remove(connection.record)
        }
    }
}

/// Carries a connection from the loop's watch to the worker that serves its next requests.
///
/// @unchecked: a `ServerConnection` is not Sendable, but it has one owner at a time: the task
/// serving it, or, between requests, the loop that watches it. The task arms the watch as its
/// last act on the connection, and the loop hands it on only once the watch has fired, so the
/// two never touch it together.
struct ConnectionHandoff: @unchecked Sendable {
    let connection: ServerConnection

    init(_ connection: ServerConnection) {
        self.connection = connection
    }
}
