import Testing
@testable import ApipodKit

/// The limiter's arithmetic on a scripted clock: every time is given, none is waited for.
struct KeyLimiterTests {
    static let second: Int64 = 1_000_000_000
    /// An arbitrary monotonic start, and noon UTC on 2026-12-07.
    static let start = LimitTime(monotonicNanoseconds: 5_000 * second, wallSeconds: 20_794 * 86_400 + 43_200)

    static func at(_ seconds: Double, from base: LimitTime = start) -> LimitTime {
        LimitTime(
            monotonicNanoseconds: base.monotonicNanoseconds + Int64(seconds * 1e9),
            wallSeconds: base.wallSeconds + Int64(seconds.rounded(.down)))
    }

    static func admits(_ limiter: KeyLimiter, _ limits: KeyLimits, at time: LimitTime) -> Bool {
        (try? limiter.admit(limits, at: time)) != nil
    }

    @Test func aFreshKeySpendsItsWholeMinuteAtOnceThenOneRequestPerInterval() throws {
        let limiter = KeyLimiter()
        let limits = KeyLimits(rpm: 60)
        for _ in 0..<60 { #expect(Self.admits(limiter, limits, at: Self.start)) }
        let refused = #expect(throws: LimitRefusal.self) { try limiter.admit(limits, at: Self.start) }
        #expect(refused?.reason == .rpm)
        #expect(refused?.retryAfterNanoseconds == Self.second, "the next slot is one interval (60/60 s) away")
        #expect(refused?.requests == RequestAllowance(limit: 60, remaining: 0, resetNanoseconds: 60 * Self.second))
        #expect(!Self.admits(limiter, limits, at: Self.at(0.999)))
        #expect(Self.admits(limiter, limits, at: Self.at(1)))
        #expect(!Self.admits(limiter, limits, at: Self.at(1.5)))
        #expect(Self.admits(limiter, limits, at: Self.at(2)))
    }

    /// A fixed window would hand out a second allowance at the minute's edge; GCRA does not:
    /// after a burst at 59.9 s, the key is still limited at 60.1 s.
    @Test func thereIsNoWindowEdge() throws {
        let limiter = KeyLimiter()
        let limits = KeyLimits(rpm: 10)
        let late = Self.at(59.9)
        for _ in 0..<10 { #expect(Self.admits(limiter, limits, at: late)) }
        #expect(!Self.admits(limiter, limits, at: Self.at(60.1)))
        #expect(Self.admits(limiter, limits, at: Self.at(65.9)), "one interval (6 s) after the burst, one more")
        #expect(!Self.admits(limiter, limits, at: Self.at(65.9)))
    }

    @Test func aQuietKeyGetsItsAllowanceBackAndNoMore() throws {
        let limiter = KeyLimiter()
        let limits = KeyLimits(rpm: 3)
        for _ in 0..<3 { #expect(Self.admits(limiter, limits, at: Self.start)) }
        let later = Self.at(3600)
        #expect(limiter.allowance(rpm: 3, at: later.monotonicNanoseconds) == RequestAllowance(limit: 3, remaining: 3, resetNanoseconds: 0))
        for _ in 0..<3 { #expect(Self.admits(limiter, limits, at: later)) }
        #expect(!Self.admits(limiter, limits, at: later), "an hour of silence does not save up more than a minute")
    }

    /// Many threads at one instant: exactly the allowance passes, however the compare-and-swaps
    /// interleave.
    @Test func racingRequestsGetExactlyTheAllowance() async throws {
        let limiter = KeyLimiter()
        let limits = KeyLimits(rpm: 500)
        let admitted = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask { (0..<200).filter { _ in Self.admits(limiter, limits, at: Self.start) }.count }
            }
            return await group.reduce(0, +)
        }
        #expect(admitted == 500)
    }

    @Test func concurrencySlotsAreHeldUntilReleasedAndNeverExceeded() throws {
        let limiter = KeyLimiter()
        let limits = KeyLimits(concurrency: 2)
        let first = try limiter.admit(limits, at: Self.start)
        let second = try limiter.admit(limits, at: Self.start)
        let refused = #expect(throws: LimitRefusal.self) { try limiter.admit(limits, at: Self.start) }
        #expect(refused?.reason == .concurrency)
        #expect(refused?.retryAfterSeconds == 1)
        #expect(refused?.requests == nil, "no rpm limit, no request allowance to report")
        first.release()
        #expect(limiter.requestsInFlight == 1)
        let third = try limiter.admit(limits, at: Self.start)
        second.release()
        third.release()
        #expect(limiter.requestsInFlight == 0)
    }

    /// An rpm refusal must not keep the concurrency slot it took first.
    @Test func anRpmRefusalGivesItsConcurrencySlotBack() throws {
        let limiter = KeyLimiter()
        let limits = KeyLimits(rpm: 1, concurrency: 5)
        let permit = try limiter.admit(limits, at: Self.start)
        permit.release()
        #expect(throws: LimitRefusal.self) { try limiter.admit(limits, at: Self.start) }
        #expect(limiter.requestsInFlight == 0)
    }

    /// A concurrency refusal must not spend an rpm slot.
    @Test func aConcurrencyRefusalSpendsNoRequestSlot() throws {
        let limiter = KeyLimiter()
        let limits = KeyLimits(rpm: 2, concurrency: 1)
        let held = try limiter.admit(limits, at: Self.start)
        let refused = #expect(throws: LimitRefusal.self) { try limiter.admit(limits, at: Self.start) }
        #expect(refused?.reason == .concurrency)
        #expect(refused?.requests?.remaining == 1)
        held.release()
        #expect(Self.admits(limiter, limits, at: Self.start), "the second of the two requests per minute is still there")
    }

    @Test func theDailyQuotaRefusesOnceReachedAndResetsAtMidnightUTC() throws {
        let limiter = KeyLimiter()
        let limits = KeyLimits(dailyTokens: 1000)
        let day = Self.start.utcDay
        limiter.addTokens(999, onDay: day)
        #expect(Self.admits(limiter, limits, at: Self.start), "below the quota, the next answer may cross it")
        limiter.addTokens(500, onDay: day)
        #expect(limiter.tokens(onDay: day) == 1499, "the answer that crossed is counted whole")
        let refused = #expect(throws: LimitRefusal.self) { try limiter.admit(limits, at: Self.start) }
        #expect(refused?.reason == .dailyTokens)
        #expect(refused?.tokensToday == 1499)
        #expect(refused?.retryAfterSeconds == 43_200, "noon to midnight UTC")
        let tomorrow = Self.at(43_200)
        #expect(tomorrow.utcDay == day + 1)
        #expect(Self.admits(limiter, limits, at: tomorrow))
        limiter.addTokens(10, onDay: day + 1)
        limiter.addTokens(10_000, onDay: day)
        #expect(limiter.tokens(onDay: day + 1) == 10, "a late answer from yesterday does not count today")
    }

    @Test func aZeroQuotaRefusesAtOnce() throws {
        #expect(throws: LimitRefusal.self) { try KeyLimiter().admit(KeyLimits(dailyTokens: 0), at: Self.start) }
    }

    @Test func seedingSetsTheDaysTotalOnceAndNeverLowersIt() throws {
        let limiters = KeyLimiters(clock: LimitClock { Self.start })
        let today = Timestamp(secondsSinceEpoch: Self.start.wallSeconds)
        limiters.addTokens(40, to: limiters.limiter(forKey: 7))
        limiters.seedDailyTotals([7: 30, 8: 900], day: today)
        limiters.seedDailyTotals([8: 900], day: today)
        let day = Self.start.utcDay
        #expect(limiters.limiter(forKey: 7).tokens(onDay: day) == 40)
        #expect(limiters.limiter(forKey: 8).tokens(onDay: day) == 900, "seeding twice counts once")
        limiters.seedDailyTotals([9: 5000], day: today.adding(seconds: -86_400))
        #expect(limiters.limiter(forKey: 9).tokens(onDay: day) == 0, "yesterday's total refuses nothing today")
        #expect(throws: LimitRefusal.self) {
            try limiters.admit(KeyLimits(dailyTokens: 900), to: limiters.limiter(forKey: 8))
        }
    }

    @Test func aKeyWithoutLimitsTakesNothing() throws {
        let limiters = KeyLimiters(clock: LimitClock { Self.start })
        let limiter = limiters.limiter(forKey: 1)
        #expect(limiters.limiter(forKey: 1) === limiter, "one limiter per key")
        for _ in 0..<1000 { try limiters.admit(.none, to: limiter).release() }
        #expect(limiter.requestsInFlight == 0)
        #expect(limiter.allowance(rpm: 1, at: Self.start.monotonicNanoseconds).remaining == 1)
    }

    @Test func effectiveLimitsPreferTheKeysOwn() {
        let record = KeyRecord(
            id: 1, name: "a", tier: "free", displayPrefix: "apk_x", isActive: true, createdAt: Timestamp(secondsSinceEpoch: 0),
            expiresAt: nil, lastUsedAt: nil, limits: KeyLimits(rpm: 5), tierLimits: KeyLimits(rpm: 50, dailyTokens: 100))
        #expect(record.effectiveLimits == KeyLimits(rpm: 5, dailyTokens: 100))
    }

    @Test func retryAfterIsWholeSecondsRoundedUpAndNeverZero() {
        func seconds(_ nanoseconds: Int64) -> Int64 {
            LimitRefusal(reason: .rpm, limit: 1, retryAfterNanoseconds: nanoseconds).retryAfterSeconds
        }
        #expect(seconds(1) == 1)
        #expect(seconds(1_000_000_000) == 1)
        #expect(seconds(1_000_000_001) == 2, "a client told 1 s would come back too early")
        #expect(seconds(29_149_000_000) == 30)
    }

    @Test(arguments: [
        (Int64(0), "0ms"), (1, "1ms"), (20_000_000, "20ms"), (999_000_001, "1s"), (1_000_000_000, "1s"),
        (1_500_000_000, "1.5s"), (360_000_000_000, "6m0s"), (3_723_250_000_000, "1h2m3.25s"),
    ])
    func resetTimesAreWrittenAsOpenAIWritesThem(nanoseconds: Int64, text: String) {
        #expect(APIError.goDuration(nanoseconds: nanoseconds) == text)
    }
}
