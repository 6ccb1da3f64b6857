import ApipodKit

/// `db migrate`: opening the store applies pending migrations; this reports what happened.
enum DatabaseCommand {
    static func migrate(_ context: CommandContext) throws -> ExitStatus {
        let store = try context.openStore(.mayCreate)
        let report = store.migrationReport
        if report.applied.isEmpty {
            try context.console.out("\(store.path): schema is up to date (\(store.schemaVersion))\n")
            return .success
        }
        var out = "\(store.path): applied \(report.applied.joined(separator: ", "))\n"
        if report.adoptedSeedKeys > 0 {
            out += "adopted \(report.adoptedSeedKeys) key(s) from the original service's users table; "
                + "they keep working and are now stored only as SHA-256 digests\n"
        }
        try context.console.out(out)
        return .success
    }
}
