/// Writes the bash, zsh and fish completion scripts from the command table.
/// All three track the command path the same way: starting at `root`, each word that names a
/// subcommand moves to `parent/sub` (e.g. `keys/create`); then they offer that command's
/// subcommands and options, or, after an option that takes a value, files or nothing.
struct CompletionWriter {
    enum Shell: String, CaseIterable {
        case bash, zsh, fish

        /// The committed file's name under `completions/`.
        var fileName: String {
            switch self {
            case .bash: "apipodctl.bash"
            case .zsh: "_apipodctl"
            case .fish: "apipodctl.fish"
            }
        }
    }

    let root: CommandSpec

    func render(_ shell: Shell) -> String {
        switch shell {
        case .bash: bash()
        case .zsh: zsh()
        case .fish: fish()
        }
    }

    /// Each command with its path key (`root`, `keys`, `keys/create`).
    private var commands: [(key: String, command: CommandSpec)] {
        root.walk().map { ($0.path.isEmpty ? "root" : $0.path.joined(separator: "/"), $0.command) }
    }

    private var transitions: [(from: String, word: String, to: String)] {
        commands.flatMap { key, command in
            command.subcommands.map { sub in (key, sub.name, key == "root" ? sub.name : "\(key)/\(sub.name)") }
        }
    }

    /// Words offered at a command: subcommands, options, and for `help`, the command names.
    private func words(of key: String, _ command: CommandSpec) -> [String] {
        var words = command.subcommands.map(\.name)
        if key == "help" { words += root.subcommands.map(\.name) }
        for option in command.allOptions {
            words.append(option.spelling)
            if let short = option.short { words.append("-\(short)") }
        }
        return words
    }

    /// The end of the bash/zsh loop that walks the words typed so far to the command path.
    private var pathTracking: String {
        transitions.map { "            \($0.from)/\($0.word)) cmd_path=\($0.to) ;;\n" }.joined()
            + "        esac\n    done\n"
    }

    /// bash/zsh `case` arms for "the word before the cursor is an option that takes a value".
    private func valueCases(_ action: (ValueSpec) -> String) -> String {
        var out = ""
        for (key, command) in commands {
            for option in command.allOptions {
                guard let value = option.value else { continue }
                let names = (["--\(option.long)"] + (option.short.map { ["-\($0)"] } ?? [])).map { "\"\(key) \($0)\"" }
                out += "        \(names.joined(separator: "|"))) \(action(value)); return ;;\n"
            }
        }
        return out
    }

    private func bash() -> String {
        var out = """
            # bash completion for apipodctl. Generated from its command table; do not edit.
            # Install: source this file, or copy it to /usr/share/bash-completion/completions/apipodctl
            _apipodctl() {
                local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"
                local cmd_path=root i
                for ((i = 1; i < COMP_CWORD; i++)); do
                    case "$cmd_path/${COMP_WORDS[i]}" in

            """
        out += pathTracking + "    case \"$cmd_path $prev\" in\n"
        out += valueCases { value in
            switch value.completion {
            case .file: "COMPREPLY=($(compgen -f -- \"$cur\"))"
            case .directory: "COMPREPLY=($(compgen -d -- \"$cur\"))"
            case .values(let values): "COMPREPLY=($(compgen -W \"\(values.joined(separator: " "))\" -- \"$cur\"))"
            case .none: "COMPREPLY=()"
            }
        }
        out += "    esac\n    local words\n    case \"$cmd_path\" in\n"
        for (key, command) in commands {
            out += "        \(key)) words=\"\(words(of: key, command).joined(separator: " "))\" ;;\n"
        }
        out += """
                esac
                COMPREPLY=($(compgen -W "$words" -- "$cur"))
            }
            complete -F _apipodctl apipodctl

            """
        return out
    }

    private func zsh() -> String {
        var out = """
            #compdef apipodctl
            # zsh completion for apipodctl. Generated from its command table; do not edit.
            # Install: copy to a folder on $fpath as _apipodctl.
            _apipodctl() {
                local cmd_path=root i prev="${words[CURRENT-1]}"
                for ((i = 2; i < CURRENT; i++)); do
                    case "$cmd_path/${words[i]}" in

            """
        out += pathTracking + "    case \"$cmd_path $prev\" in\n"
        out += valueCases { value in
            switch value.completion {
            case .file: "_files"
            case .directory: "_files -/"
            case .values(let values): "compadd -- \(values.joined(separator: " "))"
            case .none: "_message '\(value.placeholder.lowercased())'"
            }
        }
        out += "    esac\n    local -a candidates\n    case \"$cmd_path\" in\n"
        for (key, command) in commands {
            var entries = command.subcommands.map { "'\($0.name):\(quoted($0.abstract))'" }
            if key == "help" { entries += root.subcommands.map { "'\($0.name):\(quoted($0.abstract))'" } }
            for option in command.allOptions {
                entries.append("'\(option.spelling):\(quoted(option.help))'")
                if let short = option.short { entries.append("'-\(short):\(quoted(option.help))'") }
            }
            out += "        \(key)) candidates=(\(entries.joined(separator: " "))) ;;\n"
        }
        out += """
                esac
                _describe 'apipodctl' candidates
            }
            _apipodctl "$@"

            """
        return out
    }

    private func fish() -> String {
        var out = """
            # fish completion for apipodctl. Generated from its command table; do not edit.
            # Install: copy to ~/.config/fish/completions/apipodctl.fish
            function __apipodctl_at
                set -l cmd_path root
                for word in (commandline -opc)[2..-1]
                    switch "$cmd_path/$word"

            """
        for (from, word, to) in transitions {
            out += "            case \(from)/\(word)\n                set cmd_path \(to)\n"
        }
        out += """
                    end
                end
                test "$cmd_path" = "$argv[1]"
            end
            complete -c apipodctl -f

            """
        for (key, command) in commands {
            let condition = "-n '__apipodctl_at \(key)'"
            for sub in command.subcommands {
                out += "complete -c apipodctl \(condition) -a \(sub.name) -d '\(quoted(sub.abstract))'\n"
            }
            if key == "help" {
                for sub in root.subcommands {
                    out += "complete -c apipodctl \(condition) -a \(sub.name) -d '\(quoted(sub.abstract))'\n"
                }
            }
            for option in command.allOptions {
                var line = "complete -c apipodctl \(condition) -l \(option.long)"
                if let short = option.short { line += " -s \(short)" }
                if let value = option.value {
                    line += " -r"
                    switch value.completion {
                    case .file, .directory: line += " -F"
                    case .values(let values): line += " -a '\(values.joined(separator: " "))'"
                    case .none: break
                    }
                }
                out += line + " -d '\(quoted(option.help))'\n"
            }
        }
        return out
    }

    /// Text inside single quotes, in all three shells: close, escape, reopen.
    private func quoted(_ text: String) -> String {
        text.replacing("'", with: "'\\''")
    }
}
