/// One event loop's counters, gauges and histograms. Only that loop's thread touches it — its
/// requests write it, and a scrape reads it by running `snapshot()` there — so counting needs no
/// lock and no atomic: plain adds into memory the loop's core already holds. A scrape sums the
/// loops' snapshots (`MetricsSnapshot`).
final class MetricsShard: @unchecked Sendable {
    // @unchecked: every member is the owning loop's thread's alone (see above). For the same
    // reason, and because each access is one step that calls nothing that could reach the shard
    // again, the runtime's exclusivity checks (several per request) are switched off.

    let registry: ModelLabelRegistry
    @exclusivity(unchecked) private var models: ModelLabelCache
    @exclusivity(unchecked) private var values = MetricsSnapshot()

    init(registry: ModelLabelRegistry) {
        self.registry = registry
        models = ModelLabelCache(capacity: registry.capacity)
    }

    /// What one finished request contributes to the metrics.
    struct Request {
        var route: MetricsRoute
        var status: Int
        /// The model as the client named it, for `apipod_requests_total`.
        var requestedModel: String?
        /// The model sent upstream, for `apipod_upstream_attempts_total`.
        var routedModel: String?
        /// How the upstream attempt ended; nil when none was made.
        var outcome: UpstreamOutcome?
        var durationNanoseconds: Int64
        /// Time spent waiting on the upstream; the overhead is the rest of the duration.
        var upstreamWaitNanoseconds: Int64?
        /// The answer's tokens and the model that answered, when its usage was read.
        var tokens: TokenUsage? = nil
        var answeredModel: String? = nil
    }

    /// Counts one finished request, its upstream attempt and its timings.
    func record(_ request: Request) {
        let model = models.index(of: request.requestedModel, in: registry)
        values.requests.add(RequestSeries(route: request.route, status: request.status, model: model).key)
        values.requestDuration.observe(nanoseconds: request.durationNanoseconds)
        if let wait = request.upstreamWaitNanoseconds {
            values.proxyOverhead.observe(nanoseconds: request.durationNanoseconds &- wait)
        }
        if let outcome = request.outcome {
            let routed = request.routedModel == request.requestedModel ? model : models.index(of: request.routedModel, in: registry)
            values.attempts.add(AttemptSeries(model: routed, outcome: outcome).key)
        }
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
