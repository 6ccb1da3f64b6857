/// Where a client sends requests and how long each phase may take. As on the server, the
/// timeouts are per phase: a response body may stream for as long as pieces keep arriving.
public struct HTTPClientConfiguration: Sendable {
    public var host: String
    public var port: UInt16
    public var connectTimeout: Duration
    /// From the end of the request to the response head. Long by default: a non-streamed LLM
    /// answer sends its head only when the whole generation is done.
    public var responseHeadTimeout: Duration
    /// The longest silence between two pieces of a response body.
    public var bodyIdleTimeout: Duration
    /// Idle keep-alive connections kept per event loop.
    public var maxIdleConnectionsPerLoop: Int

    public init(
        host: String, port: UInt16, connectTimeout: Duration = .seconds(10),
        responseHeadTimeout: Duration = .seconds(600), bodyIdleTimeout: Duration = .seconds(300),
        maxIdleConnectionsPerLoop: Int = 1024
    ) {
        self.host = host
        self.port = port
        self.connectTimeout = connectTimeout
        self.responseHeadTimeout = responseHeadTimeout
        self.bodyIdleTimeout = bodyIdleTimeout
        self.maxIdleConnectionsPerLoop = maxIdleConnectionsPerLoop
    }
}

/// Why an upstream exchange failed, sorted by what the caller answers its own client.
public enum HTTPClientError: Error, Equatable, CustomStringConvertible {
    /// No connection could be made (refused, unresolvable, connect timeout): 502.
    case unreachable(String)
    /// Connected, but no response head came in time: 504.
    case responseTimeout(String)
    /// The upstream broke the exchange or sent something that is not HTTP: 502.
    case badResponse(String)

    public var description: String {
        switch self {
        case .unreachable(let reason): "upstream unreachable: \(reason)"
        case .responseTimeout(let reason): "upstream did not answer in time: \(reason)"
        case .badResponse(let reason): "bad upstream response: \(reason)"
        }
    }
}
