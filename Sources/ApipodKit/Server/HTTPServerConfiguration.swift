/// How a server listens and how long each phase of a connection may take. The timeouts are per
/// phase, never per response: a streamed response may last as long as it keeps moving.
public struct HTTPServerConfiguration: Sendable {
    public var host: String
    public var port: UInt16
    public var limits: HTTPParserLimits
    /// From a connection's first byte of a request head to its last (slowloris defence).
    public var requestHeadTimeout: Duration
    /// How long a keep-alive connection may sit between requests.
    public var idleTimeout: Duration
    /// How long a single read of the request body may wait for bytes.
    public var bodyReadTimeout: Duration
    /// How long a single write may wait for a client that does not read.
    public var writeStallTimeout: Duration

    public init(
        host: String, port: UInt16, limits: HTTPParserLimits = .requests,
        requestHeadTimeout: Duration = .seconds(30), idleTimeout: Duration = .seconds(75),
        bodyReadTimeout: Duration = .seconds(60), writeStallTimeout: Duration = .seconds(300)
    ) {
        self.host = host
        self.port = port
        self.limits = limits
        self.requestHeadTimeout = requestHeadTimeout
        self.idleTimeout = idleTimeout
        self.bodyReadTimeout = bodyReadTimeout
        self.writeStallTimeout = writeStallTimeout
    }
}

/// The configuration's phase timeouts as the loops apply them, converted once per server instead
/// of at every wait (see `Timeout`).
struct ServerTimeouts: Sendable {
    let requestHead: Timeout
    let idle: Timeout
    let bodyRead: Timeout
    let writeStall: Timeout

    init(_ configuration: HTTPServerConfiguration) {
        requestHead = Timeout(configuration.requestHeadTimeout)
        idle = Timeout(configuration.idleTimeout)
        bodyRead = Timeout(configuration.bodyReadTimeout)
        writeStall = Timeout(configuration.writeStallTimeout)
    }
}
