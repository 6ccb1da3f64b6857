/// Turns the bytes an upstream sends into responses, incrementally, like `HTTPRequestParser`.
///
/// Where a response body ends depends on the request it answers (RFC 9112 §6.3), so the caller
/// announces each request with `expectResponse(toMethod:)` before its response is read. Interim
/// 1xx responses (100 Continue, 103 Early Hints) are skipped; 101 is an error, since no upgrade
/// is ever requested. After the first error every call throws it again.
public struct HTTPResponseParser: Sendable {
    public typealias Event = HTTPParserEvent<HTTPResponseHead>

    private var parser: HTTPMessageParser<HTTPResponseRules>

    public init(limits: HTTPParserLimits = .responses) {
        parser = HTTPMessageParser(rules: HTTPResponseRules(), limits: limits)
    }

    public var limits: HTTPParserLimits { parser.limits }

    /// Records that a request with `method` was sent, so that its response can be framed.
    public mutating func expectResponse(toMethod method: String) {
        // RFC 9110 §9.1: methods are case-sensitive.
        parser.rules.pendingRequests.append(method == "HEAD")
    }

    /// The framing of the response whose body is being read; nil while reading a head.
    public var framing: HTTPBodyFraming? { parser.framing }

    /// Bytes received and not yet handed out: stop reading the upstream while this is large.
    public var bufferedByteCount: Int { parser.bufferedByteCount }

    /// Adds bytes as they were received (an `UnsafeRawBufferPointer`, `[UInt8]`, a slice…).
    public mutating func append<Bytes: Collection<UInt8>>(_ bytes: Bytes) {
        parser.append(bytes)
    }

    /// Says that the upstream closed the connection. Then `next()` yields what is left: `.end`
    /// for a body framed `.untilClose`, `.truncatedMessage` for a message cut short, nil when
    /// the connection ended between responses.
    public mutating func finish() {
        parser.finish()
    }

    /// The next part of a response, or nil when more bytes are needed.
    public mutating func next() throws(HTTPParseError) -> Event? {
        try parser.next()
    }
}

struct HTTPResponseRules: HTTPMessageRules {
    var pendingRequests = PendingRequests()

    static func parseStartLine(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> HTTPResponseHead {
        try HTTPStartLine.parseStatusLine(line)
    }

    mutating func framing(of head: HTTPResponseHead, limits: HTTPParserLimits) throws(HTTPParseError) -> HTTPBodyFraming? {
        guard let toHEAD = pendingRequests.first else { throw .unsolicitedResponse }
        // RFC 9110 §15.2.2: 101 switches protocols, which we never ask for.
        if head.status == 101 { throw .upgradeNotSupported }
        // RFC 9110 §15.2: an interim response precedes the final one; nothing here needs it.
        if head.status < 200 { return nil }
        pendingRequests.removeFirst()
        return try HTTPBodyFraming(response: head, toHEAD: toHEAD, limits: limits)
    }
}

/// For each request sent and not yet answered, oldest first: whether it was a HEAD. The first
/// 64 are the bits of one word, so a client that sends one request at a time (all of ours)
/// allocates nothing for this per exchange.
struct PendingRequests: Sendable {
    /// Bit i: whether the i-th oldest request was a HEAD, for i < `wordCount`.
    private var word: UInt64 = 0
    private var wordCount = 0
    /// Requests beyond the 64 in `word`, oldest first; empty unless `word` is full.
    private var overflow: [Bool] = []

    var first: Bool? { wordCount > 0 ? word & 1 == 1 : nil }

    mutating func append(_ isHEAD: Bool) {
        guard wordCount < UInt64.bitWidth else { return overflow.append(isHEAD) }
        if isHEAD { word |= 1 << UInt64(wordCount) }
        wordCount += 1
    }

    mutating func removeFirst() {
        precondition(wordCount > 0, "no request is pending")
        word >>= 1
        wordCount -= 1
        if !overflow.isEmpty {
            if overflow.removeFirst() { word |= 1 << UInt64(wordCount) }
            wordCount += 1
        }
    }
}
