import Glibc

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

    /// One pass over `bytes`. The state lives in locals for the pass, written back once at its
    /// end, so the compiler keeps it in registers instead of storing through `self` for every
    /// byte; string content is skipped with `memchr`, which takes a long message text in strides.
    public mutating func scan(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress else { return }
        let end = base + bytes.count
        var cursor = base
        var inString = self.inString, escaped = self.escaped, hashing = self.hashing, capturingModel = self.capturingModel
        var nameHash = self.nameHash, nameLength = self.nameLength, depth = self.depth, usageDepth = self.usageDepth
        var expect = self.expect, number = self.number
        defer {
            self.inString = inString
            self.escaped = escaped
            self.hashing = hashing
            self.capturingModel = capturingModel
            self.nameHash = nameHash
            self.nameLength = nameLength
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
        while cursor < end {
            if inString {
                if escaped {
                    escaped = false
                    // No name of interest has an escape; a model label may use the harmless ones.
                    hashing = false
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
                if hashing {
                    while cursor < end, cursor.pointee != Self.quote, cursor.pointee != Self.backslash {
                        nameHash = (nameHash ^ UInt64(cursor.pointee)) &* Self.fnvPrime
                        cursor += 1
                    }
                    nameLength += cursor - start
                    if nameLength > Self.maximumNameLength { hashing = false }
                } else {
                    cursor = Self.quoteOrBackslash(from: cursor, to: end)
                    if capturingModel, cursor > start {
                        capturingModel = keepModelBytes(UnsafeBufferPointer(start: start, count: cursor - start))
                    }
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
                guard hashing else { continue }
                hashing = false
                if let field = Self.field(hashed: nameHash, depth: depth, usageDepth: usageDepth, modelFound: model != nil) {
                    expect = Expect(kind: .colon, field: field)
                }
                continue
            }
            let byte = cursor.pointee
            cursor += 1
            switch byte {
            case Self.quote:
                inString = true
                if expect == .modelValue {
                    capturingModel = true
                    modelBytes.removeAll(keepingCapacity: true)
                    continue
                }
                hashing = usageDepth != 0 || (depth >= 1 && depth <= 2)
                nameHash = Self.fnvOffset
                nameLength = 0
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
    private static let fnvOffset: UInt64 = 0xcbf2_9ce4_8422_2325
    private static let fnvPrime: UInt64 = 0x0000_0100_0000_01b3
    private static let maximumNameLength = 64

    /// The first quote or backslash in `start..<end`, or `end`: where a string's plain content stops.
    private static func quoteOrBackslash(from start: UnsafePointer<UInt8>, to end: UnsafePointer<UInt8>) -> UnsafePointer<UInt8> {
        // Short runs (names, small values) are quicker byte by byte than through two calls.
        var cursor = start
        let shortEnd = min(end, start + 16)
        while cursor < shortEnd {
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

    static func hash(_ name: StaticString) -> UInt64 {
        var hash = fnvOffset
        for offset in 0..<name.utf8CodeUnitCount { hash = (hash ^ UInt64(name.utf8Start[offset])) &* fnvPrime }
        return hash
    }

    /// The hashes of the names of interest, written out so that telling them apart is a few
    /// compares, not a table read behind a lazy global; `UsageScannerTests` checks each
    /// against `hash(_:)` of its name.
    static let usageHash: UInt64 = 0x1e17_0271_4db7_5ac8
    static let modelHash: UInt64 = 0x9de5_4393_3e6e_703a
    static let promptTokensHash: UInt64 = 0x0d70_0b4a_4e95_c08e
    static let completionTokensHash: UInt64 = 0xb301_c1ed_a403_926a
    static let cachedTokensHash: UInt64 = 0xc161_e80e_f0ed_9236
    static let inputTokensHash: UInt64 = 0xb515_8be5_a9bb_d92e
    static let outputTokensHash: UInt64 = 0x72e6_01d5_8dde_c77f
    static let cacheReadTokensHash: UInt64 = 0xa8e4_f1fd_7e5b_4a6c
    static let cacheCreationTokensHash: UInt64 = 0x42f7_dd00_b60f_8c7f

    /// The field a member name (by its hash) stands for at the current depth, if it is one of
    /// interest there. Names come from the upstream's own JSON, whose field names are its API's.
    /// Static: a method of the scanner, called while `scan` changes it, made the compiler copy
    /// the whole scanner (200 bytes) for each name.
    private static func field(hashed hash: UInt64, depth: Int, usageDepth: Int, modelFound: Bool) -> Field? {
        if usageDepth != 0 {
            return switch hash {
            case promptTokensHash: .promptTokens
            case Self.completionTokensHash: .completionTokens
            case Self.cachedTokensHash: .cachedTokens
            case Self.inputTokensHash: .inputTokens
            case Self.outputTokensHash: .outputTokens
            case Self.cacheReadTokensHash: .cacheReadTokens
            case Self.cacheCreationTokensHash: .cacheCreationTokens
            default: nil
            }
        }
        guard depth >= 1 && depth <= 2 else { return nil }
        if hash == Self.usageHash { return .usage }
        if !modelFound, hash == Self.modelHash { return .model }
        return nil
    }
}
