/// The usage table (SPEC §9): one row per UTC hour, key and model that answered, holding
/// requests, errors, input, output and cached tokens and cost. Written only by the server's
/// writer (`UsageRecorder`), in one transaction per batch; read by `apipodctl usage` and the
/// admin API. Rows older than `retentionDays` are pruned.
enum UsageTable {
    static let retentionDays: Int64 = 400

    /// The primary key (hour, key, model) serves time ranges and the upsert; the second index
    /// serves one key's usage over a long range without reading every key's rows.
    static func create(_ connection: SQLiteConnection) throws -> MigrationEffect {
        try connection.execute("""
            CREATE TABLE usage_buckets (
                hour INTEGER NOT NULL,
                key_id INTEGER NOT NULL,
                model TEXT NOT NULL,
                requests INTEGER NOT NULL DEFAULT 0,
                errors INTEGER NOT NULL DEFAULT 0,
                input_tokens INTEGER NOT NULL DEFAULT 0,
                output_tokens INTEGER NOT NULL DEFAULT 0,
                cached_tokens INTEGER NOT NULL DEFAULT 0,
                cost_usd REAL NOT NULL DEFAULT 0,
                PRIMARY KEY (hour, key_id, model)
            ) WITHOUT ROWID;
            CREATE INDEX usage_buckets_key_hour ON usage_buckets (key_id, hour);
            """)
        return MigrationEffect()
    }
}

extension KeyStore {
    /// Adds a batch of buckets to the stored ones, in one transaction.
    public func addUsage(_ buckets: UsageBuckets) throws(StorageError) {
        guard !buckets.isEmpty else { return }
        try run {
            try connection.transaction {
                for (key, totals) in buckets.totals {
                    try connection.query("""
                        INSERT INTO usage_buckets (hour, key_id, model, requests, errors, input_tokens, output_tokens, cached_tokens, cost_usd)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (hour, key_id, model) DO UPDATE SET
                            requests = requests + excluded.requests, errors = errors + excluded.errors,
                            input_tokens = input_tokens + excluded.input_tokens,
                            output_tokens = output_tokens + excluded.output_tokens,
                            cached_tokens = cached_tokens + excluded.cached_tokens,
                            cost_usd = cost_usd + excluded.cost_usd
                        """, [
                            .integer(key.hour), .integer(key.keyID), .text(key.model),
                            .integer(Int64(totals.requests)), .integer(Int64(totals.errors)),
                            .integer(Int64(totals.inputTokens)), .integer(Int64(totals.outputTokens)),
                            .integer(Int64(totals.cachedTokens)), .real(totals.costUSD),
                        ])
                }
            }
        }
    }

    /// Deletes buckets older than the retention (400 days before `now`); returns how many.
    @discardableResult
    public func pruneUsage(now: Timestamp = .now()) throws(StorageError) -> Int {
        let cutoff = now.secondsSinceEpoch - UsageTable.retentionDays * 86_400
        return try run {
            try connection.query("DELETE FROM usage_buckets WHERE hour < ?", [.integer(cutoff)])
            return Int(connection.changes)
        }
    }

    /// The usage `query` asks for, grouped and in order (time ascending).
    public func usage(_ query: UsageQuery) throws(StorageError) -> UsageReport {
        var columns: [String] = []
        for grouping in query.groupings {
            switch grouping {
            case .day: columns.append("hour - hour % 86400")
            case .hour: columns.append("hour")
            case .model: columns.append("model")
            case .key: columns.append("key_id")
            }
        }
        var conditions = ["hour >= ?", "hour < ?"]
        var values: [SQLiteValue] = [.integer(query.since - ((query.since % 3600) + 3600) % 3600), .integer(query.until)]
        if let keyID = query.keyID {
            conditions.append("key_id = ?")
            values.append(.integer(keyID))
        }
        if let model = query.model {
            conditions.append("model = ?")
            values.append(.text(model))
        }
        let grouped = columns.joined(separator: ", ")
        let sql = """
            SELECT \(grouped), sum(requests), sum(errors), sum(input_tokens), sum(output_tokens), sum(cached_tokens), sum(cost_usd)
            FROM usage_buckets WHERE \(conditions.joined(separator: " AND "))
            GROUP BY \(grouped) ORDER BY \(grouped)
            """
        let keys = query.groupings.contains(.key) ? try Dictionary(listKeys().map { ($0.id, $0) }) { first, _ in first } : [:]
        let rows = try run {
            try connection.query(sql, values).map { row in
                var usage = UsageRow(totals: UsageTotals(
                    requests: Int(row[columns.count].integer ?? 0), errors: Int(row[columns.count + 1].integer ?? 0),
                    inputTokens: Int(row[columns.count + 2].integer ?? 0), outputTokens: Int(row[columns.count + 3].integer ?? 0),
                    cachedTokens: Int(row[columns.count + 4].integer ?? 0), costUSD: row[columns.count + 5].real ?? 0))
                for (index, grouping) in query.groupings.enumerated() {
                    switch grouping {
                    case .day, .hour: usage.time = row[index].integer
                    case .model: usage.model = row[index].text
                    case .key:
                        usage.keyID = row[index].integer
                        let record = usage.keyID.flatMap { keys[$0] }
                        usage.keyName = record?.name
                        usage.keyPrefix = record?.displayPrefix
                    }
                }
                return usage
            }
        }
        return UsageReport(groupings: query.groupings, rows: rows)
    }

    /// Each key's input + output tokens on the UTC day that contains `day`: the running totals
    /// the daily quotas start from.
    public func tokensByKey(onUTCDay day: Timestamp) throws(StorageError) -> [Int64: Int] {
        let start = UsageDay.start(of: day.secondsSinceEpoch)
        return try run {
            let rows = try connection.query(
                "SELECT key_id, sum(input_tokens + output_tokens) FROM usage_buckets WHERE hour >= ? AND hour < ? GROUP BY key_id",
                [.integer(start), .integer(start + 86_400)])
            return Dictionary(uniqueKeysWithValues: rows.map { ($0[0].integer ?? 0, Int($0[1].integer ?? 0)) })
        }
    }
}
