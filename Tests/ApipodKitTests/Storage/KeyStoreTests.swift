import Glibc
import TestSupport
import Testing
@testable import ApipodKit

struct KeyStoreTests {
    let scratch = TemporaryDirectory()
    var databasePath: String { scratch.file("nested/folder/keys.db") }

    @Test func createsFolderAndSchemaThenMigratingAgainIsANoOp() throws {
        let first = try KeyStore(path: databasePath, opening: .mayCreate)
        #expect(first.migrationReport.applied == Migrations.all.map(\.id))
        let second = try KeyStore(path: databasePath, opening: .mayCreate)
        #expect(second.migrationReport.applied.isEmpty)
        #expect(second.migrationReport.current == Migrations.all.map(\.id))
    }

    @Test func storesOnlyTheDigestAndAuthenticatesByIt() throws {
        let store = try KeyStore(path: databasePath, opening: .mayCreate)
        let key = try APIKey.generate()
        let now = Timestamp(secondsSinceEpoch: 1_800_000_000)
        let record = try store.insert(key, name: "alice", tier: "pro", lifetime: KeyLifetime(seconds: 3600), now: now)
        #expect(record.displayPrefix == key.displayPrefix)
        #expect(record.expiresAt == now.adding(seconds: 3600))
        #expect(try store.authenticate(key.text, now: now) == .valid(record))
        #expect(try store.authenticate(key.text, now: now.adding(seconds: 3600)) == .expired(record))
        #expect(try store.authenticate(try APIKey.generate().text, now: now) == .unknown)
        #expect(try store.authenticate("not a key", now: now) == .unknown)

        let disabled = try store.setActive(false, id: record.id)
        #expect(try store.authenticate(key.text, now: now) == .disabled(disabled))
        try store.setActive(true, id: record.id)
        #expect(try store.authenticate(key.text, now: now) == .valid(record))

        let bytes = try readFile(databasePath) + ((try? readFile(databasePath + "-wal")) ?? [])
        #expect(!bytes.contains(Array(key.text.utf8)))
    }

    @Test func resolvesIdsFullKeysAndUnambiguousPrefixes() throws {
        let store = try KeyStore(path: databasePath, opening: .mayCreate)
        let first = try APIKey.generate(), second = try APIKey.generate()
        let a = try store.insert(first, name: "a", lifetime: nil)
        let b = try store.insert(second, name: "b", lifetime: nil)
        #expect(try store.resolve(String(a.id)) == a)
        #expect(try store.resolve(second.text) == b)
        #expect(try store.resolve(first.displayPrefix) == a)
        #expect(try store.resolve(String(second.displayPrefix.dropFirst(4))) == b)
        // Two keys whose first six bytes are zero share the display prefix apk_AAAAAAAA.
        func keyWithZeroPrefix() -> APIKey {
            APIKey(APIKey.scheme + Base64URL.encode([UInt8](repeating: 0, count: 6) + (0..<26).map { _ in UInt8.random(in: 0...255) }))!
        }
        let c = try store.insert(keyWithZeroPrefix(), name: "c", lifetime: nil)
        let d = try store.insert(keyWithZeroPrefix(), name: "d", lifetime: nil)
        #expect(throws: StorageError.ambiguousKeyReference(reference: "apk_AAAAAAAA", matches: [c, d])) {
            try store.resolve("apk_AAAAAAAA")
        }
        #expect(throws: StorageError.keyNotFound(reference: "999")) { try store.resolve("999") }
        let longPrefix = String(first.text.prefix(20))
        let error = try #require(throws: StorageError.self) { try store.resolve(longPrefix) }
        #expect(error.exitStatus == .dataError)
        let message = error.description
        #expect(!message.contains(longPrefix), "the message must not repeat key material")
    }

    /// Issue 17 item 5: "", "   " and "apk_" were prefixes of every key, so `keys disable ""`
    /// (an unset shell variable) disabled the only key.
    @Test(arguments: ["", "   ", "apk_", "apk_AbC", "AbCdEfG", " apk_ "])
    func aReferenceShorterThanTheDisplayPrefixMatchesNothing(reference: String) throws {
        let store = try KeyStore(path: databasePath, opening: .mayCreate)
        let key = try APIKey.generate()
        _ = try store.insert(key, name: "only", lifetime: nil)
        let shortPrefix = String(key.displayPrefix.prefix(max(4, reference.trimmingASCIIWhitespace().count)))
        for candidate in [reference, shortPrefix] {
            let error = try #require(throws: StorageError.self) { try store.resolve(candidate) }
            #expect(error == .incompleteKeyReference(reference: candidate.trimmingASCIIWhitespace()))
            #expect(error.exitStatus == .usage)
        }
    }

    @Test func rejectsNamesThatWouldBreakListings() throws {
        let store = try KeyStore(path: databasePath, opening: .mayCreate)
        let key = try APIKey.generate()
        #expect(throws: StorageError.invalidField(name: "name", reason: "it must not be empty")) {
            try store.insert(key, name: "  ", lifetime: nil)
        }
        #expect(throws: StorageError.invalidField(name: "name", reason: "it contains a control character")) {
            try store.insert(key, name: "a\u{1b}[31m", lifetime: nil)
        }
    }

    /// Issue 17 item 10: the limit counted grapheme clusters, so "a" and 30,000 combining
    /// marks (60 KB) passed as one character, and U+202E was accepted.
    @Test func namesAreLimitedInBytesAndRefuseBidiControls() throws {
        let store = try KeyStore(path: databasePath, opening: .mayCreate)
        let key = try APIKey.generate()
        let zalgo = "a" + String(repeating: "\u{301}", count: 30_000)
        #expect(zalgo.count == 1)
        #expect(throws: StorageError.invalidField(name: "name", reason: "it is longer than 200 bytes of UTF-8")) {
            try store.insert(key, name: zalgo, lifetime: nil)
        }
        #expect(throws: StorageError.invalidField(name: "tier", reason: "it is longer than 64 bytes of UTF-8")) {
            try store.insert(key, name: "a", tier: String(repeating: "é", count: 33), lifetime: nil)
        }
        for bidi in ["\u{202E}", "\u{2066}", "\u{200F}"] {
            #expect(throws: StorageError.invalidField(name: "name", reason: "it contains a bidirectional control character")) {
                try store.insert(key, name: "alice\(bidi)gpj.exe", lifetime: nil)
            }
        }
        #expect(try store.insert(key, name: String(repeating: "é", count: 100), lifetime: nil).name.utf8.count == 200)
    }

    @Test func anotherConnectionsWriteChangesTheDataVersion() throws {
        let server = try KeyStore(path: databasePath, opening: .mayCreate)
        let cli = try KeyStore(path: databasePath, opening: .mayCreate)
        let before = try server.dataVersion()
        #expect(try server.dataVersion() == before)
        _ = try cli.insert(try APIKey.generate(), name: "from the cli", lifetime: nil)
        #expect(try server.dataVersion() != before)
    }

    @Test func recordsLastUseInOneBatch() throws {
        let store = try KeyStore(path: databasePath, opening: .mayCreate)
        let record = try store.insert(try APIKey.generate(), name: "a", lifetime: nil)
        let later = Timestamp(secondsSinceEpoch: 1_900_000_000)
        try store.recordUse([record.id: later])
        try store.recordUse([record.id: Timestamp(secondsSinceEpoch: 1)])
        #expect(try store.key(id: record.id)?.lastUsedAt == later)
    }

    @Test func refusesADatabaseFromANewerVersion() throws {
        _ = try KeyStore(path: databasePath, opening: .mayCreate)
        let connection = try SQLiteConnection(path: databasePath)
        try connection.query("INSERT INTO schema_migrations (id, applied_at) VALUES ('999_future', 0)")
        #expect(throws: StorageError.schemaTooNew(path: databasePath, unknownMigrations: ["999_future"])) {
            try KeyStore(path: databasePath, opening: .mayCreate)
        }
    }

    /// Issue 15 item 1: a reader given a mistyped path must not leave an empty database behind.
    @Test func aStoreThatMustExistCreatesNothingWhenMissing() throws {
        #expect(throws: StorageError.missingDatabase(path: databasePath)) {
            try KeyStore(path: databasePath, opening: .mustExist)
        }
        #expect(access(scratch.file("nested"), F_OK) != 0, "no folder is made")
        _ = try KeyStore(path: databasePath, opening: .mayCreate)
        #expect(try KeyStore(path: databasePath, opening: .mustExist).listKeys().isEmpty)
    }

    @Test func reportsAnUnopenablePathWithItsReason() {
        scratch.write("file", "")
        do {
            _ = try KeyStore(path: scratch.file("file/keys.db"), opening: .mayCreate)
            Issue.record("opening below a regular file must fail")
        } catch {
            #expect(error.exitStatus == .ioError)
            #expect(error.description.contains("Not a directory"))
        }
    }
}
