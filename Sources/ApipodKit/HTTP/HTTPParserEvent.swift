/// What a parser yields, one part of a message at a time, so a body can be relayed while it is
/// still arriving: a head, then body pieces, then the end.
public enum HTTPParserEvent<Head: Sendable & Equatable>: Sendable, Equatable {
    case head(Head)
    /// Payload bytes with the framing removed. The slice shares the parser's storage (its
    /// indices are not zero-based); drop it before the next `append` to spare a copy.
    case body(ArraySlice<UInt8>)
    /// The message is complete; the next event, if any, starts the next message.
    case end
}

/// How the body of the current message is delimited (RFC 9112 §6.3). Exposed because the
/// caller needs it beyond the parser: a proxy re-frames what it relays (a known length can be
/// passed on, an unknown one is sent chunked), and a body that ends at close ends the connection.
public enum HTTPBodyFraming: Sendable, Equatable {
    case none
    case contentLength(Int)
    case chunked
    /// The body runs until the server closes the connection (responses only).
    case untilClose
}
