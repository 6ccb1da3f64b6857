/// Takes over a database made by the original Go service (seed 001's schema): a `users`
/// table whose `api_key` column holds keys in plaintext. Each key keeps working, with its id,
/// name, tier, active flag and expiry, but afterwards only its digest is stored, and the
/// plaintext table is dropped with `secure_delete` on so its pages are zeroed. A row that
/// cannot be adopted as it is stops the migration, whose transaction then leaves the table
/// untouched: no key is ever dropped in silence.
enum SeedAdoption {
    static func adoptUsersTable(_ connection: SQLiteConnection) throws -> MigrationEffect {
        let columns = try connection.query("SELECT name FROM pragma_table_info('users')").compactMap { $0[0].text }
        guard columns.contains("api_key") else { return MigrationEffect() }
        func column(_ name: String, or fallback: String) -> String {
            columns.contains(name) ? name : fallback
        }
        // The key as its stored bytes, whether a TEXT or a BLOB: decoding text would put U+FFFD
        // in place of invalid UTF-8, and the digest would then match no key ever presented.
        let rows = try connection.query("""
            SELECT id, CAST(api_key AS BLOB), \(column("name", or: "NULL")), \(column("tier", or: "NULL")),
                   \(column("active", or: "1")), \(column("created_at", or: "NULL")), \(column("expires_at", or: "NULL")), rowid
            FROM users ORDER BY id
            """)
        let now = Timestamp.now()
        var adopted = 0
        for row in rows {
            guard let id = row[0].integer else {
                throw StorageError.unadoptableSeedRow(id: row[7].integer ?? 0, problem: "its id is not an integer (this is its rowid)")
            }
            guard case .blob(let key) = row[1], APIKey.isPlausible(bytes: key) else {
                throw StorageError.unadoptableSeedRow(
                    id: id, problem: "its api_key is empty or not a key apipodctl accepts (apk_ and 8 to 124 letters, digits, '-', '_' or '=')")
            }
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
                    .blob(SHA256.hash(key)),
                    .text(String(decoding: key.prefix(APIKey.displayPrefixLength), as: UTF8.self)),
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
        case .real(let seconds):
            // NaN, infinities and 1e300 have no Int64: refused, where a conversion would trap.
            guard let whole = Int64(exactly: seconds.rounded(.down)) else {
                throw StorageError.unadoptableSeedRow(id: id, problem: "\(column) \(seconds) is not a date")
            }
            return Timestamp(secondsSinceEpoch: whole)
        case .text(let text):
            if text.isEmpty { return nil }
            guard let parsed = Timestamp(parsing: text) else {
                throw StorageError.unadoptableSeedRow(id: id, problem: "\(column) '\(text)' is not a date")
            }
            return parsed
        case .blob:
            throw StorageError.unadoptableSeedRow(id: id, problem: "\(column) is a blob, not a date")
        }
    }
}
