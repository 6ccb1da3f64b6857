/// Everything the loops count, as plain values: one loop's (`MetricsShard.snapshot()`) or all
/// of them summed at a scrape (`add`). Keyed by packed integers so a request's count costs
/// one cheap table update.
struct MetricsSnapshot: Sendable {
    /// By `RequestSeries.key`.
    var requests = CountTable()
    /// By `AttemptSeries.key`.
    var attempts = CountTable()
    /// Requests that went on to another candidate after an attempt failed.
    var failovers: UInt64 = 0
    /// By `TokenSeries.key`.
    var tokens = CountTable()
    var requestDuration = LatencyHistogram(.requestDuration)
    var proxyOverhead = LatencyHistogram(.proxyOverhead)
    var activeStreams = 0
    /// Requests refused by a limit, by `LimitReason.rawValue`.
    var rateLimited = [UInt64](repeating: 0, count: LimitReason.allCases.count)

    mutating func add(_ other: MetricsSnapshot) {
        for (key, count) in other.requests.entries { requests.add(key, count) }
        for (key, count) in other.attempts.entries { attempts.add(key, count) }
        failovers += other.failovers
        for (key, count) in other.tokens.entries { tokens.add(key, count) }
        requestDuration.add(other.requestDuration)
        proxyOverhead.add(other.proxyOverhead)
        activeStreams += other.activeStreams
        for index in rateLimited.indices { rateLimited[index] += other.rateLimited[index] }
    }
}

/// The labels of one `apipod_requests_total` series. A status outside 100–599 (none should
/// reach here) is counted as 0, so the `code` label stays a bounded set too.
struct RequestSeries: Equatable {
    let route: MetricsRoute
    let status: Int
    /// Index in `ModelLabelRegistry.names`.
    let model: Int

    init(route: MetricsRoute, status: Int, model: Int) {
        self.route = route
        self.status = (100...599).contains(status) ? status : 0
        self.model = model
    }

    init(key: UInt64) {
        route = MetricsRoute(rawValue: UInt8(key >> 48)) ?? .notFound
        status = Int((key >> 32) & 0xFFFF)
        model = Int(key & 0xFFFF_FFFF)
    }

    var key: UInt64 { UInt64(route.rawValue) << 48 | UInt64(status) << 32 | UInt64(model) }
}

/// The labels of one `apipod_upstream_attempts_total` series.
struct AttemptSeries: Equatable {
    /// Index in the provider label registry's names.
    let provider: Int
    /// Index in `ModelLabelRegistry.names`.
    let model: Int
    let outcome: UpstreamOutcome

    init(provider: Int, model: Int, outcome: UpstreamOutcome) {
        self.provider = provider
        self.model = model
        self.outcome = outcome
    }

    init(key: UInt64) {
        outcome = UpstreamOutcome(rawValue: UInt8(key >> 48)) ?? .broken
        provider = Int((key >> 32) & 0xFFFF)
        model = Int(key & 0xFFFF_FFFF)
    }

    var key: UInt64 { UInt64(outcome.rawValue) << 48 | UInt64(provider) << 32 | UInt64(model) }
}

/// The labels of one `apipod_tokens_total` series: the model that answered and the kind of token.
struct TokenSeries: Equatable {
    enum Kind: UInt8 {
        case input, output, cached

        var label: String {
            switch self {
            case .input: "input"
            case .output: "output"
            case .cached: "cached"
            }
        }
    }

    /// Index in `ModelLabelRegistry.names`.
    let model: Int
    let kind: Kind

    init(model: Int, kind: Kind) {
        self.model = model
        self.kind = kind
    }

    init(key: UInt64) {
        kind = Kind(rawValue: UInt8(key >> 32)) ?? .input
        model = Int(key & 0xFFFF_FFFF)
    }

    var key: UInt64 { UInt64(kind.rawValue) << 32 | UInt64(model) }
}
