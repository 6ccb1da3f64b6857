/// An upstream the routes file names under `providers`: a base URL and how to present its key.
/// The key itself is never in the file, only the name of the variable that holds it (`keyEnv`),
/// read at start-up and at each reload with the precedence of every setting.
public struct ProviderRoute: Sendable, Equatable {
    /// How a provider expects its key: Anthropic-style `x-api-key: K` (the original service's
    /// way, and the default) or OpenAI-style `Authorization: Bearer K`.
    public enum Auth: String, Sendable, Equatable, CaseIterable {
        case xAPIKey = "x-api-key"
        case bearer
    }

    /// The built-in provider: `ANTIGRAVITY_URL` with the key in `ANTIGRAVITY_KEY`. Every model
    /// the file does not place elsewhere goes there.
    public static let defaultName = "default"

    public let name: String
    public let url: UpstreamURL
    public let auth: Auth
    /// The environment variable holding the key; nil for a provider that needs none.
    public let keyEnv: String?

    public init(name: String, url: UpstreamURL, auth: Auth = .xAPIKey, keyEnv: String?) {
        self.name = name
        self.url = url
        self.auth = auth
        self.keyEnv = keyEnv
    }
}

/// A model the routes file describes under `models`: which provider serves it, the name sent
/// there (`upstream_model`, spliced into the body as the alias rewrite is), where to go when it
/// fails (`fallback`) and what it costs (`price`).
public struct ModelRoute: Sendable, Equatable {
    public let name: String
    public let provider: String
    public let upstreamModel: String?
    public let fallback: [String]
    public let price: ModelPrice?

    public init(name: String, provider: String = ProviderRoute.defaultName, upstreamModel: String? = nil, fallback: [String] = [], price: ModelPrice? = nil) {
        self.name = name
        self.provider = provider
        self.upstreamModel = upstreamModel
        self.fallback = fallback
        self.price = price
    }
}
