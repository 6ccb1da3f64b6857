import CSystem
import Glibc
import Synchronization

/// One thread running edge-triggered `epoll_wait`, which is also the `TaskExecutor` of the tasks
/// that do I/O on it.
///
/// Why: a task started with `Task(executorPreference: loop)` runs every step on this
/// one thread, so the readiness bookkeeping needs no lock and an epoll event resumes the task
/// without crossing threads. The design ("A2" in IO-MEASURED.md) measured a third less CPU per
/// proxied request (16.9 vs 26.7 µs) than one shared poller behind a lock. Only other threads
/// pay for a lock: they post jobs and messages to `inbox` and write the eventfd to wake the loop.
///
/// Each turn: wait for events (up to the nearest deadline); mark readiness or resume waiters,
/// and take what other threads posted; fire expired deadlines; run the queued jobs.
public final class EventLoop: TaskExecutor, @unchecked Sendable {
    // @unchecked: the `var`s are touched only by the loop thread, which every method that reads
    // them checks (`isCurrent`) or reaches by hopping there; cross-thread state is `inbox`
    // (a Mutex) and `ownerThread` (an Atomic).

    private static let eventCapacity: Int32 = 256
    /// epoll user data of the wake-up eventfd; no registration can produce it (fds are < 2^31).
    private static let wakeToken = UInt64.max

    let epollFD: Int32
    private let wakeFD: Int32
    /// `pthread_self()` of the loop thread; 0 until it starts.
    private let ownerThread = Atomic<UInt>(0)
    private let inbox = Mutex(Inbox())

    // Loop thread only, and every access is one short step that calls nothing that could touch
    // the same table again: the runtime's exclusivity check, paid several times per request,
    // could never fire and is switched off for these three.
    @exclusivity(unchecked) var slots = ReadinessSlots()
    @exclusivity(unchecked) var waits = WaitTable()
    @exclusivity(unchecked) private var localJobs: [UnownedJob] = []
    /// Set when a stop request is received: waits fail with `CancellationError` from then on.
    var isStopping = false  // loop thread only
    private var runningJobs: [UnownedJob] = []  // loop thread only
    private var incoming = Inbox.Batch()  // loop thread only
    private var stopHandlers: [() -> Void] = []  // loop thread only
    private let events: UnsafeMutablePointer<epoll_event>  // contents: loop thread only

    /// Creates the epoll instance and starts the loop's thread.
    public init() throws(SocketError) {
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epollFD >= 0 else { throw .failed(operation: "epoll_create1", errno: errno) }
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        events = .allocate(capacity: Int(Self.eventCapacity))
        guard wakeFD >= 0 else { throw .failed(operation: "eventfd", errno: errno) }
        // Level-triggered: the eventfd stays readable until the loop reads it, so no wake-up is lost.
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.u64 = Self.wakeToken
        guard epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, &event) == 0 else {
            throw .failed(operation: "epoll_ctl ADD eventfd", errno: errno)
        }
        try startThread()
    }

    deinit {
        Glibc.close(epollFD)
        if wakeFD >= 0 { Glibc.close(wakeFD) }
        events.deallocate()
    }

    /// True when called on this loop's thread, where waits may touch the loop's state directly.
    public var isCurrent: Bool {
        ownerThread.load(ordering: .relaxed) == pthread_self()
    }

    /// Queues a job of a task that prefers this loop. On the loop thread it joins the local
    /// queue without a lock; from elsewhere it goes through the inbox and wakes the loop.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        if isCurrent {
            localJobs.append(job)
            return
        }
        let wake = inbox.withLock { inbox in
            precondition(!inbox.hasExited, "a task was resumed on an EventLoop that has shut down")
            inbox.jobs.append(job)
            return inbox.claimWake()
        }
        if wake { signalWake() }
    }

    /// Stops the loop and waits for its thread to end. Waits still suspended fail with
    /// `CancellationError`, and the loop runs until their tasks have unwound and nothing is
    /// queued. Call it once the tasks using the loop are done or cancelled: a task that comes
    /// back to a loop after it has ended (from an actor, say) is a programming error and traps.
    public func shutdown() {
        stop()
        join()
    }

    func stop() {
        let wake = inbox.withLock { inbox in
            inbox.stopRequested = true
            return inbox.claimWake()
        }
        if wake { signalWake() }
    }

    func join() {
        precondition(!isCurrent, "an EventLoop cannot wait for its own thread to end")
        guard let thread = inbox.withLock({ $0.thread.take() }) else { return }
        pthread_join(thread, nil)
    }

    /// Whether the loop's thread has left its run loop (for tests of shutdown).
    var hasExited: Bool {
        inbox.withLock { $0.hasExited }
    }

    /// Runs `body` on the loop's thread once the loop begins to stop, after its waits have
    /// ended; at once if it already has. For what holds tasks on the loop that are not waits
    /// (a server's idle workers). Loop thread only.
    func whenStopping(_ body: @escaping () -> Void) {
        precondition(isCurrent, "stop handlers are added on the loop's thread")
        if isStopping { return body() }
        stopHandlers.append(body)
    }

    /// Hands `message` to the loop thread from any thread, including the loop's own.
    func post(_ message: LoopMessage) {
        let (wake, exited) = inbox.withLock { inbox -> (Bool, Bool) in
            if inbox.hasExited { return (false, true) }
            inbox.messages.append(message)
            return (inbox.claimWake(), false)
        }
        if exited, case .close(let fd) = message { Glibc.close(fd) }
        if wake { signalWake() }
    }

    private func signalWake() {
        var one: UInt64 = 1
        _ = Glibc.write(wakeFD, &one, MemoryLayout<UInt64>.size)
    }

    private func startThread() throws(SocketError) {
        let context = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { context in
            let loop = Unmanaged<EventLoop>.fromOpaque(context!).takeRetainedValue()
            loop.run()
            return nil
        }, context)
        guard result == 0 else {
            Unmanaged<EventLoop>.fromOpaque(context).release()
            throw .failed(operation: "pthread_create", errno: result)
        }
        inbox.withLock { $0.thread = thread }
    }

    private func run() {
        ownerThread.store(pthread_self(), ordering: .relaxed)
        while true {
            let count = epoll_wait(epollFD, events, Self.eventCapacity, nextTimeout())
            if count < 0 {
                precondition(errno == EINTR, "epoll_wait failed: errno \(errno)")
            }
            for index in 0..<Int(max(count, 0)) {
                let event = events[index]
                if event.data.u64 == Self.wakeToken {
                    var value: UInt64 = 0
                    _ = Glibc.read(wakeFD, &value, MemoryLayout<UInt64>.size)
                    receiveInbox()
                } else {
                    handle(events: event.events, userData: event.data.u64)
                }
            }
            fireExpiredWaits()
            runLocalJobs()
            if isStopping, localJobs.isEmpty, waits.armedCount == 0, exitIfQuiet() {
                // A later thread may get the same pthread_t; it must not pass for this loop.
                ownerThread.store(0, ordering: .relaxed)
                return
            }
        }
    }

    private func nextTimeout() -> Int32 {
        if !localJobs.isEmpty { return 0 }
        guard let deadline = waits.nearestDeadline else { return -1 }
        return deadline.epollTimeout(from: .now)
    }

    /// Takes what other threads posted. The eventfd has just been read, so anything posted
    /// from here on writes it again and wakes the next `epoll_wait`.
    private func receiveInbox() {
        let stopRequested = inbox.withLock { inbox in
            swap(&inbox.jobs, &incoming.jobs)
            swap(&inbox.messages, &incoming.messages)
            inbox.wakePending = false
            return inbox.stopRequested
        }
        localJobs.append(contentsOf: incoming.jobs)
        incoming.jobs.removeAll(keepingCapacity: true)
        for message in incoming.messages {
            switch message {
            case .cancel(let id): cancel(id)
            case .cancelScope(let scope): if let id = scope.pendingWait { cancel(id) }
            case .close(let fd): deregisterAndClose(fd)
            case .run(let body): body()
            }
        }
        incoming.messages.removeAll(keepingCapacity: true)
        if stopRequested && !isStopping {
            isStopping = true
            for id in waits.armedIDs { finish(id, .failure(CancellationError())) }
            let handlers = stopHandlers
            stopHandlers = []
            for handler in handlers { handler() }
        }
    }

    private func runLocalJobs() {
        guard !localJobs.isEmpty else { return }
        swap(&localJobs, &runningJobs)
        let executor = asUnownedTaskExecutor()
        for job in runningJobs { job.runSynchronously(on: executor) }
        runningJobs.removeAll(keepingCapacity: true)
    }

    private func exitIfQuiet() -> Bool {
        inbox.withLock { inbox in
            guard inbox.jobs.isEmpty, inbox.messages.isEmpty else { return false }
            inbox.hasExited = true
            return true
        }
    }
}

/// What another thread asks of a loop besides running a job.
enum LoopMessage: Sendable {
    /// A suspended wait's task was cancelled.
    case cancel(WaitID)
    /// The task of a `WaitScope` was cancelled: its pending wait, if any, ends.
    case cancelScope(WaitScope)
    /// Deregister and close a descriptor whose owner let go of it off the loop thread.
    case close(Int32)
    /// Run this on the loop's thread, unless the loop has ended.
    case run(@Sendable () -> Void)
}

/// The loop's cross-thread mailbox (protected by `EventLoop.inbox`).
struct Inbox {
    var jobs: [UnownedJob] = []
    var messages: [LoopMessage] = []
    /// The eventfd was written and the loop has not drained the inbox since.
    var wakePending = false
    var stopRequested = false
    var hasExited = false
    /// Taken by the one caller that joins the thread.
    var thread: pthread_t?

    /// Whether the caller must write the eventfd: only the first poster since the last drain does.
    mutating func claimWake() -> Bool {
        defer { wakePending = true }
        return !wakePending
    }

    /// The loop's spare arrays, swapped with the inbox's so draining does not allocate.
    struct Batch {
        var jobs: [UnownedJob] = []
        var messages: [LoopMessage] = []
    }
}
