/// The two clocks a limit reads at once: the monotonic one for request spacing (a wall clock
/// set back would otherwise hand out a second minute's allowance), and the wall clock for the
/// UTC day a token quota counts in.
public struct LimitTime: Sendable, Equatable {
    /// Nanoseconds on a clock that never jumps (`CLOCK_MONOTONIC`).
    public var monotonicNanoseconds: Int64
    /// Seconds since 1970-01-01T00:00:00Z.
    public var wallSeconds: Int64

    public init(monotonicNanoseconds: Int64, wallSeconds: Int64) {
        self.monotonicNanoseconds = monotonicNanoseconds
        self.wallSeconds = wallSeconds
    }

    /// Days since 1970-01-01, UTC: the day a token quota counts in.
    public var utcDay: Int64 { Self.utcDay(wallSeconds) }

    /// Seconds until the next UTC midnight, when the day's quota starts again.
    public var secondsToNextUTCDay: Int64 { (utcDay + 1) * 86_400 - wallSeconds }

    static func utcDay(_ wallSeconds: Int64) -> Int64 {
        wallSeconds >= 0 ? wallSeconds / 86_400 : (wallSeconds - 86_399) / 86_400
    }
}

/// Where the limiter reads the time: the system's clocks when serving, a scripted clock in
/// tests of GCRA spacing (which must not depend on how fast the machine runs).
public struct LimitClock: Sendable {
    public let now: @Sendable () -> LimitTime

    public init(_ now: @escaping @Sendable () -> LimitTime) {
        self.now = now
    }
}
