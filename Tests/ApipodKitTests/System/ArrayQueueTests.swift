import Testing
@testable import ApipodKit

extension SystemTests {
    @Suite struct ArrayQueueTests {
        /// A backlog that never drains: order is kept, and what is stored stays bounded by the
        /// backlog, not by everything that ever passed through.
        @Test func aBacklogThatNeverDrains_KeepsOrder_AndStaysBounded() {
            var queue = ArrayQueue<Int>()
            for value in 0..<10 { queue.append(value) }
            var next = 0
            var largest = 0
            for value in 10..<100_000 {
                queue.append(value)
                #expect(queue.popFirst() == next)
                next += 1
                largest = max(largest, queue.storedCount)
            }
            #expect(queue.count == 10)
            #expect(queue.first == next && queue.last == 99_999)
            #expect(largest <= 2 * 64 + 10)
        }

        @Test func removeAllWhere_KeepsTheOrderOfTheRest_AndDropsTakenOnes() {
            var queue = ArrayQueue<Int>()
            for value in 0..<10 { queue.append(value) }
            for _ in 0..<3 { _ = queue.popFirst() }
            queue.removeAll { $0 % 2 == 0 }
            #expect(queue.storedCount == queue.count)
            var rest: [Int] = []
            while let value = queue.popFirst() { rest.append(value) }
            #expect(rest == [3, 5, 7, 9])
            #expect(queue.isEmpty && queue.first == nil && queue.last == nil)
        }
    }
}
