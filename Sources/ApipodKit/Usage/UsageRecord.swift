/// One proxied request as usage accounting sees it, made when its answer has ended. Records
/// reach the database as hourly buckets (`UsageBuckets`), never one row each.
public struct UsageRecord: Sendable, Equatable {
    public var keyID: Int64
    /// The model the client named (nil when the body named none).
    public var requestedModel: String?
    /// The model that answered: the answer's own `model`, else the one sent upstream.
    public var model: String
    public var status: Int
    public var tokens: TokenUsage
    /// An upstream error (status 400 or more), a refusal, or a client that hung up.
    public var isError: Bool
    /// When the request ended, in Unix seconds.
    public var time: Int64

    public init(keyID: Int64, requestedModel: String?, model: String, status: Int, tokens: TokenUsage, isError: Bool, time: Int64) {
        self.keyID = keyID
        self.requestedModel = requestedModel
        self.model = model
        self.status = status
        self.tokens = tokens
        self.isError = isError
        self.time = time
    }

    /// Whether a request that ended with `status` counts as an error: any status of 400 or more,
    /// 499 (the client went away) included.
    public static func isError(status: Int) -> Bool { status >= 400 }
}

/// The figures every usage row and total carries.
public struct UsageTotals: Sendable, Equatable {
    public var requests = 0
    public var errors = 0
    public var inputTokens = 0
    public var outputTokens = 0
    public var cachedTokens = 0
    public var costUSD = 0.0

    public init(requests: Int = 0, errors: Int = 0, inputTokens: Int = 0, outputTokens: Int = 0, cachedTokens: Int = 0, costUSD: Double = 0) {
        self.requests = requests
        self.errors = errors
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cachedTokens = cachedTokens
        self.costUSD = costUSD
    }

    public mutating func add(_ other: UsageTotals) {
        requests += other.requests
        errors += other.errors
        inputTokens += other.inputTokens
        outputTokens += other.outputTokens
        cachedTokens += other.cachedTokens
        costUSD += other.costUSD
    }
}

/// One hourly bucket's identity: the UTC hour (Unix seconds at its start), the key, the model that answered.
public struct UsageBucketKey: Sendable, Hashable {
    public var hour: Int64
    public var keyID: Int64
    public var model: String

    public init(hour: Int64, keyID: Int64, model: String) {
        self.hour = hour
        self.keyID = keyID
        self.model = model
    }
}

/// Prices an answer: (model that answered, input tokens, output tokens) → US dollars, or nil
/// when the model has no price (then 0). Injected by whoever knows the prices (the routes file).
public typealias UsagePricing = @Sendable (_ model: String, _ inputTokens: Int, _ outputTokens: Int) -> Double?

/// Records folded into hourly buckets, the form they are stored in. Built by the writer from
/// each batch, off the request path.
public struct UsageBuckets: Sendable {
    public private(set) var totals: [UsageBucketKey: UsageTotals] = [:]

    public init() {}

    public var isEmpty: Bool { totals.isEmpty }

    public mutating func add(_ record: UsageRecord, pricing: UsagePricing?) {
        let hour = record.time - ((record.time % 3600) + 3600) % 3600
        let cost = pricing?(record.model, record.tokens.input, record.tokens.output) ?? 0
        totals[UsageBucketKey(hour: hour, keyID: record.keyID, model: record.model), default: UsageTotals()].add(UsageTotals(
            requests: 1, errors: record.isError ? 1 : 0, inputTokens: record.tokens.input,
            outputTokens: record.tokens.output, cachedTokens: record.tokens.cached, costUSD: cost))
    }
}
