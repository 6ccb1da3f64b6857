/// How usage rows are grouped: by UTC day or hour, by the model that answered, by key.
public enum UsageGrouping: String, Sendable, CaseIterable {
    case day, hour, model, key
}

/// Which usage to read: a time range (UTC, start included, end excluded), optionally one key
/// and one model, grouped by one or two `UsageGrouping`s. Shared by `apipodctl usage` and
/// `GET /admin/usage`, which accept the same words.
public struct UsageQuery: Sendable, Equatable {
    public var since: Int64
    public var until: Int64
    public var keyID: Int64?
    public var model: String?
    public var groupings: [UsageGrouping]

    public init(since: Int64, until: Int64, keyID: Int64? = nil, model: String? = nil, groupings: [UsageGrouping] = [.day]) {
        self.since = since
        self.until = until
        self.keyID = keyID
        self.model = model
        self.groupings = groupings
    }

    /// `day`, `model`, `day,model`, `hour,key`: one or two different groupings, not both times.
    public static func groupings(parsing text: String) -> [UsageGrouping]? {
        let words = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingASCIIWhitespace() }
        let groupings = words.compactMap { UsageGrouping(rawValue: $0.lowercased()) }
        guard groupings.count == words.count, (1...2).contains(groupings.count), Set(groupings).count == groupings.count,
              !(groupings.contains(.day) && groupings.contains(.hour))
        else { return nil }
        return groupings
    }

    /// A `--since` or `--until` value as Unix seconds: `7d` (the last seven UTC days, today
    /// included: from midnight six days ago), `24h` or `30m` before `now`, a date (`2026-12-01`,
    /// midnight UTC) or an RFC 3339 time. Nil when it is none of these.
    public static func time(parsing text: String, now: Int64) -> Int64? {
        let trimmed = text.trimmingASCIIWhitespace()
        if let unit = trimmed.last, "dhm".contains(unit), let amount = Int64(trimmed.dropLast()), amount >= 0, amount <= 100_000 {
            if unit == "d" { return UsageDay.start(of: now) - max(amount - 1, 0) * 86_400 }
            return now - amount * (unit == "h" ? 3600 : 60)
        }
        guard trimmed.count >= 10, trimmed.first?.isNumber == true, let time = Timestamp(parsing: trimmed) else { return nil }
        return time.secondsSinceEpoch
    }
}

/// One row of a usage report: its grouping values and figures.
public struct UsageRow: Sendable, Equatable {
    /// The UTC day or hour's start, when grouped by one of them.
    public var time: Int64?
    public var model: String?
    public var keyID: Int64?
    /// The key's name and display prefix, when grouped by key and the key still exists.
    public var keyName: String?
    public var keyPrefix: String?
    public var totals: UsageTotals

    public init(time: Int64? = nil, model: String? = nil, keyID: Int64? = nil, keyName: String? = nil, keyPrefix: String? = nil, totals: UsageTotals) {
        self.time = time
        self.model = model
        self.keyID = keyID
        self.keyName = keyName
        self.keyPrefix = keyPrefix
        self.totals = totals
    }
}

/// A usage report: the rows in grouping order (time ascending) and their totals.
public struct UsageReport: Sendable, Equatable {
    public var groupings: [UsageGrouping]
    public var rows: [UsageRow]

    public init(groupings: [UsageGrouping], rows: [UsageRow]) {
        self.groupings = groupings
        self.rows = rows
    }

    public var totals: UsageTotals {
        rows.reduce(into: UsageTotals()) { $0.add($1.totals) }
    }

    /// The JSON of `GET /admin/usage` and `apipodctl usage --json` (contracts: every count a number).
    public var json: JSONOutput {
        .object([
            ("rows", .array(rows.map { row in
                var members: [(String, JSONOutput)] = []
                for grouping in groupings {
                    switch grouping {
                    case .day: members.append(("day", .string(UsageDay.text(row.time ?? 0))))
                    case .hour: members.append(("hour", .string(Timestamp(secondsSinceEpoch: row.time ?? 0).rfc3339)))
                    case .model: members.append(("model", .string(row.model ?? "")))
                    case .key:
                        members.append(("key_id", .integer(row.keyID ?? 0)))
                        members.append(("key_name", row.keyName.map(JSONOutput.string) ?? .null))
                        members.append(("key_prefix", row.keyPrefix.map(JSONOutput.string) ?? .null))
                    }
                }
                return .object(members + row.totals.jsonMembers)
            })),
            ("totals", .object(totals.jsonMembers)),
        ])
    }
}

/// Seed 002/003's daily view: each UTC day's figures, broken down by the model that answered.
public struct UsageDailyReport: Sendable, Equatable {
    public struct Day: Sendable, Equatable {
        public var day: Int64
        public var totals: UsageTotals
        public var models: [(model: String, totals: UsageTotals)]

        public init(day: Int64, totals: UsageTotals, models: [(model: String, totals: UsageTotals)]) {
            self.day = day
            self.totals = totals
            self.models = models
        }

        public static func == (lhs: Day, rhs: Day) -> Bool {
            lhs.day == rhs.day && lhs.totals == rhs.totals && lhs.models.elementsEqual(rhs.models) { $0 == $1 }
        }
    }

    public var days: [Day]

    /// Builds the days from rows grouped by day and model, in that order.
    public init(dayModelRows rows: [UsageRow]) {
        var days: [Day] = []
        for row in rows {
            let day = row.time ?? 0
            if days.last?.day != day { days.append(Day(day: day, totals: UsageTotals(), models: [])) }
            days[days.count - 1].totals.add(row.totals)
            days[days.count - 1].models.append((row.model ?? "", row.totals))
        }
        self.days = days
    }

    public var json: JSONOutput {
        .object([("days", .array(days.map { day in
            .object([("day", .string(UsageDay.text(day.day)))] + day.totals.jsonMembers + [
                ("models", .array(day.models.map { .object([("model", .string($0.model))] + $0.totals.jsonMembers) })),
            ])
        }))])
    }
}

extension UsageTotals {
    var jsonMembers: [(String, JSONOutput)] {
        [
            ("requests", .integer(Int64(requests))), ("errors", .integer(Int64(errors))),
            ("input_tokens", .integer(Int64(inputTokens))), ("output_tokens", .integer(Int64(outputTokens))),
            ("cached_tokens", .integer(Int64(cachedTokens))), ("cost_usd", .number(costUSD)),
        ]
    }
}

/// UTC days as Unix seconds at midnight and as `2026-12-07`.
public enum UsageDay {
    public static func start(of time: Int64) -> Int64 {
        time - ((time % 86_400) + 86_400) % 86_400
    }

    public static func text(_ time: Int64) -> String {
        String(Timestamp(secondsSinceEpoch: time).rfc3339.prefix(10))
    }
}

/// A usage filter word that means nothing: which one (`by`, `since`, `until`) and what it takes.
public struct UsageQueryError: Error, Equatable {
    public let field: String
    public let value: String
    public let expected: String
}

extension UsageQuery {
    /// The query from the words `apipodctl usage` and `GET /admin/usage` share (`by`, `since`,
    /// `until`; the key is resolved by the caller). Defaults: by day, the last 7 UTC days, until
    /// the end of today (nothing is stored after now).
    public static func parse(by: String?, since: String?, until: String?, now: Int64) throws(UsageQueryError) -> UsageQuery {
        let grouped: [UsageGrouping] = try by.map { text throws(UsageQueryError) in
            guard let groupings = Self.groupings(parsing: text) else {
                throw UsageQueryError(field: "by", value: text, expected: "day, hour, model or key, or two of them such as day,model")
            }
            return groupings
        } ?? [.day]
        let timeHelp = "a span back from now (7d, 24h, 30m), a date (2026-12-01) or an RFC 3339 time"
        let start: Int64 = try since.map { text throws(UsageQueryError) in
            guard let time = Self.time(parsing: text, now: now) else { throw UsageQueryError(field: "since", value: text, expected: timeHelp) }
            return time
        } ?? UsageDay.start(of: now) - 6 * 86_400
        let end: Int64 = try until.map { text throws(UsageQueryError) in
            guard let time = Self.time(parsing: text, now: now) else { throw UsageQueryError(field: "until", value: text, expected: timeHelp) }
            return time
        } ?? UsageDay.start(of: now) + 86_400
        return UsageQuery(since: start, until: end, groupings: grouped)
    }
}
