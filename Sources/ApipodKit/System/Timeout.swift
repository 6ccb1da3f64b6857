/// A timeout as the event loops apply it: whole nanoseconds, at least zero.
///
/// Why not `Duration` at each wait: turning one into nanoseconds takes 128-bit arithmetic, some
/// 400 instructions, and a server applies the same few timeouts to every request. It converts
/// each once, and a wait adds the nanoseconds to the clock.
public struct Timeout: Sendable, Hashable {
    public let nanoseconds: UInt64

    /// A negative duration gives zero (a deadline that has passed at once); one too long to
    /// represent gives a timeout that never passes.
    public init(_ duration: Duration) {
        nanoseconds = Deadline(uptimeNanoseconds: 0).adding(duration).uptimeNanoseconds
    }
}

extension Deadline {
    /// `timeout` from now; `.never` if that cannot be represented.
    public static func after(_ timeout: Timeout) -> Deadline {
        let (sum, overflow) = now.uptimeNanoseconds.addingReportingOverflow(timeout.nanoseconds)
        return overflow ? .never : Deadline(uptimeNanoseconds: sum)
    }
}
