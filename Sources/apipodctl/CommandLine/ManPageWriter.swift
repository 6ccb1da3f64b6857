/// Writes `man/apipodctl.1` (roff) from the command table. No date in it, so the committed
/// page changes only when the table does.
struct ManPageWriter {
    let root: CommandSpec

    func render() -> String {
        let help = HelpFormatter(root: root)
        var out = """
            .TH APIPODCTL 1 "" "apipodctl \(CommandTable.version)" "User Commands"
            .SH NAME
            apipodctl \\- \(escape(root.abstract))
            .SH SYNOPSIS

            """
        for (path, command) in root.walk() where command.subcommands.isEmpty && !path.isEmpty {
            out += ".B " + escape(help.usage(of: command, named: ([root.name] + path).joined(separator: " "))) + "\n.br\n"
        }
        out += ".B apipodctl \\-\\-version\n"
        out += ".SH DESCRIPTION\n" + escape(root.discussion) + "\n"
        out += ".SH COMMANDS\n"
        for (path, command) in root.walk() where command.subcommands.isEmpty && !path.isEmpty {
            out += ".SS " + escape(path.joined(separator: " ")) + "\n"
            out += escape(command.abstract) + "\n"
            if !command.discussion.isEmpty { out += ".PP\n" + escape(command.discussion) + "\n" }
            for argument in command.arguments {
                out += ".TP\n.I " + escape(argument.placeholder) + "\n" + escape(argument.help) + "\n"
            }
            for option in command.allOptions {
                out += ".TP\n.B " + escape(option.label) + "\n" + escape(option.help) + "\n"
            }
        }
        out += ".SH ENVIRONMENT\nFlags win over environment variables, which win over ./.env (or \\-\\-env\\-file), which wins over defaults.\n"
        for (name, text) in CommandTable.environment {
            out += ".TP\n.B \(name.rawValue)\n" + escape(text) + "\n"
        }
        out += ".SH EXIT STATUS\n"
        for (status, meaning) in CommandTable.exitStatuses {
            out += ".TP\n.B \(status.rawValue)\n" + escape(meaning) + "\n"
        }
        out += ".SH EXAMPLES\n"
        for (_, command) in root.walk() {
            for example in command.examples {
                out += ".TP\n.B " + escape(example.command) + "\n" + escape(example.explanation) + "\n"
            }
        }
        out += ".SH SEE ALSO\n.BR sqlite3 (1)\n"
        return out
    }

    /// Escapes text for roff: backslashes, hyphens (so they render as minus signs in options)
    /// and a leading dot or quote, which roff would read as a request.
    private func escape(_ text: String) -> String {
        var out = text.replacing("\\", with: "\\e").replacing("-", with: "\\-")
        if out.hasPrefix(".") || out.hasPrefix("'") { out = "\\&" + out }
        return out
    }
}
