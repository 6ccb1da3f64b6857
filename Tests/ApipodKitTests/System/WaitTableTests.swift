import Testing
@testable import ApipodKit

extension SystemTests {
    @Suite struct WaitTableTests {
        /// Thousands of waits armed with deadlines, a random share of them taken early (data
        /// arriving before the timeout): the rest expire exactly in deadline order. Taking most of
        /// them makes the table rebuild its queue on the way. Deadlines are random, or rising
        /// with one in ten earlier than the last (a server's pattern: sorted queue and heap).
        @Test(arguments: [1000, 2900], [false, true])
        func deadlinesExpireInOrder_AfterRandomEarlyRemovals(takenEarly: Int, mostlyRising: Bool) async throws {
            var random = SeededRandom(seed: 9112)
            var table = WaitTable()
            var armed: [(id: WaitID, deadline: Deadline)] = []
            // The table only stores continuations; this test's own one stands in for all of them
            // and is resumed once the waits are armed.
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
                for index in 0..<3000 {
                    let id = table.reserve()
                    let rising = mostlyRising && index % 10 != 0
                    let nanoseconds = rising ? UInt64(1000 + 300 * index) : UInt64.random(in: 1...1_000_000, using: &random)
                    let deadline = Deadline(uptimeNanoseconds: nanoseconds)
                    table.arm(id, waiter: .task(continuation), interest: .readable, fd: 3, watchedFD: -1, deadline: deadline)
                    armed.append((id, deadline))
                }
                continuation.resume()
            }
            armed.shuffle(using: &random)
            for wait in armed.prefix(takenEarly) { #expect(table.take(wait.id) != nil) }
            var expired: [Deadline] = []
            while let id = table.expired(at: Deadline(uptimeNanoseconds: 1_000_000)) {
                expired.append(armed.first { $0.id == id }!.deadline)
                _ = table.take(id)
            }
            #expect(expired == armed.dropFirst(takenEarly).map(\.deadline).sorted())
            #expect(table.nearestDeadline == nil)
            #expect(table.armedCount == 0)
        }

        /// Keep-alive load: a few waits stay pending while a hundred thousand others come and go,
        /// each leaving its deadline behind. What is stored stays near the pending count, and the
        /// nearest deadline is still the earliest pending one: with the pending deadlines after
        /// the others (which then go to the heap) and before them (all in the sorted queue).
        @Test(arguments: [5_000_000, 10])
        func endedWaitsDoNotPileUp(pendingDeadline: UInt64) async throws {
            var table = WaitTable()
            var pending: [WaitID] = []
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
                for index in 0..<10 {
                    let id = table.reserve()
                    table.arm(id, waiter: .task(continuation), interest: .readable, fd: 3, watchedFD: -1,
                              deadline: Deadline(uptimeNanoseconds: pendingDeadline + UInt64(index)))
                    pending.append(id)
                }
                var largest = 0
                for request in 0..<100_000 {
                    let id = table.reserve()
                    table.arm(id, waiter: .task(continuation), interest: .readable, fd: 4, watchedFD: -1,
                              deadline: Deadline(uptimeNanoseconds: UInt64(1_000 + request)))
                    _ = table.take(id)
                    largest = max(largest, table.timerNodeCount)
                }
                #expect(largest <= 2 * 10 + 64 + 1)
                continuation.resume()
            }
            #expect(table.nearestDeadline == Deadline(uptimeNanoseconds: pendingDeadline))
            for id in pending { _ = table.take(id) }
            #expect(table.nearestDeadline == nil)
        }
    }
}
