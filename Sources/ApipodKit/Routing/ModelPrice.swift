/// What a model costs, in US dollars per million tokens, from `models.<name>.price` in the
/// routes file (`{"input": 3.0, "output": 15.0}`). Usage accounting (SPEC §9) multiplies it out.
public struct ModelPrice: Sendable, Equatable {
    public let inputPerMillion: Double
    public let outputPerMillion: Double

    public init(inputPerMillion: Double, outputPerMillion: Double) {
        self.inputPerMillion = inputPerMillion
        self.outputPerMillion = outputPerMillion
    }

    /// The cost of one answer in US dollars.
    public func cost(inputTokens: Int, outputTokens: Int) -> Double {
        (Double(inputTokens) * inputPerMillion + Double(outputTokens) * outputPerMillion) / 1_000_000
    }
}

extension RoutingTable {
    /// The price of `model`, the name an answer reports: a `models` entry of that name, else
    /// the entry that sends it upstream under that name (`upstream_model`), so an answer that
    /// names the provider's model is priced as the entry it was routed by.
    public func price(of model: String) -> ModelPrice? {
        if let route = models[model] { return route.price }
        return models.values.first { $0.upstreamModel == model && $0.price != nil }?.price
    }
}
