/// The smart-routing rules: which requested model names are aliases, how traffic for each
/// alias is split among real models, which provider serves each model and where a failed
/// attempt goes next. Immutable once built, so `serve` shares one table across its event
/// loops and `route simulate` runs exactly the code the server runs.
public struct RoutingTable: Sendable, Equatable {
    public private(set) var aliases: [String: RouteAlias] {
        didSet { replan() }
    }
    /// The providers the routes file defines; `default` is not among them (its URL and key are
    /// settings, `ANTIGRAVITY_URL` and `ANTIGRAVITY_KEY`).
    public private(set) var providers: [String: ProviderRoute]
    /// The models the routes file describes; any other model goes to `default` under its own name.
    public private(set) var models: [String: ModelRoute] {
        didSet { replan() }
    }
    /// For each alias and each model with a fallback: the candidates tried when nothing cools
    /// and no session ranks the targets (`CandidatePlan`), worked out once so the common
    /// request takes a finished list instead of building and sorting several.
    private(set) var plans: [String: CandidatePlan] = [:]
    /// Whether every alias has a plan (none has more than `plannedTargetLimit` targets): a name
    /// without a plan is then no alias, which `lookUp` tells without a second lookup.
    private(set) var everyAliasPlanned = true

    public init(aliases: [RouteAlias], providers: [ProviderRoute] = [], models: [ModelRoute] = []) {
        var byName: [String: RouteAlias] = [:]
        for alias in aliases { byName[alias.name] = alias }
        self.aliases = byName
        self.providers = Dictionary(providers.map { ($0.name, $0) }, uniquingKeysWith: { _, new in new })
        self.models = Dictionary(models.map { ($0.name, $0) }, uniquingKeysWith: { _, new in new })
        replan()
    }

    private mutating func replan() {
        plans = Self.plans(self)
        everyAliasPlanned = aliases.values.allSatisfy { $0.targets.count <= Self.plannedTargetLimit }
    }

    /// Tables are equal when their rules are; the plans follow from them.
    public static func == (left: RoutingTable, right: RoutingTable) -> Bool {
        left.aliases == right.aliases && left.providers == right.providers && left.models == right.models
    }

    /// The rule of the original service: `cursor-pro-sonnet` goes 20 % to
    /// `claude-sonnet-4-5` (premium) and 80 % to `gemini-3-flash` (budget).
    public static let builtIn = RoutingTable(aliases: [
        RouteAlias(name: "cursor-pro-sonnet", targets: [
            WeightedTarget(model: "claude-sonnet-4-5", weight: 20),
            WeightedTarget(model: "gemini-3-flash", weight: 80),
        ])!,
    ])

    /// This table with `other`'s aliases, providers and models added, replacing any of the same name.
    public func merging(_ other: RoutingTable) -> RoutingTable {
        var merged = self
        merged.aliases.merge(other.aliases) { _, new in new }
        merged.providers.merge(other.providers) { _, new in new }
        merged.models.merge(other.models) { _, new in new }
        return merged
    }

    /// Alias names, sorted, for listings such as `/v1/models`.
    public var aliasNames: [String] { aliases.keys.sorted() }

    /// Decides where a request for `model` goes. Models that are not aliases pass through.
    /// Names compare as Swift strings, so an NFD spelling of an alias name is that alias.
    public func route(_ model: String, using random: inout some RandomNumberGenerator) -> RoutingDecision {
        guard let alias = aliases[model] else {
            return RoutingDecision(requested: model, routed: model, isAlias: false)
        }
        return RoutingDecision(requested: model, routed: alias.pick(random.next()), isAlias: true)
    }
}

/// A model name clients may ask for that stands for a weighted choice among real models.
public struct RouteAlias: Sendable, Equatable {
    public let name: String
    public let targets: [WeightedTarget]
    /// Models tried, in order, after the alias's own targets failed (SPEC §8, failover).
    public let fallback: [String]
    /// For target i, the 64-bit draw below which it is chosen: the weights scaled to 2^64, so a
    /// choice is one random word and a short scan, with no floating point on the request path.
    private let thresholds: [UInt64]

    /// Nil when there are no targets, a weight is not a positive finite number, the weights sum
    /// to infinity (`1e308` twice), or one is so small beside the others that its share of the
    /// 2^64 draws rounds to nothing: a table that cannot route as its weights say is refused.
    public init?(name: String, targets: [WeightedTarget], fallback: [String] = []) {
        guard !targets.isEmpty, targets.allSatisfy({ $0.weight.isFinite && $0.weight > 0 }) else { return nil }
        let total = targets.reduce(0) { $0 + $1.weight }
        guard total.isFinite else { return nil }
        self.name = name
        self.targets = targets
        self.fallback = fallback
        var cumulative = 0.0
        var thresholds: [UInt64] = []
        for target in targets.dropLast() {
            cumulative += target.weight
            let scaled = cumulative / total * 0x1p64
            let threshold: UInt64 = scaled >= 0x1p64 ? .max : UInt64(scaled)
            guard threshold > (thresholds.last ?? 0) else { return nil }
            thresholds.append(threshold)
        }
        guard thresholds.last ?? 0 < .max else { return nil }
        thresholds.append(.max)
        self.thresholds = thresholds
    }

    /// Each target's share of the traffic, in target order; they sum to 1.
    public var expectedShares: [Double] {
        let total = targets.reduce(0) { $0 + $1.weight }
        return targets.map { $0.weight / total }
    }

    /// A draw that picks target `index`: the lowest of its share of the 2^64 draws.
    func draw(choosing index: Int) -> UInt64 {
        index == 0 ? 0 : thresholds[index - 1]
    }

    func pick(_ draw: UInt64) -> String {
        targets[pickIndex(draw)].model
    }

    /// The index of the target a 64-bit draw chooses; `route simulate` tallies these directly.
    func pickIndex(_ draw: UInt64) -> Int {
        for (index, threshold) in thresholds.enumerated() where draw < threshold {
            return index
        }
        return targets.count - 1
    }
}

public struct WeightedTarget: Sendable, Equatable {
    /// The largest weight a routes file may give: far beyond any useful ratio, and small enough
    /// that no sum of weights can overflow.
    public static let maximumWeight = 1_000_000.0

    public let model: String
    public let weight: Double

    public init(model: String, weight: Double) {
        self.model = model
        self.weight = weight
    }
}

/// One routing outcome, as the request log prints it (`requested → routed`).
public struct RoutingDecision: Sendable, Equatable {
    public let requested: String
    public let routed: String
    public let isAlias: Bool
}
