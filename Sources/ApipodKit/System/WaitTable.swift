/// Names one suspended wait across threads: a cancellation handler running anywhere sends it to
/// the loop. The serial makes a late message for a finished wait, whose entry has since been
/// reused, name nothing.
struct WaitID: Hashable, Sendable {
    let index: UInt32
    let serial: UInt32
}

/// The waits one loop has suspended, and their deadlines (`DeadlineQueue`).
/// Owned by the loop thread; every continuation is resumed by the loop after `take`, which
/// removes the entry, so each is resumed exactly once.
struct WaitTable {
    enum Interest { case readable, writable, sleep }

    /// Who learns that a wait ended: a suspended task, or a function the loop calls on its
    /// thread (a watch, which keeps no task waiting).
    enum Waiter {
        case task(UnsafeContinuation<Void, any Error>)
        case callback((Result<Void, any Error>) -> Void)
    }

    struct Entry {
        var serial: UInt32 = 0
        var isReserved = false
        /// Set once the task is suspended or the watch armed; nil while only reserved.
        var waiter: Waiter?
        /// A cancellation that arrived between `reserve` and `arm`.
        var isCancelled = false
        var interest = Interest.sleep
        var fd: Int32 = -1
        /// The descriptor whose hang-up aborts this wait, or -1.
        var watchedFD: Int32 = -1
        /// Whether a `DeadlineQueue` node stands for this wait's deadline.
        var hasDeadline = false
    }

    private var entries: ContiguousArray<Entry> = []
    private var free: [UInt32] = []
    private var deadlines = DeadlineQueue()
    private(set) var armedCount = 0

    mutating func reserve() -> WaitID {
        let index: UInt32
        if let reusable = free.popLast() {
            index = reusable
        } else {
            index = UInt32(entries.count)
            entries.append(Entry())
        }
        entries[Int(index)].serial &+= 1
        entries[Int(index)].isReserved = true
        return WaitID(index: index, serial: entries[Int(index)].serial)
    }

    /// The reserved entry for `id`, or nil if the id is stale.
    func entry(_ id: WaitID) -> Entry? {
        let entry = entries[Int(id.index)]
        return entry.isReserved && entry.serial == id.serial ? entry : nil
    }

    func id(atSlotReference reference: UInt32) -> WaitID {
        WaitID(index: reference - 1, serial: entries[Int(reference - 1)].serial)
    }

    mutating func markCancelled(_ id: WaitID) {
        entries[Int(id.index)].isCancelled = true
    }

    /// Stores who waits and for what; queues the deadline.
    mutating func arm(
        _ id: WaitID, waiter: Waiter, interest: Interest, fd: Int32, watchedFD: Int32, deadline: Deadline
    ) {
        let index = Int(id.index)
        entries[index].waiter = waiter
        entries[index].interest = interest
        entries[index].fd = fd
        entries[index].watchedFD = watchedFD
        armedCount += 1
        if deadline != .never {
            entries[index].hasDeadline = true
            deadlines.insert(DeadlineQueue.Node(deadline: deadline, index: id.index, serial: id.serial))
        }
    }

    /// Removes the wait and returns it, for the caller to unlink from its slots and resume.
    /// Returns nil for a stale id.
    mutating func take(_ id: WaitID) -> Entry? {
        guard let entry = entry(id) else { return nil }
        if entry.waiter != nil { armedCount -= 1 }
        entries[Int(id.index)] = Entry(serial: entry.serial)
        free.append(id.index)
        if entry.hasDeadline {
            let entries = entries
            deadlines.nodeDied { Self.isLive($0, in: entries) }
        }
        return entry
    }

    /// The nearest deadline of a wait still pending.
    var nearestDeadline: Deadline? {
        mutating get { firstDeadline()?.deadline }
    }

    /// The wait whose deadline passed first, if any deadline is at or before `now`.
    mutating func expired(at now: Deadline) -> WaitID? {
        guard let node = firstDeadline(), node.deadline <= now else { return nil }
        return WaitID(index: node.index, serial: node.serial)
    }

    /// Every suspended wait, for a loop that is stopping.
    var armedIDs: [WaitID] {
        entries.indices.compactMap { index in
            let entry = entries[index]
            return entry.waiter == nil ? nil : WaitID(index: UInt32(index), serial: entry.serial)
        }
    }

    /// Deadline nodes stored, live and dead (for tests: it must stay bounded).
    var timerNodeCount: Int { deadlines.storedCount }

    private mutating func firstDeadline() -> DeadlineQueue.Node? {
        let entries = entries
        return deadlines.first { Self.isLive($0, in: entries) }
    }

    /// Whether `node` still stands for a pending wait: its entry was not taken, or reused since.
    private static func isLive(_ node: DeadlineQueue.Node, in entries: ContiguousArray<Entry>) -> Bool {
        let entry = entries[Int(node.index)]
        return entry.isReserved && entry.serial == node.serial && entry.hasDeadline
    }
}
