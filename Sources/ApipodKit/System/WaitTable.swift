/// Names one suspended wait across threads: a cancellation handler running anywhere sends it to
/// the loop. The serial makes a late message for a finished wait, whose entry has since been
/// reused, name nothing.
struct WaitID: Hashable, Sendable {
    let index: UInt32
    let serial: UInt32
}

/// The waits one loop has suspended, and their deadlines in a min-heap.
///
/// Why a slab with a heap of indices: each entry knows its heap position, so a wait that ends
/// early (the usual case: data arrives long before an idle timeout) leaves the heap at once.
/// A heap with lazy deletion would pile up one dead timer per read under keep-alive load.
/// Each heap node carries its deadline, so sifting compares within the heap's own contiguous
/// memory instead of reaching into a scattered entry per comparison (a thousand keep-alive
/// connections put a thousand deadlines here).
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
        var heapIndex = -1
    }

    private var entries: ContiguousArray<Entry> = []
    private var free: [UInt32] = []
    private struct HeapNode {
        var deadline: Deadline
        var index: UInt32
    }

    private var heap: ContiguousArray<HeapNode> = []
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
            entries[index].heapIndex = heap.count
            heap.append(HeapNode(deadline: deadline, index: id.index))
            siftUp(heap.count - 1)
        }
    }

    /// Removes the wait and returns it, for the caller to unlink from its slots and resume.
    /// Returns nil for a stale id.
    mutating func take(_ id: WaitID) -> Entry? {
        guard let entry = entry(id) else { return nil }
        if entry.heapIndex >= 0 { removeFromHeap(at: entry.heapIndex) }
        if entry.continuation != nil { armedCount -= 1 }
        entries[Int(id.index)] = Entry(serial: entry.serial)
        free.append(id.index)
        return entry
    }

    var nearestDeadline: Deadline? {
        heap.first?.deadline
    }

    /// The wait whose deadline passed first, if any deadline is at or before `now`.
    func expired(at now: Deadline) -> WaitID? {
        guard let node = heap.first, node.deadline <= now else { return nil }
        return WaitID(index: node.index, serial: entries[Int(node.index)].serial)
    }

    /// Every suspended wait, for a loop that is stopping.
    var armedIDs: [WaitID] {
        entries.indices.compactMap { index in
            let entry = entries[index]
            return entry.continuation == nil ? nil : WaitID(index: UInt32(index), serial: entry.serial)
        }
    }

    private mutating func removeFromHeap(at position: Int) {
        entries[Int(heap[position].index)].heapIndex = -1
        let last = heap.removeLast()
        guard position < heap.count else { return }
        heap[position] = last
        entries[Int(last.index)].heapIndex = position
        siftDown(position)
        siftUp(position)
    }

    private func deadline(atHeap position: Int) -> Deadline {
        heap[position].deadline
    }

    private mutating func swapHeap(_ a: Int, _ b: Int) {
        heap.swapAt(a, b)
        entries[Int(heap[a].index)].heapIndex = a
        entries[Int(heap[b].index)].heapIndex = b
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard deadline(atHeap: child) < deadline(atHeap: parent) else { return }
            swapHeap(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count, deadline(atHeap: left) < deadline(atHeap: smallest) { smallest = left }
            if right < heap.count, deadline(atHeap: right) < deadline(atHeap: smallest) { smallest = right }
            guard smallest != parent else { return }
            swapHeap(parent, smallest)
            parent = smallest
        }
    }
}
