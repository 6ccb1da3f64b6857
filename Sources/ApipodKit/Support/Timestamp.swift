import Glibc

/// A point in time in whole seconds since the Unix epoch, UTC.
/// Storage keeps it as an integer so expiry checks are a comparison; people see RFC 3339
/// (`2026-01-31T00:00:00Z`), the shape the original service's JSON used.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var secondsSinceEpoch: Int64

    public init(secondsSinceEpoch: Int64) {
        self.secondsSinceEpoch = secondsSinceEpoch
    }

    public static func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(secondsSinceEpoch: Int64(spec.tv_sec))
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.secondsSinceEpoch < rhs.secondsSinceEpoch
    }

    public func adding(seconds: Int64) -> Timestamp {
        let (sum, overflow) = secondsSinceEpoch.addingReportingOverflow(seconds)
        return Timestamp(secondsSinceEpoch: overflow ? .max : sum)
    }

    /// RFC 3339 in UTC, e.g. `2026-01-31T00:00:00Z`.
    public var description: String { rfc3339 }

    /// The instants a four-digit year can show, 0000-01-01T00:00:00Z to 9999-12-31T23:59:59Z.
    /// A time outside (a hand-edited row holding Int64.min) is shown at the nearer end, where
    /// the date arithmetic would overflow and trap.
    static let displayableSeconds: ClosedRange<Int64> = -62_167_219_200...253_402_300_799

    public var rfc3339: String {
        let seconds = min(max(secondsSinceEpoch, Self.displayableSeconds.lowerBound), Self.displayableSeconds.upperBound)
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = Self.civil(fromDays: days)
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T"
            + "\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))Z"
    }

    /// Shorter, for aligned tables: `2026-01-31 00:00`.
    public var shortUTC: String {
        let full = rfc3339
        return String(full.prefix(10)) + " " + String(full.dropFirst(11).prefix(5))
    }

    /// Parses the date-time spellings found in SQLite databases: RFC 3339 (`T` or space,
    /// optional fraction, `Z` or `±HH:MM` or none = UTC), SQLite's `CURRENT_TIMESTAMP`, Go's
    /// `time.Time.String()` (`2006-01-02 15:04:05.999 +0000 UTC`), a bare date, or Unix seconds.
    public init?(parsing text: String) {
        let trimmed = text.trimmingASCIIWhitespace()
        if !trimmed.isEmpty, trimmed.allSatisfy(\.isNumber), let seconds = Int64(trimmed) {
            self.init(secondsSinceEpoch: seconds)
            return
        }
        var scanner = DigitScanner(Array(trimmed.utf8))
        guard let year = scanner.number(digits: 4), scanner.skip("-"),
              let month = scanner.number(digits: 2), scanner.skip("-"),
              let day = scanner.number(digits: 2), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var seconds = Self.days(fromCivil: year, month, day) * 86_400
        if scanner.isAtEnd {
            self.init(secondsSinceEpoch: seconds)
            return
        }
        guard scanner.skip("T") || scanner.skip(" ") || scanner.skip("t"),
              let hour = scanner.number(digits: 2), scanner.skip(":"),
              let minute = scanner.number(digits: 2), scanner.skip(":"),
              let second = scanner.number(digits: 2), hour < 24, minute < 60, second < 61
        else { return nil }
        seconds += hour * 3600 + minute * 60 + second
        if scanner.skip(".") { scanner.skipDigits() }
        scanner.skip(" ")
        if scanner.skip("Z") || scanner.skip("z") || scanner.isAtEnd {
            // UTC
        } else if let sign = scanner.sign() {
            guard let offsetHours = scanner.number(digits: 2) else { return nil }
            scanner.skip(":")
            guard let offsetMinutes = scanner.number(digits: 2) else { return nil }
            seconds -= sign * (offsetHours * 3600 + offsetMinutes * 60)
            scanner.skip(" ")
            scanner.skipLetters()
        } else {
            return nil
        }
        guard scanner.isAtEnd else { return nil }
        self.init(secondsSinceEpoch: seconds)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

private func pad(_ value: Int64, _ width: Int) -> String {
    let digits = String(value)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}

/// A cursor over ASCII bytes for the fixed-width fields of a date.
private struct DigitScanner {
    let bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { index == bytes.count }

    mutating func number(digits: Int) -> Int64? {
        guard index + digits <= bytes.count else { return nil }
        var value: Int64 = 0
        for byte in bytes[index..<index + digits] {
            guard (0x30...0x39).contains(byte) else { return nil }
            value = value * 10 + Int64(byte - 0x30)
        }
        index += digits
        return value
    }

    @discardableResult
    mutating func skip(_ character: Character) -> Bool {
        guard index < bytes.count, bytes[index] == character.asciiValue else { return false }
        index += 1
        return true
    }

    mutating func sign() -> Int64? {
        if skip("+") { return 1 }
        if skip("-") { return -1 }
        return nil
    }

    mutating func skipDigits() {
        while index < bytes.count, (0x30...0x39).contains(bytes[index]) { index += 1 }
    }

    mutating func skipLetters() {
        while index < bytes.count, (0x41...0x5a).contains(bytes[index] & 0xdf) { index += 1 }
    }
}

extension String {
    /// Drops spaces, tabs, CRs and LFs at both ends. Works on bytes: as Characters, "\r\n" is
    /// one cluster equal to neither "\r" nor "\n", and would be kept.
    func trimmingASCIIWhitespace() -> String {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        let bytes = utf8
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}
