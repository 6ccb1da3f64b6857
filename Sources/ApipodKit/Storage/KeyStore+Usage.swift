/// The usage tables (SPEC §9): `usage_buckets`, one row per UTC hour, key and model that
/// answered, holding requests, errors, input, output and cached tokens and cost; and two daily
/// roll-ups of the same figures, by day and model and by day and key, so that a report over a
/// year reads a few thousand rows instead of millions (`usage --by day` for 1,000 keys × 20
/// models: see Benchmarks/usage-query.sh). Written only by the server's writer
/// (`UsageRecorder`), all three in one transaction per batch; read by `apipodctl usage` and
/// the admin API. Rows older than `retentionDays` are pruned.
enum UsageTable {
    static let retentionDays: Int64 = 400

    static let figures = "requests, errors, input_tokens, output_tokens, cached_tokens, cost_usd"

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
            CREATE TABLE usage_days_by_model (
                day INTEGER NOT NULL,
                model TEXT NOT NULL,
                requests INTEGER NOT NULL DEFAULT 0,
                errors INTEGER NOT NULL DEFAULT 0,
                input_tokens INTEGER NOT NULL DEFAULT 0,
                output_tokens INTEGER NOT NULL DEFAULT 0,
                cached_tokens INTEGER NOT NULL DEFAULT 0,
                cost_usd REAL NOT NULL DEFAULT 0,
                PRIMARY KEY (day, model)
            ) WITHOUT ROWID;
            CREATE TABLE usage_days_by_key (
                day INTEGER NOT NULL,
                key_id INTEGER NOT NULL,
                requests INTEGER NOT NULL DEFAULT 0,
                errors INTEGER NOT NULL DEFAULT 0,
                input_tokens INTEGER NOT NULL DEFAULT 0,
                output_tokens INTEGER NOT NULL DEFAULT 0,
                cached_tokens INTEGER NOT NULL DEFAULT 0,
                cost_usd REAL NOT NULL DEFAULT 0,
                PRIMARY KEY (day, key_id)
            ) WITHOUT ROWID;
            CREATE INDEX usage_days_by_key_key ON usage_days_by_key (key_id, day);
            """)
        return MigrationEffect()
    }
}

extension KeyStore {
    /// Adds a batch of buckets to the stored ones and to the daily roll-ups, in one transaction.
    public func addUsage(_ buckets: UsageBuckets) throws(StorageError) {
        guard !buckets.isEmpty else { return }
        let adding = """
            requests = requests + excluded.requests, errors = errors + excluded.errors,
            input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens,
            cached_tokens = cached_tokens + excluded.cached_tokens, cost_usd = cost_usd + excluded.cost_usd
            """
        let figureSlots = "?, ?, ?, ?, ?, ?"
        try run {
            try connection.transaction {
                for (key, totals) in buckets.totals {
                    let figures: [SQLiteValue] = [
                        .integer(Int64(totals.requests)), .integer(Int64(totals.errors)),
                        .integer(Int64(totals.inputTokens)), .integer(Int64(totals.outputTokens)),
                        .integer(Int64(totals.cachedTokens)), .real(totals.costUSD),
                    ]
                    let day = SQLiteValue.integer(UsageDay.start(of: key.hour))
                    try connection.query("""
                        INSERT INTO usage_buckets (hour, key_id, model, \(UsageTable.figures)) VALUES (?, ?, ?, \(figureSlots))
                        ON CONFLICT (hour, key_id, model) DO UPDATE SET \(adding)
                        """, [.integer(key.hour), .integer(key.keyID), .text(key.model)] + figures)
                    try connection.query("""
                        INSERT INTO usage_days_by_model (day, model, \(UsageTable.figures)) VALUES (?, ?, \(figureSlots))
                        ON CONFLICT (day, model) DO UPDATE SET \(adding)
                        """, [day, .text(key.model)] + figures)
                    try connection.query("""
                        INSERT INTO usage_days_by_key (day, key_id, \(UsageTable.figures)) VALUES (?, ?, \(figureSlots))
                        ON CONFLICT (day, key_id) DO UPDATE SET \(adding)
                        """, [day, .integer(key.keyID)] + figures)
                }
            }
        }
    }

    /// Deletes buckets older than the retention (400 days before `now`); returns how many.
    @discardableResult
    public func pruneUsage(now: Timestamp = .now()) throws(StorageError) -> Int {
        let cutoff = now.secondsSinceEpoch - UsageTable.retentionDays * 86_400
        return try run {
            try connection.transaction {
                try connection.query("DELETE FROM usage_buckets WHERE hour < ?", [.integer(cutoff)])
                let pruned = Int(connection.changes)
                try connection.query("DELETE FROM usage_days_by_model WHERE day < ?", [.integer(UsageDay.start(of: cutoff))])
                try connection.query("DELETE FROM usage_days_by_key WHERE day < ?", [.integer(UsageDay.start(of: cutoff))])
                return pruned
            }
        }
    }

    /// The usage `query` asks for, grouped and in order (time ascending).
    public func usage(_ query: UsageQuery) throws(StorageError) -> UsageReport {
        let (table, time) = Self.table(for: query)
        var columns: [String] = []
        for grouping in query.groupings {
            switch grouping {
            case .day: columns.append(time == "day" ? "day" : "hour - hour % 86400")
            case .hour: columns.append("hour")
            case .model: columns.append("model")
            case .key: columns.append("key_id")
            }
        }
        var conditions = ["\(time) >= ?", "\(time) < ?"]
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
            FROM \(table) WHERE \(conditions.joined(separator: " AND "))
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

    /// The table that answers `query` reading the fewest rows, and its time column: a daily
    /// roll-up when the range is whole UTC days and the query needs no other dimension.
    static func table(for query: UsageQuery) -> (table: String, time: String) {
        guard query.since % 86_400 == 0, query.until % 86_400 == 0, !query.groupings.contains(.hour) else {
            return ("usage_buckets", "hour")
        }
        if query.keyID == nil, !query.groupings.contains(.key) { return ("usage_days_by_model", "day") }
        if query.model == nil, !query.groupings.contains(.model) { return ("usage_days_by_key", "day") }
        return ("usage_buckets", "hour")
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
