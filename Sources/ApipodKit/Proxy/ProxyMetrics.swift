import Synchronization

/// `GET /metrics` composed onto the proxy: one `MetricsShard` per event loop, written by the
/// requests that run on that loop, and a scrape that reads each shard on its own loop's thread
/// and sums them. Nothing on a request's path takes a lock the loops share (the model-label
/// registry's lock aside, taken only the first time a loop meets a name; see `ModelLabelRegistry`).
final class ProxyMetrics: Sendable {
    private let shards: PerLoop<MetricsShard>
    let models: ModelLabelRegistry
    let providers: ModelLabelRegistry
    /// The server's open-connection count, set once the server exists; read only at a scrape.
    private let openConnections = Mutex<(@Sendable () -> Int)?>(nil)
    /// When the metrics began counting, which is when `serve` started: the dashboard's uptime.
    private let started = Deadline.now

    init(loops: [EventLoop], modelCapacity: Int = 100) {
        let models = ModelLabelRegistry(capacity: modelCapacity)
        self.models = models
        let providers = ModelLabelRegistry(capacity: 32)
        self.providers = providers
        shards = PerLoop(loops) { MetricsShard(registry: models, providerRegistry: providers) }
    }

    func countOpenConnections(with count: @escaping @Sendable () -> Int) {
        openConnections.withLock { $0 = count }
    }

    /// The shard of `loop`, which must be the calling thread's loop: the shard is that thread's alone.
    func shard(on loop: EventLoop) -> MetricsShard {
        shards.on(loop)
    }

    /// The exposition: every loop's shard copied on that loop's thread, summed, and the
    /// figures only a scrape reads (open connections, `/proc/self`).
    func scrape() async -> [UInt8] {
        let total = await summed()
        let context = ScrapeContext(
            modelNames: models.names, providerNames: providers.names, openConnections: openConnections.withLock { $0?() } ?? 0,
            process: ProcessStats.current(), version: BuildInfo.version)
        return total.exposition(context)
    }

    /// The dashboard's live figures (`GET /admin/live`), from the same summed shards a scrape reads.
    func live() async -> LiveFigures {
        let total = await summed()
        var proxied: UInt64 = 0
        for (key, count) in total.requests.entries where RequestSeries(key: key).route.isProxied { proxied &+= count }
        let uptime = Double(Deadline.now.uptimeNanoseconds &- started.uptimeNanoseconds) / 1e9
        return LiveFigures(
            requestsTotal: proxied, activeStreams: total.activeStreams,
            openConnections: openConnections.withLock { $0?() } ?? 0, uptimeSeconds: uptime)
    }

    /// Every loop's shard copied on that loop's thread, and summed.
    private func summed() async -> MetricsSnapshot {
        var total = MetricsSnapshot()
        for (loop, shard) in shards.shards {
            total.add(await withUnsafeContinuation { continuation in
                loop.post(.run { continuation.resume(returning: shard.snapshot()) })
            })
        }
        return total
    }

    static let contentType = "text/plain; version=0.0.4; charset=utf-8"
}

extension MetricsShard {
    /// Counts a finished request from its log entry.
    func record(_ entry: RequestLogEntry, durationNanoseconds: Int64) {
        record(Request(
            route: entry.route, status: entry.status, requestedModel: entry.requestedModel,
            attempts: entry.attempts, durationNanoseconds: durationNanoseconds,
            upstreamWaitNanoseconds: entry.upstreamWaitNanoseconds, rateLimited: entry.rateLimited,
            tokens: entry.tokens, answeredModel: entry.answeredModel))
    }
}
