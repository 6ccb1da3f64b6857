import Glibc

/// A point on the monotonic clock (`CLOCK_MONOTONIC`) in nanoseconds, after which a wait gives up.
///
/// Why not `ContinuousClock.Instant`: the event loop keeps deadlines in a heap and turns the
/// nearest one into `epoll_wait`'s millisecond timeout on every turn, so it wants a plain integer
/// it can compare and subtract without conversions. The monotonic clock never jumps when the
/// wall clock is set, so a timeout is always the time that really passed.
public struct Deadline: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Nanoseconds since an unspecified start (the system's boot, on Linux).
    public let uptimeNanoseconds: UInt64

    public init(uptimeNanoseconds: UInt64) {
        self.uptimeNanoseconds = uptimeNanoseconds
    }

    /// A deadline that never passes: the wait lasts until the event or a cancellation.
    public static let never = Deadline(uptimeNanoseconds: .max)

    public static var now: Deadline {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Deadline(uptimeNanoseconds: UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec))
    }

    /// `duration` from now; a negative duration gives a deadline that has already passed,
    /// and one too long to represent gives `.never`.
    public static func after(_ duration: Duration) -> Deadline {
        now.adding(duration)
    }

    public func adding(_ duration: Duration) -> Deadline {
        let (seconds, attoseconds) = duration.components
        let nanoseconds = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !nanoseconds.overflow else { return seconds < 0 ? Deadline(uptimeNanoseconds: 0) : .never }
        let offset = nanoseconds.partialValue + attoseconds / 1_000_000_000
        if offset < 0 {
            let magnitude = offset.magnitude
            return Deadline(uptimeNanoseconds: uptimeNanoseconds > magnitude ? uptimeNanoseconds - magnitude : 0)
        }
        let (sum, overflow) = uptimeNanoseconds.addingReportingOverflow(UInt64(offset))
        return overflow ? .never : Deadline(uptimeNanoseconds: sum)
    }

    /// The time left until this deadline as an `epoll_wait` timeout: milliseconds rounded up, so
    /// the loop never wakes just before the deadline and spins; -1 (block) for `.never`.
    func epollTimeout(from now: Deadline) -> Int32 {
        if self == .never { return -1 }
        guard uptimeNanoseconds > now.uptimeNanoseconds else { return 0 }
        let milliseconds = (uptimeNanoseconds - now.uptimeNanoseconds + 999_999) / 1_000_000
        return Int32(clamping: milliseconds)
    }

    public static func < (lhs: Deadline, rhs: Deadline) -> Bool {
        lhs.uptimeNanoseconds < rhs.uptimeNanoseconds
    }

    public var description: String {
        self == .never ? "never" : "uptime \(uptimeNanoseconds) ns"
    }
}
