/// How long a new key stays valid. The original service took `expires_in` as a number of
/// days; the command line also takes a unit so short-lived test keys are easy to make.
public struct KeyLifetime: Sendable, Equatable {
    public let seconds: Int64

    /// A lifetime of at most a thousand years: far enough to mean "long", near enough not
    /// to overflow a timestamp.
    public static let maximumSeconds: Int64 = 1000 * 365 * 86_400

    public init(seconds: Int64) throws(KeyLifetimeError) {
        guard seconds > 0 else { throw .notPositive }
        guard seconds <= Self.maximumSeconds else { throw .tooLong }
        self.seconds = seconds
    }

    /// `30` or `1.5` (days), or a whole number with a unit: `30d`, `12h`, `15m`, `45s`.
    public init(parsing text: String) throws(KeyLifetimeError) {
        let units: [Character: Int64] = ["d": 86_400, "h": 3600, "m": 60, "s": 1]
        if let unit = text.last, let scale = units[unit] {
            let digits = text.dropLast()
            guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit), let count = Int64(digits) else {
                throw .malformed(text)
            }
            let (product, overflow) = count.multipliedReportingOverflow(by: scale)
            if overflow { throw .tooLong }
            try self.init(seconds: product)
            return
        }
        guard text.allSatisfy({ $0.isASCIIDigit || $0 == "." }), let days = Double(text) else {
            throw .malformed(text)
        }
        try self.init(days: days)
    }

    /// A number of days, possibly fractional, as the admin API's `expires_in` carries it.
    public init(days: Double) throws(KeyLifetimeError) {
        guard days.isFinite else { throw .malformed(String(days)) }
        // Checked before the conversion, which traps outside Int64's range (-1e300 days had
        // ended the server from the admin API).
        guard days > 0 else { throw .notPositive }
        guard days <= Double(Self.maximumSeconds) / 86_400 else { throw .tooLong }
        try self.init(seconds: Int64((days * 86_400).rounded()))
    }
}

public enum KeyLifetimeError: Error, Equatable, CustomStringConvertible {
    case malformed(String)
    case notPositive
    case tooLong

    public var description: String {
        switch self {
        case .malformed(let text):
            "invalid duration '\(text)': give days (30, 1.5) or a whole number with a unit (30d, 12h, 15m, 45s)"
        case .notPositive:
            "a key's lifetime must be longer than zero"
        case .tooLong:
            "a key's lifetime may be at most 1000 years"
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
