/// Turns the bytes a client sends into requests, incrementally: append bytes as they arrive,
/// then call `next()` until it returns nil. It never reads a socket itself, so the server
/// decides when to read and when to stop (backpressure), and tests need no I/O.
///
/// Pipelined requests come out one after the other: after `.end` the next head follows.
/// After the first error every call throws it again; the connection must be closed.
public struct HTTPRequestParser: Sendable {
    public typealias Event = HTTPParserEvent<HTTPRequestHead>

    private var parser: HTTPMessageParser<HTTPRequestRules>

    public init(limits: HTTPParserLimits = .requests) {
        parser = HTTPMessageParser(rules: HTTPRequestRules(), limits: limits)
    }

    public var limits: HTTPParserLimits { parser.limits }

    /// The framing of the request whose body is being read; nil while reading a head.
    public var framing: HTTPBodyFraming? { parser.framing }

    /// Bytes received and not yet handed out: stop reading the socket while this is large.
    public var bufferedByteCount: Int { parser.bufferedByteCount }

    /// Adds bytes as they were received (an `UnsafeRawBufferPointer`, `[UInt8]`, a slice…).
    public mutating func append<Bytes: Collection<UInt8>>(_ bytes: Bytes) {
        parser.append(bytes)
    }

    /// Says that the client closed its side. Then `next()` yields what is left; a message cut
    /// short throws `.truncatedMessage`, and nil means the connection ended between requests.
    public mutating func finish() {
        parser.finish()
    }

    /// How many bytes of a Content-Length body are still to come when none is buffered: a
    /// caller may receive them into its own storage, without a copy through the parser, and
    /// report them with `bodyBytesReceivedDirectly(_:)`. Nil in any other state.
    public var directBodyBytesExpected: Int? { parser.directBodyBytesExpected }

    /// Accounts for body bytes received around the parser; `count` is at most
    /// `directBodyBytesExpected`.
    public mutating func bodyBytesReceivedDirectly(_ count: Int) {
        parser.bodyBytesReceivedDirectly(count)
    }

    /// The next part of a request, or nil when more bytes are needed.
    public mutating func next() throws(HTTPParseError) -> Event? {
        try parser.next()
    }

    /// Takes the `.end` of a body with no bytes to come, as `next()` would return it, and says
    /// whether it did; otherwise changes nothing.
    public mutating func endBodyIfEmpty() -> Bool {
        parser.endBodyIfEmpty()
    }
}

struct HTTPRequestRules: HTTPMessageRules {
    static func parseStartLine(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> HTTPRequestHead {
        try HTTPStartLine.parseRequestLine(line)
    }

    func framing(of head: HTTPRequestHead, limits: HTTPParserLimits) throws(HTTPParseError) -> HTTPBodyFraming? {
        try HTTPBodyFraming(request: head, limits: limits)
    }
}
