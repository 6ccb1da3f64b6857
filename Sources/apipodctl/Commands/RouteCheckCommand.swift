import ApipodKit

/// `route check`: the routes file validated offline, as `serve` reads it at start-up and on SIGHUP.
enum RouteCheckCommand {
    static func check(_ context: CommandContext) throws -> ExitStatus {
        let settings = try context.settings()
        guard let path = settings[.routesPath] else {
            try context.console.out("no routes file is configured (--routes or ROUTES_FILE): the built-in rules apply\n")
            return .success
        }
        let table = try settings.routingTable()
        let keys = ProviderKeys(table, lookup: settings.variable)
        for warning in keys.warnings { context.console.err("apipodctl: warning: \(warning)\n") }
        func count(_ number: Int, _ noun: String, _ plural: String) -> String { "\(number) \(number == 1 ? noun : plural)" }
        try context.console.out(
            "routes file '\(path.value)' is valid: \(count(table.providers.count + 1, "provider", "providers")) (default included), "
                + "\(count(table.models.count, "model", "models")), \(count(table.aliases.count, "alias", "aliases"))\n")
        return .success
    }
}
