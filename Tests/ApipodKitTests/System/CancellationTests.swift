import Glibc
import Testing
@testable import ApipodKit

extension SystemTests {
    @Suite struct CancellationTests {
        @Test func cancellingASuspendedWait_ResumesItOnceWithCancellationError() async throws {
            try await withLoops { group in
                let loop = group.loops[0]
                let (mine, peer) = try makeDescriptorPair()
                defer { close(peer) }
                let waiter = Task(executorPreference: loop) {
                    try await loop.waitReadable(mine)
                }
                try await waitUntilSuspended(1, on: loop)
                waiter.cancel()
                await #expect(throws: CancellationError.self) { try await waiter.value }
                #expect(await suspendedWaits(on: loop) == 0)
                // The slot no longer names the cancelled wait: a new reader may wait, and the
                // data that arrives wakes it (a stale reader would trap on "two tasks wait").
                let text = try await Task(executorPreference: loop) {
                    let socket = try Socket(adopting: mine, on: loop)
                    async let text = socket.readText()
                    try await waitUntilSuspended(1, on: loop)
                    writeText("after", to: peer)
                    return try await text
                }.value
                #expect(text == "after")
            }
        }

        @Test func aTaskCancelledBeforeItWaits_ThrowsCancellationError() async throws {
            try await withLoops { group in
                let loop = group.loops[0]
                let (mine, peer) = try makeDescriptorPair()
                defer { close(peer) }
                let outcome = await Task(executorPreference: loop) { () -> String in
                    withUnsafeCurrentTask { $0?.cancel() }
                    do {
                        _ = try await Socket(adopting: mine, on: loop).readText(deadline: .never)
                        return "read returned"
                    } catch is CancellationError {
                        return "cancelled"
                    } catch {
                        return "\(error)"
                    }
                }.value
                #expect(outcome == "cancelled")
                #expect(await suspendedWaits(on: loop) == 0)
            }
        }

        @Test func aCancelledSleep_ThrowsCancellationError() async throws {
            try await withLoops { group in
                let loop = group.loops[0]
                let sleeper = Task(executorPreference: loop) {
                    try await loop.sleep(until: .never)
                }
                try await waitUntilSuspended(1, on: loop)
                sleeper.cancel()
                await #expect(throws: CancellationError.self) { try await sleeper.value }
            }
        }

        /// Data and cancellation race for the same wait, from another thread, many times. Each
        /// attempt must end exactly once — with the byte or with CancellationError — and a byte
        /// that lost the race must still be there afterwards.
        @Test(arguments: [false, true])
        func dataRacingCancellation_EndsEachWaitExactlyOnce(sharedScope: Bool) async throws {
            try await withLoops { group in
                let loop = group.loops[0]
                let (mine, peer) = try makeDescriptorPair()
                defer { close(peer) }
                var outcomes = (data: 0, cancelled: 0)
                for round in 0..<200 {
                    let attempt = Task(executorPreference: loop) { () -> Bool in
                        func readByte() async throws -> Bool {
                            var byte: UInt8 = 0
                            while true {
                                if read(mine, &byte, 1) == 1 { return true }
                                do {
                                    try await loop.waitReadable(mine, deadline: hangGuard())
                                } catch is CancellationError {
                                    return false
                                }
                            }
                        }
                        return sharedScope ? try await loop.withSharedCancellation { try await readByte() } : try await readByte()
                    }
                    // Half the rounds cancel a suspended wait, half race its very start.
                    if round % 2 == 0 { try await waitUntilSuspended(1, on: loop) }
                    writeText("x", to: peer)
                    attempt.cancel()
                    if try await attempt.value {
                        outcomes.data += 1
                    } else {
                        outcomes.cancelled += 1
                        var byte: UInt8 = 0
                        #expect(read(mine, &byte, 1) == 1)
                    }
                }
                #expect(outcomes.data + outcomes.cancelled == 200)
                #expect(await suspendedWaits(on: loop) == 0)
                loop.closeDescriptor(mine)
            }
        }

        @Test func insideASharedScope_CancellingTheTask_EndsItsPendingWait() async throws {
            try await withLoops { group in
                let loop = group.loops[0]
                let (mine, peer) = try makeDescriptorPair()
                defer { close(peer) }
                let waiter = Task(executorPreference: loop) {
                    try await loop.withSharedCancellation {
                        try await loop.waitReadable(mine)  // nothing comes: only cancellation ends it
                    }
                }
                try await waitUntilSuspended(1, on: loop)
                waiter.cancel()
                await #expect(throws: CancellationError.self) { try await waiter.value }
                #expect(await suspendedWaits(on: loop) == 0)
                loop.closeDescriptor(mine)
            }
        }

        @Test func insideASharedScope_ACancelledTasksNextWait_Throws() async throws {
            try await withLoops { group in
                let loop = group.loops[0]
                let (mine, peer) = try makeDescriptorPair()
                defer { close(peer) }
                let outcome = await Task(executorPreference: loop) { () -> String in
                    await loop.withSharedCancellation {
                        withUnsafeCurrentTask { $0?.cancel() }
                        do {
                            try await loop.waitReadable(mine)
                            return "wait returned"
                        } catch is CancellationError {
                            return "cancelled"
                        } catch {
                            return "\(error)"
                        }
                    }
                }.value
                #expect(outcome == "cancelled")
                #expect(await suspendedWaits(on: loop) == 0)
                loop.closeDescriptor(mine)
            }
        }

        /// A child task inherits the scope's task-local value but not its handler: cancelling
        /// the child alone must still end the child's wait.
        @Test func aChildTaskInsideASharedScope_IsCancelledOnItsOwn() async throws {
            try await withLoops { group in
                let loop = group.loops[0]
                let (mine, peer) = try makeDescriptorPair()
                defer { close(peer) }
                let outcome = try await Task(executorPreference: loop) { () -> String in
                    try await loop.withSharedCancellation {
                        try await withThrowingTaskGroup(of: String.self) { children in
                            children.addTask {
                                do {
                                    try await loop.waitReadable(mine)
                                    return "wait returned"
                                } catch is CancellationError {
                                    return "child cancelled"
                                }
                            }
                            try await waitUntilSuspended(1, on: loop)
                            children.cancelAll()
                            return try await children.next() ?? "no child"
                        }
                    }
                }.value
                #expect(outcome == "child cancelled")
                #expect(await suspendedWaits(on: loop) == 0)
                loop.closeDescriptor(mine)
            }
        }
    }
}
