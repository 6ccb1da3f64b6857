/// Building the rules `serve` routes by, at start-up and at each reload (SIGHUP).
extension ProxyService {
    /// The rules for `configuration`: one endpoint per provider, each with its own transport
    /// (its own keep-alive pool). Providers whose URL did not change keep `previous`'s transport.
    /// Throws `HTTPSLibraryError` when a provider is `https://` and the library that speaks it
    /// cannot be loaded.
    static func rules(_ configuration: ServerConfiguration, previous: ProxyRules?, group: EventLoopGroup) throws -> ProxyRules {
        try ProxyRules(configuration, previous: previous) { url in
            let clientConfiguration = HTTPClientConfiguration(
                host: url.host, port: UInt16(url.port), responseHeadTimeout: configuration.upstreamResponseTimeout)
            return try UpstreamTransports.make(url: url, configuration: clientConfiguration, group: group)
        }
    }

    /// Puts every provider and configured model on the board, so `/admin/upstreams` lists
    /// them before their first request.
    static func register(_ table: RoutingTable, on board: UpstreamBoard) {
        var models = table.models.values.map { (name: $0.name, provider: $0.provider) }
        let named = table.aliases.values.flatMap { $0.targets.map(\.model) + $0.fallback } + table.models.values.flatMap(\.fallback)
        for model in Set(named) where table.models[model] == nil {
            models.append((model, ProviderRoute.defaultName))
        }
        board.register(providers: [ProviderRoute.defaultName] + table.providers.keys.sorted(), models: models)
    }

    /// What start-up and a reload log about the rules: each provider, each alias's split, and a
    /// warning for each provider key that is not set.
    static func describe(_ configuration: ServerConfiguration) -> [String] {
        let routing = configuration.routing
        var lines: [String] = []
        for name in routing.providers.keys.sorted() {
            let provider = routing.providers[name]!
            let key = configuration.providerKeys.keys[name] == nil ? "no key" : "key from \(provider.keyEnv ?? "?") as \(provider.auth.rawValue)"
            lines.append("provider \(name) \(provider.url) (\(key))")
        }
        for name in routing.aliasNames {
            let alias = routing.aliases[name]!
            let split = zip(alias.targets, alias.expectedShares).map { "\($0.model) \(percent($1))" }.joined(separator: ", ")
            let fallback = alias.fallback.isEmpty ? "" : "; then \(alias.fallback.joined(separator: ", "))"
            lines.append("route \(name) -> \(split)\(fallback)")
        }
        lines += configuration.providerKeys.warnings.map { "warning: \($0)" }
        return lines
    }
}
