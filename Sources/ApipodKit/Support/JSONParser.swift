/// Reads a whole JSON document (RFC 8259) into a `JSONValue`, for the routes file and the admin
/// API's bodies: small inputs where every error must say what is wrong and where. (The request
/// path keeps `JSONScanner`, which validates a body without building any values.)
///
/// Stricter than the RFC requires where leniency would hide a mistake: a member name given twice
/// in one object is an error (parsers disagree on which one wins), and so is a number too large
/// for a `Double` (`1e400`), invalid UTF-8 and a lone surrogate escape. Names are Swift strings,
/// so two spellings of one name that are canonically equivalent (NFC `é` and NFD `e` + U+0301)
/// are the same name, and count as given twice.
struct JSONParser {
    /// Deeper nesting is refused rather than risking the stack on hostile input.
    static let maximumDepth = 512

    private let bytes: [UInt8]
    private var index = 0

    private init(_ bytes: [UInt8]) { self.bytes = bytes }

    static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        var parser = JSONParser(bytes)
        parser.skipWhitespace()
        let value = try parser.value(depth: 1)
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw parser.fail("unexpected text after the JSON value") }
        return value
    }

    private mutating func value(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth <= Self.maximumDepth else { throw fail("nested more than \(Self.maximumDepth) levels deep") }
        guard let byte = peek() else { throw fail("the document ends where a value should be") }
        switch byte {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw fail("unexpected \(Self.describe(byte)) where a value should be")
        }
    }

    private mutating func object(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        index += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if peek() == UInt8(ascii: "}") { index += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw fail("expected a member name in double quotes") }
            let nameStart = index
            let name = try string()
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw fail("expected ':' after the member name") }
            index += 1
            skipWhitespace()
            let member = try value(depth: depth + 1)
            if members.updateValue(member, forKey: name) != nil {
                index = nameStart
                throw fail("the member \(JSONOutput.string(name).rendered()) is given twice in one object")
            }
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"): index += 1; return .object(members)
            default: throw fail("expected ',' or '}' after an object member")
            }
        }
    }

    private mutating func array(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        index += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") { index += 1; return .array(items) }
        while true {
            skipWhitespace()
            items.append(try value(depth: depth + 1))
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"): index += 1; return .array(items)
            default: throw fail("expected ',' or ']' after an array element")
            }
        }
    }

    /// A string from its opening quote: its bytes are collected and must be valid UTF-8.
    private mutating func string() throws(JSONSyntaxError) -> String {
        let start = index
        index += 1
        var decoded: [UInt8] = []
        while let byte = peek() {
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                guard let text = String(validating: decoded, as: UTF8.self) else {
                    index = start
                    throw fail("the string is not valid UTF-8")
                }
                return text
            case UInt8(ascii: "\\"):
                try escape(into: &decoded)
            case ..<0x20:
                throw fail("a control character (\(Self.describe(byte))) must be escaped inside a string")
            default:
                decoded.append(byte)
                index += 1
            }
        }
        index = start
        throw fail("the string is not closed")
    }

    private mutating func escape(into decoded: inout [UInt8]) throws(JSONSyntaxError) {
        index += 1
        guard let escape = peek() else { throw fail("the string is not closed") }
        let simple = JSONEscape.unescaped(escape)
        if let simple {
            decoded.append(simple)
            index += 1
            return
        }
        guard escape == UInt8(ascii: "u") else { throw fail("\(Self.describe(escape)) after a backslash is not a JSON escape") }
        index -= 1
        var scalar = try hex4()
        if (0xd800..<0xdc00).contains(scalar) {
            guard peek() == UInt8(ascii: "\\") else { throw fail("a high surrogate escape must be followed by a low one") }
            let low = try hex4()
            guard (0xdc00..<0xe000).contains(low) else { throw fail("a high surrogate escape must be followed by a low one") }
            scalar = 0x10000 + ((scalar - 0xd800) << 10) + (low - 0xdc00)
        }
        guard let character = Unicode.Scalar(scalar) else { throw fail("a lone low surrogate escape") }
        decoded.append(contentsOf: String(character).utf8)
    }

    /// `\uXXXX` from its backslash.
    private mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        guard index + 6 <= bytes.count, bytes[index + 1] == UInt8(ascii: "u") else { throw fail("expected a \\u escape") }
        guard let value = UInt32(String(decoding: bytes[index + 2..<index + 6], as: UTF8.self), radix: 16),
              bytes[index + 2..<index + 6].allSatisfy({ Unicode.Scalar($0).properties.isASCIIHexDigit })
        else { throw fail("a \\u escape needs four hexadecimal digits") }
        index += 6
        return value
    }

    private mutating func number() throws(JSONSyntaxError) -> JSONValue {
        let start = index
        if peek() == UInt8(ascii: "-") { index += 1 }
        guard let first = peek(), isDigit(first) else { throw fail("expected a digit in a number") }
        index += 1
        if first == UInt8(ascii: "0"), let next = peek(), isDigit(next) { throw fail("a number must not start with 0") }
        skipDigits()
        if peek() == UInt8(ascii: ".") {
            index += 1
            guard let digit = peek(), isDigit(digit) else { throw fail("expected a digit after the decimal point") }
            skipDigits()
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            guard let digit = peek(), isDigit(digit) else { throw fail("expected a digit in the exponent") }
            skipDigits()
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        guard let number = Double(text), number.isFinite else {
            index = start
            throw fail("the number \(text) is too large")
        }
        return .number(number)
    }

    private mutating func literal(_ word: String, _ value: JSONValue) throws(JSONSyntaxError) -> JSONValue {
        guard bytes[index...].starts(with: word.utf8) else { throw fail("expected '\(word)'") }
        index += word.utf8.count
        return value
    }

    private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private mutating func skipDigits() {
        while let byte = peek(), isDigit(byte) { index += 1 }
    }

    private mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x09 || byte == 0x0a || byte == 0x0d { index += 1 }
    }

    private static func describe(_ byte: UInt8) -> String {
        (0x21..<0x7f).contains(byte) ? "'\(Unicode.Scalar(byte))'" : "byte 0x\(String(byte, radix: 16, uppercase: true))"
    }

    /// The error at the current position, with its line and column (both from 1; the column
    /// counts Unicode scalars, not bytes, so an editor's column agrees for most text).
    private func fail(_ problem: String) -> JSONSyntaxError {
        let before = bytes[..<min(index, bytes.count)]
        let lineStart = before.lastIndex(of: 0x0a).map { $0 + 1 } ?? 0
        let line = before.reduce(1) { $1 == 0x0a ? $0 + 1 : $0 }
        let column = bytes[lineStart..<before.endIndex].reduce(1) { $1 & 0xC0 == 0x80 ? $0 : $0 + 1 }
        return JSONSyntaxError(problem: problem, offset: index, line: line, column: column)
    }
}
