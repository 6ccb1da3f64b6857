/// How much a peer may make the parser hold or accept before it refuses, so that one bad or
/// hostile connection cannot exhaust memory. Every limit counts bytes received, so none of them
/// depends on how the bytes were split into reads.
public struct HTTPParserLimits: Sendable, Equatable {
    /// The longest request line or status line, without its CRLF (→ 414).
    public var maxStartLineBytes: Int
    /// The most bytes of header lines in one section, without their CRLFs (→ 431). Trailers
    /// have a budget of their own of the same size.
    public var maxHeaderBytes: Int
    /// The most field lines in one section (→ 431).
    public var maxHeaderCount: Int
    /// The most body bytes in one message, after chunked framing is removed (→ 413). A declared
    /// Content-Length is checked up front; chunked and close-delimited bodies as they arrive.
    public var maxBodyBytes: Int
    /// The longest chunk-size line, extensions included (→ 400); Go's net/http allows as much.
    public var maxChunkLineBytes: Int

    public init(
        maxStartLineBytes: Int = 8 * 1024,
        maxHeaderBytes: Int = 32 * 1024,
        maxHeaderCount: Int = 100,
        maxBodyBytes: Int = 10 * 1024 * 1024,
        maxChunkLineBytes: Int = 4 * 1024
    ) {
        self.maxStartLineBytes = maxStartLineBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
        self.maxChunkLineBytes = maxChunkLineBytes
    }

    /// The defaults for requests a server reads.
    public static let requests = HTTPParserLimits()

    /// The defaults for responses a proxy relays: the same head limits, and no body limit,
    /// because the body is streamed on rather than held (a long generation is large).
    public static let responses = HTTPParserLimits(maxBodyBytes: .max)
}
