/// A mistake on the command line. Data, not text: `CLI` renders it as one line plus a hint,
/// and every case exits with 64 (EX_USAGE).
enum ParseError: Error, Equatable {
    case unknownCommand(word: String, path: [String], suggestion: String?)
    case unknownOption(option: String, path: [String], suggestion: String?)
    case missingValue(option: String, path: [String])
    case unexpectedValue(option: String, path: [String])
    case missingRequiredOption(option: String, path: [String])
    case missingArgument(placeholder: String, path: [String])
    case unexpectedArgument(word: String, path: [String])
    case repeatedOption(option: String, path: [String])
    case conflictingOptions(option: String, other: String, path: [String])
    case invalidValue(value: String, option: String, path: [String], expected: String)

    /// The command the mistake was made in, for the `--help` hint.
    var path: [String] {
        switch self {
        case .unknownCommand(_, let path, _), .unknownOption(_, let path, _), .missingValue(_, let path),
             .unexpectedValue(_, let path), .missingRequiredOption(_, let path), .missingArgument(_, let path),
             .unexpectedArgument(_, let path), .repeatedOption(_, let path), .conflictingOptions(_, _, let path), .invalidValue(_, _, let path, _):
            path
        }
    }

    var message: String {
        let command = path.isEmpty ? "apipodctl" : path.joined(separator: " ")
        func hint(_ suggestion: String?) -> String { suggestion.map { "; did you mean '\($0)'?" } ?? "" }
        switch self {
        case .unknownCommand(let word, _, let suggestion):
            return "unknown command '\(word)'\(path.isEmpty ? "" : " for '\(command)'")\(hint(suggestion))"
        case .unknownOption(let option, _, let suggestion):
            return "unknown option '\(option)' for '\(command)'\(hint(suggestion))"
        case .missingValue(let option, _):
            return "option '\(option)' of '\(command)' needs a value"
        case .unexpectedValue(let option, _):
            return "option '\(option)' of '\(command)' takes no value"
        case .missingRequiredOption(let option, _):
            return "'\(command)' needs '\(option)'"
        case .missingArgument(let placeholder, _):
            return "'\(command)' needs an argument: \(placeholder)"
        case .unexpectedArgument(let word, _):
            return "unexpected argument '\(word)' for '\(command)'"
        case .repeatedOption(let option, _):
            return "option '\(option)' is given more than once"
        case .conflictingOptions(let option, let other, _):
            return "options '\(option)' and '\(other)' cannot be used together"
        case .invalidValue(let value, let option, _, let expected):
            return "invalid value '\(value)' for '\(option)': \(expected)"
        }
    }
}
