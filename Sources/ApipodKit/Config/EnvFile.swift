/// A `.env` file as the original service's users write them (godotenv's common subset):
/// `KEY=value` lines, `export KEY=value`, `#` comments, and single- or double-quoted values
/// (double quotes understand `\n`, `\"` and `\\`). Lines end at LF; the CR before it in a file
/// written on Windows goes with the white space trimmed from each line, as in godotenv.
public struct EnvFile: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public let value: String
        public let line: Int
    }

    public let path: String
    public let entries: [String: Entry]

    public init(path: String, contents: String) throws(ConfigurationError) {
        self.path = path
        var entries: [String: Entry] = [:]
        // Split on bytes: Swift reads "\r\n" as one Character, which no "\n" split would find.
        for (offset, rawLine) in contents.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            let number = offset + 1
            var line = Substring(String(decoding: rawLine, as: UTF8.self).trimmingASCIIWhitespace())
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = line.dropFirst("export ".count) }
            guard let equals = line.firstIndex(of: "=") else {
                throw .envFileSyntax(path: path, line: number, problem: "expected KEY=value")
            }
            let key = String(line[..<equals]).trimmingASCIIWhitespace()
            guard !key.isEmpty, key.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }) else {
                // Not repeated: a line such as `ANTIGRAVITY_KEY sk-…=…` would put a secret in the message.
                throw .envFileSyntax(path: path, line: number, problem: "the text before '=' is not a variable name (letters, digits, _)")
            }
            let value = try Self.value(String(line[line.index(after: equals)...]).trimmingASCIIWhitespace(), path: path, line: number)
            entries[key] = Entry(value: value, line: number)
        }
        self.entries = entries
    }

    private static func value(_ raw: String, path: String, line: Int) throws(ConfigurationError) -> String {
        guard let quote = raw.first, quote == "\"" || quote == "'" else {
            // Unquoted: a ` #` starts a comment, and so does a `#` where the value would begin
            // (`PORT= # none` is empty; the space before it was trimmed already).
            if raw.hasPrefix("#") { return "" }
            if let comment = raw.firstRange(of: " #") { return String(raw[..<comment.lowerBound]).trimmingASCIIWhitespace() }
            return raw
        }
        var result = ""
        var escaped = false
        for (index, character) in raw.dropFirst().enumerated() {
            if escaped {
                switch character {
                case "n": result.append("\n")
                case "t": result.append("\t")
                default: result.append(character)
                }
                escaped = false
            } else if character == "\\" && quote == "\"" {
                escaped = true
            } else if character == quote {
                let rest = raw.dropFirst(index + 2).trimmingASCIIWhitespace()
                guard rest.isEmpty || rest.hasPrefix("#") else {
                    throw .envFileSyntax(path: path, line: line, problem: "unexpected text after the closing quote")
                }
                return result
            } else {
                result.append(character)
            }
        }
        throw .envFileSyntax(path: path, line: line, problem: "missing closing \(quote)")
    }
}

extension Substring {
    func trimmingASCIIWhitespace() -> String { String(self).trimmingASCIIWhitespace() }
}
