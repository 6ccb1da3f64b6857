/// Which SDK is on the other end, judged by the path: errors must be in the shape its SDK
/// parses, or the user sees "unexpected response" instead of the reason.
public enum APIDialect: Sendable, Equatable {
    /// `{"error":{"message","type","code"}}`, for `/v1/chat/completions` and the rest.
    case openAI
    /// `{"type":"error","error":{"type","message"}}`, for `/v1/messages`.
    case anthropic

    public init(path: String) {
        self = path == "/v1/messages" || path.hasPrefix("/v1/messages/") || path.hasPrefix("/v1/messages?") ? .anthropic : .openAI
    }
}

/// An error the proxy itself answers with (as opposed to one relayed from the upstream).
public struct APIError: Error, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case missingKey, invalidKey, disabledKey, expiredKey
        case badRequest, notFound, payloadTooLarge
        case upstreamUnreachable, upstreamTimeout
        case internalError
        /// A key's rpm or concurrency limit (SPEC §10).
        case rateLimited
        /// A key's daily token quota (SPEC §10).
        case quotaExceeded
    }

    public let kind: Kind
    /// What the client is told.
    public let message: String
    /// What only the log is told: the upstream's address and the connect error, say, which are
    /// the operator's business and would show a client the network behind the proxy.
    public let logDetail: String?
    /// Header fields the answer carries besides Content-Type (`Retry-After` on a 429, say).
    public let headers: HTTPHeaders

    public init(_ kind: Kind, _ message: String, logDetail: String? = nil, headers: HTTPHeaders = HTTPHeaders()) {
        self.kind = kind
        self.message = message
        self.logDetail = logDetail
        self.headers = headers
    }

    public var status: Int {
        switch kind {
        case .missingKey: 401
        case .invalidKey, .disabledKey, .expiredKey: 403
        case .badRequest: 400
        case .notFound: 404
        case .payloadTooLarge: 413
        case .upstreamUnreachable: 502
        case .upstreamTimeout: 504
        case .internalError: 500
        case .rateLimited, .quotaExceeded: 429
        }
    }

    /// The body in the caller's dialect, using the type names each vendor's SDK knows.
    public func body(_ dialect: APIDialect) -> [UInt8] {
        let json: JSONOutput = switch dialect {
        case .openAI:
            .object([("error", .object([
                ("message", .string(message)), ("type", .string(openAIType)), ("code", .string(code)),
            ]))])
        case .anthropic:
            .object([
                ("type", .string("error")),
                ("error", .object([("type", .string(anthropicType)), ("message", .string(message))])),
            ])
        }
        return Array(json.rendered().utf8)
    }

    var code: String {
        switch kind {
        case .missingKey: "missing_api_key"
        case .invalidKey: "invalid_api_key"
        case .disabledKey: "api_key_disabled"
        case .expiredKey: "api_key_expired"
        case .badRequest: "invalid_request"
        case .notFound: "not_found"
        case .payloadTooLarge: "request_too_large"
        case .upstreamUnreachable: "upstream_unreachable"
        case .upstreamTimeout: "upstream_timeout"
        case .internalError: "internal_error"
        case .rateLimited: "rate_limit_exceeded"
        case .quotaExceeded: "insufficient_quota"
        }
    }

    private var openAIType: String {
        switch kind {
        case .missingKey, .invalidKey, .disabledKey, .expiredKey, .badRequest, .notFound, .payloadTooLarge:
            "invalid_request_error"
        case .upstreamUnreachable, .upstreamTimeout, .internalError:
            "server_error"
        // OpenAI's own types for these two codes.
        case .rateLimited: "requests"
        case .quotaExceeded: "insufficient_quota"
        }
    }

    private var anthropicType: String {
        switch kind {
        case .missingKey: "authentication_error"
        case .invalidKey, .disabledKey, .expiredKey: "permission_error"
        case .badRequest: "invalid_request_error"
        case .notFound: "not_found_error"
        case .payloadTooLarge: "request_too_large"
        case .upstreamUnreachable, .upstreamTimeout, .internalError: "api_error"
        case .rateLimited, .quotaExceeded: "rate_limit_error"
        }
    }
}
