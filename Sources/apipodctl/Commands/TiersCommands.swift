import ApipodKit

/// `tiers set | list`: the default limits of the keys that carry a tier.
enum TiersCommands {
    /// `tiers set NAME [--rpm N|none] …`: may make the database, as `keys create` does.
    static func set(_ context: CommandContext) throws -> ExitStatus {
        let change = try LimitOptions.change(context, clearable: true)
        let store = try context.openStore(.mayCreate)
        let tier = try store.updateTierLimits(change, tier: context.invocation.arguments[0])
        let limits = LimitKind.allCases.map { kind in
            "\(kind == .dailyTokens ? "daily tokens" : kind.option) \(tier.limits[kind].map(String.init) ?? "none")"
        }
        try context.console.out(
            "tier \(tier.name.escapedForTerminal) (\(tier.keyCount) key\(tier.keyCount == 1 ? "" : "s")): \(limits.joined(separator: ", "))\n")
        return .success
    }

    static func list(_ context: CommandContext) throws -> ExitStatus {
        let store = try context.openStore(.mustExist)
        let tiers = try store.listTiers()
        if context.invocation.flag("json") {
            try context.console.out(JSONOutput.object([("tiers", .array(tiers.map(\.json)))]).rendered(pretty: true) + "\n")
            return .success
        }
        if tiers.isEmpty {
            context.console.err("no tiers yet; set one's limits with 'apipodctl tiers set NAME --rpm N'\n")
            return .success
        }
        let rows = tiers.map { tier in
            [tier.name, String(tier.keyCount)] + LimitKind.allCases.map { LimitOptions.cell(tier.limits[$0]) }
        }
        let table = TextTable(header: ["TIER", "KEYS", "RPM", "CONCURRENCY", "TOKENS/DAY"], rows: rows, rightAligned: [1, 2, 3, 4])
        try context.console.out(table.rendered() + "- no limit; a key's own limit wins over its tier's\n")
        return .success
    }
}
