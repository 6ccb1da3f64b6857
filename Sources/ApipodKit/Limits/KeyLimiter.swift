import Synchronization

/// One key's limiter state, one object for the whole process: every event loop's requests with
/// this key meet here (a copy per loop would multiply each limit by the number of loops). Three
/// atomics and no lock: each decision is a load and a compare-and-swap on one word, so loops
/// never wait for each other, and a lost race only retries with the value that won.
///
/// The limits themselves are not stored here: the caller passes the key's effective limits
/// with each request (they come with the key's record, which a database change reloads), so a
/// change of limits keeps the state (the requests in flight, the day's tokens, the rpm spacing).
public final class KeyLimiter: Sendable {
    /// GCRA's theoretical arrival time, in monotonic nanoseconds: when the key's allowance would
    /// be whole again. A request is allowed while it stays within a minute of now.
    private let arrival = Atomic<Int64>(0)
    /// Requests holding a concurrency slot now.
    private let inFlight = Atomic<Int>(0)
    /// The day's token total: the UTC day number in the high 24 bits, the tokens in the low 40
    /// (saturating), so a total and the day it belongs to change together.
    private let daily = Atomic<UInt64>(0)

    static let tokenBits: UInt64 = 40
    static let tokenMask: UInt64 = (1 << tokenBits) - 1

    public init() {}

    /// Checks `limits` at `time` and takes what a request uses (an rpm slot, a concurrency
    /// slot), or throws what refused it and takes nothing. Checked in the order that wastes
    /// nothing: the daily quota (only read), then a concurrency slot (given back if the rpm
    /// check refuses), then the rpm slot, which cannot be given back.
    public func admit(_ limits: KeyLimits, at time: LimitTime) throws(LimitRefusal) -> LimitPermit {
        if let quota = limits.dailyTokens {
            let used = tokens(onDay: time.utcDay)
            if used >= quota {
                throw LimitRefusal(
                    reason: .dailyTokens, limit: quota, retryAfterNanoseconds: time.secondsToNextUTCDay * 1_000_000_000,
                    tokensToday: used, requests: limits.rpm.map { allowance(rpm: $0, at: time.monotonicNanoseconds) })
            }
        }
        var permit = LimitPermit.unlimited
        if let concurrency = limits.concurrency {
            guard acquireConcurrency(limit: concurrency) else {
                throw LimitRefusal(
                    reason: .concurrency, limit: concurrency, retryAfterNanoseconds: 1_000_000_000,
                    requests: limits.rpm.map { allowance(rpm: $0, at: time.monotonicNanoseconds) })
            }
            permit = LimitPermit(limiter: self)
        }
        if let rpm = limits.rpm, let refusal = takeRequest(rpm: rpm, at: time.monotonicNanoseconds) {
            permit.release()
            throw refusal
        }
        return permit
    }

    // MARK: Requests per minute (GCRA)

    /// GCRA with a burst of the whole minute: each request moves the arrival time on by one
    /// interval (60/rpm s) from the later of itself and now, and is refused when that would put
    /// it more than a minute ahead. A fresh key may so spend all `rpm` at once, then gets one
    /// request per interval; there is no window, so no edge where a second minute's allowance
    /// arrives at once. Nil when the request may go (its slot taken).
    func takeRequest(rpm: Int, at now: Int64) -> LimitRefusal? {
        let interval = Self.interval(rpm: rpm)
        let window = interval * Int64(rpm)
        var arrival = arrival.load(ordering: .relaxed)
        while true {
            let start = max(arrival, now)
            let next = start + interval
            if next - now > window {
                return LimitRefusal(
                    reason: .rpm, limit: rpm, retryAfterNanoseconds: next - now - window,
                    requests: RequestAllowance(limit: rpm, remaining: 0, resetNanoseconds: start - now))
            }
            let (exchanged, original) = self.arrival.compareExchange(
                expected: arrival, desired: next, ordering: .relaxed)
            if exchanged { return nil }
            arrival = original
        }
    }

    /// Where the key stands against `rpm` at `now`, without taking anything.
    func allowance(rpm: Int, at now: Int64) -> RequestAllowance {
        let interval = Self.interval(rpm: rpm)
        let ahead = max(arrival.load(ordering: .relaxed), now) - now
        let remaining = (interval * Int64(rpm) - ahead) / interval
        return RequestAllowance(limit: rpm, remaining: Int(max(0, remaining)), resetNanoseconds: ahead)
    }

    static func interval(rpm: Int) -> Int64 {
        60_000_000_000 / Int64(rpm)
    }

    // MARK: Concurrency

    /// Takes a slot if fewer than `limit` are held; never lets the count pass the limit, even
    /// for a moment, so two loops racing for the last slot cannot both be refused.
    func acquireConcurrency(limit: Int) -> Bool {
        var current = inFlight.load(ordering: .relaxed)
        while current < limit {
            let (exchanged, original) = inFlight.compareExchange(
                expected: current, desired: current + 1, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
        return false
    }

    /// Called once per permit, by `LimitPermit.release`.
    func releaseConcurrency() {
        inFlight.wrappingSubtract(1, ordering: .relaxed)
    }

    /// Requests holding a slot now.
    public var requestsInFlight: Int { inFlight.load(ordering: .relaxed) }

    // MARK: Tokens per UTC day

    /// The tokens counted on `day` (days since 1970, UTC); 0 once that day has passed.
    public func tokens(onDay day: Int64) -> Int {
        let word = daily.load(ordering: .relaxed)
        return Int64(word >> Self.tokenBits) == day ? Int(word & Self.tokenMask) : 0
    }

    /// Adds an answer's tokens to `day`'s total. The first tokens of a new day start it from
    /// zero; tokens of a day already over (an answer that ended after midnight) are dropped.
    public func addTokens(_ count: Int, onDay day: Int64) {
        guard count > 0 else { return }
        update(day: day) { total in total + UInt64(count) }
    }

    /// Sets `day`'s total to at least `total` (the database's count at start-up); counting
    /// the same tokens twice would refuse a key early, so seeding twice changes nothing.
    public func seed(total: Int, onDay day: Int64) {
        update(day: day) { current in max(current, UInt64(max(0, total))) }
    }

    private func update(day: Int64, _ change: (UInt64) -> UInt64) {
        let dayBits = UInt64(max(0, day)) << Self.tokenBits
        var word = daily.load(ordering: .relaxed)
        while true {
            let storedDay = word >> Self.tokenBits
            if storedDay > dayBits >> Self.tokenBits { return }
            let current = storedDay == dayBits >> Self.tokenBits ? word & Self.tokenMask : 0
            let desired = dayBits | min(change(current), Self.tokenMask)
            let (exchanged, original) = daily.compareExchange(expected: word, desired: desired, ordering: .relaxed)
            if exchanged { return }
            word = original
        }
    }
}
