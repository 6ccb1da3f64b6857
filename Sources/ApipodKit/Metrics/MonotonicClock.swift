import Glibc

/// `CLOCK_MONOTONIC` in whole nanoseconds, for the request-path timings behind the histograms:
/// one vDSO call and no 128-bit `Duration` arithmetic, which cost a request several hundred
/// instructions more when each wait was a `ContinuousClock` interval.
enum MonotonicClock {
    static func nanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) &* 1_000_000_000 &+ Int64(now.tv_nsec)
    }
}
