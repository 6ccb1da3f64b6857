import Glibc

/// The key database: every read and write of API keys goes through here, and no SQL leaves
/// this folder. One `KeyStore` owns one SQLite connection and is used by one thread at a time
/// (the CLI's main thread, or the server's storage thread); other processes may hold their own
/// stores on the same file, which WAL mode and the busy timeout make safe.
public final class KeyStore {
    /// Also used by this folder's extensions (`KeyStore+Usage`), never outside it.
    let connection: SQLiteConnection
    public let path: String
    /// What opening did to the schema.
    public let migrationReport: MigrationReport
    /// Set when the file is open to users other than its owner; the caller warns once.
    public let looseMode: LooseDatabaseMode?

    /// Opens the database at `path`, creating its folder and file privately first if `opening`
    /// allows, and brings the schema up to date (which adopts a database of the original service).
    public init(path: String, opening: StoreOpening) throws(StorageError) {
        self.path = path
        do {
            if opening == .mayCreate { try PrivateFiles.createDatabase(at: path) }
            connection = try SQLiteConnection(path: path)
        } catch let error as StorageError {
            throw error
        } catch let error as SQLiteError {
            if error.systemErrno == ENOENT { throw .missingDatabase(path: path) }
            throw .cannotOpen(path: path, reason: error.message)
        } catch {
            throw .cannotOpen(path: path, reason: "\(error)")
        }
        do {
            migrationReport = try Migrations.migrate(connection)
        } catch let error as StorageError {
            throw error
        } catch let error as SQLiteError {
            throw StorageError(error, path: path)
        } catch {
            throw .cannotOpen(path: path, reason: "\(error)")
        }
        looseMode = LooseDatabaseMode.check(path: path)
        if migrationReport.adoptedSeedKeys > 0 {
            try compactAfterAdoption()
        }
    }

    /// Stores a freshly generated key for `name`; only its digest and display prefix are kept.
    public func insert(
        _ key: APIKey, name: String, tier: String = defaultTier, lifetime: KeyLifetime?,
        limits: KeyLimits = .none, now: Timestamp = .now()
    ) throws(StorageError) -> KeyRecord {
        try Self.validate(field: "name", name, maximumBytes: 200)
        try Self.validate(field: "tier", tier, maximumBytes: 64)
        try Self.validate(limits)
        let expiresAt = lifetime.map { now.adding(seconds: $0.seconds) }
        let id = try run {
            try connection.query("""
                INSERT INTO api_keys (key_digest, display_prefix, name, tier, active, created_at, expires_at, rpm, concurrency, daily_tokens)
                VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?)
                """, [
                    .blob(key.digest), .text(key.displayPrefix), .text(name), .text(tier),
                    .integer(now.secondsSinceEpoch), expiresAt.map { .integer($0.secondsSinceEpoch) } ?? .null,
                ] + LimitKind.allCases.map { Self.value(limits[$0]) })
            return connection.lastInsertRowID
        }
        guard let record = try self.key(id: id) else { throw .keyNotFound(reference: String(id)) }
        return record
    }

    /// Every key, oldest first.
    public func listKeys() throws(StorageError) -> [KeyRecord] {
        try run { try connection.query("SELECT \(Self.recordColumns) FROM \(Self.recordSource) ORDER BY id").map(Self.record) }
    }

    public func key(id: Int64) throws(StorageError) -> KeyRecord? {
        try run { try connection.query("SELECT \(Self.recordColumns) FROM \(Self.recordSource) WHERE id = ?", [.integer(id)]).first.map(Self.record) }
    }

    /// The record of the key whose digest is `digest`, whatever its status.
    public func key(digest: [UInt8]) throws(StorageError) -> KeyRecord? {
        try run {
            try connection.query("SELECT \(Self.recordColumns) FROM \(Self.recordSource) WHERE key_digest = ?", [.blob(digest)])
                .first.map(Self.record)
        }
    }

    /// What a presented key is worth at `now`: the proxy's question on every request.
    public func authenticate(_ presented: some StringProtocol, now: Timestamp = .now()) throws(StorageError) -> AuthenticationResult {
        guard APIKey.isPlausible(presented), let record = try key(digest: SHA256.hash(presented.utf8)) else {
            return .unknown
        }
        return AuthenticationResult(record: record, at: now)
    }

    /// Finds the one key an operator means by `reference`: a numeric id, a full key, or the
    /// display prefix `keys list` shows (with or without `apk_`). Anything shorter is refused
    /// rather than matched: an empty reference from an unset shell variable, or a bare `apk_`,
    /// would otherwise be a prefix of every key.
    public func resolve(_ reference: String) throws(StorageError) -> KeyRecord {
        let trimmed = reference.trimmingASCIIWhitespace()
        if !trimmed.isEmpty, trimmed.allSatisfy(\.isASCIIDigit) {
            guard let id = Int64(trimmed), let record = try key(id: id) else { throw .keyNotFound(reference: trimmed) }
            return record
        }
        let prefixed = trimmed.hasPrefix(APIKey.scheme) ? trimmed : APIKey.scheme + trimmed
        if prefixed.count < APIKey.displayPrefixLength {
            throw .incompleteKeyReference(reference: trimmed)
        }
        if prefixed.count > APIKey.displayPrefixLength {
            guard APIKey.isPlausible(prefixed) else {
                throw .unusableKeyReference(reference: trimmed, reason: "it is neither an id, a key nor a key prefix")
            }
            if let record = try key(digest: SHA256.hash(prefixed)) { return record }
            if prefixed.count < APIKey.length - 1 {
                throw .unusableKeyReference(
                    reference: trimmed,
                    reason: "only the first \(APIKey.displayPrefixLength) characters of a key are stored; "
                        + "give at most that many, the full key, or the id")
            }
            throw .keyNotFound(reference: trimmed)
        }
        let matches = try run {
            try connection.query(
                "SELECT \(Self.recordColumns) FROM \(Self.recordSource) WHERE substr(display_prefix, 1, ?) = ? ORDER BY id",
                [.integer(Int64(prefixed.count)), .text(prefixed)]
            ).map(Self.record)
        }
        switch matches.count {
        case 0: throw .keyNotFound(reference: trimmed)
        case 1: return matches[0]
        default: throw .ambiguousKeyReference(reference: trimmed, matches: matches)
        }
    }

    /// Turns a key on or off; returns the updated record.
    @discardableResult
    public func setActive(_ active: Bool, id: Int64) throws(StorageError) -> KeyRecord {
        _ = try run {
            try connection.query("UPDATE api_keys SET active = ? WHERE id = ?", [.integer(active ? 1 : 0), .integer(id)])
        }
        guard let record = try key(id: id) else { throw .keyNotFound(reference: String(id)) }
        return record
    }

    /// Removes a key for good: only for one whose text never reached anyone (`keys create`
    /// could not print it), so no client can hold it.
    public func deleteKey(id: Int64) throws(StorageError) {
        _ = try run { try connection.query("DELETE FROM api_keys WHERE id = ?", [.integer(id)]) }
    }

    /// Records when keys were last used, in one transaction for a whole batch, so the proxy
    /// can write usage behind the requests instead of in front of them.
    public func recordUse(_ lastUse: [Int64: Timestamp]) throws(StorageError) {
        guard !lastUse.isEmpty else { return }
        try run {
            try connection.transaction {
                for (id, time) in lastUse {
                    try connection.query(
                        "UPDATE api_keys SET last_used_at = max(coalesce(last_used_at, 0), ?) WHERE id = ?",
                        [.integer(time.secondsSinceEpoch), .integer(id)])
                }
            }
        }
    }

    /// A number that changes whenever another connection (say, `apipodctl keys disable` in
    /// another process) commits to the database: a cache is stale when it differs.
    public func dataVersion() throws(StorageError) -> Int64 {
        try run { try connection.dataVersion() }
    }

    /// The latest migration id, for `db migrate` to report.
    public var schemaVersion: String { migrationReport.current.last ?? "none" }

    private func compactAfterAdoption() throws(StorageError) {
        try run {
            try connection.execute("VACUUM")
            try connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        }
    }

    func run<Result>(_ body: () throws -> Result) throws(StorageError) -> Result {
        do {
            return try body()
        } catch let error as StorageError {
            throw error
        } catch let error as SQLiteError {
            throw StorageError(error, path: path)
        } catch {
            throw .sqlite(path: path, code: -1, message: "\(error)")
        }
    }

    static let recordColumns = """
        k.id, k.name, k.tier, k.display_prefix, k.active, k.created_at, k.expires_at, k.last_used_at,
        k.rpm, k.concurrency, k.daily_tokens, t.rpm, t.concurrency, t.daily_tokens
        """
    /// A key's row with its tier's limits beside it, so one read gives the effective limits.
    static let recordSource = "api_keys k LEFT JOIN tiers t ON t.name = k.tier"

    static func record(_ row: SQLiteRow) -> KeyRecord {
        KeyRecord(
            id: row[0].integer ?? 0,
            name: row[1].text ?? "",
            tier: row[2].text ?? defaultTier,
            displayPrefix: row[3].text ?? "",
            isActive: row[4].integer != 0,
            createdAt: Timestamp(secondsSinceEpoch: row[5].integer ?? 0),
            expiresAt: row[6].integer.map(Timestamp.init(secondsSinceEpoch:)),
            lastUsedAt: row[7].integer.map(Timestamp.init(secondsSinceEpoch:)),
            limits: limits(row, from: 8), tierLimits: limits(row, from: 11))
    }

    /// The three limit columns starting at `first`, in `LimitKind.allCases` order.
    static func limits(_ row: SQLiteRow, from first: Int) -> KeyLimits {
        KeyLimits(
            rpm: row[first].integer.map(Int.init), concurrency: row[first + 1].integer.map(Int.init),
            dailyTokens: row[first + 2].integer.map(Int.init))
    }

    /// A name or tier is printed in listings and logs: the limit counts bytes, since one
    /// character can carry thousands of combining marks, and neither control characters nor
    /// bidirectional controls (U+202E turns the rest of a line around) may reach a terminal.
    static func validate(field: String, _ value: String, maximumBytes: Int) throws(StorageError) {
        if value.trimmingASCIIWhitespace().isEmpty {
            throw .invalidField(name: field, reason: "it must not be empty")
        }
        if value.utf8.count > maximumBytes {
            throw .invalidField(name: field, reason: "it is longer than \(maximumBytes) bytes of UTF-8")
        }
        if value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw .invalidField(name: field, reason: "it contains a control character")
        }
        if value.unicodeScalars.contains(where: \.properties.isBidiControl) {
            throw .invalidField(name: field, reason: "it contains a bidirectional control character")
        }
    }
}

@available(*, unavailable)
extension KeyStore: Sendable {}

/// The answer to "may this key be used now?"
public enum AuthenticationResult: Sendable, Equatable {
    case valid(KeyRecord)
    case unknown
    case disabled(KeyRecord)
    case expired(KeyRecord)

    public init(record: KeyRecord, at now: Timestamp) {
        switch record.status(at: now) {
        case .active: self = .valid(record)
        case .disabled: self = .disabled(record)
        case .expired: self = .expired(record)
        }
    }
}
