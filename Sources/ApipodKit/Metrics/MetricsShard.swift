/// One event loop's counters, gauges and histograms. Only that loop's thread touches it — its
/// requests write it, and a scrape reads it by running `snapshot()` there — so counting needs no
/// lock and no atomic: plain adds into memory the loop's core already holds. A scrape sums the
/// loops' snapshots (`MetricsSnapshot`).
final class MetricsShard: @unchecked Sendable {
    // @unchecked: every member is the owning loop's thread's alone (see above). For the same
    // reason, and because each access is one step that calls nothing that could reach the shard
    // again, the runtime's exclusivity checks (several per request) are switched off.

    let registry: ModelLabelRegistry
    /// The `provider` label's values: names from the routes file, bounded like the models'.
    let providerRegistry: ModelLabelRegistry
    @exclusivity(unchecked) private var models: ModelLabelCache
    @exclusivity(unchecked) private var providers: ModelLabelCache
    @exclusivity(unchecked) private var values = MetricsSnapshot()

    init(registry: ModelLabelRegistry, providerRegistry: ModelLabelRegistry) {
        self.registry = registry
        self.providerRegistry = providerRegistry
        models = ModelLabelCache(capacity: registry.capacity)
        providers = ModelLabelCache(capacity: providerRegistry.capacity)
    }

    /// What one finished request contributes to the metrics.
    struct Request {
        var route: MetricsRoute
        var status: Int
        /// The model as the client named it, for `apipod_requests_total`.
        var requestedModel: String?
        /// Each attempt's model, provider and outcome, for `apipod_upstream_attempts_total`;
        /// more than one is a failover.
        var attempts: [UpstreamAttempt]
        var durationNanoseconds: Int64
        /// Time spent waiting on the upstream; the overhead is the rest of the duration.
        var upstreamWaitNanoseconds: Int64?
        /// The limit that refused the request, if one did.
        var rateLimited: LimitReason? = nil
        /// The answer's tokens and the model that answered, when its usage was read.
        var tokens: TokenUsage? = nil
        var answeredModel: String? = nil
    }

    /// Counts one finished request, its upstream attempts and its timings.
    func record(_ request: Request) {
        let model = models.index(of: request.requestedModel, in: registry)
        values.requests.add(RequestSeries(route: request.route, status: request.status, model: model).key)
        values.requestDuration.observe(nanoseconds: request.durationNanoseconds)
        if let wait = request.upstreamWaitNanoseconds {
            values.proxyOverhead.observe(nanoseconds: request.durationNanoseconds &- wait)
        }
        for attempt in request.attempts {
            let routed = attempt.model == request.requestedModel ? model : models.index(of: attempt.model, in: registry)
            let provider = providers.index(of: attempt.provider, in: providerRegistry)
            values.attempts.add(AttemptSeries(provider: provider, model: routed, outcome: attempt.outcome).key)
        }
        if request.attempts.count > 1 { values.failovers += 1 }
        if let reason = request.rateLimited { values.rateLimited[Int(reason.rawValue)] += 1 }
        if let tokens = request.tokens {
            let answered = models.index(of: request.answeredModel, in: registry)
            values.tokens.add(TokenSeries(model: answered, kind: .input).key, UInt64(tokens.input))
            values.tokens.add(TokenSeries(model: answered, kind: .output).key, UInt64(tokens.output))
            values.tokens.add(TokenSeries(model: answered, kind: .cached).key, UInt64(tokens.cached))
        }
    }

    func streamStarted() { values.activeStreams += 1 }

    func streamEnded() { values.activeStreams -= 1 }

    /// A copy of everything, taken on the owning loop's thread.
    func snapshot() -> MetricsSnapshot { values }
}
