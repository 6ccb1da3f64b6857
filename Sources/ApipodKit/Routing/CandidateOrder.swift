/// One model a request may be sent to: the name the client sees and the log prints (`model`),
/// the provider that serves it, and the name spliced into the body for that provider.
public struct RouteCandidate: Sendable, Equatable {
    public let model: String
    public let provider: String
    public let upstreamModel: String

    public init(model: String, provider: String, upstreamModel: String) {
        self.model = model
        self.provider = provider
        self.upstreamModel = upstreamModel
    }
}

/// A request's candidates worked out ahead, for an alias or a model with a fallback: one list
/// per target the draw may choose (one list for a model). Valid while nothing cools and no
/// session ranks the targets; a class so that a lookup hands out one reference.
final class CandidatePlan: Sendable {
    /// Nil for a model's plan.
    let alias: RouteAlias?
    let lists: [[RouteCandidate]]

    init(alias: RouteAlias?, lists: [[RouteCandidate]]) {
        self.alias = alias
        self.lists = lists
    }

    func candidates(draw: UInt64) -> [RouteCandidate] {
        guard let alias else { return lists[0] }
        return lists[alias.pickIndex(draw)]
    }
}

extension RoutingTable {
    /// At most this many attempts per request (SPEC §8): enough to get past one bad provider
    /// and a rate-limited model, few enough that a client's wait stays bounded.
    public static let maximumAttempts = 4

    /// Where `model` is sent when it is tried: its `models` entry, or `default` under its own name.
    public func candidate(_ model: String) -> RouteCandidate {
        guard let route = models[model] else {
            return RouteCandidate(model: model, provider: ProviderRoute.defaultName, upstreamModel: model)
        }
        return RouteCandidate(model: model, provider: route.provider, upstreamModel: route.upstreamModel ?? model)
    }

    /// A request's candidates, in the order they are tried (SPEC §8): the chosen target, the
    /// alias's other targets, then the `fallback` chains of the alias and of the chosen model;
    /// no model twice, at most `maximumAttempts`.
    ///
    /// The chosen target is drawn by weight among the targets that are not cooling down (`draw`
    /// is one uniform 64-bit word), or is the head of `ranking` (a sticky session's order of the
    /// alias's targets, best first) when one is given; the other targets follow in `ranking`'s
    /// order, or by weight, heaviest first. Candidates that are cooling are left out; when every
    /// one is, the one whose cooldown ends first is the only candidate, so a request is always
    /// tried somewhere.
    ///
    /// - Parameter coolingUntil: nil when the candidate may be tried now, else when its
    ///   cooldown ends (any clock; only the order matters). Called once per distinct candidate.
    ///   Without it nothing cools, and an alias or a model with a fallback gets its list from
    ///   the table's plans unless `ranking` orders the targets.
    public func candidates(for requested: String, draw: UInt64, ranking: [WeightedTarget]? = nil) -> [RouteCandidate] {
        candidates(for: requested, lookedUp: lookUp(requested), draw: draw, ranking: ranking)
    }

    /// The same for a name `lookUp` has already found, so the request path looks it up once:
    /// a plan's list, a model's own candidate when it is neither alias nor planned, else the
    /// general order.
    func candidates(
        for requested: String, lookedUp: (plan: CandidatePlan?, alias: RouteAlias?), draw: UInt64, ranking: [WeightedTarget]?
    ) -> [RouteCandidate] {
        if ranking == nil {
            if let plan = lookedUp.plan { return plan.candidates(draw: draw) }
            if lookedUp.alias == nil { return [candidate(requested)] }
        }
        return candidates(for: requested, draw: draw, ranking: ranking) { _ in nil }
    }

    /// What a request for `requested` needs first, in one dictionary lookup where it can: its
    /// plan, and the alias it names (nil for a model). With neither, it is a model without a
    /// fallback, whose only candidate is `candidate(requested)`.
    func lookUp(_ requested: String) -> (plan: CandidatePlan?, alias: RouteAlias?) {
        if let plan = plans[requested] { return (plan, plan.alias) }
        return (nil, everyAliasPlanned ? nil : aliases[requested])
    }

    /// Aliases with more targets than this get no plan (a list per target would cost memory
    /// and load time in proportion to the square of the targets); they take the general order.
    static let plannedTargetLimit = 64

    /// Plans for every alias (of at most `plannedTargetLimit` targets) and every model with a
    /// fallback, from the general order with nothing cooling: what `candidates(for:draw:ranking:)`
    /// hands out.
    static func plans(_ table: RoutingTable) -> [String: CandidatePlan] {
        var plans: [String: CandidatePlan] = [:]
        for (name, model) in table.models where !model.fallback.isEmpty && table.aliases[name] == nil {
            plans[name] = CandidatePlan(alias: nil, lists: [table.candidates(for: name, draw: 0) { _ in nil }])
        }
        for (name, alias) in table.aliases where alias.targets.count <= plannedTargetLimit {
            let lists = alias.targets.indices.map { index in
                table.candidates(for: name, draw: alias.draw(choosing: index)) { _ in nil }
            }
            plans[name] = CandidatePlan(alias: alias, lists: lists)
        }
        return plans
    }

    public func candidates(
        for requested: String, draw: UInt64, ranking: [WeightedTarget]? = nil, coolingUntil: (RouteCandidate) -> Int64?
    ) -> [RouteCandidate] {
        // The common case, a model that is no alias and has no fallback: one candidate, no lists.
        if aliases[requested] == nil, models[requested]?.fallback.isEmpty ?? true {
            return [candidate(requested)]
        }
        // Each model's cooling state, asked once.
        var known: [(model: String, until: Int64?)] = []
        func until(_ model: String) -> Int64? {
            if let hit = known.first(where: { $0.model == model }) { return hit.until }
            let value = coolingUntil(candidate(model))
            known.append((model, value))
            return value
        }
        var order: [String] = []
        func add(_ model: String) {
            if !order.contains(model) { order.append(model) }
        }
        if let alias = aliases[requested] {
            let targets: [WeightedTarget]
            if let ranking {
                targets = ranking
            } else {
                let drawn = Self.pick(alias, draw: draw) { until(alias.targets[$0].model) == nil }
                targets = [drawn] + alias.targets.enumerated()
                    .filter { $0.element.model != drawn.model }
                    .sorted { ($0.element.weight, -$0.offset) > ($1.element.weight, -$1.offset) }
                    .map(\.element)
            }
            for target in targets { add(target.model) }
            for model in alias.fallback { add(model) }
            let chosen = targets.first { until($0.model) == nil } ?? targets[0]
            for model in models[chosen.model]?.fallback ?? [] { add(model) }
        } else {
            add(requested)
            for model in models[requested]?.fallback ?? [] { add(model) }
        }
        let open = order.filter { until($0) == nil }
        guard !open.isEmpty else {
            let soonest = order.min { until($0)! < until($1)! }!
            return [candidate(soonest)]
        }
        return open.prefix(Self.maximumAttempts).map(candidate)
    }

    /// The target `draw` picks by weight among those `isAvailable` lets through; the precomputed
    /// split when all are, so the common case does no floating point. When none is, the plain
    /// draw.
    private static func pick(_ alias: RouteAlias, draw: UInt64, isAvailable: (Int) -> Bool) -> WeightedTarget {
        let open = alias.targets.indices.filter(isAvailable)
        if open.count == alias.targets.count || open.isEmpty { return alias.targets[alias.pickIndex(draw)] }
        let total = open.reduce(0.0) { $0 + alias.targets[$1].weight }
        var point = Double(draw >> 11) * 0x1p-53 * total
        for index in open {
            if point < alias.targets[index].weight { return alias.targets[index] }
            point -= alias.targets[index].weight
        }
        return alias.targets[open[open.count - 1]]
    }
}
