import Synchronization

/// The server's view of one connection, shared between whatever serves it (a task, or the loop
/// watching it between requests) and whoever shuts the server down: whether it is between requests (and may be closed at once) or busy
/// with one (and should be let finish).
final class ConnectionRecord: Sendable {
    private enum Phase: UInt8 {
        case idle, busy, closing
    }

    /// Idle ⇄ busy by the task serving the connection; idle → closing by shutdown. The compare-exchange
    /// means a request that has just arrived is either served in full or never started.
    private let phase = Atomic<UInt8>(Phase.idle.rawValue)
    /// Set once by shutdown: the connection closes after its current response.
    private let draining = Atomic(false)
    /// What serves the connection now: the task serving its requests, or, between requests,
    /// the loop's watch for its next one (no task then). Cancelled, under this lock, to close
    /// the connection; a task sets `.watched` or `.closed` under it before it serves anyone
    /// else, so a cancel meant for this connection never reaches a worker's next one.
    let activity = Mutex(Activity.starting)

    enum Activity: Sendable {
        case starting
        case task(Task<Void, Never>)
        case watched(EventLoop, WaitID)
        case closed
    }

    /// Called with a complete head in hand; false means the server is closing this connection.
    func beginRequest() -> Bool {
        phase.compareExchange(expected: Phase.idle.rawValue, desired: Phase.busy.rawValue, ordering: .acquiringAndReleasing).exchanged
    }

    /// Called after a response; false means the connection should close now (shutdown began).
    func endRequest() -> Bool {
        phase.store(Phase.idle.rawValue, ordering: .releasing)
        return !isDraining
    }

    var isDraining: Bool { draining.load(ordering: .acquiring) }

    /// Shutdown: an idle connection is closed at once (true) — a watched one by its watch, one
    /// whose next request was just queued when its worker takes it; a busy one is marked to
    /// close after its response (false).
    func closeIfIdle() -> Bool {
        draining.store(true, ordering: .releasing)
        let closed = phase.compareExchange(expected: Phase.idle.rawValue, desired: Phase.closing.rawValue, ordering: .acquiringAndReleasing).exchanged
        if closed { cancel() }
        return closed
    }

    func cancel() {
        activity.withLock { activity in
            switch activity {
            case .task(let task): task.cancel()
            case .watched(let loop, let id): loop.cancelWatch(id)
            case .starting, .closed: break
            }
        }
    }
}

/// Every open connection of a server, so shutdown can find them, and the cap on how many may
/// be open. Touched on connect and close.
final class ConnectionRegistry: Sendable {
    private struct State {
        var records: [ObjectIdentifier: ConnectionRecord] = [:]
        /// The accept loop, while it waits for a connection to close (at the cap).
        var waitingForRoom: UnsafeContinuation<Void, Never>?
    }

    /// Protected by its mutex.
    private let state = Mutex(State())
    let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    func add(_ record: ConnectionRecord) {
        state.withLock { $0.records[ObjectIdentifier(record)] = record }
    }

    func remove(_ record: ConnectionRecord) {
        let waiting = state.withLock { state -> UnsafeContinuation<Void, Never>? in
            state.records.removeValue(forKey: ObjectIdentifier(record))
            return state.records.count < limit ? state.waitingForRoom.take() : nil
        }
        waiting?.resume()
    }

    var count: Int { state.withLock { $0.records.count } }

    var all: [ConnectionRecord] { state.withLock { Array($0.records.values) } }

    /// Returns once fewer than `limit` connections are open, or the task is cancelled. Only the
    /// accept loop adds connections, and it calls this before each accept, so the count never
    /// passes the cap.
    func waitForRoom() async {
        if count < limit { return }
        await withTaskCancellationHandler {
            await withUnsafeContinuation { continuation in
                // Checked under the lock that `remove` and the cancel handler take, so a wake-up
                // that comes before the continuation is stored is not lost.
                let resumeNow = state.withLock { state -> Bool in
                    if state.records.count < limit || Task.isCancelled { return true }
                    state.waitingForRoom = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waitingForRoom.take() }?.resume()
        }
    }
}
