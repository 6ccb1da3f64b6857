import Glibc
import Testing
@testable import ApipodKit

extension SystemTests {
    @Suite struct EventLoopTests {
        @Test func tasksPreferringTheLoop_RunOnItsThread() async throws {
            try await withLoops { group in
                let loop = group.loops[0]
                let onLoop = await Task(executorPreference: loop) { () async -> [Bool] in
                    let before = loop.isCurrent
                    await Task.yield()
                    return [before, loop.isCurrent]
                }.value
                #expect(onLoop == [true, true])
                #expect(await Task.detached { loop.isCurrent }.value == false)
            }
        }

        @Test func read_SuspendsUntilThePeerWrites_ThenResumes() async throws {
            try await withLoops { group in
                let loop = group.loops[0]
                let (mine, peer) = try makeDescriptorPair()
                defer { close(peer) }
                let reader = Task(executorPreference: loop) {
                    try await Socket(adopting: mine, on: loop).readText()
                }
                try await waitUntilSuspended(1, on: loop)
                writeText("hello", to: peer)
                #expect(try await reader.value == "hello")
                #expect(await suspendedWaits(on: loop) == 0)
            }
        }

        @Test func readinessArrivingWithoutAWaiter_IsKeptForTheNextWait() async throws {
            try await withLoops { group in
                let loop = group.loops[0]
                let (mine, peer) = try makeDescriptorPair()
                defer { close(peer) }
                let (flagged, consumed, text) = try await Task(executorPreference: loop) {
                    let socket = try Socket(adopting: mine, on: loop)
                    // Registers the descriptor; it is writable at once, so this returns.
                    try await loop.waitWritable(mine, deadline: hangGuard())
                    writeText("early", to: peer)
                    // One loop turn: epoll reports the bytes while nobody waits to read.
                    await Task.yield()
                    let flagged = loop.slots[mine].readReady
                    try await loop.waitReadable(mine, deadline: hangGuard())
                    let consumed = !loop.slots[mine].readReady
                    return (flagged, consumed, try await socket.readText())
                }.value
                #expect(flagged)
                #expect(consumed)
                #expect(text == "early")
            }
        }

        @Test func manyWaitersOnManyDescriptors_EachGetTheirOwnBytes() async throws {
            try await withLoops(2) { group in
                let pairs = try (0..<64).map { _ in try makeDescriptorPair() }
                defer { for (_, peer) in pairs { close(peer) } }
                let readers = pairs.enumerated().map { index, pair in
                    let loop = group.loops[index % 2]
                    return Task(executorPreference: loop) {
                        try await Socket(adopting: pair.0, on: loop).readText()
                    }
                }
                try await waitUntilSuspended(32, on: group.loops[0])
                try await waitUntilSuspended(32, on: group.loops[1])
                for (index, pair) in pairs.enumerated().reversed() {
                    writeText("reader \(index)", to: pair.1)
                }
                for (index, reader) in readers.enumerated() {
                    #expect(try await reader.value == "reader \(index)")
                }
            }
        }

        /// Deadlines already in the past, so nothing depends on how fast the test runs. The
        /// sleepers, created and some cancelled in one job, arm together in the next batch; the
        /// loop's next turn takes the cancellations first (removals from the middle of the
        /// heap), then fires the rest in deadline order.
        @Test func sleeps_EndInDeadlineOrder_AndCancelledOnesLeaveTheHeap() async throws {
            try await withLoops { group in
                let loop = group.loops[0]
                let finished = Recorder()
                // A fixed shuffle of 0..<24; every third sleeper is cancelled before it fires.
                let order = [17, 3, 22, 8, 0, 13, 19, 5, 11, 1, 23, 14, 6, 20, 9, 2, 16, 12, 21, 4, 10, 18, 7, 15]
                let cancelled = Set(order.filter { $0 % 3 == 0 })
                let outcomes = await Task(executorPreference: loop) { () -> [Int: Bool] in
                    let base = Deadline.now.adding(.seconds(-1))
                    var sleepers: [Int: Task<Void, any Error>] = [:]
                    for index in order {
                        sleepers[index] = Task(executorPreference: loop) {
                            try await loop.sleep(until: base.adding(.microseconds(index)))
                            finished.append(index)
                        }
                    }
                    for index in cancelled { sleepers[index]!.cancel() }
                    var outcomes: [Int: Bool] = [:]
                    for (index, sleeper) in sleepers {
                        outcomes[index] = (try? await sleeper.value) != nil
                    }
                    return outcomes
                }.value
                #expect(outcomes.filter { !$0.value }.map(\.key).sorted() == cancelled.sorted())
                #expect(finished.values == (0..<24).filter { !cancelled.contains($0) })
            }
        }

        /// A sleep called from a task off the loop waits in the loop's own table (seen there as a
        /// suspended wait, ended by cancelling the task), and the caller carries on off the loop.
        @Test func sleepCalledOffTheLoop_HopsThereAndBack() async throws {
            try await withLoops { group in
                let loop = group.loops[0]
                let sleeper = Task.detached { () async -> (before: Bool, cancelled: Bool, after: Bool) in
                    let before = loop.isCurrent
                    var cancelled = false
                    do { try await loop.sleep(until: .never) } catch { cancelled = error is CancellationError }
                    return (before, cancelled, loop.isCurrent)
                }
                try await waitUntilSuspended(1, on: loop)
                sleeper.cancel()
                let outcome = await sleeper.value
                #expect(!outcome.before)
                #expect(outcome.cancelled)
                #expect(!outcome.after, "back on the caller's executor")
                #expect(await suspendedWaits(on: loop) == 0)

                try await loop.sleep(for: .milliseconds(1))
                #expect(!loop.isCurrent)
            }
        }

        @Test func next_GoesRoundRobin() async throws {
            try await withLoops(3) { group in
                let picked = (0..<6).map { _ in ObjectIdentifier(group.next()) }
                let loops = group.loops.map(ObjectIdentifier.init)
                #expect(picked == loops + loops)
            }
        }

        @Test func shutdown_CancelsSuspendedWaits_AndJoinsTheThreads() async throws {
            let group = try EventLoopGroup(count: 2)
            let (mine, peer) = try makeDescriptorPair()
            defer { close(peer) }
            let reader = Task(executorPreference: group.loops[0]) {
                try await Socket(adopting: mine, on: group.loops[0]).readText(deadline: .never)
            }
            let sleeper = Task(executorPreference: group.loops[1]) {
                try await group.loops[1].sleep(until: .never)
            }
            try await waitUntilSuspended(1, on: group.loops[0])
            try await waitUntilSuspended(1, on: group.loops[1])
            group.shutdown()
            #expect(group.loops.allSatisfy { $0.hasExited })
            await #expect(throws: CancellationError.self) { try await reader.value }
            await #expect(throws: CancellationError.self) { try await sleeper.value }
        }
    }
}
