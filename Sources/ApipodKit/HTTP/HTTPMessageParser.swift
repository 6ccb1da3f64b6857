/// What differs between parsing requests and parsing responses: the start line, and how a head
/// decides the framing of its body.
protocol HTTPMessageRules: Sendable {
    associatedtype Head: HTTPMessageHead

    static func parseStartLine(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> Head

    /// The framing of the message `head` starts, or nil for an interim message to skip.
    mutating func framing(of head: Head, limits: HTTPParserLimits) throws(HTTPParseError) -> HTTPBodyFraming?
}

/// A head the head reader can attach the header section to.
protocol HTTPMessageHead: Sendable, Equatable {
    var headers: HTTPHeaders { get set }
}

extension HTTPRequestHead: HTTPMessageHead {}
extension HTTPResponseHead: HTTPMessageHead {}

/// The parser both public parsers are made of: the buffer, the head reader and the body decoder,
/// driven one event at a time. Its state belongs to the one connection that feeds it.
struct HTTPMessageParser<Rules: HTTPMessageRules>: Sendable {
    let limits: HTTPParserLimits
    var rules: Rules
    private var buffer = HTTPInputBuffer()
    private var headReader: HTTPHeadReader<Rules.Head>
    /// The body being read; nil while reading a head.
    private var body: HTTPBodyDecoder?
    private var inputEnded = false
    private var failure: HTTPParseError?

    init(rules: Rules, limits: HTTPParserLimits) {
        self.rules = rules
        self.limits = limits
        headReader = HTTPHeadReader(limits: limits)
    }

    var framing: HTTPBodyFraming? { body?.framing }

    var bufferedByteCount: Int { buffer.readableCount }

    mutating func append<Bytes: Collection<UInt8>>(_ bytes: Bytes) {
        buffer.append(bytes)
    }

    mutating func finish() {
        inputEnded = true
    }

    /// How many bytes of a Content-Length body are still to come when none is buffered and the
    /// input has not ended, so a caller may receive them straight into its own storage; nil otherwise.
    var directBodyBytesExpected: Int? {
        guard failure == nil, !inputEnded, buffer.readableCount == 0, let remaining = body?.fixedRemaining, remaining > 0 else { return nil }
        return remaining
    }

    /// Accounts for `count` body bytes the caller received itself (at most `directBodyBytesExpected`).
    mutating func bodyBytesReceivedDirectly(_ count: Int) {
        body!.consumeFixed(count)
    }

    /// Takes the `.end` of a body that has no bytes to come (no body, or Content-Length 0) and
    /// says whether it did; otherwise changes nothing. The same as `next()` returning `.end`,
    /// for a server that would otherwise make an async call per request only to learn that.
    mutating func endBodyIfEmpty() -> Bool {
        guard failure == nil, body?.fixedRemaining == 0 else { return false }
        body = nil
        return true
    }

    /// The next event; after the first error, that error again, since the framing of whatever
    /// follows can no longer be trusted (RFC 9112 §11.2).
    mutating func next() throws(HTTPParseError) -> HTTPParserEvent<Rules.Head>? {
        if let failure { throw failure }
        do {
            return try step()
        } catch {
            failure = error
            throw error
        }
    }

    /// Never inlined: the async functions that read messages (a connection's `readHead`, the
    /// client's exchange) would keep its locals in their frames, which a task holds for as
    /// long as it lives; inlined there, a stream's frames were 2 KB larger.
    @inline(never)
    private mutating func step() throws(HTTPParseError) -> HTTPParserEvent<Rules.Head>? {
        if body != nil {
            let event: HTTPParserEvent<Rules.Head>? = try body!.next(from: &buffer, inputEnded: inputEnded)
            if case .end = event { body = nil }
            return event
        }
        while let head = try headReader.read(from: &buffer, parseStartLine: Rules.parseStartLine) {
            guard let framing = try rules.framing(of: head, limits: limits) else { continue }
            body = HTTPBodyDecoder(framing: framing, limits: limits)
            buffer.releaseIfEmpty()
            return .head(consume head)
        }
        if inputEnded && (headReader.hasStarted || buffer.readableCount > 0) { throw .truncatedMessage }
        return nil
    }
}
