import CSystem
import Glibc

/// One open SQLite database. Not thread-safe by contract: whoever creates it owns it and
/// uses it from one thread at a time (the CLI's main thread, or the server's storage thread).
/// Opened in WAL mode with a busy timeout, so the CLI and a running server can share a file.
final class SQLiteConnection {
    private let handle: OpaquePointer
    private var statementCache: [String: SQLiteStatement] = [:]
    let path: String

    /// Opens the existing database at `path`; a missing file fails (`systemErrno` ENOENT).
    /// Never SQLITE_OPEN_CREATE: SQLite would make the file with the umask's mode, 0644 as a
    /// rule, so the file is made first, privately, by whoever may create it (`PrivateFiles`).
    init(path: String, busyTimeoutMilliseconds: Int32 = 5000) throws(SQLiteError) {
        var connection: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX
        let code = sqlite3_open_v2(path, &connection, flags, nil)
        guard code == SQLITE_OK, let connection else {
            var error = SQLiteError(code: code, connection: connection, sql: nil)
            let systemError = connection.map { sqlite3_system_errno($0) } ?? 0
            if systemError != 0 {
                error = SQLiteError(
                    code: code, message: "\(error.message): \(String(cString: strerror(systemError)))", systemErrno: systemError)
            }
            sqlite3_close_v2(connection)
            throw error
        }
        self.handle = connection
        self.path = path
        sqlite3_extended_result_codes(connection, 1)
        sqlite3_busy_timeout(connection, busyTimeoutMilliseconds)
        try execute("PRAGMA journal_mode = WAL")
        try execute("PRAGMA synchronous = NORMAL")
        try execute("PRAGMA foreign_keys = ON")
    }

    deinit {
        statementCache.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements that take no parameters (schema, pragmas).
    func execute(_ sql: String) throws(SQLiteError) {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &message)
        if code != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_free(message)
            throw SQLiteError(code: code, message: text, sql: sql)
        }
    }

    /// Runs a statement with bound values and returns every row it produces.
    @discardableResult
    func query(_ sql: String, _ values: [SQLiteValue] = []) throws(SQLiteError) -> [SQLiteRow] {
        let statement = try prepared(sql)
        try statement.bind(values)
        defer { statement.reset() }
        var rows: [SQLiteRow] = []
        while try statement.step() {
            rows.append(SQLiteRow(values: (0..<statement.columnCount).map(statement.value(at:))))
        }
        return rows
    }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`, rolling back if it throws.
    /// IMMEDIATE takes the write lock up front, so a busy database waits at the start
    /// (within the busy timeout) instead of failing halfway through.
    func transaction<Result>(_ body: () throws -> Result) throws -> Result {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Rows the last INSERT, UPDATE or DELETE changed.
    var changes: Int64 { Int64(sqlite3_changes(handle)) }

    /// Changes whenever another connection commits to this database; cheap to poll.
    func dataVersion() throws(SQLiteError) -> Int64 {
        try query("PRAGMA data_version").first?[0].integer ?? 0
    }

    private func prepared(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        if let statement = statementCache[sql] { return statement }
        let statement = try SQLiteStatement(connection: handle, sql: sql)
        statementCache[sql] = statement
        return statement
    }
}

@available(*, unavailable)
extension SQLiteConnection: Sendable {}
