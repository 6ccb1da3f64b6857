import TestSupport
import Testing
@testable import ApipodKit

/// A database made by the original Go service (seed 001's exact schema, plaintext keys)
/// is upgraded in place: every key keeps working and no plaintext key remains in the file.
struct SeedAdoptionTests {
    let scratch = TemporaryDirectory()

    /// Keys as the Go service made them: apk_ + padded base64url of 32 bytes (48 characters).
    let activeKey = "apk_" + String(repeating: "Q", count: 43) + "="
    let disabledKey = "apk_" + String(repeating: "R", count: 43) + "="
    let expiredKey = "apk_" + String(repeating: "S", count: 43) + "="
    let futureKey = "apk_" + String(repeating: "T", count: 43) + "="

    func makeSeedDatabase(at path: String) throws {
        try PrivateFiles.createDatabase(at: path)
        let connection = try SQLiteConnection(path: path)
        try connection.execute("""
            CREATE TABLE IF NOT EXISTS users (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                api_key TEXT UNIQUE NOT NULL,
                name TEXT,
                tier TEXT DEFAULT 'elite',
                active INTEGER DEFAULT 1,
                created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
                expires_at DATETIME
            );
            CREATE INDEX IF NOT EXISTS idx_api_key ON users(api_key);
            CREATE INDEX IF NOT EXISTS idx_active ON users(active);
            """)
        try connection.query("INSERT INTO users (api_key, name) VALUES (?, 'alice')", [.text(activeKey)])
        try connection.query("INSERT INTO users (api_key, name, active) VALUES (?, 'bob', 0)", [.text(disabledKey)])
        try connection.query(
            "INSERT INTO users (api_key, name, tier, expires_at) VALUES (?, 'carol', 'basic', '2020-01-01 00:00:00+00:00')",
            [.text(expiredKey)])
        try connection.query(
            "INSERT INTO users (api_key, name, expires_at) VALUES (?, 'dave', '2999-12-31 23:59:59.5 +0000 UTC')",
            [.text(futureKey)])
    }

    @Test func keysKeepWorkingAndThePlaintextIsGone() throws {
        let path = scratch.file("proxy.db")
        try makeSeedDatabase(at: path)

        let store = try KeyStore(path: path, opening: .mayCreate)
        #expect(store.migrationReport.adoptedSeedKeys == 4)
        guard case .valid(let alice) = try store.authenticate(activeKey) else {
            Issue.record("alice's key must still authenticate")
            return
        }
        #expect(alice.id == 1 && alice.name == "alice" && alice.tier == "elite")
        #expect(alice.displayPrefix == String(activeKey.prefix(12)))
        guard case .disabled = try store.authenticate(disabledKey) else { Issue.record("bob stays disabled"); return }
        guard case .expired(let carol) = try store.authenticate(expiredKey) else { Issue.record("carol stays expired"); return }
        #expect(carol.tier == "basic")
        guard case .valid(let dave) = try store.authenticate(futureKey) else { Issue.record("dave is valid"); return }
        #expect(dave.expiresAt == Timestamp(parsing: "2999-12-31T23:59:59Z"))

        let fresh = try store.insert(try APIKey.generate(), name: "new", lifetime: nil)
        #expect(fresh.id == 5, "new ids continue after the adopted ones")

        let check = try SQLiteConnection(path: path)
        try check.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        try check.execute("VACUUM")
        #expect(try check.query("SELECT count(*) FROM sqlite_master WHERE name = 'users'").first?[0].integer == 0)
        var bytes: [UInt8] = []
        for suffix in ["", "-wal", "-shm", "-journal"] {
            bytes += (try? readFile(path + suffix)) ?? []
        }
        for key in [activeKey, disabledKey, expiredKey, futureKey] {
            #expect(!bytes.contains(Array(key.utf8)), "plaintext key found in the database files")
            #expect(!bytes.contains(Array(key.prefix(20).utf8)))
        }
    }

    @Test func adoptingTwiceChangesNothing() throws {
        let path = scratch.file("proxy.db")
        try makeSeedDatabase(at: path)
        _ = try KeyStore(path: path, opening: .mayCreate)
        let again = try KeyStore(path: path, opening: .mayCreate)
        #expect(again.migrationReport.applied.isEmpty)
        #expect(try again.listKeys().count == 4)
    }

    @Test func anUnreadableExpiryStopsTheMigrationWithoutLosingAnything() throws {
        let path = scratch.file("proxy.db")
        try makeSeedDatabase(at: path)
        let connection = try SQLiteConnection(path: path)
        try connection.query("UPDATE users SET expires_at = 'next tuesday' WHERE name = 'bob'")
        #expect(throws: StorageError.unadoptableSeedRow(id: 2, problem: "expires_at 'next tuesday' is not a date")) {
            try KeyStore(path: path, opening: .mayCreate)
        }
        #expect(try connection.query("SELECT count(*) FROM users").first?[0].integer == 4)
    }

    /// Issue 17 item 7: a key stored as a BLOB was dropped with no message.
    @Test func aKeyStoredAsABlobIsAdoptedByItsBytes() throws {
        let path = scratch.file("proxy.db")
        try makeSeedDatabase(at: path)
        let blobKey = "apk_" + String(repeating: "B", count: 43) + "="
        let connection = try SQLiteConnection(path: path)
        try connection.query("INSERT INTO users (api_key, name) VALUES (?, 'erin')", [.blob(Array(blobKey.utf8))])
        let store = try KeyStore(path: path, opening: .mayCreate)
        #expect(store.migrationReport.adoptedSeedKeys == 5)
        guard case .valid(let erin) = try store.authenticate(blobKey) else {
            Issue.record("erin's key must still authenticate")
            return
        }
        #expect(erin.name == "erin" && erin.displayPrefix == "apk_BBBBBBBB")
    }

    /// Issue 17 item 7: a key that is not valid UTF-8 was hashed after U+FFFD substitution and
    /// could never authenticate; an empty one vanished. Either now stops the adoption, naming
    /// the row, and leaves every row where it was.
    static let unadoptableKeys: [[UInt8]] = [
        Array("apk_".utf8) + [0xff, 0xfe] + Array(repeating: 0x41, count: 42),
        [],
        Array("apk_short".utf8),
        Array(("sk-live-" + String(repeating: "x", count: 40)).utf8),
    ]

    @Test(arguments: unadoptableKeys)
    func aKeyThatCannotBeAdoptedStopsTheMigration(key: [UInt8]) throws {
        let path = scratch.file("proxy.db")
        try makeSeedDatabase(at: path)
        let connection = try SQLiteConnection(path: path)
        try connection.query("INSERT INTO users (id, api_key, name) VALUES (7, ?, 'frank')", [.blob(key)])
        let error = try #require(throws: StorageError.self) { try KeyStore(path: path, opening: .mayCreate) }
        #expect(error.description.hasPrefix("cannot adopt row id 7 of the original 'users' table: its api_key is empty or not a key"))
        #expect(!error.description.contains("sk-live"), "the key is not repeated")
        #expect(error.exitStatus == .dataError)
        #expect(try connection.query("SELECT count(*) FROM users").first?[0].integer == 5)
    }

    /// Issue 17 item 8: a REAL created_at of 1e300 trapped converting to Int64, in `db migrate`
    /// and in every command that opened the database.
    @Test(arguments: [1e300, -1e300, 9.3e18])
    func aTimeBeyondInt64StopsTheMigration(seconds: Double) throws {
        let path = scratch.file("proxy.db")
        try makeSeedDatabase(at: path)
        let connection = try SQLiteConnection(path: path)
        try connection.query("UPDATE users SET created_at = ? WHERE id = 3", [.real(seconds)])
        let error = try #require(throws: StorageError.self) { try KeyStore(path: path, opening: .mayCreate) }
        #expect(error.description.hasPrefix("cannot adopt row id 3 of the original 'users' table: created_at \(seconds) is not a date"))
        #expect(try connection.query("SELECT count(*) FROM users").first?[0].integer == 4)
    }
}

extension Array where Element == UInt8 {
    func contains(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return false }
        return (0...(count - needle.count)).contains { start in self[start..<start + needle.count].elementsEqual(needle) }
    }
}
