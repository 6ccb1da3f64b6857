import ApipodKit

/// `usage`: the stored usage, grouped and filtered; a table with totals (and a bar per row on a
/// terminal) or the admin API's JSON. Only reads: a missing database is an error (exit 74).
enum UsageCommand {
    static func run(_ context: CommandContext) throws -> ExitStatus {
        let invocation = context.invocation
        let now = Timestamp.now().secondsSinceEpoch
        var query: UsageQuery
        do {
            query = try UsageQuery.parse(by: invocation.value("by"), since: invocation.value("since"), until: invocation.value("until"), now: now)
        } catch {
            throw ParseError.invalidValue(value: error.value, option: "--\(error.field)", path: invocation.path, expected: "expected \(error.expected)")
        }
        let store = try context.openStore(.mustExist)
        if let key = invocation.value("key") { query.keyID = try store.resolve(key).id }
        query.model = invocation.value("model")
        let report = try store.usage(query)
        if invocation.flag("json") {
            try context.console.out(report.json.rendered(pretty: true) + "\n")
            return .success
        }
        let span = "from \(Timestamp(secondsSinceEpoch: query.since).shortUTC) to \(Timestamp(secondsSinceEpoch: min(query.until, now)).shortUTC) UTC"
        if report.rows.isEmpty {
            context.console.err("no usage recorded \(span)\n")
            return .success
        }
        try context.console.out("Usage \(span), by \(query.groupings.map(\.rawValue).joined(separator: " and "))\n\n")
        let rendered = table(report, bars: context.console.outputIsTerminal).rendered()
        // The bar column is empty in the header and total rows: no trailing blanks for it.
        try context.console.out(rendered.split(separator: "\n", omittingEmptySubsequences: false)
            .map { String($0.reversed().drop { $0 == " " }.reversed()) }.joined(separator: "\n"))
        return .success
    }

    /// Grouping columns, the six figures, and on a terminal a bar proportional to the row's tokens
    /// (its requests when no row has tokens); the last row holds the totals.
    static func table(_ report: UsageReport, bars: Bool) -> TextTable {
        var header: [String] = report.groupings.map { grouping in
            switch grouping {
            case .day: "DAY (UTC)"
            case .hour: "HOUR (UTC)"
            case .model: "MODEL"
            case .key: "KEY"
            }
        }
        let figuresStart = header.count
        header += ["REQUESTS", "ERRORS", "INPUT", "OUTPUT", "CACHED", "COST USD"]
        if bars { header.append("") }
        let measure: (UsageTotals) -> Int = report.rows.contains { $0.totals.inputTokens + $0.totals.outputTokens > 0 }
            ? { $0.inputTokens + $0.outputTokens } : { $0.requests }
        let largest = max(1, report.rows.map { measure($0.totals) }.max() ?? 1)
        var rows: [[String]] = report.rows.map { row in
            var cells: [String] = report.groupings.map { grouping in
                switch grouping {
                case .day: UsageDay.text(row.time ?? 0)
                case .hour: Timestamp(secondsSinceEpoch: row.time ?? 0).shortUTC
                case .model: row.model ?? ""
                case .key: "\(row.keyID ?? 0) \(row.keyName ?? "(deleted)")"
                }
            }
            cells += figures(row.totals)
            if bars { cells.append(String(repeating: "█", count: max(measure(row.totals) > 0 ? 1 : 0, measure(row.totals) * barWidth / largest))) }
            return cells
        }
        var totals = ["TOTAL"] + Array(repeating: "", count: figuresStart - 1) + figures(report.totals)
        if bars { totals.append("") }
        rows.append(totals)
        return TextTable(header: header, rows: rows, rightAligned: Set(figuresStart..<(figuresStart + 6)))
    }

    static let barWidth = 30

    private static func figures(_ totals: UsageTotals) -> [String] {
        [
            grouped(totals.requests), grouped(totals.errors), grouped(totals.inputTokens),
            grouped(totals.outputTokens), grouped(totals.cachedTokens), cost(totals.costUSD),
        ]
    }

    /// `1,234,567`: long counts read at a glance.
    static func grouped(_ number: Int) -> String {
        let digits = String(number.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return number < 0 ? "-" + out : out
    }

    /// Dollars to the cent, or to four places under ten cents.
    static func cost(_ dollars: Double) -> String {
        let places = dollars != 0 && abs(dollars) < 0.1 ? 4 : 2
        let scale = places == 4 ? 10_000.0 : 100.0
        let units = Int64((dollars * scale).rounded())
        let whole = units / Int64(scale)
        let fraction = String(units % Int64(scale))
        return "\(whole)." + String(repeating: "0", count: places - fraction.count) + fraction
    }
}
