import Glibc
import Synchronization
import Testing
@testable import ApipodKit

extension SystemTests {
    /// `EventLoop.watchReadable`: a wait with no task behind it, which the loop ends by calling
    /// back once, with whichever of readiness, deadline, closing, cancellation or stopping
    /// came first.
    @Suite struct WatchTests {
        /// What a watch ended with, written on the loop's thread.
        final class Outcomes: Sendable {
            let ended = Mutex<[String]>([])

            func record(_ result: Result<Void, any Error>) {
                let text = switch result {
                case .success: "readable"
                case .failure(let error as EventLoop.WaitError): "\(error)"
                case .failure(let error): "\(type(of: error))"
                }
                ended.withLock { $0.append(text) }
            }

            var all: [String] { ended.withLock { $0 } }
        }

        /// Arms a watch on `fd` from the loop's thread; nil when `fd` was already readable.
        static func watch(_ fd: Int32, on loop: EventLoop, deadline: Deadline = hangGuard(), into outcomes: Outcomes) async throws -> WaitID? {
            try await Task(executorPreference: loop) {
                try loop.watchReadable(fd, deadline: deadline) { outcomes.record($0) }
            }.value
        }

        @Test func aWatch_EndsOnceWithWhatCameFirst() async throws {
            try await withLoops { group in
                let loop = group.loops[0]
                let pairs = try (0..<4).map { _ in try makeDescriptorPair() }
                defer { for (_, peer) in pairs { close(peer) } }
                let outcomes = (0..<4).map { _ in Outcomes() }

                _ = try await Self.watch(pairs[0].0, on: loop, into: outcomes[0])
                _ = try await Self.watch(pairs[1].0, on: loop, deadline: .after(.milliseconds(20)), into: outcomes[1])
                let cancelled = try #require(try await Self.watch(pairs[2].0, on: loop, into: outcomes[2]))
                _ = try await Self.watch(pairs[3].0, on: loop, into: outcomes[3])

                writeText("next request", to: pairs[0].1)
                loop.cancelWatch(cancelled)
                loop.closeDescriptor(pairs[3].0)
                #expect(try await eventually { outcomes.allSatisfy { $0.all.count == 1 } })
                #expect(outcomes.map(\.all) == [["readable"], ["timedOut"], ["CancellationError"], ["closed"]])
                #expect(await suspendedWaits(on: loop) == 0)
                // A late cancel names a watch that has ended: nothing happens, nothing is called.
                loop.cancelWatch(cancelled)
                writeText("more", to: pairs[0].1)
                #expect(await suspendedWaits(on: loop) == 0)
                #expect(outcomes[2].all == ["CancellationError"])
                for (fd, _) in pairs.prefix(3) { loop.closeDescriptor(fd) }
            }
        }

        /// Readiness that arrived while nobody watched is not lost: the next watch returns nil
        /// at once, arming nothing, and the caller reads on.
        @Test func readinessWithoutAWatcher_MakesTheNextWatchReturnAtOnce() async throws {
            try await withLoops { group in
                let loop = group.loops[0]
                let (mine, peer) = try makeDescriptorPair()
                defer { close(peer) }
                let outcomes = Outcomes()
                _ = try await Self.watch(mine, on: loop, into: outcomes)
                writeText("first", to: peer)
                #expect(try await eventually { outcomes.all == ["readable"] })
                writeText("second", to: peer)
                var armed: WaitID?? = .none
                for _ in 0..<1000 {
                    let ready = await Task(executorPreference: loop) { loop.slots[mine].readReady }.value
                    if ready {
                        armed = .some(try await Self.watch(mine, on: loop, into: outcomes))
                        break
                    }
                    try await Task.sleep(for: .milliseconds(5))
                }
                #expect(armed == .some(nil))
                #expect(outcomes.all == ["readable"])
                loop.closeDescriptor(mine)
            }
        }

        /// A peer that hung up sends no further edge: a watch armed after the hang-up was seen
        /// returns nil at once, so the caller reads the end of stream instead of waiting.
        @Test func aWatchAfterAHangUp_ReturnsAtOnce() async throws {
            try await withLoops { group in
                let loop = group.loops[0]
                let (mine, peer) = try makeDescriptorPair()
                let outcomes = Outcomes()
                _ = try await Self.watch(mine, on: loop, into: outcomes)
                close(peer)
                #expect(try await eventually { outcomes.all == ["readable"] })
                #expect(try await Self.watch(mine, on: loop, into: outcomes) == nil)
                #expect(outcomes.all == ["readable"])
                loop.closeDescriptor(mine)
            }
        }

        /// A loop that stops ends its watches with `CancellationError`.
        @Test func stoppingTheLoop_EndsItsWatches() async throws {
            let group = try EventLoopGroup(count: 1)
            let loop = group.loops[0]
            let (mine, peer) = try makeDescriptorPair()
            defer { close(peer) }
            let outcomes = Outcomes()
            _ = try await Self.watch(mine, on: loop, into: outcomes)
            group.shutdown()
            #expect(outcomes.all == ["CancellationError"])
            close(mine)
        }
    }
}
