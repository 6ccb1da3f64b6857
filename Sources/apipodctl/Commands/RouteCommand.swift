import ApipodKit

/// `route simulate`: the serve routing code, run offline with a seed.
enum RouteCommand {
    static func simulate(_ context: CommandContext) throws -> ExitStatus {
        let draws = try context.integer("count", in: 1...1_000_000_000) ?? 10_000
        let seed = try context.integer("seed", in: UInt64.min...UInt64.max) ?? UInt64.random(in: 0...UInt64(UInt32.max))
        let model = context.invocation.value("model") ?? "cursor-pro-sonnet"
        let table = try context.settings().routingTable()
        let result = RouteSimulation(table: table, model: model, draws: draws, seed: seed)

        if context.invocation.flag("json") {
            let json = JSONOutput.object([
                ("model", .string(model)),
                ("alias", .bool(result.isAlias)),
                ("draws", .integer(Int64(draws))),
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
            ? "\(model): \(draws) draws, seed \(seed)\n"
            : "\(model) is not an alias: it passes through unchanged (\(draws) draws, seed \(seed))\n"
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
