import Synchronization

/// One cancellation handler for all the waits a long-lived task makes on one loop.
///
/// Why: a wait that brings its own handler (`withTaskCancellationHandler`) pays each time for
/// adding and removing a record under the task's status lock, and for four executor hops in and
/// out of the standard library's function, each of which looks up the task's executor under
/// that lock again; a proxied request waits twice. A task serving connections runs inside
/// `EventLoop.withSharedCancellation` instead: its one handler cancels whichever wait the task
/// has pending. The scope serves only the task that opened it and only while it is open; a
/// child task, which inherits task-local values, takes the per-wait path.
final class WaitScope: Sendable {
    @TaskLocal static var current: WaitScope?

    let loop: EventLoop
    /// The address of the task that opened the scope; compared, never used to reach the task.
    /// While the scope is open that task is alive, so no other task can have its address.
    private let owner: UInt
    private let isOpen = Atomic<Bool>(true)
    private let cancelled = Atomic<Bool>(false)
    /// The owner's wait suspended or about to be (loop thread only). It may name a wait that
    /// has ended: a cancellation then finds a stale id, which names nothing.
    nonisolated(unsafe) var pendingWait: WaitID?

    init(loop: EventLoop, owner: UInt) {
        self.loop = loop
        self.owner = owner
    }

    /// The current task's address, 0 outside a task. An address rather than the
    /// `UnsafeCurrentTask`, whose copies retain and release the task: a wait checks it once.
    /// (`UnsafeCurrentTask?` is one word holding the task's reference, which is never null,
    /// so nil is 0.)
    static var currentTask: UInt {
        withUnsafeCurrentTask { unsafeBitCast($0, to: UInt.self) }
    }

    var isCancelled: Bool { cancelled.load(ordering: .acquiring) }

    /// Whether a wait on `loop` by the current task may rely on this scope's handler.
    func serves(_ loop: EventLoop) -> Bool {
        loop === self.loop && isOpen.load(ordering: .acquiring) && Self.currentTask == owner
    }

    /// From the handler, on any thread: the flag first, so that a wait armed after the loop has
    /// handled the message still sees it.
    func cancel() {
        cancelled.store(true, ordering: .releasing)
        loop.post(.cancelScope(self))
    }

    func close() {
        isOpen.store(false, ordering: .releasing)
    }
}

extension EventLoop {
    /// Runs `body` so that the current task's waits on this loop share one cancellation handler
    /// (see `WaitScope`): cancelling the task still ends its pending wait with
    /// `CancellationError`, at a fraction of the cost per wait. For a task that runs on this loop
    /// for a long time and waits often, such as a connection's; elsewhere it simply runs `body`.
    public func withSharedCancellation<Result>(_ body: () async throws -> Result) async rethrows -> Result {
        let task = WaitScope.currentTask
        guard task != 0, isCurrent else { return try await body() }
        let scope = WaitScope(loop: self, owner: task)
        defer { scope.close() }
        return try await withTaskCancellationHandler {
            try await WaitScope.$current.withValue(scope) { try await body() }
        } onCancel: {
            scope.cancel()
        }
    }
}
