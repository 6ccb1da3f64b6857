/// The `outcome` label of `apipod_upstream_attempts_total`: how one attempt at the upstream
/// ended, judged at its response head (what failover will judge by). A fixed set.
enum UpstreamOutcome: UInt8, CaseIterable, Sendable {
    /// A head with a status under 400.
    case ok
    /// 429: the upstream's rate limit.
    case http429
    /// Any other 4xx: the request's fault, not the upstream's health.
    case http4xx
    case http5xx
    /// No connection could be made.
    case unreachable
    /// Connected, but no response head in time.
    case timeout
    /// The connection broke, or the answer was not HTTP, before a head arrived.
    case broken

    init(status: Int) {
        switch status {
        case ..<400: self = .ok
        case 429: self = .http429
        case 400..<500: self = .http4xx
        default: self = .http5xx
        }
    }

    var label: String {
        switch self {
        case .ok: "ok"
        case .http429: "http_429"
        case .http4xx: "http_4xx"
        case .http5xx: "http_5xx"
        case .unreachable: "unreachable"
        case .timeout: "timeout"
        case .broken: "broken"
        }
    }
}
