/// The `route` label of `apipod_requests_total`: a fixed, small set, so a client choosing paths
/// cannot create series. Decided from the normalised path.
enum MetricsRoute: UInt8, CaseIterable, Sendable {
    case chatCompletions, messages, models, otherV1, health, admin, metrics, notFound

    var label: String {
        switch self {
        case .chatCompletions: "chat_completions"
        case .messages: "messages"
        case .models: "models"
        case .otherV1: "other_v1"
        case .health: "health"
        case .admin: "admin"
        case .metrics: "metrics"
        case .notFound: "not_found"
        }
    }

    /// The route of a normalised path; `notFound` for anything no route serves, and for a
    /// path refused before it could be routed.
    init(path: String) {
        switch path {
        case "/v1/chat/completions": self = .chatCompletions
        case "/v1/messages", "/v1/messages/count_tokens": self = .messages
        case "/v1/models": self = .models
        case "/health": self = .health
        case "/metrics": self = .metrics
        default:
            if path == "/v1" || path.hasPrefix("/v1/") {
                self = .otherV1
            } else if path == "/admin" || path.hasPrefix("/admin/") {
                self = .admin
            } else {
                self = .notFound
            }
        }
    }
}
