/// Which limit refused a request: the `reason` label of `apipod_rate_limited_total`.
public enum LimitReason: UInt8, Sendable, CaseIterable {
    case rpm, concurrency, dailyTokens

    public var label: String {
        switch self {
        case .rpm: "rpm"
        case .concurrency: "concurrency"
        case .dailyTokens: "daily_tokens"
        }
    }
}

/// A request a key's limits refuse, with what the client needs to know to come back: when
/// (`retryAfterNanoseconds`) and, when the key has an rpm limit, the state of its allowance.
public struct LimitRefusal: Error, Sendable, Equatable {
    public var reason: LimitReason
    /// The limit that refused (requests per minute, requests at once, or tokens per day).
    public var limit: Int
    /// How long until the same request would pass, as far as the limiter can tell: the next
    /// GCRA slot, the next UTC day, or a second for a key whose requests are all in flight
    /// (their end cannot be foreseen).
    public var retryAfterNanoseconds: Int64
    /// Tokens counted today, for a daily quota refusal.
    public var tokensToday: Int?
    /// The key's request allowance, when it has an rpm limit.
    public var requests: RequestAllowance?

    public init(reason: LimitReason, limit: Int, retryAfterNanoseconds: Int64, tokensToday: Int? = nil, requests: RequestAllowance? = nil) {
        self.reason = reason
        self.limit = limit
        self.retryAfterNanoseconds = retryAfterNanoseconds
        self.tokensToday = tokensToday
        self.requests = requests
    }

    /// Whole seconds, rounded up and at least one, as `Retry-After` carries them.
    public var retryAfterSeconds: Int64 {
        max(1, (retryAfterNanoseconds + 999_999_999) / 1_000_000_000)
    }
}

/// Where a key stands against its rpm limit: OpenAI's `x-ratelimit-*-requests` headers.
public struct RequestAllowance: Sendable, Equatable {
    /// Requests per minute.
    public var limit: Int
    /// Requests that could be made at once right now.
    public var remaining: Int
    /// Until the whole allowance is back.
    public var resetNanoseconds: Int64
}

/// The right to one request slot of a key with a concurrency limit. The proxy releases it
/// exactly once, in a `defer` around everything the request does after admission, so every
/// exit (the end of the answer, a client that hangs up, an error, a failover, cancellation)
/// gives the slot back. A permit for a key without a concurrency limit holds nothing.
public struct LimitPermit: Sendable {
    let limiter: KeyLimiter?

    public static let unlimited = LimitPermit(limiter: nil)

    public func release() {
        limiter?.releaseConcurrency()
    }
}
