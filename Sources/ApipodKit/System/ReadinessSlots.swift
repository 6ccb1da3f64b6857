/// What one loop knows about one registered file descriptor: the readiness that edge-triggered
/// epoll reported while nobody waited, and who waits now (at most one wait per role).
struct ReadinessSlot {
    /// Bumped on every registration; epoll's user data carries it so that an event queued for an
    /// earlier file under the same descriptor number is recognised and dropped.
    var generation: UInt32 = 0
    var isRegistered = false
    /// Set by an event that found no waiter, consumed by the next wait. It may be stale (the
    /// owner read everything since), which only costs one spurious wake-up and syscall retry.
    var readReady = false
    var writeReady = false
    /// Sticky until the descriptor is registered again: the peer shut down its side or the
    /// connection failed (RDHUP, HUP or ERR).
    var hungUp = false
    /// Waits by `WaitTable` index + 1; 0 means nobody.
    var reader: UInt32 = 0
    var writer: UInt32 = 0
    /// A wait on another descriptor that gives up when this one hangs up.
    var watcher: UInt32 = 0
}

/// The readiness slots of one loop, indexed by file descriptor. Owned by the loop thread, so it
/// needs no lock; it grows on demand up to the highest descriptor registered.
struct ReadinessSlots {
    private var slots: ContiguousArray<ReadinessSlot> = []

    /// The epoll user data for `fd`'s current registration: `generation << 32 | fd`.
    func userData(for fd: Int32) -> UInt64 {
        UInt64(slots[Int(fd)].generation) << 32 | UInt64(UInt32(bitPattern: fd))
    }

    /// The descriptor an event's user data names, if it names the current registration.
    func currentDescriptor(in userData: UInt64) -> Int32? {
        let fd = Int32(bitPattern: UInt32(truncatingIfNeeded: userData))
        let generation = UInt32(truncatingIfNeeded: userData >> 32)
        guard fd >= 0, Int(fd) < slots.count else { return nil }
        let slot = slots[Int(fd)]
        return slot.isRegistered && slot.generation == generation ? fd : nil
    }

    func isRegistered(_ fd: Int32) -> Bool {
        Int(fd) < slots.count && slots[Int(fd)].isRegistered
    }

    /// Starts a fresh registration of `fd`: a new generation, no readiness, no waiters.
    mutating func beginRegistration(of fd: Int32) {
        let index = Int(fd)
        if index >= slots.count {
            slots.append(contentsOf: repeatElement(ReadinessSlot(), count: max(index + 1, slots.count * 2) - slots.count))
        }
        let generation = slots[index].generation &+ 1
        slots[index] = ReadinessSlot(generation: generation, isRegistered: true)
    }

    /// Forgets `fd`'s registration (its waiters must have been finished); keeps the generation.
    mutating func endRegistration(of fd: Int32) {
        let generation = slots[Int(fd)].generation
        slots[Int(fd)] = ReadinessSlot(generation: generation)
    }

    subscript(fd: Int32) -> ReadinessSlot {
        get { slots[Int(fd)] }
        _modify { yield &slots[Int(fd)] }
    }
}
