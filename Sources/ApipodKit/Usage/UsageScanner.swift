import Glibc

/// Reads an answer's token usage and the model that answered from its bytes as they pass:
/// a JSON body or a stream of server-sent events alike, fed in pieces split anywhere (inside a
/// number, a name, an escape). It only observes — the caller relays every piece as it came —
/// and keeps no line or event: its memory is a few flags, the nesting depth, the numbers found
/// so far, the bytes of the member name being read (up to 32) and at most `captureLimit` bytes of the
/// model's name.
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

    /// What the next bytes mean, after the syntax seen so far: a kind and, for all but
    /// `nothing`, the field it is about. Two bytes compared directly, where an enum with a
    /// payload cost a call per comparison on a path that runs for every byte of every answer.
    private struct Expect: Equatable {
        enum Kind: UInt8 {
            case nothing
            /// A name of interest ended: a `:` makes it a member name.
            case colon
            /// A member of interest's value comes next.
            case value
            /// Digits of a token count are being read.
            case digits
        }

        var kind: Kind
        var field: Field

        static let nothing = Expect(kind: .nothing, field: .usage)
        static let modelValue = Expect(kind: .value, field: .model)
        static let usageValue = Expect(kind: .value, field: .usage)
    }

    private var inString = false
    private var escaped = false
    /// Whether the string being read across pieces may be a member name of interest: its bytes
    /// are then kept in `name`, which holds the longest such name.
    private var keepingName = false
    private var name = NameBytes()
    /// Whether the string being read across pieces is the model's value, kept in `modelBytes`.
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

    /// One pass over `bytes`. The state lives in locals for the pass, written back once at its
    /// end, so the compiler keeps it in registers instead of storing through `self` for every
    /// byte. A string that ends in the same piece and holds no escape — nearly all of them — is
    /// found whole with a scan eight bytes at a time and judged at once: a name by its length
    /// and then its bytes, a model's value made a `String` directly. Any other string is read
    /// byte by byte across pieces, its name bytes kept for the same test at its end.
    public mutating func scan(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress else { return }
        let end = base + bytes.count
        var cursor = base
        var inString = self.inString, escaped = self.escaped, keepingName = self.keepingName, capturingModel = self.capturingModel
        var depth = self.depth, usageDepth = self.usageDepth, expect = self.expect, number = self.number
        defer {
            self.inString = inString
            self.escaped = escaped
            self.keepingName = keepingName
            self.capturingModel = capturingModel
            self.depth = depth
            self.usageDepth = usageDepth
            self.expect = expect
            self.number = number
        }
        /// Stores a count whose digits have ended.
        func endNumber() {
            guard expect.kind == .digits else { return }
            counts[expect.field] = number
            expect = .nothing
        }
        /// After a member name's closing quote: a name of interest here awaits its colon.
        func judgeName(_ text: UnsafeBufferPointer<UInt8>) {
            if let field = Self.field(named: text, depth: depth, usageDepth: usageDepth, modelFound: model != nil) {
                expect = Expect(kind: .colon, field: field)
            }
        }
        while cursor < end {
            if inString {
                if escaped {
                    escaped = false
                    // No name of interest has an escape; a model label may use the harmless ones.
                    keepingName = false
                    if capturingModel {
                        switch cursor.pointee {
                        case Self.quote, Self.backslash, UInt8(ascii: "/"):
                            capturingModel = keepModelBytes(UnsafeBufferPointer(start: cursor, count: 1))
                        default: capturingModel = false
                        }
                    }
                    cursor += 1
                    continue
                }
                let start = cursor
                cursor = Self.quoteOrBackslash(from: cursor, to: end)
                if cursor > start {
                    let run = UnsafeBufferPointer(start: start, count: cursor - start)
                    if keepingName { keepingName = name.append(run) }
                    if capturingModel { capturingModel = keepModelBytes(run) }
                }
                if cursor == end { return }
                if cursor.pointee == Self.backslash {
                    escaped = true
                    cursor += 1
                    continue
                }
                cursor += 1
                inString = false
                // The string ended: the model's value, or perhaps a member name of interest.
                if capturingModel {
                    capturingModel = false
                    expect = .nothing
                    if model == nil, !modelBytes.isEmpty { model = String(decoding: modelBytes, as: UTF8.self) }
                    continue
                }
                if expect == .modelValue { expect = .nothing }
                guard keepingName else { continue }
                keepingName = false
                name.withBytes { judgeName($0) }
                continue
            }
            let byte = cursor.pointee
            cursor += 1
            switch byte {
            case Self.quote:
                let close = Self.quoteOrBackslash(from: cursor, to: end)
                if close < end && close.pointee == Self.quote {
                    let text = UnsafeBufferPointer(start: cursor, count: close - cursor)
                    cursor = close + 1
                    if expect == .modelValue {
                        expect = .nothing
                        if model == nil, !text.isEmpty, text.count <= Self.captureLimit { model = String(decoding: text, as: UTF8.self) }
                        continue
                    }
                    expect = .nothing
                    if usageDepth != 0 || (depth >= 1 && depth <= 2) { judgeName(text) }
                    continue
                }
                inString = true
                if expect == .modelValue {
                    capturingModel = true
                    modelBytes.removeAll(keepingCapacity: true)
                    continue
                }
                keepingName = usageDepth != 0 || (depth >= 1 && depth <= 2)
                name.removeAll()
                expect = .nothing
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                if byte == UInt8(ascii: "{"), expect == .usageValue { usageDepth = depth }
                expect = .nothing
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                endNumber()
                if usageDepth != 0 && depth <= usageDepth { usageDepth = 0 }
                depth = max(0, depth - 1)
                expect = .nothing
            case UInt8(ascii: ":"):
                expect.kind = expect.kind == .colon ? .value : .nothing
            case 0x20, 0x09, 0x0a, 0x0d:
                endNumber()
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                let digit = Int(byte &- UInt8(ascii: "0"))
                switch expect.kind {
                case .value where expect.field.rawValue >= Field.promptTokens.rawValue:
                    number = digit
                    expect.kind = .digits
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
    }

    private static let quote = UInt8(ascii: "\"")
    private static let backslash = UInt8(ascii: "\\")

    /// The first quote or backslash in `start..<end`, or `end`: where a string's plain content
    /// stops. Eight bytes at a time for the first 64 (names and short values: one or two words
    /// each), then `memchr`, which takes a long message text in wider strides.
    private static func quoteOrBackslash(from start: UnsafePointer<UInt8>, to end: UnsafePointer<UInt8>) -> UnsafePointer<UInt8> {
        var cursor = start
        let wordsEnd = min(end, start + 64)
        while wordsEnd - cursor >= 8 {
            let word = ByteWord(loadingFrom: cursor)
            let found = word.equal(to: quote) | word.equal(to: backslash)
            if found != 0 { return cursor + ByteWord.firstFlagged(found) }
            cursor += 8
        }
        while cursor < wordsEnd {
            if cursor.pointee == quote || cursor.pointee == backslash { return cursor }
            cursor += 1
        }
        guard cursor < end else { return end }
        let quoteAt = memchr(cursor, Int32(quote), end - cursor).map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) } ?? end
        let backslashAt = memchr(cursor, Int32(backslash), quoteAt - cursor).map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) }
        return backslashAt ?? quoteAt
    }

    /// Keeps a run of the model's name; false when the name grew past `captureLimit` and is not kept.
    private mutating func keepModelBytes(_ run: UnsafeBufferPointer<UInt8>) -> Bool {
        guard modelBytes.count + run.count <= Self.captureLimit else { return false }
        if modelBytes.capacity == 0 { modelBytes.reserveCapacity(Self.captureLimit) }
        modelBytes.append(contentsOf: run)
        return true
    }

    /// The field a member name stands for at the current depth, if it is one of interest there:
    /// told apart by length first, so most names cost one comparison. Names come from the
    /// upstream's own JSON, whose field names are its API's.
    private static func field(named name: UnsafeBufferPointer<UInt8>, depth: Int, usageDepth: Int, modelFound: Bool) -> Field? {
        func matches(_ known: StaticString) -> Bool {
            memcmp(name.baseAddress!, known.utf8Start, name.count) == 0
        }
        if usageDepth != 0 {
            switch name.count {
            case 12: return matches("input_tokens") ? .inputTokens : nil
            case 13:
                if matches("prompt_tokens") { return .promptTokens }
                if matches("output_tokens") { return .outputTokens }
                return matches("cached_tokens") ? .cachedTokens : nil
            case 17: return matches("completion_tokens") ? .completionTokens : nil
            case 23: return matches("cache_read_input_tokens") ? .cacheReadTokens : nil
            case 27: return matches("cache_creation_input_tokens") ? .cacheCreationTokens : nil
            default: return nil
            }
        }
        guard depth >= 1 && depth <= 2, name.count == 5 else { return nil }
        if matches("usage") { return .usage }
        return !modelFound && matches("model") ? .model : nil
    }

    /// The bytes of a member name read across pieces, kept inline up to the longest name of
    /// interest (27 bytes): a longer one cannot be one, and an array would cost an allocation.
    private struct NameBytes {
        private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        private var count = 0

        mutating func removeAll() {
            count = 0
        }

        /// Adds `run`; false once the name is too long to be one of interest.
        mutating func append(_ run: UnsafeBufferPointer<UInt8>) -> Bool {
            guard count + run.count <= MemoryLayout.size(ofValue: words) else { return false }
            let offset = count
            withUnsafeMutableBytes(of: &words) { $0.baseAddress!.advanced(by: offset).copyMemory(from: run.baseAddress!, byteCount: run.count) }
            count += run.count
            return true
        }

        func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
            withUnsafeBytes(of: words) { body(UnsafeBufferPointer(start: $0.bindMemory(to: UInt8.self).baseAddress, count: count)) }
        }
    }
}
