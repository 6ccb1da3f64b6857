import CSystem
import Glibc

extension EventLoop {
    /// Why a wait ended without the readiness it asked for. A cancelled task's wait throws
    /// `CancellationError` instead, as Swift's own suspending functions do.
    public enum WaitError: Error, Sendable, Equatable {
        /// The deadline passed first.
        case timedOut
        /// The descriptor passed as `abortingOnHangupOf` hung up (RDHUP, HUP or ERR) first.
        case watchedPeerClosed
        /// The descriptor was closed (by `closeDescriptor`) while the wait was pending.
        case closed
    }

    /// Suspends until `fd` may be readable, `deadline` passes, or — when `watchedFD` is given —
    /// that other descriptor hangs up. A proxy relaying upstream → client waits on the upstream
    /// socket while watching the client's, so a client that goes away is noticed at once.
    ///
    /// Call it after the read syscall reported `EAGAIN`, then retry the syscall: wake-ups may be
    /// spurious. The first wait registers the descriptors with this loop. Off the loop thread
    /// (a task without `Task(executorPreference: loop)`), the call hops to the loop and back.
    ///
    /// - Throws: `WaitError`, `CancellationError` (also while the loop shuts down), or
    ///   `SocketError` if epoll refuses the descriptor.
    public func waitReadable(
        _ fd: Int32, deadline: Deadline = .never, abortingOnHangupOf watchedFD: Int32? = nil
    ) async throws {
        guard isCurrent else {
            return try await withTaskExecutorPreference(self) {
                try await self.waitReadable(fd, deadline: deadline, abortingOnHangupOf: watchedFD)
            }
        }
        guard !isStopping else { throw CancellationError() }
        try register(fd)
        if let watchedFD {
            precondition(watchedFD != fd, "a wait cannot watch its own descriptor for hang-up")
            try register(watchedFD)
            if slots[watchedFD].hungUp { throw WaitError.watchedPeerClosed }
        }
        if slots[fd].readReady {
            slots[fd].readReady = false
            return
        }
        try await suspend(.readable, fd: fd, watchedFD: watchedFD ?? -1, deadline: deadline)
    }

    /// Suspends until `fd` may be writable (or a non-blocking connect has finished) or
    /// `deadline` passes. Same contract as `waitReadable`.
    public func waitWritable(_ fd: Int32, deadline: Deadline = .never) async throws {
        guard isCurrent else {
            return try await withTaskExecutorPreference(self) {
                try await self.waitWritable(fd, deadline: deadline)
            }
        }
        guard !isStopping else { throw CancellationError() }
        try register(fd)
        if slots[fd].writeReady {
            slots[fd].writeReady = false
            return
        }
        try await suspend(.writable, fd: fd, watchedFD: -1, deadline: deadline)
    }

    /// Suspends until `deadline`, on this loop's timer heap. Throws `CancellationError` if the
    /// task is cancelled or the loop shuts down first.
    public func sleep(until deadline: Deadline) async throws {
        guard isCurrent else {
            return try await withTaskExecutorPreference(self) { try await self.sleep(until: deadline) }
        }
        guard !isStopping else { throw CancellationError() }
        try await suspend(.sleep, fd: -1, watchedFD: -1, deadline: deadline)
    }

    public func sleep(for duration: Duration) async throws {
        try await sleep(until: .after(duration))
    }

    /// Watches `fd` without a task waiting: once it may be readable, `deadline` passes
    /// (`WaitError.timedOut`), it is closed (`WaitError.closed`), the watch is cancelled
    /// (`cancelWatch`) or the loop stops (`CancellationError`), the loop calls `onEnd` with the
    /// outcome, on its thread, once. Returns nil, arming nothing, when `fd` is already known to
    /// be readable or hung up: the caller reads on. Loop thread only.
    ///
    /// Why: a keep-alive connection between requests then costs a table entry instead of a
    /// suspended task, whose frames and status records the next request would find cold.
    func watchReadable(
        _ fd: Int32, deadline: Deadline, _ onEnd: @escaping (Result<Void, any Error>) -> Void
    ) throws -> WaitID? {
        precondition(isCurrent, "a watch is armed on the loop's thread")
        guard !isStopping else { throw CancellationError() }
        try register(fd)
        // A hang-up seen earlier sends no new edge: the caller's read finds it at once.
        if slots[fd].readReady || slots[fd].hungUp {
            slots[fd].readReady = false
            return nil
        }
        precondition(slots[fd].reader == 0, "two tasks wait to read fd \(fd)")
        let id = waits.reserve()
        waits.arm(id, waiter: .callback(onEnd), interest: .readable, fd: fd, watchedFD: -1, deadline: deadline)
        slots[fd].reader = id.index + 1
        return id
    }

    /// Ends a watch from any thread: its `onEnd` is called with `CancellationError`, unless it
    /// has ended already.
    func cancelWatch(_ id: WaitID) {
        post(.cancel(id))
    }

    /// Deregisters `fd` and closes it, from any thread. Waits still pending on it, or watching
    /// it, fail with `WaitError.closed`. Off the loop thread the loop does it on its next turn,
    /// so the descriptor number cannot be reused while the loop still has it registered.
    public func closeDescriptor(_ fd: Int32) {
        if isCurrent {
            deregisterAndClose(fd)
        } else {
            post(.close(fd))
        }
    }

    /// The number of armed waits, watches included (loop thread only; for tests and diagnostics).
    var suspendedWaitCount: Int {
        precondition(isCurrent, "suspendedWaitCount is loop-thread state")
        return waits.armedCount
    }

    // MARK: - Loop thread only

    /// Handles one epoll event: resumes the waiters it concerns, or remembers the readiness.
    /// Events for an earlier registration of the same descriptor number are dropped.
    func handle(events: UInt32, userData: UInt64) {
        guard let fd = slots.currentDescriptor(in: userData) else { return }
        if events & (EPOLLRDHUP.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 {
            slots[fd].hungUp = true
            let watcher = slots[fd].watcher
            if watcher != 0 { finish(waits.id(atSlotReference: watcher), .failure(WaitError.watchedPeerClosed)) }
        }
        if events & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 {
            let reader = slots[fd].reader
            if reader != 0 { finish(waits.id(atSlotReference: reader), .success(())) } else { slots[fd].readReady = true }
        }
        if events & (EPOLLOUT.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 {
            let writer = slots[fd].writer
            if writer != 0 { finish(waits.id(atSlotReference: writer), .success(())) } else { slots[fd].writeReady = true }
        }
    }

    func fireExpiredWaits() {
        guard waits.nearestDeadline != nil else { return }
        let now = Deadline.now
        while let id = waits.expired(at: now) {
            let isSleep = waits.entry(id)?.interest == .sleep
            finish(id, isSleep ? .success(()) : .failure(WaitError.timedOut))
        }
    }

    func cancel(_ id: WaitID) {
        guard let entry = waits.entry(id) else { return }
        if entry.waiter == nil {
            waits.markCancelled(id)
        } else {
            finish(id, .failure(CancellationError()))
        }
    }

    func deregisterAndClose(_ fd: Int32) {
        if slots.isRegistered(fd) {
            let slot = slots[fd]
            for reference in [slot.reader, slot.writer, slot.watcher] where reference != 0 {
                finish(waits.id(atSlotReference: reference), .failure(WaitError.closed))
            }
            _ = epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, nil)
            slots.endRegistration(of: fd)
        }
        Glibc.close(fd)
    }

    /// Registers `fd` for every readiness, edge-triggered, unless it already is.
    private func register(_ fd: Int32) throws(SocketError) {
        guard !slots.isRegistered(fd) else { return }
        slots.beginRegistration(of: fd)
        var event = epoll_event()
        event.events = EPOLLIN.rawValue | EPOLLOUT.rawValue | EPOLLRDHUP.rawValue | EPOLLET.rawValue
        event.data.u64 = slots.userData(for: fd)
        guard epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event) == 0 else {
            let code = errno
            slots.endRegistration(of: fd)
            throw .failed(operation: "epoll_ctl ADD fd \(fd)", errno: code)
        }
    }

    /// Suspends the current task until `finish` resumes it. The wait is reserved first so the
    /// cancellation handler, which may run on any thread (or at once, for a task cancelled
    /// before it got here), can name it; the loop then resumes it exactly once, whichever of
    /// readiness, deadline, hang-up or cancellation comes first. Inside the task's
    /// `WaitScope` the scope's handler names it instead, and the wait brings none of its own.
    private func suspend(
        _ interest: WaitTable.Interest, fd: Int32, watchedFD: Int32, deadline: Deadline
    ) async throws {
        let id = waits.reserve()
        if let scope = WaitScope.current, scope.serves(self) {
            scope.pendingWait = id
            // The variant that inherits the caller's executor: the standard one hops to the
            // caller's isolation before and after (a lookup under the task's status lock each
            // time), which buys nothing here, since a resumed task is enqueued on this loop
            // (or on the caller's actor) by the runtime itself.
            try await _unsafeInheritExecutor_withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
                self.arm(id, continuation, interest, fd: fd, watchedFD: watchedFD, deadline: deadline, scope: scope)
            }
            return
        }
        try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
                self.arm(id, continuation, interest, fd: fd, watchedFD: watchedFD, deadline: deadline, scope: nil)
            }
        } onCancel: {
            self.post(.cancel(id))
        }
    }

    private func arm(
        _ id: WaitID, _ continuation: UnsafeContinuation<Void, any Error>,
        _ interest: WaitTable.Interest, fd: Int32, watchedFD: Int32, deadline: Deadline, scope: WaitScope?
    ) {
        // Cancellation messages are handled between jobs, and reserve → arm runs in one job,
        // but the language does not promise that entering the `with…` functions cannot
        // suspend; a cancellation received in between is honoured here.
        if waits.entry(id)?.isCancelled == true || scope?.isCancelled == true || isStopping {
            _ = waits.take(id)
            continuation.resume(throwing: CancellationError())
            return
        }
        waits.arm(id, waiter: .task(continuation), interest: interest, fd: fd, watchedFD: watchedFD, deadline: deadline)
        let reference = id.index + 1
        switch interest {
        case .readable:
            precondition(slots[fd].reader == 0, "two tasks wait to read fd \(fd)")
            slots[fd].reader = reference
        case .writable:
            precondition(slots[fd].writer == 0, "two tasks wait to write fd \(fd)")
            slots[fd].writer = reference
        case .sleep:
            break
        }
        if watchedFD >= 0 {
            precondition(slots[watchedFD].watcher == 0, "two waits watch fd \(watchedFD) for hang-up")
            slots[watchedFD].watcher = reference
        }
    }

    /// Ends a wait: unlinks it from its slots and resumes its task or calls its callback. A
    /// stale id does nothing.
    func finish(_ id: WaitID, _ result: Result<Void, any Error>) {
        guard let entry = waits.take(id), let waiter = entry.waiter else { return }
        let reference = id.index + 1
        if entry.fd >= 0, slots.isRegistered(entry.fd) {
            if slots[entry.fd].reader == reference { slots[entry.fd].reader = 0 }
            if slots[entry.fd].writer == reference { slots[entry.fd].writer = 0 }
        }
        if entry.watchedFD >= 0, slots.isRegistered(entry.watchedFD), slots[entry.watchedFD].watcher == reference {
            slots[entry.watchedFD].watcher = 0
        }
        switch waiter {
        case .task(let continuation): continuation.resume(with: result)
        case .callback(let call): call(result)
        }
    }
}

extension EventLoop {
    /// Whether epoll has reported that `fd`'s peer shut down or the connection failed (RDHUP,
    /// HUP or ERR) since it was registered. Loop thread only. Lets a connection pool drop an
    /// idle connection the other side closed without a system call to find out.
    func hasHungUp(_ fd: Int32) -> Bool {
        precondition(isCurrent, "readiness slots are loop-thread state")
        return slots.isRegistered(fd) && slots[fd].hungUp
    }
}
