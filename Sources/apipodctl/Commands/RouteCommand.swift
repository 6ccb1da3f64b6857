import ApipodKit

/// `route simulate`: the serve routing code, run offline with a seed.
enum RouteCommand {
    static func simulate(_ context: CommandContext) throws -> ExitStatus {
        let invocation = context.invocation
        if invocation.value("session") != nil {
            for other in ["sessions", "count", "seed"] where invocation.value(other) != nil {
                throw ParseError.conflictingOptions(option: "--session", other: other == "count" ? "-n" : "--\(other)", path: invocation.path)
            }
        } else if invocation.value("sessions") != nil, invocation.value("count") != nil {
            throw ParseError.conflictingOptions(option: "--sessions", other: "-n", path: invocation.path)
        }
        let model = invocation.value("model") ?? "cursor-pro-sonnet"
        if let session = invocation.value("session") {
            guard !session.isEmpty else {
                throw ParseError.invalidValue(value: session, option: "--session", path: invocation.path, expected: "a session id must not be empty")
            }
            return try ranking(session: session, model: model, context)
        }
        let sessions = try context.integer("sessions", in: 1...1_000_000_000)
        let draws = try context.integer("count", in: 1...1_000_000_000) ?? 10_000
        let seed = try context.integer("seed", in: UInt64.min...UInt64.max) ?? UInt64.random(in: 0...UInt64(UInt32.max))
        let table = try context.settings().routingTable()
        let result = if let sessions {
            RouteSimulation(table: table, model: model, sessions: sessions, seed: seed)
        } else {
            RouteSimulation(table: table, model: model, draws: draws, seed: seed)
        }
        let unit = result.kind == .sessions ? "sessions" : "draws"

        if invocation.flag("json") {
            let json = JSONOutput.object([
                ("model", .string(model)),
                ("alias", .bool(result.isAlias)),
                (unit, .integer(Int64(result.draws))),
                ("seed", .string(String(seed))),
                ("targets", .array(result.rows.map { row in
                    .object([
                        ("model", .string(row.model)), ("count", .integer(Int64(row.count))),
                        ("share", .number(row.share)), ("expected_share", .number(row.expectedShare)),
                    ])
                })),
                ("chi_square", .number(result.fit.statistic)),
                ("degrees_of_freedom", .integer(Int64(result.fit.degreesOfFreedom))),
                ("p_value", .number(result.fit.pValue)),
                ("consistent", .bool(result.isConsistent)),
            ])
            try context.console.out(json.rendered(pretty: true) + "\n")
            return result.isConsistent ? .success : .failure
        }

        var out = result.isAlias
            ? "\(model): \(result.draws) \(unit), seed \(seed)\n"
            : "\(model) is not an alias: it passes through unchanged (\(result.draws) \(unit), seed \(seed))\n"
        let rows = result.rows.map { row in
            [row.model, String(row.count), percent(row.share), percent(row.expectedShare)]
        }
        out += TextTable(header: ["TARGET", "COUNT", "SHARE", "EXPECTED"], rows: rows, rightAligned: [1, 2, 3]).rendered()
        if result.isAlias {
            let p = result.fit.pValue < 0.0001 ? "p < 0.0001" : "p = \(fixed(result.fit.pValue, digits: 4))"
            let verdict = result.isConsistent
                ? "consistent with the configured weights"
                : "NOT consistent with the configured weights (p < \(RouteSimulation.significance))"
            out += "chi-square \(fixed(result.fit.statistic, digits: 3)) with \(result.fit.degreesOfFreedom) degree(s) of freedom, \(p): \(verdict)\n"
        }
        try context.console.out(out)
        return result.isConsistent ? .success : .failure
    }

    /// `--session ID`: the session's ranking of the model's targets, best first, one per line,
    /// from the code `serve` ranks a session's candidates with. A model that is not an alias
    /// has one target: itself.
    private static func ranking(session: String, model: String, _ context: CommandContext) throws -> ExitStatus {
        let table = try context.settings().routingTable()
        let targets = table.aliases[model]?.targets ?? [WeightedTarget(model: model, weight: 1)]
        let ranking = SessionRanking.ranking(session: session, targets: targets).map(\.model)
        if context.invocation.flag("json") {
            let json = JSONOutput.object([("ranking", .array(ranking.map { .string($0) }))])
            try context.console.out(json.rendered(pretty: true) + "\n")
        } else {
            try context.console.out(ranking.map { $0 + "\n" }.joined())
        }
        return .success
    }

    private static func percent(_ share: Double) -> String {
        fixed(share * 100, digits: 2) + " %"
    }

    /// `value` with exactly `digits` decimals, without Foundation's String(format:).
    static func fixed(_ value: Double, digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        let whole = Int64(scaled / scale)
        let fraction = Int64(scaled) - whole * Int64(scale)
        let fractionText = String(fraction)
        let padded = String(repeating: "0", count: max(0, digits - fractionText.count)) + fractionText
        return (value < 0 && scaled > 0 ? "-" : "") + String(whole) + (digits > 0 ? "." + padded : "")
    }
}
