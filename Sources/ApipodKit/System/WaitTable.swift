/// Names one suspended wait across threads: a cancellation handler running anywhere sends it to
/// the loop. The serial makes a late message for a finished wait, whose entry has since been
/// reused, name nothing.
struct WaitID: Hashable, Sendable {
    let index: UInt32
    let serial: UInt32
}

/// The waits one loop has suspended, and their deadlines in a min-heap.
///
/// Why a heap with lazy deletion and compaction: nearly every wait ends long before its deadline
/// (data arrives well within an idle timeout), so removing its node at once — a sift through
/// the heap, rewriting the position kept in each entry it passes — was paid on every request for
/// nothing. Instead a wait that ends leaves its node behind, recognised as dead by its serial,
/// and only the heap's own contiguous array is touched: dead nodes that reach the top are
/// dropped, and once they outnumber the live ones the heap is rebuilt without them, so it never
/// holds more than about twice the waits that have deadlines. Each node carries its deadline,
/// so sifting compares within the heap's own memory.
/// Owned by the loop thread; every continuation is resumed by the loop after `take`, which
/// removes the entry, so each is resumed exactly once.
struct WaitTable {
    enum Interest { case readable, writable, sleep }

    struct Entry {
        var serial: UInt32 = 0
        var isReserved = false
        /// Set once the task is suspended; nil while only reserved.
        var continuation: UnsafeContinuation<Void, any Error>?
        /// A cancellation that arrived between `reserve` and `arm`.
        var isCancelled = false
        var interest = Interest.sleep
        var fd: Int32 = -1
        /// The descriptor whose hang-up aborts this wait, or -1.
        var watchedFD: Int32 = -1
        /// Whether a heap node stands for this wait's deadline.
        var hasDeadline = false
    }

    private var entries: ContiguousArray<Entry> = []
    private var free: [UInt32] = []
    private struct HeapNode {
        var deadline: Deadline
        var index: UInt32
        var serial: UInt32
    }

    private var heap: ContiguousArray<HeapNode> = []
    /// Nodes in `heap` whose wait has ended.
    private var deadNodes = 0
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

    /// Stores the suspended task's continuation and what it waits for; queues its deadline.
    mutating func arm(
        _ id: WaitID, continuation: UnsafeContinuation<Void, any Error>,
        interest: Interest, fd: Int32, watchedFD: Int32, deadline: Deadline
    ) {
        let index = Int(id.index)
        entries[index].continuation = continuation
        entries[index].interest = interest
        entries[index].fd = fd
        entries[index].watchedFD = watchedFD
        armedCount += 1
        if deadline != .never {
            entries[index].hasDeadline = true
            heap.append(HeapNode(deadline: deadline, index: id.index, serial: id.serial))
            siftUp(heap.count - 1)
        }
    }

    /// Removes the wait and returns it, for the caller to unlink from its slots and resume.
    /// Returns nil for a stale id.
    mutating func take(_ id: WaitID) -> Entry? {
        guard let entry = entry(id) else { return nil }
        if entry.continuation != nil { armedCount -= 1 }
        entries[Int(id.index)] = Entry(serial: entry.serial)
        free.append(id.index)
        if entry.hasDeadline {
            deadNodes += 1
            if deadNodes > heap.count - deadNodes + 64 { compact() }
        }
        return entry
    }

    /// The nearest deadline of a wait still pending.
    var nearestDeadline: Deadline? {
        mutating get {
            dropDeadTop()
            return heap.first?.deadline
        }
    }

    /// The wait whose deadline passed first, if any deadline is at or before `now`.
    mutating func expired(at now: Deadline) -> WaitID? {
        dropDeadTop()
        guard let node = heap.first, node.deadline <= now else { return nil }
        return WaitID(index: node.index, serial: node.serial)
    }

    /// Every suspended wait, for a loop that is stopping.
    var armedIDs: [WaitID] {
        entries.indices.compactMap { index in
            let entry = entries[index]
            return entry.continuation == nil ? nil : WaitID(index: UInt32(index), serial: entry.serial)
        }
    }

    /// Heap nodes, live and dead (for tests: it must stay bounded).
    var timerNodeCount: Int { heap.count }

    private func isLive(_ node: HeapNode) -> Bool {
        Self.isLive(node, in: entries)
    }

    private static func isLive(_ node: HeapNode, in entries: ContiguousArray<Entry>) -> Bool {
        let entry = entries[Int(node.index)]
        return entry.isReserved && entry.serial == node.serial && entry.hasDeadline
    }

    private mutating func dropDeadTop() {
        while let top = heap.first, !isLive(top) {
            let last = heap.removeLast()
            deadNodes -= 1
            guard !heap.isEmpty else { return }
            heap[0] = last
            siftDown(0)
        }
    }

    /// Rebuilds the heap from its live nodes (Floyd's construction, linear in their number).
    private mutating func compact() {
        let entries = entries
        heap.removeAll { !Self.isLive($0, in: entries) }
        deadNodes = 0
        var parent = heap.count / 2
        while parent > 0 {
            parent -= 1
            siftDown(parent)
        }
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        let node = heap[child]
        while child > 0 {
            let parent = (child - 1) / 2
            guard node.deadline < heap[parent].deadline else { break }
            heap[child] = heap[parent]
            child = parent
        }
        heap[child] = node
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        let node = heap[parent]
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { break }
            let right = left + 1
            let smaller = right < heap.count && heap[right].deadline < heap[left].deadline ? right : left
            guard heap[smaller].deadline < node.deadline else { break }
            heap[parent] = heap[smaller]
            parent = smaller
        }
        heap[parent] = node
    }
}
