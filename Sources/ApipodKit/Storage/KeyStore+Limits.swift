/// The limits of SPEC §10 in the database: a key's own (columns of `api_keys`) and a tier's
/// (rows of `tiers`). A change commits, so a running server's `data_version` poll sees it and
/// reloads the records it holds within a second.
extension KeyStore {
    /// Sets or clears the limits `change` names on key `id`; returns the updated record.
    @discardableResult
    public func updateLimits(_ change: KeyLimitsChange, id: Int64) throws(StorageError) -> KeyRecord {
        try Self.validate(change)
        if !change.isEmpty {
            let assignments = change.fields.map { "\($0.0.field) = ?" }.joined(separator: ", ")
            _ = try run {
                try connection.query(
                    "UPDATE api_keys SET \(assignments) WHERE id = ?", change.fields.map { Self.value($0.1) } + [.integer(id)])
            }
        }
        guard let record = try key(id: id) else { throw .keyNotFound(reference: String(id)) }
        return record
    }

    /// Sets or clears the limits `change` names on tier `name`, making its row if it has none.
    @discardableResult
    public func updateTierLimits(_ change: KeyLimitsChange, tier name: String) throws(StorageError) -> TierRecord {
        try Self.validate(field: "tier", name, maximumBytes: 64)
        try Self.validate(change)
        try run {
            try connection.transaction {
                try connection.query("INSERT INTO tiers (name) VALUES (?) ON CONFLICT (name) DO NOTHING", [.text(name)])
                if !change.isEmpty {
                    let assignments = change.fields.map { "\($0.0.field) = ?" }.joined(separator: ", ")
                    try connection.query(
                        "UPDATE tiers SET \(assignments) WHERE name = ?", change.fields.map { Self.value($0.1) } + [.text(name)])
                }
            }
        }
        guard let tier = try listTiers().first(where: { $0.name == name }) else {
            throw .invalidField(name: "tier", reason: "'\(name)' vanished while it was being written")
        }
        return tier
    }

    /// Every tier that has limits set or keys that carry it, by name; a tier without a row
    /// limits nothing.
    public func listTiers() throws(StorageError) -> [TierRecord] {
        try run {
            try connection.query("""
                SELECT n.name, t.rpm, t.concurrency, t.daily_tokens,
                       (SELECT count(*) FROM api_keys k WHERE k.tier = n.name)
                FROM (SELECT name FROM tiers UNION SELECT DISTINCT tier FROM api_keys) n
                LEFT JOIN tiers t ON t.name = n.name
                ORDER BY n.name
                """).map { row in
                TierRecord(name: row[0].text ?? "", limits: Self.limits(row, from: 1), keyCount: Int(row[4].integer ?? 0))
            }
        }
    }

    static func value(_ limit: Int?) -> SQLiteValue {
        limit.map { .integer(Int64($0)) } ?? .null
    }

    static func validate(_ limits: KeyLimits) throws(StorageError) {
        try validate(KeyLimitsChange(setting: limits))
    }

    /// The surfaces check their input first and name their own option or field; this is the
    /// last line, so no caller can store a limit the limiter cannot count with.
    static func validate(_ change: KeyLimitsChange) throws(StorageError) {
        for case (let kind, let value?) in change.fields where !kind.range.contains(value) {
            throw .invalidField(name: kind.field, reason: "\(value) is not from \(kind.range.lowerBound) to \(kind.range.upperBound)")
        }
    }
}
