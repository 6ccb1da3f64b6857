import Foundation
import Testing

/// `route`, `db`, `serve`'s configuration checks, help and version, as a separate process.
struct CommandsTests {
    let cli = BinaryRunner()

    @Test func routeSimulateIsRepeatableAndFitsTheWeights() throws {
        defer { cli.remove() }
        let first = try cli.run("route", "simulate", "-n", "100000", "--seed", "42")
        let second = try cli.run("route", "simulate", "--count=100000", "--seed=42")
        #expect(first.status == 0)
        #expect(first.stdout == second.stdout)
        #expect(first.stdout.hasPrefix("cursor-pro-sonnet: 100000 draws, seed 42\n"))
        #expect(first.stdout.contains("claude-sonnet-4-5"))
        #expect(first.stdout.contains("20.00 %"))
        #expect(first.stdout.contains("consistent with the configured weights"))
    }

    @Test func routeSimulateJSONAndRoutesFile() throws {
        defer { cli.remove() }
        try cli.write("routes.json", #"{"aliases": {"fast": {"targets": [{"model": "a", "weight": 1}, {"model": "b", "weight": 1}]}}}"#)
        let result = try cli.run("route", "simulate", "--routes", "routes.json", "--model", "fast", "-n", "1000", "--seed", "1", "--json")
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let targets = try #require(object["targets"] as? [[String: Any]])
        #expect(targets.map { $0["model"] as? String } == ["a", "b"])
        #expect(targets.compactMap { $0["count"] as? Int }.reduce(0, +) == 1000)
        #expect(object["consistent"] as? Bool == true)
    }

    @Test func routeSimulateRejectsBadInput() throws {
        defer { cli.remove() }
        let badCount = try cli.run("route", "simulate", "-n", "lots")
        #expect(badCount.status == 64)
        #expect(badCount.stderr.hasPrefix("apipodctl: invalid value 'lots' for '-n': expected a whole number"))
        let badRoutes = try cli.run("route", "simulate", "--routes", "missing.json")
        #expect(badRoutes.status == 78)
        #expect(badRoutes.stderr.contains("--routes (ROUTES_FILE)"))
    }

    /// The rankings pinned in SessionRankingTests (computed by an independent implementation
    /// of the documented hash): the command prints what `serve` ranks.
    @Test func routeSimulateSessionPrintsItsRanking() throws {
        defer { cli.remove() }
        let builtIn = try cli.run("route", "simulate", "--session", "session-4")
        #expect(builtIn.status == 0)
        #expect(builtIn.stdout == "claude-sonnet-4-5\ngemini-3-flash\n")
        #expect(try cli.run("route", "simulate", "--session=session-1").stdout == "gemini-3-flash\nclaude-sonnet-4-5\n")

        try cli.write("routes.json", #"{"aliases": {"three": {"targets": [{"model": "a", "weight": 1}, {"model": "b", "weight": 2}, {"model": "c", "weight": 3}]}}}"#)
        let json = try cli.run("route", "simulate", "--routes", "routes.json", "--model", "three", "--session", "session-7", "--json")
        #expect(json.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object.keys.sorted() == ["ranking"])
        #expect(object["ranking"] as? [String] == ["c", "a", "b"])

        let passThrough = try cli.run("route", "simulate", "--model", "gpt-4o", "--session", "s")
        #expect(passThrough.stdout == "gpt-4o\n")
    }

    @Test func routeSimulateSessionsTestsTheStickySplit() throws {
        defer { cli.remove() }
        let first = try cli.run("route", "simulate", "--sessions", "20000", "--seed", "7")
        let second = try cli.run("route", "simulate", "--sessions=20000", "--seed=7")
        #expect(first.status == 0)
        #expect(first.stdout == second.stdout)
        #expect(first.stdout.hasPrefix("cursor-pro-sonnet: 20000 sessions, seed 7\n"))
        #expect(first.stdout.contains("consistent with the configured weights"))
        let draws = try cli.run("route", "simulate", "-n", "20000", "--seed", "7")
        #expect(draws.stdout != first.stdout, "sessions are ranked, not drawn")

        try cli.write("routes.json", #"{"aliases": {"fast": {"targets": [{"model": "a", "weight": 1}, {"model": "b", "weight": 3}]}}}"#)
        let json = try cli.run("route", "simulate", "--routes", "routes.json", "--model", "fast", "--sessions", "4000", "--seed", "1", "--json")
        #expect(json.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["sessions"] as? Int == 4000)
        let targets = try #require(object["targets"] as? [[String: Any]])
        #expect(targets.map { $0["model"] as? String } == ["a", "b"])
        #expect(targets.compactMap { $0["count"] as? Int }.reduce(0, +) == 4000)
        #expect(object["consistent"] as? Bool == true)
    }

    @Test(arguments: [
        (["--session", "s", "--sessions", "10"], "options '--session' and '--sessions' cannot be used together"),
        (["--session", "s", "-n", "10"], "options '--session' and '-n' cannot be used together"),
        (["--session", "s", "--seed", "1"], "options '--session' and '--seed' cannot be used together"),
        (["--sessions", "10", "--count", "10"], "options '--sessions' and '-n' cannot be used together"),
        (["--sessions", "0"], "invalid value '0' for '--sessions': expected a whole number"),
        (["--sessions", "many"], "invalid value 'many' for '--sessions': expected a whole number"),
        (["--session", ""], "invalid value '' for '--session': a session id must not be empty"),
        (["--session"], "option '--session' of 'route simulate' needs a value"),
    ])
    func routeSimulateSessionUsageErrorsNameTheOption(arguments: [String], message: String) throws {
        defer { cli.remove() }
        let result = try cli.run(["route", "simulate"] + arguments)
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix("apipodctl: \(message)"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func dbMigrateTwiceIsANoOp() throws {
        defer { cli.remove() }
        let first = try cli.run("db", "migrate")
        #expect(first.status == 0)
        #expect(first.stdout.contains("applied 001_create_api_keys, 002_adopt_seed_users"))
        let second = try cli.run("db", "migrate")
        #expect(second.status == 0)
        #expect(second.stdout.contains("schema is up to date"))
    }

    @Test func serveRefusesBadConfigurationWithExit78() throws {
        defer { cli.remove() }
        let badPort = try cli.run("serve", "--port", "70000")
        #expect(badPort.status == 78)
        #expect(badPort.stderr == "apipodctl: bad configuration: --port (PORT) '70000' is not a port number (1–65535)\n")

        var runner = cli
        runner.environment["ADMIN_SECRET"] = "short"
        let shortSecret = try runner.run("serve")
        #expect(shortSecret.status == 78)
        #expect(shortSecret.stderr.contains("ADMIN_SECRET (from the environment) is 5 characters long"))
        #expect(!shortSecret.stderr.contains("short\n"))

        let missingEnvFile = try cli.run("serve", "--env-file", "nope.env")
        #expect(missingEnvFile.status == 78)
        #expect(missingEnvFile.stderr == "apipodctl: cannot read the environment file 'nope.env': No such file or directory\n")
    }

    @Test func helpVersionAndUnknownCommands() throws {
        defer { cli.remove() }
        let version = try cli.run("--version")
        #expect(version.status == 0 && version.stdout.hasPrefix("apipodctl "))
        let help = try cli.run("help", "keys", "create")
        #expect(help.status == 0)
        #expect(help.stdout == (try cli.run("keys", "create", "--help")).stdout)
        #expect(help.stdout.contains("USAGE: apipodctl keys create --name NAME"))
        let noArgs = try cli.run()
        #expect(noArgs.status == 0 && noArgs.stdout.contains("SUBCOMMANDS:"))
        let unknown = try cli.run("kyes", "list")
        #expect(unknown.status == 64)
        #expect(unknown.stderr == "apipodctl: unknown command 'kyes'; did you mean 'keys'?\nSee 'apipodctl --help'.\n")
        let unknownHelp = try cli.run("help", "rout")
        #expect(unknownHelp.status == 64)
        #expect(unknownHelp.stderr.contains("did you mean 'route'?"))
    }

    @Test func bashCompletionOffersCommandsOptionsAndFiles() throws {
        defer { cli.remove() }
        let script = GeneratedFilesTests.packageRoot + "/completions/apipodctl.bash"
        func complete(_ line: String) throws -> [String] {
            let words = line.split(separator: " ", omittingEmptySubsequences: false).map { "'\($0)'" }.joined(separator: " ")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = ["-c", "source '\(script)'; COMP_WORDS=(\(words)); COMP_CWORD=\(words.split(separator: " ").count - 1); _apipodctl; printf '%s\\n' \"${COMPREPLY[@]}\""]
            process.currentDirectoryURL = cli.directory
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        }
        #expect(try complete("apipodctl k") == ["keys"])
        #expect(Set(try complete("apipodctl keys ")) == ["create", "list", "limit", "disable", "enable", "--help", "-h"])
        #expect(try complete("apipodctl keys create --ex") == ["--expires-in"])
        try cli.write("routes.json", "{}")
        #expect(try complete("apipodctl route simulate --routes rou") == ["routes.json"])
        #expect(try complete("apipodctl help ro") == ["route"])
    }
}
