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
            await waitUntilSuspended(1, on: loop)
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
            await waitUntilSuspended(32, on: group.loops[0])
            await waitUntilSuspended(32, on: group.loops[1])
            for (index, pair) in pairs.enumerated().reversed() {
                writeText("reader \(index)", to: pair.1)
            }
            for (index, reader) in readers.enumerated() {
                #expect(try await reader.value == "reader \(index)")
            }
        }
    }

    @Test func sleeps_EndInDeadlineOrder_AndCancelledOnesLeaveTheHeap() async throws {
        try await withLoops { group in
            let loop = group.loops[0]
            let finished = Recorder()
            // Far enough ahead that every sleeper is armed and the chosen ones cancelled before
            // the first deadline even while the rest of the suite loads both cores (30 ms was not).
            let base = Deadline.after(.milliseconds(500))
            // A fixed shuffle of 0..<24; every third sleeper is cancelled before its deadline.
            let order = [17, 3, 22, 8, 0, 13, 19, 5, 11, 1, 23, 14, 6, 20, 9, 2, 16, 12, 21, 4, 10, 18, 7, 15]
            var sleepers: [Int: Task<Void, any Error>] = [:]
            for index in order {
                sleepers[index] = Task(executorPreference: loop) {
                    try await loop.sleep(until: base.adding(.microseconds(200 * index)))
                    finished.append(index)
                }
            }
            await waitUntilSuspended(order.count, on: loop)
            let cancelled = Set(order.filter { $0 % 3 == 0 })
            for index in cancelled { sleepers[index]!.cancel() }
            for (index, sleeper) in sleepers {
                if cancelled.contains(index) {
                    await #expect(throws: CancellationError.self) { try await sleeper.value }
                } else {
                    try await sleeper.value
                }
            }
            #expect(finished.values == (0..<24).filter { !cancelled.contains($0) })
        }
    }

    @Test func sleepCalledOffTheLoop_HopsThereAndBack() async throws {
        try await withLoops { group in
            try await group.loops[0].sleep(for: .milliseconds(1))
            try await group.loops[0].sleep(until: .now)
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
        await waitUntilSuspended(1, on: group.loops[0])
        await waitUntilSuspended(1, on: group.loops[1])
        group.shutdown()
        #expect(group.loops.allSatisfy { $0.hasExited })
        await #expect(throws: CancellationError.self) { try await reader.value }
        await #expect(throws: CancellationError.self) { try await sleeper.value }
    }
}
}
