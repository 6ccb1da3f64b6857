import Testing
@testable import ApipodKit

extension SystemTests {
    @Suite struct TimeoutTests {
        @Test func durations_becomeNanosecondsOnce() {
            #expect(Timeout(.milliseconds(1500)).nanoseconds == 1_500_000_000)
            #expect(Timeout(.nanoseconds(1)).nanoseconds == 1)
            #expect(Timeout(.zero).nanoseconds == 0)
            #expect(Timeout(.seconds(-3)).nanoseconds == 0)
            #expect(Timeout(.seconds(Int64.max)).nanoseconds == UInt64.max)
        }

        @Test func aDeadlineAfterATimeout_isNowPlusItsNanoseconds_OrNever() {
            let before = Deadline.now
            let deadline = Deadline.after(Timeout(.seconds(2)))
            let after = Deadline.now
            #expect(deadline.uptimeNanoseconds >= before.uptimeNanoseconds + 2_000_000_000)
            #expect(deadline.uptimeNanoseconds <= after.uptimeNanoseconds + 2_000_000_000)
            #expect(Deadline.after(Timeout(.seconds(Int64.max))) == .never)
        }
    }
}
