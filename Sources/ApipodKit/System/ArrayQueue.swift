/// A first-in, first-out queue on one array, for a loop's queues that are mostly appended to
/// and taken from the front (deadlines in order, connections waiting for a worker).
///
/// Why not `removeFirst()` per element: that moves the whole rest each time. Taking advances an
/// index instead; the taken prefix is dropped when the queue empties, or once it is at least 64
/// elements and half the array, so each element is moved a bounded number of times and a queue
/// that never quite drains does not keep everything it ever held.
struct ArrayQueue<Element> {
    private var elements: ContiguousArray<Element> = []
    private var start = 0

    var isEmpty: Bool { start == elements.count }
    var count: Int { elements.count - start }
    var first: Element? { isEmpty ? nil : elements[start] }
    var last: Element? { isEmpty ? nil : elements.last }
    /// Elements held, taken ones not yet dropped included (for bounds in tests).
    var storedCount: Int { elements.count }

    mutating func append(_ element: Element) {
        elements.append(element)
    }

    mutating func popFirst() -> Element? {
        guard !isEmpty else { return nil }
        let element = elements[start]
        start += 1
        if start == elements.count {
            elements.removeAll(keepingCapacity: true)
            start = 0
        } else if start >= 64 && 2 * start >= elements.count {
            elements.removeFirst(start)
            start = 0
        }
        return element
    }

    /// Removes the queued elements that satisfy `shouldRemove`, keeping the order of the rest.
    mutating func removeAll(where shouldRemove: (Element) -> Bool) {
        elements.removeFirst(start)
        start = 0
        elements.removeAll(where: shouldRemove)
    }
}
