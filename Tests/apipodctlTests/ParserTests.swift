import Synchronization
import Testing
@testable import ApipodCLI

struct ParserTests {
    let parser = Parser(root: CommandTable.root)

    @Test func parsesLongShortInlineAndSeparatedValues() throws {
        let invocation = try parser.parse(["route", "simulate", "-n5", "--seed=42", "--model", "gpt-4o", "--json"])
        #expect(invocation.path == ["route", "simulate"])
        #expect(invocation.options == ["count": "5", "seed": "42", "model": "gpt-4o", "json": ""])
    }

    @Test func doubleDashEndsOptions() throws {
        let invocation = try parser.parse(["keys", "disable", "--", "-5"])
        #expect(invocation.arguments == ["-5"])
    }

    /// Issue 17 item 14: the comment said a value may start with '-', but any such word was
    /// taken for an option, so `--name -alice` failed.
    @Test func aValueMayStartWithADashUnlessItSpellsAnOption() throws {
        #expect(try parser.parse(["keys", "create", "--name", "-alice"]).value("name") == "-alice")
        #expect(try parser.parse(["keys", "create", "--name", "-"]).value("name") == "-")
        #expect(try parser.parse(["route", "simulate", "-n", "-5"]).value("count") == "-5")
        #expect(try parser.parse(["route", "simulate", "--model", "-x"]).value("model") == "-x")
        #expect(throws: ParseError.missingValue(option: "--name", path: ["keys", "create"])) {
            try parser.parse(["keys", "create", "--name", "-h"])
        }
        #expect(throws: ParseError.missingValue(option: "--model", path: ["route", "simulate"])) {
            try parser.parse(["route", "simulate", "--model", "-n5"])
        }
        #expect(throws: ParseError.missingValue(option: "--name", path: ["keys", "create"])) {
            try parser.parse(["keys", "create", "--name", "--nmae"])
        }
    }

    @Test func combinedShortFlags() throws {
        let invocation = try parser.parse(["keys", "list", "-ah"])
        #expect(invocation.request == .help)
        #expect(invocation.flag("all"))
    }

    @Test func helpAndVersion() throws {
        #expect(try parser.parse([]).request == .help)
        #expect(try parser.parse(["keys"]).request == .help)
        #expect(try parser.parse(["keys", "create", "--help"]) == Invocation(request: .help, path: ["keys", "create"], options: ["help": ""]))
        #expect(try parser.parse(["--version"]).request == .version)
    }

    static let mistakes: [([String], ParseError)] = [
        (["kyes"], ParseError.unknownCommand(word: "kyes", path: [], suggestion: "keys")),
        (["keys", "craete"], .unknownCommand(word: "craete", path: ["keys"], suggestion: "create")),
        (["keys", "create", "--nmae", "x"], .unknownOption(option: "--nmae", path: ["keys", "create"], suggestion: "--name")),
        (["keys", "create"], .missingRequiredOption(option: "--name", path: ["keys", "create"])),
        (["keys", "create", "--name"], .missingValue(option: "--name", path: ["keys", "create"])),
        (["keys", "create", "--name", "--json"], .missingValue(option: "--name", path: ["keys", "create"])),
        (["keys", "create", "--name", "a", "--name", "b"], .repeatedOption(option: "--name", path: ["keys", "create"])),
        (["keys", "create", "--json=yes", "--name", "a"], .unexpectedValue(option: "--json", path: ["keys", "create"])),
        (["keys", "disable"], .missingArgument(placeholder: "ID|KEY|PREFIX", path: ["keys", "disable"])),
        (["keys", "disable", "1", "2"], .unexpectedArgument(word: "2", path: ["keys", "disable"])),
        (["serve", "-x"], .unknownOption(option: "-x", path: ["serve"], suggestion: nil)),
        (["--keys"], .unknownOption(option: "--keys", path: [], suggestion: "keys")),
    ]

    @Test(arguments: mistakes)
    func mistakesAreReportedPrecisely(words: [String], error: ParseError) {
        #expect(throws: error) { try parser.parse(words) }
    }

    /// What `main` does with the words: every mistake exits with 64 (EX_USAGE), which scripts
    /// tell from a command that ran and failed, and prints its message and the help hint.
    @Test(arguments: mistakes)
    func mistakesExitWithStatus64(words: [String], error: ParseError) {
        let stderr = Mutex("")
        let console = Console(out: { _ in }, err: { text in stderr.withLock { $0 += text } }, outputIsTerminal: false)
        let status = CLI.run(["apipodctl"] + words, environment: [:], console: console)
        #expect(status == 64)
        let command = (["apipodctl"] + error.path).joined(separator: " ")
        #expect(stderr.withLock { $0 } == "apipodctl: \(error.message)\nSee '\(command) --help'.\n")
    }

    @Test func errorMessagesReadAsTheSpecShowsThem() {
        let error = ParseError.unknownOption(option: "--nmae", path: ["keys", "create"], suggestion: "--name")
        #expect(error.message == "unknown option '--nmae' for 'keys create'; did you mean '--name'?")
    }
}

struct HelpFormatterTests {
    @Test func everyCommandHasHelpWithUsageAndOptions() {
        let formatter = HelpFormatter(root: CommandTable.root)
        for (path, command) in CommandTable.root.walk() {
            let text = formatter.help(for: path)
            #expect(text.hasPrefix("OVERVIEW: \(command.abstract)\n"))
            #expect(text.contains("USAGE: apipodctl"))
            for option in command.allOptions { #expect(text.contains(option.label)) }
            let longest = text.split(separator: "\n").map(\.count).max() ?? 0
            #expect(longest <= HelpFormatter.width, "help for '\(path.joined(separator: " "))' has a line over the width")
        }
    }

    @Test func keysCreateUsageLine() {
        let usage = HelpFormatter(root: CommandTable.root).shortUsage(for: ["keys", "create"])
        #expect(usage == "apipodctl keys create --name NAME [--tier TIER] [--expires-in DURATION] [--rpm N] [--concurrency N] [--daily-tokens N] [--json] [--db PATH] [--env-file PATH]")
    }
}
