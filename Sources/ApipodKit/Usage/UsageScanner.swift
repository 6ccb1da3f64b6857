/// Reads an answer's token usage and the model that answered from its bytes as they pass:
/// a JSON body or a stream of server-sent events alike, fed in pieces split anywhere (inside a
/// number, a name, an escape). It only observes — the caller relays every piece as it came —
/// and keeps no line or event: its memory is a few flags, the nesting depth, the numbers found
/// so far, a hash of the member name being read and at most `captureLimit` bytes of the model's name.
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
    /// Whether the current string is hashed as a possible member name (`nameHash`, FNV-1a, and
    /// `nameLength`): comparing a hash costs a multiply a byte, where keeping the bytes cost an
    /// array append each.
    private var hashing = false
    private var nameHash: UInt64 = 0
    private var nameLength = 0
    /// Whether the current string is the model's value, kept in `modelBytes`.
    private var capturingModel = false
    private var modelBytes: [UInt8] = []
    private var depth = 0
    /// The depth of the `usage` object being read, 0 outside one.
    private var usageDepth = 0
    private var expect = Expect.nothing
    private var number = 0
    private var counts = Counts()

    /// The token counts found, by field.
    private struct Counts {
        var prompt, completion, cached, input, output, cacheRead, cacheCreation: Int?

        subscript(_ field: Field) -> Int? {
            get {
                switch field {
                case .promptTokens: prompt
                case .completionTokens: completion
                case .cachedTokens: cached
                case .inputTokens: input
                case .outputTokens: output
                case .cacheReadTokens: cacheRead
                case .cacheCreationTokens: cacheCreation
                case .usage, .model: nil
                }
            }
            set {
                switch field {
                case .promptTokens: prompt = newValue
                case .completionTokens: completion = newValue
                case .cachedTokens: cached = newValue
                case .inputTokens: input = newValue
                case .outputTokens: output = newValue
                case .cacheReadTokens: cacheRead = newValue
                case .cacheCreationTokens: cacheCreation = newValue
                case .usage, .model: break
                }
            }
        }
    }

    /// The first `model` named at depth one or two: the model that answered.
    public private(set) var model: String?

    public init(dialect: UsageDialect) {
        self.dialect = dialect
    }

    /// The usage read so far, or nil when the answer has carried none.
    public var usage: TokenUsage? {
        func count(_ field: Field) -> Int? { counts[field] }
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
            if inString && !escaped {
                if !hashing && !capturingModel {
                    // String content nobody needs (message text, mostly): skip to a quote or a backslash.
                    while index < count, bytes[index] != Self.quote, bytes[index] != Self.backslash { index += 1 }
                } else if hashing {
                    let start = index
                    while index < count, bytes[index] != Self.quote, bytes[index] != Self.backslash {
                        nameHash = (nameHash ^ UInt64(bytes[index])) &* Self.fnvPrime
                        index += 1
                    }
                    nameLength += index - start
                    if nameLength > Self.maximumNameLength { hashing = false }
                }
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
    private static let fnvOffset: UInt64 = 0xcbf2_9ce4_8422_2325
    private static let fnvPrime: UInt64 = 0x0000_0100_0000_01b3
    private static let maximumNameLength = 64

    private mutating func inStringByte(_ byte: UInt8) {
        if escaped {
            escaped = false
            // No name of interest has an escape; a model label may use the harmless ones.
            hashing = false
            guard capturingModel else { return }
            switch byte {
            case Self.quote, Self.backslash, UInt8(ascii: "/"): keepModelByte(byte)
            default: capturingModel = false
            }
            return
        }
        switch byte {
        case Self.backslash: escaped = true
        case Self.quote:
            inString = false
            stringEnded()
        default: if capturingModel { keepModelByte(byte) }
        }
    }

    private mutating func keepModelByte(_ byte: UInt8) {
        if modelBytes.count == Self.captureLimit {
            capturingModel = false
        } else {
            modelBytes.append(byte)
        }
    }

    private mutating func outsideByte(_ byte: UInt8) {
        switch byte {
        case Self.quote:
            inString = true
            if expect == .value(.model) {
                capturingModel = true
                return
            }
            hashing = usageDepth != 0 || (depth >= 1 && depth <= 2)
            nameHash = Self.fnvOffset
            nameLength = 0
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
        counts[field] = number
        expect = .nothing
    }

    private mutating func stringEnded() {
        if capturingModel {
            capturingModel = false
            expect = .nothing
            if model == nil, !modelBytes.isEmpty { model = String(decoding: modelBytes, as: UTF8.self) }
            return
        }
        if expect == .value(.model) { expect = .nothing }
        guard hashing else { return }
        hashing = false
        if let field = field(hashed: nameHash) { expect = .colon(field) }
    }

    private static func hash(_ name: StaticString) -> UInt64 {
        var hash = fnvOffset
        for offset in 0..<name.utf8CodeUnitCount { hash = (hash ^ UInt64(name.utf8Start[offset])) &* fnvPrime }
        return hash
    }

    private static let tokenFields: [(hash: UInt64, field: Field)] = [
        (hash("prompt_tokens"), .promptTokens), (hash("completion_tokens"), .completionTokens),
        (hash("cached_tokens"), .cachedTokens), (hash("input_tokens"), .inputTokens), (hash("output_tokens"), .outputTokens),
        (hash("cache_read_input_tokens"), .cacheReadTokens), (hash("cache_creation_input_tokens"), .cacheCreationTokens),
    ]
    private static let usageHash = hash("usage")
    private static let modelHash = hash("model")

    /// The field a member name (by its hash) stands for at the current depth, if it is one of
    /// interest there. Names come from the upstream's own JSON, whose field names are its API's.
    private func field(hashed hash: UInt64) -> Field? {
        if usageDepth != 0 {
            for entry in Self.tokenFields where entry.hash == hash { return entry.field }
            return nil
        }
        guard depth >= 1 && depth <= 2 else { return nil }
        if hash == Self.usageHash { return .usage }
        if model == nil, hash == Self.modelHash { return .model }
        return nil
    }
}
