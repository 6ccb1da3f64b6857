/// The three limits a key or a tier may carry (SPEC §10). Nil is "not set": for a key, its
/// tier's value applies; for a tier, nothing is limited.
public struct KeyLimits: Sendable, Equatable {
    /// Requests per minute, spent by GCRA: the whole minute's allowance at once, then one
    /// request every 60/rpm seconds.
    public var rpm: Int?
    /// Requests in flight at once.
    public var concurrency: Int?
    /// Input plus output tokens per UTC day.
    public var dailyTokens: Int?

    public init(rpm: Int? = nil, concurrency: Int? = nil, dailyTokens: Int? = nil) {
        self.rpm = rpm
        self.concurrency = concurrency
        self.dailyTokens = dailyTokens
    }

    public static let none = KeyLimits()

    /// True when nothing is limited: the proxy then skips the limiter entirely.
    public var isEmpty: Bool { rpm == nil && concurrency == nil && dailyTokens == nil }

    public subscript(kind: LimitKind) -> Int? {
        get {
            switch kind {
            case .rpm: rpm
            case .concurrency: concurrency
            case .dailyTokens: dailyTokens
            }
        }
        set {
            switch kind {
            case .rpm: rpm = newValue
            case .concurrency: concurrency = newValue
            case .dailyTokens: dailyTokens = newValue
            }
        }
    }

    /// These limits where set, `fallback`'s elsewhere: a key's own value wins over its tier's.
    public func overlaid(on fallback: KeyLimits) -> KeyLimits {
        KeyLimits(
            rpm: rpm ?? fallback.rpm, concurrency: concurrency ?? fallback.concurrency,
            dailyTokens: dailyTokens ?? fallback.dailyTokens)
    }

    /// These limits with `change` applied: a field it names is set or cleared, the others kept.
    public func applying(_ change: KeyLimitsChange) -> KeyLimits {
        var result = self
        for (kind, value) in change.fields { result[kind] = value }
        return result
    }
}

/// One of the three limits, with the names each surface gives it and the values it accepts.
public enum LimitKind: String, Sendable, CaseIterable {
    case rpm, concurrency, dailyTokens

    /// The option's name on the command line, without the dashes.
    public var option: String {
        switch self {
        case .rpm: "rpm"
        case .concurrency: "concurrency"
        case .dailyTokens: "daily-tokens"
        }
    }

    /// The field's name in JSON and the column's in SQLite.
    public var field: String {
        switch self {
        case .rpm: "rpm"
        case .concurrency: "concurrency"
        case .dailyTokens: "daily_tokens"
        }
    }

    /// What a value may be. Zero requests per minute or zero concurrency would refuse every
    /// request, which is what disabling a key is for; a daily quota of zero tokens is allowed
    /// (the key may still call routes that count none). The upper bounds keep the limiter's
    /// arithmetic exact: a 40-bit daily total, and an rpm whose interval is at least 6 µs.
    public var range: ClosedRange<Int> {
        switch self {
        case .rpm: 1...10_000_000
        case .concurrency: 1...1_000_000
        case .dailyTokens: 0...1_000_000_000_000
        }
    }
}

/// A change to some of a key's or a tier's limits: each named field is set to a value, or to
/// nil to clear it; fields not named keep their value.
public struct KeyLimitsChange: Sendable, Equatable {
    public private(set) var fields: [(LimitKind, Int?)] = []

    public init() {}

    public init(setting limits: KeyLimits) {
        for kind in LimitKind.allCases { set(kind, limits[kind]) }
    }

    /// Sets or clears `kind`; a later call for the same kind replaces an earlier one.
    public mutating func set(_ kind: LimitKind, _ value: Int?) {
        fields.removeAll { $0.0 == kind }
        fields.append((kind, value))
    }

    public var isEmpty: Bool { fields.isEmpty }

    public static func == (lhs: KeyLimitsChange, rhs: KeyLimitsChange) -> Bool {
        lhs.fields.count == rhs.fields.count && zip(lhs.fields, rhs.fields).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    }
}

/// A tier's name and its limits, as `tiers list` and `GET /admin/tiers` show them.
public struct TierRecord: Sendable, Equatable {
    public var name: String
    public var limits: KeyLimits
    /// How many keys carry this tier.
    public var keyCount: Int

    public init(name: String, limits: KeyLimits, keyCount: Int) {
        self.name = name
        self.limits = limits
        self.keyCount = keyCount
    }
}
