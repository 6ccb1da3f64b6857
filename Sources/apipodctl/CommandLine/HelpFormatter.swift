/// Renders `--help` text from the command table, in the layout of swift-argument-parser:
/// OVERVIEW, USAGE, ARGUMENTS, OPTIONS, SUBCOMMANDS, EXAMPLES, at a fixed width so the text
/// is the same on every terminal and in tests.
struct HelpFormatter {
    static let width = 80
    static let labelColumn = 28

    let root: CommandSpec

    func help(for path: [String]) -> String {
        guard let command = root.descendant(at: path) else { return help(for: []) }
        let fullName = ([root.name] + path).joined(separator: " ")
        var out = Self.wrap("OVERVIEW: " + command.abstract, indent: 0, hanging: 10) + "\n"
        if !command.discussion.isEmpty {
            out += "\n" + Self.wrap(command.discussion, indent: 0) + "\n"
        }
        // Wrap between options, never inside one: "[--routes PATH]" stays on one line.
        let unbreakable = usage(of: command, named: fullName, separator: "\u{a0}")
        out += "\n" + Self.wrap("USAGE: " + unbreakable, indent: 0, hanging: 7).replacing("\u{a0}", with: " ") + "\n"
        if !command.arguments.isEmpty {
            out += "\nARGUMENTS:\n"
            for argument in command.arguments {
                out += Self.row(label: "<\(argument.placeholder)>", text: argument.help)
            }
        }
        out += "\nOPTIONS:\n"
        for option in command.allOptions {
            out += Self.row(label: option.label, text: option.help + (option.isRequired ? " (required)" : ""))
        }
        if !command.subcommands.isEmpty {
            out += "\nSUBCOMMANDS:\n"
            for subcommand in command.subcommands {
                out += Self.row(label: subcommand.name, text: subcommand.abstract)
            }
            out += "\n  See '\(root.name) help \(path.isEmpty ? "" : path.joined(separator: " ") + " ")<subcommand>' for detailed help.\n"
        }
        if !command.examples.isEmpty {
            out += "\nEXAMPLES:\n"
            for example in command.examples {
                out += "  " + example.command + "\n" + Self.wrap(example.explanation, indent: 6) + "\n"
            }
        }
        return out
    }

    /// One line: the command's name and its options and arguments in short form.
    /// `separator` goes between the words of one option (`--db PATH`).
    func usage(of command: CommandSpec, named fullName: String, separator: String = " ") -> String {
        var parts = command.options.map(\.synopsis) + command.arguments.map(\.synopsis)
        if !command.subcommands.isEmpty { parts = command.options.map(\.synopsis) + ["<subcommand>"] }
        return ([fullName] + parts.map { $0.replacing(" ", with: separator) }).joined(separator: " ")
    }

    /// "Usage: …" for the line under an error message.
    func shortUsage(for path: [String]) -> String {
        guard let command = root.descendant(at: path) else { return "" }
        return usage(of: command, named: ([root.name] + path).joined(separator: " "))
    }

    private static func row(label: String, text: String) -> String {
        let labelText = "  " + label
        if labelText.count + 2 <= labelColumn {
            let padded = labelText + String(repeating: " ", count: labelColumn - labelText.count)
            return padded + wrap(text, indent: labelColumn).dropFirst(labelColumn) + "\n"
        }
        return labelText + "\n" + wrap(text, indent: labelColumn) + "\n"
    }

    /// Wraps `text` to the width, the first line indented by `indent` spaces and the others
    /// by `hanging` (default: the same).
    static func wrap(_ text: String, indent: Int, hanging: Int? = nil) -> String {
        var margin = String(repeating: " ", count: indent)
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            if !line.isEmpty && margin.count + line.count + 1 + word.count > width {
                lines.append(margin + line)
                line = ""
                margin = String(repeating: " ", count: hanging ?? indent)
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty || lines.isEmpty { lines.append(margin + line) }
        return lines.joined(separator: "\n")
    }
}
