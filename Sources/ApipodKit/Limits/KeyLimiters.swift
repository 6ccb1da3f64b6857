import Synchronization

/// Every key's `KeyLimiter`, by key id, for the whole process. The authenticator asks for a
/// key's limiter when it loads the key's record (a cache miss, not every request) and keeps it
/// beside the record, so a request finds its limiter without touching this table; a reloaded
/// record gets the same object back, so limits changed in the database keep their state.
public final class KeyLimiters: Sendable {
    /// Protected by its mutex. Grows with the keys that are used or counted (ids come from the
    /// database) and never shrinks: about 75 bytes a key with the table's share, see `Benchmarks/limiter-memory.sh`.
    private let limiters = Mutex<[Int64: KeyLimiter]>([:])
    public let clock: LimitClock

    public init(clock: LimitClock) {
        self.clock = clock
    }

    /// The limiter of key `id`, made on first use.
    public func limiter(forKey id: Int64) -> KeyLimiter {
        limiters.withLock { table in
            if let limiter = table[id] { return limiter }
            let limiter = KeyLimiter()
            table[id] = limiter
            return limiter
        }
    }

    /// Admits a request of a key with `limits` (its effective ones), reading the clock only when
    /// the key has any; see `KeyLimiter.admit`.
    public func admit(_ limits: KeyLimits, to limiter: KeyLimiter) throws(LimitRefusal) -> LimitPermit {
        guard !limits.isEmpty else { return .unlimited }
        return try limiter.admit(limits, at: clock.now())
    }

    /// Counts an answer's input and output tokens against the quota for today (UTC) of the key
    /// whose limiter the request holds: no lookup, no lock. The proxy calls it once an answer's
    /// usage is known; the answer that crosses the quota has been relayed whole, and the key's
    /// next request is refused.
    public func addTokens(_ count: Int, to limiter: KeyLimiter) {
        limiter.addTokens(count, onDay: clock.now().utcDay)
    }

    /// Sets each key's total for the UTC day that contains `day` (the stored usage, at start-up),
    /// so a restart does not hand out a second quota. Totals for a day other than today are
    /// kept only until today's first tokens replace them, and never refuse anything today.
    public func seedDailyTotals(_ totals: [Int64: Int], day: Timestamp) {
        let dayNumber = LimitTime.utcDay(day.secondsSinceEpoch)
        for (keyID, total) in totals {
            limiter(forKey: keyID).seed(total: total, onDay: dayNumber)
        }
    }

    /// How many keys have a limiter.
    public var count: Int { limiters.withLock { $0.count } }
}
