import Synchronization
import Testing
@testable import ApipodKit

struct UpstreamBoardTests {
    /// A clock the test moves by hand, in milliseconds.
    final class ManualClock: Sendable {
        let now = Atomic<Int64>(1_000_000_000)
        func advance(seconds: Int64) { now.add(seconds * 1000, ordering: .relaxed) }
        var read: @Sendable () -> Int64 { { [self] in now.load(ordering: .relaxed) } }
    }

    @Test func aRateLimitCoolsTheModelNotItsProvider() {
        let clock = ManualClock()
        let board = UpstreamBoard(clock: clock.read)
        board.record(model: "m", provider: "p", .status(429, retryAfter: nil))
        #expect(board.coolingUntil(model: "m", provider: "p") == clock.read() + 5000)
        #expect(board.coolingUntil(model: "other", provider: "p") == nil)
        board.record(model: "m2", provider: "p", .status(529, retryAfter: nil))
        #expect(board.coolingUntil(model: "m2", provider: "p") != nil)
    }

    @Test func aServerErrorOrAnUnreachableProviderCoolsEveryModelOnIt() {
        let clock = ManualClock()
        let board = UpstreamBoard(clock: clock.read)
        board.record(model: "m", provider: "p", .status(503, retryAfter: nil))
        #expect(board.coolingUntil(model: "anything", provider: "p") != nil)
        #expect(board.coolingUntil(model: "anything", provider: "q") == nil)
        board.record(model: "m", provider: "q", .unreachable("connection refused"))
        #expect(board.coolingUntil(model: "x", provider: "q") != nil)
    }

    @Test func theCooldownDoublesUpToFiveMinutesAndOneSuccessEndsIt() {
        let clock = ManualClock()
        let board = UpstreamBoard(clock: clock.read)
        var waits: [Int64] = []
        for _ in 0..<9 {
            board.record(model: "m", provider: "p", .status(429, retryAfter: nil))
            waits.append(board.coolingUntil(model: "m", provider: "p")! - clock.read())
            clock.advance(seconds: 1000)
        }
        #expect(waits == [5, 10, 20, 40, 80, 160, 300, 300, 300].map { $0 * 1000 })
        #expect(board.coolingUntil(model: "m", provider: "p") == nil, "a cooldown ends by itself")
        board.record(model: "m", provider: "p", .status(200, retryAfter: nil))
        board.record(model: "m", provider: "p", .status(429, retryAfter: nil))
        #expect(board.coolingUntil(model: "m", provider: "p")! - clock.read() == 5000, "a success resets the doubling")
        board.record(model: "m", provider: "p", .status(200, retryAfter: nil))
        #expect(board.coolingUntil(model: "m", provider: "p") == nil, "a success ends a cooldown")
    }

    @Test func retryAfterIsHonouredUpToTenMinutes() {
        let clock = ManualClock()
        let board = UpstreamBoard(clock: clock.read)
        board.record(model: "a", provider: "p", .status(429, retryAfter: "42"))
        #expect(board.coolingUntil(model: "a", provider: "p")! - clock.read() == 42_000)
        board.record(model: "b", provider: "p", .status(429, retryAfter: "86400"))
        #expect(board.coolingUntil(model: "b", provider: "p")! - clock.read() == 600_000)
        // An HTTP date 90 s ahead of the clock.
        let seconds = clock.read() / 1000 + 90
        let (year, month, day) = Timestamp.civil(fromDays: seconds / 86_400)
        let time = seconds % 86_400
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let date = "Mon, \(two(day)) \(RetryAfter.months[Int(month) - 1]) \(year) \(two(time / 3600)):\(two(time / 60 % 60)):\(two(time % 60)) GMT"
        board.record(model: "c", provider: "p", .status(503, retryAfter: date))
        #expect(board.coolingUntil(model: "z", provider: "p")! - clock.read() == 90_000)
    }

    @Test func retryAfterForms() {
        #expect(RetryAfter.delay("120", nowMilliseconds: 0) == 120_000)
        #expect(RetryAfter.httpDateSeconds("Sun, 06 Nov 1994 08:49:37 GMT") == 784_111_777)
        #expect(RetryAfter.delay("Sun, 06 Nov 1994 08:49:37 GMT", nowMilliseconds: 784_111_777_000 + 5) == 0)
        #expect(RetryAfter.delay("soon", nowMilliseconds: 0) == nil)
        #expect(RetryAfter.delay("-5", nowMilliseconds: 0) == nil)
    }

    @Test func rowsShowStateCountsAndTheLastError() {
        let clock = ManualClock()
        let board = UpstreamBoard(clock: clock.read)
        board.register(providers: ["default", "p"], models: [("m", "p")])
        board.record(model: "m", provider: "p", .status(200, retryAfter: nil))
        board.record(model: "m", provider: "p", .unreachable("connection refused"))
        let rows = board.rows()
        #expect(rows.providers.map(\.name) == ["default", "p"])
        #expect(rows.providers[0] == UpstreamBoard.Row(
            name: "default", provider: nil, coolingUntil: nil, lastStatus: nil, lastError: nil, attempts: 0, failures: 0))
        #expect(rows.providers[1].attempts == 2)
        #expect(rows.providers[1].failures == 1)
        #expect(rows.providers[1].lastError == "connection refused")
        #expect(rows.providers[1].coolingUntil == clock.read() + 5000)
        #expect(rows.models == [UpstreamBoard.Row(
            name: "m", provider: "p", coolingUntil: nil, lastStatus: 200, lastError: "connection refused", attempts: 2, failures: 1)])
    }

    /// On a loop, a success while every entry is settled is counted without the lock; a success
    /// after a failure still ends the cooldown, and every attempt is counted either way.
    @Test func aSuccessOnALoopIsCountedAndStillEndsACooldown() async throws {
        let clock = ManualClock()
        let group = try EventLoopGroup(count: 1)
        let loop = group.loops[0]
        let board = UpstreamBoard(clock: clock.read, loops: group.loops)
        let cooling: Int64? = await Task(executorPreference: loop) {
            board.record(model: "m", provider: "p", .status(200, retryAfter: nil), on: loop)
            board.record(model: "m", provider: "p", .status(201, retryAfter: nil), on: loop)
            board.record(model: "m", provider: "p", .status(503, retryAfter: nil), on: loop)
            let cooled = board.coolingUntil(model: "m", provider: "p")
            board.record(model: "m", provider: "p", .status(200, retryAfter: nil), on: loop)
            #expect(cooled != nil, "a 503 cools the provider")
            return board.coolingUntil(model: "m", provider: "p")
        }.value
        #expect(cooling == nil, "the success after the failure ended the cooldown")
        let rows = board.rows()
        #expect(rows.providers.map(\.attempts) == [4])
        #expect(rows.models.map(\.attempts) == [4])
        #expect(rows.providers.first?.lastStatus == 200)
        #expect(rows.providers.first?.failures == 1)
        group.shutdown()
    }
}
