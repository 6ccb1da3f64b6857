import ApipodKit

/// `--rpm`, `--concurrency` and `--daily-tokens`, as `keys create`, `keys limit` and `tiers set`
/// take them, and how `keys list` and `tiers list` print limits.
enum LimitOptions {
    /// The three options; `clearable` adds `none`, which clears a limit.
    static func specs(clearable: Bool) -> [OptionSpec] {
        let placeholder = clearable ? "N|none" : "N"
        let cleared = clearable ? "; none clears it" : ""
        return [
            OptionSpec(long: LimitKind.rpm.option, value: ValueSpec(placeholder: placeholder),
                       help: "Requests per minute: all N at once, then one every 60/N s\(cleared)."),
            OptionSpec(long: LimitKind.concurrency.option, value: ValueSpec(placeholder: placeholder),
                       help: "Requests in progress at once\(cleared)."),
            OptionSpec(long: LimitKind.dailyTokens.option, value: ValueSpec(placeholder: placeholder),
                       help: "Input plus output tokens per UTC day\(cleared)."),
        ]
    }

    /// The limits given on the command line. A value that is not a whole number in the
    /// limit's range (a fraction, a word, zero requests, one too large to count) is a usage
    /// error that names the option.
    static func change(_ context: CommandContext, clearable: Bool) throws(ParseError) -> KeyLimitsChange {
        var change = KeyLimitsChange()
        for kind in LimitKind.allCases {
            guard let text = context.invocation.value(kind.option) else { continue }
            if clearable && text == "none" {
                change.set(kind, nil)
                continue
            }
            guard let value = Int(text), kind.range.contains(value) else {
                throw .invalidValue(
                    value: text, option: "--\(kind.option)", path: context.invocation.path,
                    expected: "expected a whole number from \(kind.range.lowerBound) to \(kind.range.upperBound)"
                        + (clearable ? ", or none" : ""))
            }
            change.set(kind, value)
        }
        return change
    }

    /// A limit for a table: the number, `-` for none.
    static func cell(_ value: Int?) -> String {
        value.map(String.init) ?? "-"
    }

    /// A key's effective limit for `keys list`: its own value, or its tier's marked `*`.
    static func effectiveCell(_ record: KeyRecord, _ kind: LimitKind) -> String {
        if let own = record.limits[kind] { return String(own) }
        return record.tierLimits[kind].map { "\($0)*" } ?? "-"
    }

    /// One line of a key's limits for `keys limit`: `rpm 60, concurrency 2 (tier), daily tokens none`.
    static func summary(_ record: KeyRecord) -> String {
        LimitKind.allCases.map { kind in
            let name = kind == .dailyTokens ? "daily tokens" : kind.option
            if let own = record.limits[kind] { return "\(name) \(own)" }
            if let tier = record.tierLimits[kind] { return "\(name) \(tier) (tier \(record.tier.escapedForTerminal))" }
            return "\(name) none"
        }.joined(separator: ", ")
    }
}
