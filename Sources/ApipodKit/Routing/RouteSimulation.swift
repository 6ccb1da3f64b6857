/// Tallies routing decisions for one model, so an operator can check a split offline: either
/// `count` random draws through the alias's thresholds (`RouteAlias.pickIndex`, what
/// `RoutingTable.route` runs per request in `serve`), or `count` random session ids through
/// `SessionRanking` (what a request with a session id gets).
public struct RouteSimulation: Sendable, Equatable {
    public struct Row: Sendable, Equatable {
        public let model: String
        public let count: Int
        public let share: Double
        public let expectedShare: Double
    }

    /// What each of the `draws` was: one request's random draw, or one random session id's first choice.
    public enum Kind: Sendable, Equatable {
        case requests
        case sessions
    }

    public let requestedModel: String
    public let kind: Kind
    public let draws: Int
    public let seed: UInt64
    public let isAlias: Bool
    public let rows: [Row]
    public let fit: ChiSquareTest

    /// The significance level under which the counts are called inconsistent with the weights.
    /// Small, so that a correct router with a random seed is flagged about once in a thousand runs.
    public static let significance = 0.001

    /// `draws` requests for `model`, each routed by one word of a generator seeded with `seed`.
    public init(table: RoutingTable, model: String, draws: Int, seed: UInt64) {
        var random = SeededRandom(seed: seed)
        let alias = table.aliases[model]
        var counts = [Int](repeating: 0, count: alias?.targets.count ?? 1)
        if let alias {
            // The alias is looked up once and each draw tallied by index: per draw, one
            // generator step and a scan of a few thresholds, as in `route` minus the name lookup.
            counts.withUnsafeMutableBufferPointer { counts in
                for _ in 0..<draws { counts[alias.pickIndex(random.next())] += 1 }
            }
        } else {
            counts[0] = draws
        }
        self.init(model: model, alias: alias, kind: .requests, counts: counts, seed: seed)
    }

    /// `sessions` random session ids (UUID-shaped, from a generator seeded with `seed`), each
    /// counted for the first target of its `SessionRanking`.
    public init(table: RoutingTable, model: String, sessions: Int, seed: UInt64) {
        let alias = table.aliases[model]
        var counts = [Int](repeating: 0, count: alias?.targets.count ?? 1)
        if let alias {
            var random = SeededRandom(seed: seed)
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: RandomSessionID.length) { id in
                for _ in 0..<sessions {
                    RandomSessionID.fill(id, using: &random)
                    let prefix = SessionRanking.prefixState(UnsafeBufferPointer(id))
                    counts[SessionRanking.bestIndex(prefix: prefix, targets: alias.targets)!] += 1
                }
            }
        } else {
            counts[0] = sessions
        }
        self.init(model: model, alias: alias, kind: .sessions, counts: counts, seed: seed)
    }

    private init(model: String, alias: RouteAlias?, kind: Kind, counts: [Int], seed: UInt64) {
        let targets = alias?.targets.map(\.model) ?? [model]
        let shares = alias?.expectedShares ?? [1]
        let draws = counts.reduce(0, +)
        self.requestedModel = model
        self.kind = kind
        self.draws = draws
        self.seed = seed
        self.isAlias = alias != nil
        self.rows = zip(targets, zip(counts, shares)).map { model, pair in
            Row(model: model, count: pair.0, share: draws == 0 ? 0 : Double(pair.0) / Double(draws), expectedShare: pair.1)
        }
        self.fit = ChiSquareTest(observed: counts, expectedShares: shares)
    }

    public var isConsistent: Bool { fit.pValue >= Self.significance }
}

/// Session ids for the simulation, shaped like the UUIDs Claude Code sends
/// (`8-4-4-4-12` lowercase hex digits from 128 random bits), written into a reused buffer.
enum RandomSessionID {
    static let length = 36

    static func fill(_ id: UnsafeMutableBufferPointer<UInt8>, using random: inout SeededRandom) {
        var word = random.next()
        var position = 0
        for index in 0..<length {
            if index == 8 || index == 13 || index == 18 || index == 23 {
                id[index] = UInt8(ascii: "-")
                continue
            }
            if position == 16 { word = random.next() }
            let nibble = UInt8(truncatingIfNeeded: word >> 60)
            id[index] = nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") - 10 + nibble
            word <<= 4
            position += 1
        }
    }
}
