/// Draws `count` routing decisions for one model through `RoutingTable.route`, the same call
/// `serve` makes per request, and tallies them, so an operator can check a split offline.
public struct RouteSimulation: Sendable, Equatable {
    public struct Row: Sendable, Equatable {
        public let model: String
        public let count: Int
        public let share: Double
        public let expectedShare: Double
    }

    public let requestedModel: String
    public let draws: Int
    public let seed: UInt64
    public let isAlias: Bool
    public let rows: [Row]
    public let fit: ChiSquareTest

    /// The significance level under which the counts are called inconsistent with the weights.
    /// Small, so that a correct router with a random seed is flagged about once in a thousand runs.
    public static let significance = 0.001

    public init(table: RoutingTable, model: String, draws: Int, seed: UInt64) {
        var random = SeededRandom(seed: seed)
        let alias = table.aliases[model]
        let targets = alias?.targets.map(\.model) ?? [model]
        let shares = alias?.expectedShares ?? [1]
        var counts: [String: Int] = [:]
        for target in targets { counts[target] = 0 }
        for _ in 0..<draws {
            counts[table.route(model, using: &random).routed, default: 0] += 1
        }
        let observed = targets.map { counts[$0] ?? 0 }
        self.requestedModel = model
        self.draws = draws
        self.seed = seed
        self.isAlias = alias != nil
        self.rows = zip(targets, zip(observed, shares)).map { model, pair in
            Row(model: model, count: pair.0, share: draws == 0 ? 0 : Double(pair.0) / Double(draws), expectedShare: pair.1)
        }
        self.fit = ChiSquareTest(observed: observed, expectedShares: shares)
    }

    public var isConsistent: Bool { fit.pValue >= Self.significance }
}
