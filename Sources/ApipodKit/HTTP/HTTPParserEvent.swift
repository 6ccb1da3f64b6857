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

/// How the body of a message is delimited (RFC 9112 §6.3).
public enum HTTPBodyFraming: Sendable, Equatable {
    case none
    case contentLength(Int)
    case chunked
    /// The body runs until the server closes the connection (responses only).
    case untilClose
}
