import Foundation
import Glibc
import Testing

/// Issue 15 items 1 and 2, as an operator meets them: a command that only reads or changes keys
/// never creates a database (a typo in `--db` used to leave an empty one, and its folder,
/// behind), and what apipodctl does create is private to its owner whatever the umask.
struct DatabaseFilesTests {
    let cli = BinaryRunner()

    static let readingCommands: [[String]] = [
        ["keys", "list"], ["keys", "list", "--all", "--json"], ["keys", "disable", "1"], ["keys", "enable", "apk_AbCdEfGh"],
        ["keys", "limit", "1", "--rpm", "5"], ["tiers", "list"], ["tiers", "list", "--json"],
    ]

    @Test(arguments: readingCommands)
    func aReadingCommandOnAMissingDatabaseExits74AndCreatesNothing(command: [String]) throws {
        defer { cli.remove() }
        let folder = cli.directory.path + "/typo"
        let path = folder + "/proxy.db"
        let result = try cli.run(command + ["--db", path])
        #expect(result.status == 74)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == "apipodctl: no key database at '\(path)' (nothing was created); check the path, "
            + "or create the database with: apipodctl db migrate --db \(path)\n")
        #expect(!exists(folder), "no folder is made")

        let inAnExistingFolder = try cli.run(command)
        #expect(inAnExistingFolder.status == 74)
        for suffix in ["", "-wal", "-shm", "-journal"] {
            #expect(!exists(cli.databasePath + suffix), "no \(suffix.isEmpty ? "database" : suffix) file is made")
        }
    }

    @Test func theSuggestedCommandCreatesTheDatabaseTheMessageNames() throws {
        defer { cli.remove() }
        let path = cli.directory.path + "/with space/it's.db"
        let missing = try cli.run("keys", "list", "--db", path)
        #expect(missing.status == 74)
        #expect(missing.stderr.hasSuffix("apipodctl db migrate --db '\(cli.directory.path)/with space/it'\\''s.db'\n"))
        #expect(try cli.run("db", "migrate", "--db", path).status == 0)
        let listed = try cli.run("keys", "list", "--db", path)
        #expect(listed.status == 0)
        #expect(listed.stderr.hasPrefix("no active keys"))
    }

    @Test func routeSimulateNeverOpensTheDatabase() throws {
        defer { cli.remove() }
        var runner = cli
        runner.environment["DATABASE_PATH"] = cli.directory.path + "/typo/proxy.db"
        #expect(try runner.run("route", "simulate", "-n", "10", "--seed", "1").status == 0)
        #expect(!exists(cli.directory.path + "/typo"))
    }

    /// 000 would leave everything world-writable; 277 takes the owner's own write bit away.
    @Test(arguments: ["000", "277"])
    func createdFoldersAndFilesArePrivateWhateverTheUmask(umask: String) throws {
        defer { cli.remove() }
        var runner = cli
        runner.umask = umask
        let root = cli.directory.path
        #expect(try runner.run("keys", "create", "--name", "a", "--db", root + "/created/deeper/keys.db").status == 0)
        #expect(try runner.run("db", "migrate", "--db", root + "/migrated/keys.db").status == 0)
        for folder in ["created", "created/deeper", "migrated"] {
            #expect(mode(root + "/" + folder) == 0o700, "folder \(folder)")
        }
        for file in ["created/deeper/keys.db", "migrated/keys.db"] {
            #expect(mode(root + "/" + file) == 0o600, "file \(file)")
        }

        runner.environment["DATABASE_PATH"] = root + "/served/keys.db"
        let serve = try ListeningServe(runner)
        #expect(serve.log.contains("listening on"), "serve did not start: \(serve.log)")
        #expect(mode(root + "/served") == 0o700)
        for suffix in ["", "-wal", "-shm"] {
            #expect(mode(root + "/served/keys.db" + suffix) == 0o600, "keys.db\(suffix) of a running server")
        }
        _ = serve.stop()
    }

    @Test(arguments: [0o644, 0o640] as [mode_t])
    func anExistingDatabaseOpenToOthersGetsOneWarningAndKeepsItsMode(loose: mode_t) throws {
        defer { cli.remove() }
        #expect(try cli.run("keys", "create", "--name", "a").status == 0)
        #expect(try !cli.run("keys", "list").stderr.contains("warning"), "a private database is not warned about")
        chmod(cli.databasePath, loose)
        let shown = "0" + String(loose, radix: 8)
        let warning = "warning: key database '\(cli.databasePath)' is open to other users (mode \(shown)); "
            + "make it private with: chmod 600 \(cli.databasePath)"

        let listed = try cli.run("keys", "list")
        #expect(listed.status == 0)
        #expect(listed.stderr == "apipodctl: \(warning)\n")
        #expect(try cli.run("keys", "disable", "1").stderr == "apipodctl: \(warning)\n")

        let log = try ListeningServe(cli).stop()
        let warnings = log.split(separator: "\n").map(String.init).filter { $0.contains("warning") }
        #expect(warnings == ["apipodctl serve: \(warning)"], "one line in serve's log, for two connections")
        #expect(mode(cli.databasePath) == loose, "the mode is the operator's to change")
    }

    private func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    private func mode(_ path: String) -> mode_t? {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_mode & 0o777 : nil
    }
}

/// `serve` started and read up to its "listening on" line, by which point it has opened the
/// key database (so its files exist) and logged any warning; stopped when the value goes.
private final class ListeningServe {
    let process: Process
    private let errors = Pipe()
    private(set) var log = ""

    init(_ cli: BinaryRunner) throws {
        process = cli.makeProcess(["serve", "--host", "127.0.0.1", "--port", String(try ServeProcessTests.freePort())])
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        while !log.contains("listening on") {
            let data = errors.fileHandleForReading.availableData
            if data.isEmpty { break }
            log += String(decoding: data, as: UTF8.self)
        }
    }

    /// Stops the server; its whole log.
    func stop() -> String {
        process.terminate()
        process.waitUntilExit()
        log += String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return log
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}
