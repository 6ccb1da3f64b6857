import ApipodKit
import Glibc

/// The face of the binary: words in, exit status out. Parses with the command table, runs the
/// command, and turns every error into one line on stderr and a sysexits code.
public enum CLI {
    /// The process's arguments in, its exit status out (the executable's `main` is this call).
    public static func run(_ arguments: [String]) -> Int32 {
        run(arguments, environment: currentEnvironment(), console: .standard)
    }

    static func run(
        _ arguments: [String], environment: [String: String] = currentEnvironment(), console: Console = .standard
    ) -> Int32 {
        let root = CommandTable.root
        let invocation: Invocation
        do {
            invocation = try Parser(root: root).parse(Array(arguments.dropFirst()))
        } catch {
            return report(error, console: console)
        }
        let context = CommandContext(invocation: invocation, environment: environment, console: console)
        do {
            switch invocation.request {
            case .version:
                try console.out("apipodctl \(CommandTable.version)\n")
                return ExitStatus.success.rawValue
            case .help:
                try console.out(HelpFormatter(root: root).help(for: invocation.path))
                return ExitStatus.success.rawValue
            case .run:
                return try dispatch(context).rawValue
            }
        } catch let error as ParseError {
            return report(error, console: console)
        } catch let error as any UserFacingError {
            console.err("apipodctl: \(error.description)\n")
            return error.exitStatus.rawValue
        } catch {
            console.err("apipodctl: internal error: \(error)\n")
            return ExitStatus.software.rawValue
        }
    }

    private static func dispatch(_ context: CommandContext) throws -> ExitStatus {
        switch context.invocation.path.joined(separator: " ") {
        case "serve": try ServeCommand.run(context)
        case "keys create": try KeysCommands.create(context)
        case "keys list": try KeysCommands.list(context)
        case "keys disable": try KeysCommands.setActive(false, context)
        case "keys enable": try KeysCommands.setActive(true, context)
        case "keys limit": try KeysCommands.limit(context)
        case "tiers set": try TiersCommands.set(context)
        case "tiers list": try TiersCommands.list(context)
        case "route simulate": try RouteCommand.simulate(context)
        case "route check": try RouteCheckCommand.check(context)
        case "usage": try UsageCommand.run(context)
        case "db migrate": try DatabaseCommand.migrate(context)
        case "help": try showHelp(for: context.invocation.arguments, console: context.console)
        default: throw ParseError.unknownCommand(word: context.invocation.path.last ?? "", path: [], suggestion: nil)
        }
    }

    private static func showHelp(for words: [String], console: Console) throws -> ExitStatus {
        var command = CommandTable.root
        var path: [String] = []
        for word in words {
            guard let next = command.subcommand(named: word) else {
                let suggestion = Suggestion.closest(to: word, among: command.subcommands.map(\.name))
                throw ParseError.unknownCommand(word: word, path: path, suggestion: suggestion)
            }
            command = next
            path.append(word)
        }
        try console.out(HelpFormatter(root: CommandTable.root).help(for: path))
        return .success
    }

    private static func report(_ error: ParseError, console: Console) -> Int32 {
        let command = (["apipodctl"] + error.path).joined(separator: " ")
        console.err("apipodctl: \(error.message)\nSee '\(command) --help'.\n")
        return ExitStatus.usage.rawValue
    }
}

/// The process environment, read from `environ` without Foundation.
func currentEnvironment() -> [String: String] {
    var result: [String: String] = [:]
    var pointer = environ
    while let entry = pointer.pointee {
        let text = String(cString: entry)
        if let equals = text.firstIndex(of: "=") {
            result[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        pointer += 1
    }
    return result
}
