import ApipodKit

/// One command of the tree: its words, options, arguments and subcommands. The whole command
/// line is one value of this type (`CommandTable.root`); the parser, the help text, the man
/// page and the three completion scripts are all read from it, so they cannot disagree.
struct CommandSpec: Sendable {
    var name: String
    var abstract: String
    var discussion: String = ""
    var options: [OptionSpec] = []
    var arguments: [ArgumentSpec] = []
    var subcommands: [CommandSpec] = []
    var examples: [Example] = []

    /// The options a user can type here, the built-in `--help` included.
    var allOptions: [OptionSpec] { options + [.help] }

    func subcommand(named name: String) -> CommandSpec? {
        subcommands.first { $0.name == name }
    }

    /// The command at `path` below this one (`["keys", "create"]`).
    func descendant(at path: [String]) -> CommandSpec? {
        var command = self
        for word in path {
            guard let next = command.subcommand(named: word) else { return nil }
            command = next
        }
        return command
    }

    /// Every command of the tree with its path, depth first, this one first.
    func walk(path: [String] = []) -> [(path: [String], command: CommandSpec)] {
        [(path, self)] + subcommands.flatMap { $0.walk(path: path + [$0.name]) }
    }
}

struct OptionSpec: Sendable {
    var long: String
    var short: Character? = nil
    /// Nil for a flag; otherwise the value's placeholder and how to complete it.
    var value: ValueSpec? = nil
    var help: String
    var isRequired = false
    /// The configuration variable this option overrides, if any.
    var setting: SettingName? = nil

    var spelling: String { "--\(long)" }

    var synopsis: String {
        let name = short.map { "-\($0)" } ?? spelling
        let text = value.map { "\(name) \($0.placeholder)" } ?? name
        return isRequired ? text : "[\(text)]"
    }

    var label: String {
        let names = (short.map { "-\($0), " } ?? "") + spelling
        return value.map { "\(names) \($0.placeholder)" } ?? names
    }

    static let help = OptionSpec(long: "help", short: "h", help: "Show help for this command.")
}

struct ValueSpec: Sendable {
    var placeholder: String
    var completion: Completion = .none
}

struct ArgumentSpec: Sendable {
    var placeholder: String
    var help: String
    /// True for a trailing list of zero or more words (`help [COMMAND ...]`).
    var isVariadic = false

    var synopsis: String { isVariadic ? "[\(placeholder) ...]" : placeholder }
}

/// What a shell may offer for a value.
enum Completion: Sendable, Equatable {
    case none
    case file
    case directory
    case values([String])
}

struct Example: Sendable {
    var command: String
    var explanation: String
}
