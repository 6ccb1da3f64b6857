/// The few figures the dashboard refreshes every few seconds (`GET /admin/live`), read from the
/// metrics the loops already keep: nothing is counted twice for it. The page derives requests per
/// second from two samples, so the answer carries counters, not rates.
struct LiveFigures: Sendable, Equatable {
    /// Requests to `/v1/…` since the server started: the dashboard's own polling is not among them,
    /// so an idle server reads 0 requests per second.
    var requestsTotal: UInt64
    var activeStreams: Int
    var openConnections: Int
    var uptimeSeconds: Double

    var json: JSONOutput {
        .object([
            ("requests_total", .integer(Int64(clamping: requestsTotal))),
            ("active_streams", .integer(Int64(activeStreams))),
            ("open_connections", .integer(Int64(openConnections))),
            ("uptime_seconds", .number((uptimeSeconds * 10).rounded(.down) / 10)),
        ])
    }
}

extension MetricsRoute {
    /// The routes whose requests go to an upstream: what "requests per second" means to an operator.
    var isProxied: Bool {
        switch self {
        case .chatCompletions, .messages, .models, .otherV1: true
        case .health, .admin, .metrics, .notFound: false
        }
    }
}
