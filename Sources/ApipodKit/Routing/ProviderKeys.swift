/// The keys of a routing table's providers, looked up by each provider's `key_env`, and a
/// warning for each variable that is not set (the provider is then used without a key, as
/// SPEC §8 asks: a missing key is the upstream's to refuse, not a reason not to start).
public struct ProviderKeys: Sendable, Equatable {
    /// By provider name; a provider without a key is absent.
    public let keys: [String: String]
    public let warnings: [String]

    /// - Parameter lookup: a variable's value, nil when unset (`Settings.variable`).
    public init(_ table: RoutingTable, lookup: (String) -> String?) {
        var keys: [String: String] = [:]
        var warnings: [String] = []
        for name in table.providers.keys.sorted() {
            guard let variable = table.providers[name]!.keyEnv else { continue }
            if let key = lookup(variable) {
                // A key goes into a header, where a CR or LF would end it early: refused,
                // naming the variable but never the value.
                if key.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                    warnings.append("providers.\(name).key_env: \(variable) contains a control character; the provider is used without a key")
                } else {
                    keys[name] = key
                }
            } else {
                warnings.append("providers.\(name).key_env: \(variable) is not set; the provider is used without a key")
            }
        }
        self.keys = keys
        self.warnings = warnings
    }
}
