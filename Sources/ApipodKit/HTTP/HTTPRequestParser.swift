/// Turns the bytes a client sends into requests, incrementally: append bytes as they arrive,
/// then call `next()` until it returns nil. It never reads a socket itself, so the server
/// decides when to read and when to stop (backpressure), and tests need no I/O.
///
/// Pipelined requests come out one after the other: after `.end` the next head follows.
/// After the first error every call throws it again; the connection must be closed.
public struct HTTPRequestParser: Sendable {
    public typealias Event = HTTPParserEvent<HTTPRequestHead>

    public let limits: HTTPParserLimits
    private var buffer = HTTPInputBuffer()
    private var headReader: HTTPHeadReader<HTTPRequestHead>
    /// The body being read; nil while reading a head.
    private var body: HTTPBodyDecoder?
    private var inputEnded = false
    private var failure: HTTPParseError?

    public init(limits: HTTPParserLimits = .requests) {
        self.limits = limits
        headReader = HTTPHeadReader(limits: limits)
    }

    /// The framing of the message whose body is being read; nil while reading a head.
    public var framing: HTTPBodyFraming? { body?.framing }

    /// Bytes received and not yet handed out: stop reading the socket while this is large.
    public var bufferedByteCount: Int { buffer.readableCount }

    /// Adds bytes as they were received (an `UnsafeRawBufferPointer`, `[UInt8]`, a slice…).
    public mutating func append<Bytes: Collection<UInt8>>(_ bytes: Bytes) {
        buffer.append(bytes)
    }

    /// Says that the client closed its side. Then `next()` yields what is left; a message cut
    /// short throws `.truncatedMessage`, and nil means the connection ended between requests.
    public mutating func finish() {
        inputEnded = true
    }

    /// The next part of a request, or nil when more bytes are needed.
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
        guard let (requestLine, headers) = try headReader.read(from: &buffer, parseStartLine: HTTPStartLine.parseRequestLine)
        else {
            if inputEnded && (headReader.hasStarted || buffer.readableCount > 0) { throw .truncatedMessage }
            return nil
        }
        var head = requestLine
        head.headers = headers
        body = HTTPBodyDecoder(framing: try HTTPBodyFraming(request: head, limits: limits), limits: limits)
        return .head(head)
    }
}
