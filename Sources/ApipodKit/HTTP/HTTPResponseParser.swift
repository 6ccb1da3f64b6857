/// Turns the bytes an upstream sends into responses, incrementally, like `HTTPRequestParser`.
///
/// Where a response body ends depends on the request it answers (RFC 9112 §6.3), so the caller
/// announces each request with `expectResponse(toMethod:)` before its response is read. Interim
/// 1xx responses (100 Continue, 103 Early Hints) are skipped; 101 is an error, since no upgrade
/// is ever requested. After the first error every call throws it again.
public struct HTTPResponseParser: Sendable {
    public typealias Event = HTTPParserEvent<HTTPResponseHead>

    public let limits: HTTPParserLimits
    private var buffer = HTTPInputBuffer()
    private var headReader: HTTPHeadReader<HTTPResponseHead>
    /// For each request sent and not yet answered, oldest first: whether it was a HEAD.
    private var pendingRequests: [Bool] = []
    /// The body being read; nil while reading a head.
    private var body: HTTPBodyDecoder?
    private var inputEnded = false
    private var failure: HTTPParseError?

    public init(limits: HTTPParserLimits = .responses) {
        self.limits = limits
        headReader = HTTPHeadReader(limits: limits)
    }

    /// Records that a request with `method` was sent, so its response can be framed.
    public mutating func expectResponse(toMethod method: String) {
        pendingRequests.append(method == "HEAD")
    }

    /// The framing of the response whose body is being read; nil while reading a head.
    public var framing: HTTPBodyFraming? { body?.framing }

    /// Bytes received and not yet handed out: stop reading the upstream while this is large.
    public var bufferedByteCount: Int { buffer.readableCount }

    /// Adds bytes as they were received (an `UnsafeRawBufferPointer`, `[UInt8]`, a slice…).
    public mutating func append<Bytes: Collection<UInt8>>(_ bytes: Bytes) {
        buffer.append(bytes)
    }

    /// Says that the upstream closed the connection. Then `next()` yields what is left: `.end`
    /// for a body framed `.untilClose`, `.truncatedMessage` for a message cut short, nil when
    /// the connection ended between responses.
    public mutating func finish() {
        inputEnded = true
    }

    /// The next part of a response, or nil when more bytes are needed.
    public mutating func next() throws(HTTPParseError) -> Event? {
        if let failure { throw failure }
        do {
            return try step()
        } catch {
            failure = error
            throw error
        }
    }

    private mutating func step() throws(HTTPParseError) -> Event? {
        if var decoder = body {
            let event: Event? = try decoder.next(from: &buffer, inputEnded: inputEnded)
            body = event == .end ? nil : decoder
            return event
        }
        while let (statusLine, headers) = try headReader.read(from: &buffer, parseStartLine: HTTPStartLine.parseStatusLine) {
            guard let toHEAD = pendingRequests.first else { throw .unsolicitedResponse }
            var head = statusLine
            head.headers = headers
            // RFC 9110 §15.2.2: 101 switches protocols, which we never ask for.
            if head.status == 101 { throw .upgradeNotSupported }
            // RFC 9110 §15.2: an interim response precedes the final one; nothing here needs it.
            if head.status < 200 { continue }
            pendingRequests.removeFirst()
            body = HTTPBodyDecoder(framing: try HTTPBodyFraming(response: head, toHEAD: toHEAD, limits: limits), limits: limits)
            return .head(head)
        }
        if inputEnded && (headReader.hasStarted || buffer.readableCount > 0) { throw .truncatedMessage }
        return nil
    }
}
