import ApipodKit

/// What the user asked for, once the words are sorted out.
struct Invocation: Equatable {
    enum Request: Equatable {
        /// Run the command at `path`.
        case run
        /// Show help for the command at `path`.
        case help
        case version
    }

    var request: Request
    var path: [String]
    /// Option values by long name (`"name": "alice"`); flags map to an empty string.
    var options: [String: String] = [:]
    var arguments: [String] = []

    func value(_ long: String) -> String? { options[long] }
    func flag(_ long: String) -> Bool { options[long] != nil }
}

/// The hand-rolled parser: `apipodctl keys create --name=alice -n 5 -- -literal`.
/// Walks the command tree word by word; long options take `--opt value` or `--opt=value`,
/// short ones `-n 5` or `-n5`, flags combine (`-ah`), and `--` ends the options.
struct Parser {
    let root: CommandSpec

    func parse(_ words: [String]) throws(ParseError) -> Invocation {
        var command = root
        var invocation = Invocation(request: .run, path: [])
        var index = 0
        var optionsEnded = false

        // Subcommands first: a word naming a subcommand descends into it.
        while index < words.count, !command.subcommands.isEmpty {
            let word = words[index]
            if word.hasPrefix("-") && word != "-" { break }
            guard let next = command.subcommand(named: word) else {
                let suggestion = Suggestion.closest(to: word, among: command.subcommands.map(\.name))
                throw .unknownCommand(word: word, path: invocation.path, suggestion: suggestion)
            }
            command = next
            invocation.path.append(word)
            index += 1
        }

        while index < words.count {
            let word = words[index]
            index += 1
            if optionsEnded || word == "-" || !word.hasPrefix("-") {
                invocation.arguments.append(word)
                continue
            }
            if word == "--" {
                optionsEnded = true
                continue
            }
            if word.hasPrefix("--") {
                let body = word.dropFirst(2)
                let name = String(body.prefix { $0 != "=" })
                let inline = body.contains("=") ? String(body.drop { $0 != "=" }.dropFirst()) : nil
                guard let option = command.allOptions.first(where: { $0.long == name }) else {
                    if invocation.path.isEmpty, let sub = command.subcommand(named: name) {
                        // `apipodctl --keys` is almost certainly `apipodctl keys`.
                        throw .unknownOption(option: word, path: invocation.path, suggestion: sub.name)
                    }
                    let suggestion = Suggestion.closest(to: "--" + name, among: command.allOptions.map(\.spelling))
                    throw .unknownOption(option: "--" + name, path: invocation.path, suggestion: suggestion)
                }
                try take(
                    option, spelled: "--" + name, inline: inline, options: command.allOptions, words: words, index: &index,
                    into: &invocation)
            } else {
                var letters = Array(word.dropFirst())
                while !letters.isEmpty {
                    let letter = letters.removeFirst()
                    guard let option = command.allOptions.first(where: { $0.short == letter }) else {
                        throw .unknownOption(option: "-\(letter)", path: invocation.path, suggestion: nil)
                    }
                    let rest = option.value != nil && !letters.isEmpty ? String(letters) : nil
                    if rest != nil { letters.removeAll() }
                    try take(
                        option, spelled: "-\(letter)", inline: rest, options: command.allOptions, words: words, index: &index,
                        into: &invocation)
                }
            }
        }

        if invocation.flag("help") {
            invocation.request = .help
            return invocation
        }
        if invocation.path.isEmpty && invocation.flag("version") {
            invocation.request = .version
            return invocation
        }
        if !command.subcommands.isEmpty {
            // A group named without a subcommand shows its help.
            if let word = invocation.arguments.first {
                throw .unknownCommand(word: word, path: invocation.path, suggestion: nil)
            }
            invocation.request = .help
            return invocation
        }
        try check(invocation, against: command)
        return invocation
    }

    private func take(
        _ option: OptionSpec, spelled: String, inline: String?, options: [OptionSpec], words: [String], index: inout Int,
        into invocation: inout Invocation
    ) throws(ParseError) {
        if invocation.options[option.long] != nil && option.long != "help" {
            throw .repeatedOption(option: option.spelling, path: invocation.path)
        }
        guard option.value != nil else {
            if inline != nil { throw .unexpectedValue(option: spelled, path: invocation.path) }
            invocation.options[option.long] = ""
            return
        }
        if let inline {
            invocation.options[option.long] = inline
            return
        }
        // A following word is the value, even one starting with '-' (`--name -alice`, `-n -5`),
        // unless it starts with '--' or spells short options of this command (`--name -a`).
        guard index < words.count, !looksLikeOption(words[index], options: options) else {
            throw .missingValue(option: spelled, path: invocation.path)
        }
        invocation.options[option.long] = words[index]
        index += 1
    }

    private func looksLikeOption(_ word: String, options: [OptionSpec]) -> Bool {
        guard word.hasPrefix("-"), word.count > 1 else { return false }
        if word.hasPrefix("--") { return true }
        for letter in word.dropFirst() {
            guard let option = options.first(where: { $0.short == letter }) else { return false }
            // What follows a short option that takes a value is that value (`-n5`).
            if option.value != nil { return true }
        }
        return true
    }

    private func check(_ invocation: Invocation, against command: CommandSpec) throws(ParseError) {
        for option in command.options where option.isRequired && invocation.options[option.long] == nil {
            throw .missingRequiredOption(option: option.spelling, path: invocation.path)
        }
        let fixed = command.arguments.filter { !$0.isVariadic }
        if invocation.arguments.count < fixed.count {
            throw .missingArgument(placeholder: fixed[invocation.arguments.count].placeholder, path: invocation.path)
        }
        if invocation.arguments.count > fixed.count && !command.arguments.contains(where: \.isVariadic) {
            throw .unexpectedArgument(word: invocation.arguments[fixed.count], path: invocation.path)
        }
    }
}
