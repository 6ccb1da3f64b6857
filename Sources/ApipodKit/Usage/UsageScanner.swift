/// Reads an answer's token usage and the model that answered from its bytes as they pass:
/// a JSON body or a stream of server-sent events alike, fed in pieces split anywhere (inside a
/// number, a name, an escape). It only observes — the caller relays every piece as it came —
/// and keeps no line or event: its memory is a few flags, the nesting depth, the numbers found
/// so far and at most `captureLimit` bytes of the string being read.
///
/// It follows the JSON syntax (strings, escapes, nesting) rather than searching for text, so a
/// name inside a string (`"text":"\"usage\": 9"`) is never read. A `usage` object counts when
/// it is a member at depth one or two: the answer's own (`usage`), an Anthropic
/// `message_start`'s `message.usage`, a Responses event's `response.usage`; a tool's schema or
/// metadata nested deeper is ignored. Inside it the token fields of every dialect are read at
/// any depth (`prompt_tokens_details.cached_tokens`); a field seen again replaces the earlier
/// value, so Anthropic's `message_delta`, whose counts are cumulative, wins over
/// `message_start`. The model is the first `model` string at depth one or two.
///
/// A value type owned by the request that relays the answer.
public struct UsageScanner {
    public let dialect: UsageDialect
    /// Longer strings are neither a field name of interest nor a model label (`ModelLabelRegistry`
    /// refuses longer names too), so their bytes are skipped instead of kept.
    public static let captureLimit = 128

    private enum Field: UInt8 {
        case usage, model
        case promptTokens, completionTokens, cachedTokens, inputTokens, outputTokens, cacheReadTokens, cacheCreationTokens
    }

    /// What the next bytes mean, after the syntax seen so far.
    private enum Expect: Equatable {
        case nothing
        /// A name of interest ended: a `:` makes it a member name.
        case colon(Field)
        /// A member of interest's value comes next.
        case value(Field)
        /// Digits of a token count are being read.
        case digits(Field)
    }

    private var inString = false
    private var escaped = false
    /// Whether the current string's bytes are kept in `capture` (it may be a name or the model).
    private var capturing = false
    private var capture: [UInt8] = []
    private var depth = 0
    /// The depth of the `usage` object being read, 0 outside one.
    private var usageDepth = 0
    private var expect = Expect.nothing
    private var number = 0
    private var counts = [Int?](repeating: nil, count: 9)

    /// The first `model` named at depth one or two: the model that answered.
    public private(set) var model: String?

    public init(dialect: UsageDialect) {
        self.dialect = dialect
    }

    /// The usage read so far, or nil when the answer has carried none.
    public var usage: TokenUsage? {
        func count(_ field: Field) -> Int? { counts[Int(field.rawValue)] }
        switch dialect {
        case .openAI:
            guard count(.promptTokens) != nil || count(.completionTokens) != nil else { return nil }
            return TokenUsage(input: count(.promptTokens) ?? 0, output: count(.completionTokens) ?? 0, cached: count(.cachedTokens) ?? 0)
        case .responses:
            guard count(.inputTokens) != nil || count(.outputTokens) != nil else { return nil }
            return TokenUsage(input: count(.inputTokens) ?? 0, output: count(.outputTokens) ?? 0, cached: count(.cachedTokens) ?? 0)
        case .anthropic:
            guard count(.inputTokens) != nil || count(.outputTokens) != nil else { return nil }
            let read = count(.cacheReadTokens) ?? 0
            return TokenUsage(
                input: (count(.inputTokens) ?? 0) + read + (count(.cacheCreationTokens) ?? 0),
                output: count(.outputTokens) ?? 0, cached: read)
        }
    }

    public mutating func scan(_ piece: ArraySlice<UInt8>) {
        piece.withUnsafeBufferPointer { scan($0) }
    }

    public mutating func scan(_ bytes: UnsafeBufferPointer<UInt8>) {
        let count = bytes.count
        var index = 0
        while index < count {
            if inString && !capturing && !escaped {
                // String content nobody needs (message text, mostly): skip to a quote or a backslash.
                while index < count, bytes[index] != Self.quote, bytes[index] != Self.backslash { index += 1 }
                if index == count { return }
            }
            let byte = bytes[index]
            index += 1
            if inString {
                inStringByte(byte)
            } else {
                outsideByte(byte)
            }
        }
    }

    private static let quote = UInt8(ascii: "\"")
    private static let backslash = UInt8(ascii: "\\")

    private mutating func inStringByte(_ byte: UInt8) {
        if escaped {
            escaped = false
            guard capturing else { return }
            // Names and model labels need no escapes but the harmless ones a JSON writer may use.
            switch byte {
            case Self.quote, Self.backslash, UInt8(ascii: "/"): keep(byte)
            default: capturing = false
            }
            return
        }
        switch byte {
        case Self.backslash: escaped = true
        case Self.quote:
            inString = false
            stringEnded()
        default: if capturing { keep(byte) }
        }
    }

    private mutating func keep(_ byte: UInt8) {
        if capture.count == Self.captureLimit {
            capturing = false
            capture.removeAll(keepingCapacity: true)
        } else {
            capture.append(byte)
        }
    }

    private mutating func outsideByte(_ byte: UInt8) {
        switch byte {
        case Self.quote:
            inString = true
            capture.removeAll(keepingCapacity: true)
            if expect == .value(.model) {
                capturing = true
                return
            }
            capturing = usageDepth != 0 || (depth >= 1 && depth <= 2)
            if capturing && capture.capacity == 0 { capture.reserveCapacity(32) }
            expect = .nothing
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            depth += 1
            if byte == UInt8(ascii: "{"), expect == .value(.usage) { usageDepth = depth }
            expect = .nothing
        case UInt8(ascii: "}"), UInt8(ascii: "]"):
            endNumber()
            if usageDepth != 0 && depth <= usageDepth { usageDepth = 0 }
            depth = max(0, depth - 1)
            expect = .nothing
        case UInt8(ascii: ":"):
            if case .colon(let field) = expect { expect = .value(field) } else { expect = .nothing }
        case 0x20, 0x09, 0x0a, 0x0d:
            endNumber()
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            let digit = Int(byte - UInt8(ascii: "0"))
            switch expect {
            case .value(let field) where field.rawValue >= Field.promptTokens.rawValue:
                number = digit
                expect = .digits(field)
            case .digits:
                // A count past 2^53 is nonsense from any API; it stops growing rather than overflow.
                if number < 1 << 53 { number = number * 10 + digit }
            default:
                expect = .nothing
            }
        default:
            endNumber()
            expect = .nothing
        }
    }

    /// Stores a count whose digits have ended.
    private mutating func endNumber() {
        guard case .digits(let field) = expect else { return }
        counts[Int(field.rawValue)] = number
        expect = .nothing
    }

    private mutating func stringEnded() {
        defer { capturing = false }
        if expect == .value(.model) {
            expect = .nothing
            if capturing, model == nil, !capture.isEmpty { model = String(decoding: capture, as: UTF8.self) }
            return
        }
        guard capturing, let field = field(named: capture) else { return }
        expect = .colon(field)
    }

    /// The field a member name stands for at the current depth, if it is one of interest there.
    private func field(named name: [UInt8]) -> Field? {
        if usageDepth != 0 {
            switch name.count {
            case 13 where name.elementsEqual("prompt_tokens".utf8): return .promptTokens
            case 17 where name.elementsEqual("completion_tokens".utf8): return .completionTokens
            case 13 where name.elementsEqual("cached_tokens".utf8): return .cachedTokens
            case 12 where name.elementsEqual("input_tokens".utf8): return .inputTokens
            case 13 where name.elementsEqual("output_tokens".utf8): return .outputTokens
            case 23 where name.elementsEqual("cache_read_input_tokens".utf8): return .cacheReadTokens
            case 27 where name.elementsEqual("cache_creation_input_tokens".utf8): return .cacheCreationTokens
            default: return nil
            }
        }
        guard depth >= 1 && depth <= 2 else { return nil }
        if name.elementsEqual("usage".utf8) { return .usage }
        if model == nil, name.elementsEqual("model".utf8) { return .model }
        return nil
    }
}
