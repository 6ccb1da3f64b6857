import Testing
@testable import ApipodKit

extension SystemTests {
    @Suite struct WaitTableTests {
        /// Thousands of waits armed with random deadlines, a random third of them taken early
        /// (data arriving before the timeout): the rest expire exactly in deadline order.
        @Test func deadlinesExpireInOrder_AfterRandomEarlyRemovals() async throws {
            var random = SeededRandom(seed: 9112)
            var table = WaitTable()
            var armed: [(id: WaitID, deadline: Deadline)] = []
            // The table only stores continuations; this test's own one stands in for all of them
            // and is resumed once the waits are armed.
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
                for _ in 0..<3000 {
                    let id = table.reserve()
                    let deadline = Deadline(uptimeNanoseconds: UInt64.random(in: 1...1_000_000, using: &random))
                    table.arm(id, continuation: continuation, interest: .readable, fd: 3, watchedFD: -1, deadline: deadline)
                    armed.append((id, deadline))
                }
                continuation.resume()
            }
            armed.shuffle(using: &random)
            let taken = armed.prefix(1000)
            for wait in taken { #expect(table.take(wait.id) != nil) }
            var expired: [Deadline] = []
            while let id = table.expired(at: Deadline(uptimeNanoseconds: 1_000_000)) {
                expired.append(armed.first { $0.id == id }!.deadline)
                _ = table.take(id)
            }
            #expect(expired == armed.dropFirst(1000).map(\.deadline).sorted())
            #expect(table.nearestDeadline == nil)
            #expect(table.armedCount == 0)
        }
    }
}
