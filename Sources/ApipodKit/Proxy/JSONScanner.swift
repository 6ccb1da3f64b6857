/// A validating, non-allocating JSON scanner over a body's bytes (RFC 8259), which remembers
/// where one top-level member's value is (`"model"` for the rewrite, `"data"` for the model
/// listing), so the caller can splice the bytes instead of re-serialising the document.
struct JSONScanner {
    /// A top-level member's value: its byte range, and its decoded text when it is a string.
    struct Member {
        let range: Range<Int>
        let string: String?
    }

    /// Where a chat request's `stream` and `stream_options` values are, and its closing brace:
    /// what `IncludeUsageOption` needs to ask the upstream for a usage chunk.
    struct StreamingMembers {
        var stream: Range<Int>?
        var options: Range<Int>?
        /// One of them given twice: parsers disagree on which wins, so the body is left alone.
        var repeated = false
        var closingBrace = 0
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private let memberName: String
    private var index = 0
    private var member: Member?
    /// Non-nil when asked for at `init`: then noted during the scan.
    private(set) var streaming: StreamingMembers?
    /// Deeper nesting is refused rather than risking the stack on hostile input.
    static let maximumDepth = 512

    init(_ bytes: UnsafeBufferPointer<UInt8>, member name: String, notingStreaming: Bool = false) {
        self.bytes = bytes
        self.memberName = name
        if notingStreaming { streaming = StreamingMembers() }
    }

    /// Validates the whole document, which must be an object; returns the member, if present.
    /// - Throws: for malformed JSON, a non-object, or the member given twice (which parsers
    ///   resolve differently, so the upstream might read another value than we routed).
    mutating func scanDocument() throws(JSONBodyError) -> Member? {
        skipWhitespace()
        guard peek() == UInt8(ascii: "{") else { throw fail("the body is not a JSON object") }
        try scanObject(depth: 1, topLevel: true)
        skipWhitespace()
        guard index == bytes.count else { throw fail("unexpected data after the JSON object") }
        return member
    }

    private mutating func scanValue(depth: Int) throws(JSONBodyError) {
        guard depth <= Self.maximumDepth else { throw fail("JSON nested too deeply") }
        guard let byte = peek() else { throw fail("the JSON ends early") }
        switch byte {
        case UInt8(ascii: "{"): try scanObject(depth: depth + 1, topLevel: false)
        case UInt8(ascii: "["): try scanArray(depth: depth + 1)
        case UInt8(ascii: "\""): _ = try scanString(decode: false)
        case UInt8(ascii: "t"): try expectLiteral("true")
        case UInt8(ascii: "f"): try expectLiteral("false")
        case UInt8(ascii: "n"): try expectLiteral("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try scanNumber()
        default: throw fail("unexpected character in JSON")
        }
    }

    private mutating func scanObject(depth: Int, topLevel: Bool) throws(JSONBodyError) {
        index += 1
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            if topLevel { streaming?.closingBrace = index }
            index += 1
            return
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw fail("expected a quoted member name in JSON") }
            // Only a top-level name needs decoding, to compare it with "model".
            let name = try scanString(decode: topLevel)
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw fail("expected ':' in JSON") }
            index += 1
            skipWhitespace()
            // Decoders that match member names without regard to case (Go's `encoding/json`,
            // among others) would take `"Model"` for `"model"`: refused, never passed on unrouted.
            let isMember = topLevel && name == memberName
            if topLevel, !isMember, let name, name.utf8.count == memberName.utf8.count,
               HTTPSyntax.equalsIgnoringCase(name.utf8, memberName.utf8) {
                throw fail("the JSON has a \"\(name)\" field: only \"\(memberName)\" is read here, and an upstream that ignores case would read it too")
            }
            if isMember {
                guard member == nil else { throw fail("the JSON has more than one \"\(memberName)\" field") }
                let start = index
                if peek() == UInt8(ascii: "\"") {
                    let value = try scanString(decode: true) ?? ""
                    member = Member(range: start..<index, string: value)
                } else {
                    try scanValue(depth: depth)
                    member = Member(range: start..<index, string: nil)
                }
            } else if topLevel, streaming != nil, let name, name == "stream" || name == "stream_options" {
                let start = index
                try scanValue(depth: depth)
                note(name, at: start..<index)
            } else {
                try scanValue(depth: depth)
            }
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                if topLevel { streaming?.closingBrace = index }
                index += 1
                return
            default: throw fail("expected ',' or '}' in JSON")
            }
        }
    }

    private mutating func note(_ name: String, at range: Range<Int>) {
        if name == "stream" {
            if streaming?.stream != nil { streaming?.repeated = true }
            streaming?.stream = range
        } else {
            if streaming?.options != nil { streaming?.repeated = true }
            streaming?.options = range
        }
    }

    private mutating func scanArray(depth: Int) throws(JSONBodyError) {
        index += 1
        skipWhitespace()
        if peek() == UInt8(ascii: "]") { index += 1; return }
        while true {
            skipWhitespace()
            try scanValue(depth: depth)
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"): index += 1; return
            default: throw fail("expected ',' or ']' in JSON")
            }
        }
    }

    /// Scans a string starting at its opening quote; returns its decoded value when asked.
    /// Without escapes the value is made straight from its bytes; the escape decoder's buffer
    /// exists only for a string that has one.
    private mutating func scanString(decode: Bool) throws(JSONBodyError) -> String? {
        let start = index
        index += 1
        var decoded: [UInt8]?
        var runStart = index
        while true {
            try skipPlainStringBytes()
            guard index < bytes.count else { break }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                defer { index += 1 }
                guard decode else { return nil }
                let run = UnsafeBufferPointer(rebasing: bytes[runStart..<index])
                guard decoded != nil else { return String(decoding: run, as: UTF8.self) }
                decoded!.append(contentsOf: run)
                return String(decoding: decoded!, as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") {
                if decode {
                    if decoded == nil { decoded = [] }
                    decoded!.append(contentsOf: bytes[runStart..<index])
                }
                try scanEscape(into: &decoded)
                runStart = index
                continue
            }
            throw fail("control character inside a JSON string")
        }
        index = start
        throw fail("unterminated JSON string")
    }

    /// Advances over string bytes that need no attention (anything but a quote, a backslash or
    /// a control byte), eight at a time where it can: the bulk of a chat body is string content.
    /// Bytes from 0x80 up are checked here as UTF-8, so the one pass also refuses a body that is
    /// not UTF-8: RFC 8259 §8.1 requires it, and only strings may hold such bytes.
    private mutating func skipPlainStringBytes() throws(JSONBodyError) {
        guard let base = bytes.baseAddress else { return }
        let count = bytes.count
        while true {
            while index + 8 <= count {
                if Self.hasSpecialByte(ByteWord(loadingFrom: base + index)) { break }
                index += 8
            }
            // Byte by byte over the word that stopped the fast loop, then back to it.
            let stop = min(index + 8, count)
            while index < stop {
                let byte = base[index]
                if byte >= 0x80 {
                    try skipUTF8Run(base, count)
                    continue
                }
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { return }
                index += 1
            }
            if index >= count { return }
        }
    }

    /// Steps over a run of text from a byte at 0x80 or above, checking it as UTF-8
    /// (`UTF8Automaton`), until a whole sequence is followed by an ASCII byte; throws at the
    /// first byte of a sequence that is not well-formed. RFC 8259 §8.1: a JSON text is UTF-8.
    private mutating func skipUTF8Run(_ base: UnsafePointer<UInt8>, _ count: Int) throws(JSONBodyError) {
        let rows = UTF8Automaton.rows
        var state = UTF8Automaton.accept
        var sequenceStart = index
        repeat {
            if state == UTF8Automaton.accept { sequenceStart = index }
            state = rows[Int(base[index])] >> state & 63
            index += 1
        } while index < count && (state >= UTF8Automaton.firstPartial || state == UTF8Automaton.accept && base[index] >= 0x80)
        if state != UTF8Automaton.accept {
            index = sequenceStart
            throw fail("the JSON is not valid UTF-8")
        }
    }

    /// Whether any of the eight bytes is a quote, a backslash, below 0x20 or from 0x80 up.
    private static func hasSpecialByte(_ word: ByteWord) -> Bool {
        word.nonASCII | word.equal(to: UInt8(ascii: "\"")) | word.equal(to: UInt8(ascii: "\\")) | word.below(0x20) != 0
    }

    private mutating func scanEscape(into decoded: inout [UInt8]?) throws(JSONBodyError) {
        index += 1
        guard let escape = peek() else { throw fail("unterminated JSON string") }
        index += 1
        let simple = JSONEscape.unescaped(escape)
        if let simple {
            decoded?.append(simple)
            return
        }
        guard escape == UInt8(ascii: "u") else { throw fail("invalid escape in a JSON string") }
        var scalar = try hex4()
        if (0xd800..<0xdc00).contains(scalar), peek() == UInt8(ascii: "\\"), index + 1 < bytes.count,
           bytes[index + 1] == UInt8(ascii: "u") {
            index += 2
            let low = try hex4()
            guard (0xdc00..<0xe000).contains(low) else { throw fail("invalid surrogate pair in a JSON string") }
            scalar = 0x10000 + ((scalar - 0xd800) << 10) + (low - 0xdc00)
        }
        if decoded != nil {
            let character = Unicode.Scalar(scalar) ?? "\u{fffd}"
            decoded!.append(contentsOf: Array(String(character).utf8))
        }
    }

    private mutating func hex4() throws(JSONBodyError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw fail("invalid \\u escape in a JSON string") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32 = switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw fail("invalid \\u escape in a JSON string")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    private mutating func scanNumber() throws(JSONBodyError) {
        if peek() == UInt8(ascii: "-") { index += 1 }
        guard let first = peek(), isDigit(first) else { throw fail("invalid number in JSON") }
        index += 1
        if first != UInt8(ascii: "0") { skipDigits() }
        if peek() == UInt8(ascii: ".") {
            index += 1
            guard let digit = peek(), isDigit(digit) else { throw fail("invalid number in JSON") }
            skipDigits()
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            guard let digit = peek(), isDigit(digit) else { throw fail("invalid number in JSON") }
            skipDigits()
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONBodyError) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw fail("invalid literal in JSON") }
        for offset in 0..<count where bytes[index + offset] != literal.utf8Start[offset] {
            throw fail("invalid literal in JSON")
        }
        index += count
    }

    private func peek() -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private mutating func skipDigits() {
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0a, 0x0d: index += 1
            default: return
            }
        }
    }

    private func fail(_ message: String) -> JSONBodyError {
        JSONBodyError(message: message, offset: index)
    }
}
