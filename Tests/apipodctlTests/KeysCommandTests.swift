import Foundation
import Testing
@testable import ApipodKit

/// `apipodctl keys …` as a separate process against a scratch database.
struct KeysCommandTests {
    let cli = BinaryRunner()

    @Test func createPrintsTheKeyOnceAndListNeverShowsIt() throws {
        defer { cli.remove() }
        let created = try cli.run("keys", "create", "--name", "alice", "--tier", "pro", "--expires-in", "30d")
        #expect(created.status == 0)
        let key = created.stdout.trimmingCharacters(in: .newlines)
        #expect(key.hasPrefix("apk_") && key.count == 47)
        #expect(created.stdout == key + "\n", "stdout holds the key alone")
        #expect(created.stderr.contains("created key 1 for 'alice' (tier pro, expires "))

        let listed = try cli.run("keys", "list")
        #expect(listed.status == 0)
        #expect(!listed.stdout.contains(key))
        #expect(listed.stdout.contains(String(key.prefix(12)) + "…"))
        let lines = listed.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("ID  NAME") == true)
        #expect(lines.count == 2)

        let database = try Data(contentsOf: URL(fileURLWithPath: cli.databasePath))
        #expect(database.range(of: Data(key.utf8)) == nil, "the key is not stored in plaintext")
    }

    @Test func jsonOutputIsParseable() throws {
        defer { cli.remove() }
        let created = try cli.run("keys", "create", "--name", "bob", "--json")
        #expect(created.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any])
        #expect((object["api_key"] as? String)?.hasPrefix("apk_") == true)
        #expect(object["name"] as? String == "bob")
        #expect(object["tier"] as? String == "elite")
        #expect(object["expires_at"] is NSNull)

        let listed = try cli.run("keys", "list", "--json")
        let array = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        #expect(array.count == 1)
        #expect(array[0]["api_key"] == nil)
        #expect(array[0]["status"] as? String == "active")
    }

    @Test func disableAndEnableByIdPrefixAndFullKey() throws {
        defer { cli.remove() }
        let key = try cli.run("keys", "create", "--name", "carol").stdout.trimmingCharacters(in: .newlines)
        _ = try cli.run("keys", "create", "--name", "dave")

        let disabled = try cli.run("keys", "disable", String(key.prefix(12)))
        #expect(disabled.status == 0)
        #expect(disabled.stdout.contains("disabled key 1"))
        #expect(!disabled.stdout.contains(key))
        #expect(try cli.run("keys", "list").stdout.split(separator: "\n").count == 2, "disabled keys are hidden by default")
        #expect(try cli.run("keys", "list", "--all").stdout.contains("disabled"))

        #expect(try cli.run("keys", "disable", "1").stdout.contains("already disabled"))
        let enabled = try cli.run("keys", "enable", key)
        #expect(enabled.status == 0)
        #expect(enabled.stdout.contains("enabled key 1"))
        #expect(!enabled.stdout.contains(key), "the full key is never echoed")
    }

    @Test func mistakesGetClearErrorsAndSysexitsCodes() throws {
        defer { cli.remove() }
        _ = try cli.run("keys", "create", "--name", "a")
        _ = try cli.run("keys", "create", "--name", "b")

        let missingName = try cli.run("keys", "create")
        #expect(missingName.status == 64)
        #expect(missingName.stderr == "apipodctl: 'keys create' needs '--name'\nSee 'apipodctl keys create --help'.\n")

        let typo = try cli.run("keys", "create", "--nmae", "x")
        #expect(typo.status == 64)
        #expect(typo.stderr.hasPrefix("apipodctl: unknown option '--nmae' for 'keys create'; did you mean '--name'?\n"))

        let badDuration = try cli.run("keys", "create", "--name", "x", "--expires-in", "3 weeks")
        #expect(badDuration.status == 64)
        #expect(badDuration.stderr.contains("invalid value '3 weeks' for '--expires-in'"))

        let tooShort = try cli.run("keys", "disable", "apk_")
        #expect(tooShort.status == 64)
        #expect(tooShort.stderr.contains("'apk_' is too short to name a key"))

        let unknown = try cli.run("keys", "enable", "42")
        #expect(unknown.status == 65)
        #expect(unknown.stderr == "apipodctl: no key matches '42'; see 'apipodctl keys list --all'\n")

        let emptyName = try cli.run("keys", "create", "--name", "")
        #expect(emptyName.status == 65)
        #expect(emptyName.stderr == "apipodctl: invalid name: it must not be empty\n")
    }

    /// Issue 17 item 5: `keys disable "$UNSET"` disabled the only key and exited 0.
    @Test func anEmptyOrBareReferenceIsAUsageErrorAndChangesNothing() throws {
        defer { cli.remove() }
        _ = try cli.run("keys", "create", "--name", "only")
        for reference in ["", "   ", "apk_"] {
            let result = try cli.run("keys", "disable", reference)
            #expect(result.status == 64, "reference '\(reference)'")
            #expect(result.stderr.contains("too short to name a key"))
        }
        #expect(try cli.run("keys", "list").stdout.contains("active"))
    }

    /// Issue 17 item 14: `--db ""` read as "not set" skipped DATABASE_PATH and `.env` and
    /// opened ./data/proxy.db.
    @Test func anEmptySettingFlagIsAUsageError() throws {
        defer { cli.remove() }
        for option in ["--db", "--env-file"] {
            let result = try cli.run("keys", "list", option, "")
            #expect(result.status == 64)
            #expect(result.stderr.hasPrefix("apipodctl: invalid value '' for '\(option)': it must not be empty"))
        }
        #expect(try cli.run("route", "simulate", "--routes", "").status == 64)
        #expect(!FileManager.default.fileExists(atPath: cli.directory.appendingPathComponent("data").path))
    }

    /// Issue 17 item 6: `keys create > /dev/full` exited 0 and left an active key nobody had.
    @Test func aKeyThatCannotBePrintedIsDeletedAndTheExitIs74() throws {
        defer { cli.remove() }
        let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        let gone = Pipe()
        try gone.fileHandleForReading.close()
        for output in [full, gone.fileHandleForWriting] {
            for json in [false, true] {
                let result = json
                    ? try cli.run("keys", "create", "--name", "lost", "--json", standardOutput: output)
                    : try cli.run("keys", "create", "--name", "lost", standardOutput: output)
                #expect(result.status == 74)
                #expect(result.stderr.hasPrefix("apipodctl: cannot write to standard output: "))
                #expect(result.stderr.hasSuffix("; the new key was deleted, so none was created\n"))
            }
        }
        let listed = try cli.run("keys", "list", "--all")
        #expect(listed.stdout.isEmpty && listed.stderr.hasPrefix("no keys yet"))
        #expect(try cli.run("keys", "list", "--all", standardOutput: full).status == 0, "nothing to print, nothing lost")
        _ = try cli.run("keys", "create", "--name", "kept")
        #expect(try cli.run("keys", "list", standardOutput: full).status == 74)
    }

    /// Issue 17 item 9: names and tiers adopted from the original service's database skip
    /// `keys create`'s checks, and `keys list` printed their escape sequences raw.
    @Test func adoptedNamesAreEscapedOnOutput() throws {
        defer { cli.remove() }
        try PrivateFiles.createDatabase(at: cli.databasePath)
        let seed = try SQLiteConnection(path: cli.databasePath)
        try seed.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, api_key TEXT UNIQUE NOT NULL, name TEXT, tier TEXT)")
        try seed.query("INSERT INTO users (api_key, name, tier) VALUES (?, ?, ?)", [
            .text("apk_" + String(repeating: "E", count: 43) + "="), .text("evil\u{1B}[2J\nroot\u{202E}txt"), .text("t\u{7}"),
        ])
        let listed = try cli.run("keys", "list")
        #expect(listed.status == 0)
        #expect(!listed.stdout.unicodeScalars.contains { $0.properties.generalCategory == .control && $0 != "\n" })
        #expect(!listed.stdout.unicodeScalars.contains("\u{202E}"))
        #expect(listed.stdout.contains(#"evil\u{1B}[2J\u{A}root\u{202E}txt"#))
        #expect(listed.stdout.contains(#"t\u{7}"#))
        #expect(listed.stdout.split(separator: "\n").count == 2, "one line per key")
        let disabled = try cli.run("keys", "disable", "1")
        #expect(disabled.stdout.contains(#"evil\u{1B}[2J\u{A}root\u{202E}txt"#))
    }

    @Test func anUnusableDatabasePathIsAnIOError() throws {
        defer { cli.remove() }
        try cli.write("occupied", "")
        let result = try cli.run("keys", "list", "--db", cli.directory.appendingPathComponent("occupied/keys.db").path)
        #expect(result.status == 74)
        #expect(result.stderr.hasPrefix("apipodctl: cannot open the key database"))
    }

    @Test func theDotEnvFileIsRead() throws {
        defer { cli.remove() }
        var runner = cli
        runner.environment["DATABASE_PATH"] = nil
        try runner.write(".env", "DATABASE_PATH=./from-dotenv/keys.db\n")
        #expect(try runner.run("keys", "create", "--name", "e").status == 0)
        #expect(FileManager.default.fileExists(atPath: runner.directory.appendingPathComponent("from-dotenv/keys.db").path))
    }
}
