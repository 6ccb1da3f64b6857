import Testing
@testable import ApipodKit

struct KeyLifetimeTests {
    @Test(arguments: [
        ("30", Int64(30 * 86_400)), ("1.5", 129_600), ("0.5", 43_200), ("30d", 2_592_000),
        ("12h", 43_200), ("15m", 900), ("45s", 45), ("1d", 86_400),
    ])
    func parsesDaysAndUnits(text: String, seconds: Int64) throws {
        #expect(try KeyLifetime(parsing: text).seconds == seconds)
    }

    @Test(arguments: ["", "d", "abc", "3x", "-5", "1.5h", "30 d", "1e3", "0x10", "d30", "--1"])
    func rejectsMalformed(text: String) {
        #expect(throws: KeyLifetimeError.malformed(text)) { try KeyLifetime(parsing: text) }
    }

    @Test func rejectsZeroAndHugeLifetimes() {
        #expect(throws: KeyLifetimeError.notPositive) { try KeyLifetime(parsing: "0") }
        #expect(throws: KeyLifetimeError.notPositive) { try KeyLifetime(parsing: "0s") }
        #expect(throws: KeyLifetimeError.tooLong) { try KeyLifetime(parsing: "99999999999999999d") }
        #expect(throws: KeyLifetimeError.tooLong) { try KeyLifetime(days: 1e12) }
    }

    /// The admin API hands over any JSON number: a negative one had trapped converting to Int64.
    @Test(arguments: [-1e300, -1, -0.0, 0, 1e-300, -Double.greatestFiniteMagnitude])
    func rejectsDaysThatAreNotPositive(days: Double) {
        #expect(throws: KeyLifetimeError.notPositive) { try KeyLifetime(days: days) }
    }

    @Test func errorMessageShowsTheAcceptedForms() {
        #expect(KeyLifetimeError.malformed("3x").description.contains("30d, 12h, 15m, 45s"))
    }
}

struct TimestampTests {
    @Test(arguments: [
        ("2024-01-31T00:00:00Z", Int64(1_706_659_200)),
        ("2024-01-31 00:00:00", 1_706_659_200),
        ("2024-01-31T02:00:00+02:00", 1_706_659_200),
        ("2024-01-30T19:00:00-05:00", 1_706_659_200),
        ("2024-01-31 00:00:00.123456789 +0000 UTC", 1_706_659_200),
        ("2024-01-31 01:00:00 +0100 CET", 1_706_659_200),
        ("2024-01-31", 1_706_659_200),
        ("1706659200", 1_706_659_200),
        ("1970-01-01T00:00:00Z", 0),
        ("2000-02-29T12:34:56Z", 951_827_696),
    ])
    func parsesTheSpellingsFoundInDatabases(text: String, seconds: Int64) {
        #expect(Timestamp(parsing: text)?.secondsSinceEpoch == seconds)
    }

    @Test(arguments: ["", "yesterday", "2024-13-01", "2024-01-31T25:00:00Z", "2024-01-31X00:00:00", "2024-01-31T00:00:00+2"])
    func rejectsOtherText(text: String) {
        #expect(Timestamp(parsing: text) == nil)
    }

    /// Issue 17 item 8: Int64.min trapped in the date arithmetic of `keys list`.
    @Test func extremeTimesAreShownAtTheEndsOfTheFourDigitYears() {
        #expect(Timestamp(secondsSinceEpoch: .min).rfc3339 == "0000-01-01T00:00:00Z")
        #expect(Timestamp(secondsSinceEpoch: .max).rfc3339 == "9999-12-31T23:59:59Z")
        #expect(Timestamp(secondsSinceEpoch: .min).shortUTC == "0000-01-01 00:00")
        #expect(Timestamp(secondsSinceEpoch: -62_167_219_201).rfc3339 == "0000-01-01T00:00:00Z")
        #expect(Timestamp(secondsSinceEpoch: 253_402_300_799).rfc3339 == "9999-12-31T23:59:59Z")
    }

    @Test func formatsRFC3339RoundTrip() {
        for seconds: Int64 in [0, 86_399, 951_827_696, 1_706_659_200, 4_102_444_800, -86_400] {
            let stamp = Timestamp(secondsSinceEpoch: seconds)
            #expect(Timestamp(parsing: stamp.rfc3339) == stamp)
        }
        #expect(Timestamp(secondsSinceEpoch: 951_827_696).rfc3339 == "2000-02-29T12:34:56Z")
        #expect(Timestamp(secondsSinceEpoch: 951_827_696).shortUTC == "2000-02-29 12:34")
    }
}
