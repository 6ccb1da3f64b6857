/// The deadlines of one loop's waits, nearest first, for `WaitTable`.
///
/// Why lazy deletion: nearly every wait ends long before its deadline (data arrives well within
/// an idle timeout), so taking its deadline out at once was paid on every request for nothing.
/// A wait that ends leaves its node behind instead, recognised as dead by the caller's
/// `isLive`; dead nodes met at the front are dropped, and once they outnumber the live ones by
/// more than 64 the queue is rebuilt without them, so it never holds much more than twice the
/// pending deadlines.
///
/// Why a queue beside the heap: a server applies the same timeout to wait after wait, so each
/// new deadline is usually no earlier than the last one queued. Those go to the end of an array
/// that stays sorted, where adding and dropping cost O(1); only a deadline earlier than the
/// queue's last goes to the min-heap. Nodes carry their deadlines, so neither structure reaches
/// into the waits' entries while it orders them.
struct DeadlineQueue {
    struct Node {
        var deadline: Deadline
        var index: UInt32
        var serial: UInt32
    }

    /// Non-decreasing deadlines.
    private var sorted = ArrayQueue<Node>()
    private var heap: ContiguousArray<Node> = []
    /// Nodes still stored whose wait has ended.
    private var deadNodes = 0

    /// Nodes held, live and dead (for tests: it must stay bounded).
    var storedCount: Int { sorted.storedCount + heap.count }

    private var queuedCount: Int { sorted.count + heap.count }

    mutating func insert(_ node: Node) {
        if let last = sorted.last, node.deadline < last.deadline {
            heap.append(node)
            siftUp(heap.count - 1)
        } else {
            sorted.append(node)
        }
    }

    /// Notes that the wait of a queued node has ended: `isLive` now says so of that node.
    mutating func nodeDied(isLive: (Node) -> Bool) {
        deadNodes += 1
        if deadNodes > queuedCount - deadNodes + 64 { compact(isLive: isLive) }
    }

    /// The live node with the nearest deadline, after dropping the dead ones in front of it.
    mutating func first(isLive: (Node) -> Bool) -> Node? {
        while let front = sorted.first, !isLive(front) {
            _ = sorted.popFirst()
            deadNodes -= 1
        }
        while let top = heap.first, !isLive(top) {
            removeHeapTop()
            deadNodes -= 1
        }
        guard let front = sorted.first else { return heap.first }
        guard let top = heap.first, top.deadline < front.deadline else { return front }
        return top
    }

    private mutating func compact(isLive: (Node) -> Bool) {
        sorted.removeAll { !isLive($0) }
        heap.removeAll { !isLive($0) }
        deadNodes = 0
        // Floyd's construction, linear in the nodes left.
        var parent = heap.count / 2
        while parent > 0 {
            parent -= 1
            siftDown(parent)
        }
    }

    private mutating func removeHeapTop() {
        let last = heap.removeLast()
        guard !heap.isEmpty else { return }
        heap[0] = last
        siftDown(0)
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
