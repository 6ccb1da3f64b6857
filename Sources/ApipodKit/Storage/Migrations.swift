/// The schema's history, oldest first. Each migration runs once, inside its own transaction,
/// and its id is recorded in `schema_migrations` in that same transaction, so a crash leaves
/// the database either before or after a migration, never halfway.
struct Migration: Sendable {
    let id: String
    let apply: @Sendable (SQLiteConnection) throws -> MigrationEffect
}

/// What a migration did beyond changing the schema.
struct MigrationEffect {
    var adoptedSeedKeys = 0
}

/// What `migrate` did, for `apipodctl db migrate` to report.
public struct MigrationReport: Sendable, Equatable {
    /// Migrations applied now, in order; empty when the schema was already current.
    public var applied: [String]
    /// Keys taken over from the original service's plaintext `users` table.
    public var adoptedSeedKeys: Int
    /// Every migration this database has now.
    public var current: [String]
}

enum Migrations {
    static let all: [Migration] = [
        Migration(id: "001_create_api_keys", apply: createAPIKeys),
        Migration(id: "002_adopt_seed_users", apply: SeedAdoption.adoptUsersTable),
        Migration(id: "003_key_limits_and_tiers", apply: addKeyLimitsAndTiers),
        Migration(id: "004_usage_buckets", apply: UsageTable.create),
    ]

    /// Brings the schema up to date; a no-op when it already is.
    static func migrate(_ connection: SQLiteConnection) throws -> MigrationReport {
        try connection.execute("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                id TEXT PRIMARY KEY NOT NULL,
                applied_at INTEGER NOT NULL
            )
            """)
        let done = try appliedIDs(connection)
        let known = Set(all.map(\.id))
        let unknown = done.filter { !known.contains($0) }
        if !unknown.isEmpty {
            throw StorageError.schemaTooNew(path: connection.path, unknownMigrations: unknown)
        }
        var report = MigrationReport(applied: [], adoptedSeedKeys: 0, current: done)
        for migration in all where !done.contains(migration.id) {
            let effect = try connection.transaction { () throws -> MigrationEffect? in
                // Re-check under the write lock: another process may have migrated meanwhile.
                guard try !appliedIDs(connection).contains(migration.id) else { return nil }
                let effect = try migration.apply(connection)
                try connection.query(
                    "INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)",
                    [.text(migration.id), .integer(Timestamp.now().secondsSinceEpoch)])
                return effect
            }
            guard let effect else { continue }
            report.applied.append(migration.id)
            report.current.append(migration.id)
            report.adoptedSeedKeys += effect.adoptedSeedKeys
        }
        return report
    }

    private static func appliedIDs(_ connection: SQLiteConnection) throws -> [String] {
        try connection.query("SELECT id FROM schema_migrations ORDER BY id").compactMap { $0[0].text }
    }

    private static func createAPIKeys(_ connection: SQLiteConnection) throws -> MigrationEffect {
        try connection.execute("""
            CREATE TABLE api_keys (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                key_digest BLOB NOT NULL UNIQUE CHECK (length(key_digest) = 32),
                display_prefix TEXT NOT NULL,
                name TEXT NOT NULL,
                tier TEXT NOT NULL DEFAULT 'elite',
                active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
                created_at INTEGER NOT NULL,
                expires_at INTEGER,
                last_used_at INTEGER
            );
            CREATE INDEX api_keys_display_prefix ON api_keys (display_prefix);
            """)
        return MigrationEffect()
    }

    /// SPEC §10: a key's own limits (null: its tier's apply) and the tiers' defaults (null:
    /// unlimited). A tier needs no row until one of its limits is set.
    private static func addKeyLimitsAndTiers(_ connection: SQLiteConnection) throws -> MigrationEffect {
        try connection.execute("""
            ALTER TABLE api_keys ADD COLUMN rpm INTEGER CHECK (rpm IS NULL OR rpm > 0);
            ALTER TABLE api_keys ADD COLUMN concurrency INTEGER CHECK (concurrency IS NULL OR concurrency > 0);
            ALTER TABLE api_keys ADD COLUMN daily_tokens INTEGER CHECK (daily_tokens IS NULL OR daily_tokens >= 0);
            CREATE TABLE tiers (
                name TEXT PRIMARY KEY NOT NULL,
                rpm INTEGER CHECK (rpm IS NULL OR rpm > 0),
                concurrency INTEGER CHECK (concurrency IS NULL OR concurrency > 0),
                daily_tokens INTEGER CHECK (daily_tokens IS NULL OR daily_tokens >= 0)
            );
            """)
        return MigrationEffect()
    }
}
