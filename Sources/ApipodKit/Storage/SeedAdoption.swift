/// Takes over a database made by the original Go service (seed 001's schema): a `users`
/// table whose `api_key` column holds keys in plaintext. Each key keeps working, with its id,
/// name, tier, active flag and expiry, but afterwards only its digest is stored, and the
/// plaintext table is dropped with `secure_delete` on so its pages are zeroed.
enum SeedAdoption {
    static func adoptUsersTable(_ connection: SQLiteConnection) throws -> MigrationEffect {
        let columns = try connection.query("SELECT name FROM pragma_table_info('users')").compactMap { $0[0].text }
        guard columns.contains("api_key") else { return MigrationEffect() }
        func column(_ name: String, or fallback: String) -> String {
            columns.contains(name) ? name : fallback
        }
        let rows = try connection.query("""
            SELECT id, api_key, \(column("name", or: "NULL")), \(column("tier", or: "NULL")),
                   \(column("active", or: "1")), \(column("created_at", or: "NULL")), \(column("expires_at", or: "NULL"))
            FROM users ORDER BY id
            """)
        let now = Timestamp.now()
        var adopted = 0
        for row in rows {
            guard let id = row[0].integer else { continue }
            guard let keyText = row[1].text, !keyText.isEmpty else { continue }
            let createdAt = try timestamp(row[5], column: "created_at", id: id) ?? now
            let expiresAt = try timestamp(row[6], column: "expires_at", id: id)
            let active: Bool = switch row[4] {
            case .integer(let value): value != 0
            case .null: true
            case .text(let text): !["0", "false", "f", "no"].contains(text.lowercased())
            default: true
            }
            try connection.query("""
                INSERT INTO api_keys (id, key_digest, display_prefix, name, tier, active, created_at, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, [
                    .integer(id),
                    .blob(SHA256.hash(keyText)),
                    .text(String(keyText.prefix(APIKey.displayPrefixLength))),
                    .text(row[2].text ?? ""),
                    .text(row[3].text.flatMap { $0.isEmpty ? nil : $0 } ?? defaultTier),
                    .integer(active ? 1 : 0),
                    .integer(createdAt.secondsSinceEpoch),
                    expiresAt.map { .integer($0.secondsSinceEpoch) } ?? .null,
                ])
            adopted += 1
        }
        try connection.execute("PRAGMA secure_delete = ON")
        try connection.execute("DROP TABLE users")
        return MigrationEffect(adoptedSeedKeys: adopted)
    }

    private static func timestamp(_ value: SQLiteValue, column: String, id: Int64) throws -> Timestamp? {
        switch value {
        case .null: return nil
        case .integer(let seconds): return Timestamp(secondsSinceEpoch: seconds)
        case .real(let seconds): return Timestamp(secondsSinceEpoch: Int64(seconds))
        case .text(let text):
            if text.isEmpty { return nil }
            guard let parsed = Timestamp(parsing: text) else {
                throw StorageError.unadoptableSeedRow(id: id, column: column, value: text)
            }
            return parsed
        case .blob:
            throw StorageError.unadoptableSeedRow(id: id, column: column, value: "<blob>")
        }
    }
}
