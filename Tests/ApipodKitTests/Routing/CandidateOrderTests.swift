import Testing
@testable import ApipodKit

struct CandidateOrderTests {
    /// An alias of three targets with a fallback, over models with fallbacks of their own.
    static let table = RoutingTable.builtIn.merging(RoutingTable(
        aliases: [RouteAlias(name: "mix", targets: [
            WeightedTarget(model: "a", weight: 1), WeightedTarget(model: "b", weight: 5), WeightedTarget(model: "c", weight: 2),
        ], fallback: ["f1", "a"])!],
        providers: [ProviderRoute(name: "p", url: try! UpstreamURL(parsing: "http://127.0.0.1:1"), keyEnv: nil)],
        models: [
            ModelRoute(name: "a", provider: "p", upstreamModel: "a-upstream", fallback: ["f2"]),
            ModelRoute(name: "b", fallback: ["f3", "f1"]),
            ModelRoute(name: "solo", fallback: ["s1", "s2", "s3", "s4", "s5"]),
        ]))

    /// The draw that lands in target `index`'s share of `mix` (shares 1/8, 5/8, 2/8).
    static func draw(into index: Int) -> UInt64 {
        [UInt64(1) << 60, UInt64(1) << 62, UInt64.max - 1][index]
    }

    func names(_ candidates: [RouteCandidate]) -> [String] { candidates.map(\.model) }

    /// The lists worked out when the table was built are the ones the general order gives
    /// with nothing cooling, for every draw, every alias and model, and after a merge.
    @Test func thePlannedListsAreTheGeneralOrderWithNothingCooling() {
        var random = SeededRandom(seed: 7)
        let merged = Self.table.merging(RoutingTable(aliases: [
            RouteAlias(name: "mix", targets: [WeightedTarget(model: "b", weight: 1), WeightedTarget(model: "solo", weight: 3)])!,
        ]))
        for table in [Self.table, merged, RoutingTable.builtIn] {
            let names = Array(table.aliases.keys) + Array(table.models.keys) + ["unlisted", "f1"]
            for _ in 0..<500 {
                let draw = random.next()
                for name in names {
                    #expect(table.candidates(for: name, draw: draw) == table.candidates(for: name, draw: draw) { _ in nil })
                }
            }
        }
        #expect(names(merged.candidates(for: "mix", draw: UInt64.max)) == ["solo", "b", "s1", "s2"])
    }

    /// The request path's one lookup (`lookUp`) finds an alias's or a fallback model's plan and
    /// the alias itself, and neither for a model without a fallback, whose only candidate is its
    /// own; an alias too large to plan is still found, through its table.
    @Test func oneLookupTellsPlansAliasesAndPlainModelsApart() {
        let large = RouteAlias(name: "large", targets: (0...RoutingTable.plannedTargetLimit).map { WeightedTarget(model: "m\($0)", weight: 1) })!
        let withLarge = Self.table.merging(RoutingTable(aliases: [large]))
        for table in [Self.table, withLarge, RoutingTable.builtIn] {
            for name in Array(table.aliases.keys) + Array(table.models.keys) + ["unlisted", "f1", "s5"] {
                let (plan, alias) = table.lookUp(name)
                #expect(alias == table.aliases[name], "\(name)")
                #expect((plan != nil) == (table.plans[name] != nil), "\(name)")
                if plan == nil && alias == nil {
                    #expect(table.candidates(for: name, draw: 12345) == [table.candidate(name)], "\(name)")
                }
            }
        }
        #expect(withLarge.lookUp("large").plan == nil)
        #expect(withLarge.lookUp("large").alias == large)
    }

    @Test func chosenThenOtherTargetsByWeightThenFallbacksWithoutRepeatsAtMostFour() {
        let none: (RouteCandidate) -> Int64? = { _ in nil }
        // Chosen a: the others by weight (b 5, c 2), then the alias's fallback (f1; a again is dropped), then a's (f2): cut at four.
        #expect(names(Self.table.candidates(for: "mix", draw: Self.draw(into: 0), coolingUntil: none)) == ["a", "b", "c", "f1"])
        // Chosen c: b, a, then f1.
        #expect(names(Self.table.candidates(for: "mix", draw: Self.draw(into: 2), coolingUntil: none)) == ["c", "b", "a", "f1"])
        #expect(names(Self.table.candidates(for: "solo", draw: 0, coolingUntil: none)) == ["solo", "s1", "s2", "s3"])
        #expect(names(Self.table.candidates(for: "unlisted", draw: 0, coolingUntil: none)) == ["unlisted"])
    }

    @Test func theChosenModelsFallbackFollowsTheAliases() {
        let table = RoutingTable(
            aliases: [RouteAlias(name: "x", targets: [WeightedTarget(model: "b", weight: 1)], fallback: ["f1"])!],
            models: [ModelRoute(name: "b", fallback: ["f3", "f1", "f4"])])
        #expect(names(table.candidates(for: "x", draw: 0) { _ in nil }) == ["b", "f1", "f3", "f4"])
    }

    @Test func candidatesCarryTheirProviderAndUpstreamName() {
        let first = Self.table.candidates(for: "mix", draw: Self.draw(into: 0)) { _ in nil }[0]
        #expect(first == RouteCandidate(model: "a", provider: "p", upstreamModel: "a-upstream"))
        #expect(Self.table.candidate("b") == RouteCandidate(model: "b", provider: "default", upstreamModel: "b"))
    }

    @Test func coolingCandidatesAreLeftOutAndTheDrawSkipsThem() {
        // b cools: every draw picks a or c, in their 1 : 2 ratio.
        var counts: [String: Int] = [:]
        var random = SeededRandom(seed: 7)
        for _ in 0..<3000 {
            let order = Self.table.candidates(for: "mix", draw: random.next()) { $0.model == "b" ? 100 : nil }
            #expect(!order.contains { $0.model == "b" })
            counts[order[0].model, default: 0] += 1
        }
        // Expected 1000 and 2000; σ ≈ 25.8, 5 σ allowed.
        #expect(abs(counts["a", default: 0] - 1000) < 130)
        #expect(counts["a", default: 0] + counts["c", default: 0] == 3000)
    }

    @Test func whenAllCoolTheSoonestToRecoverIsTheOnlyCandidate() {
        let until: [String: Int64] = ["a": 50, "b": 30, "c": 40, "f1": 20, "f2": 10]
        let order = Self.table.candidates(for: "mix", draw: Self.draw(into: 1)) { until[$0.model] }
        // b was drawn, so b's fallback (f3) is in the list too; f3 is unknown here, so it is open.
        #expect(names(order) == ["f3"])
        let allCooling = Self.table.candidates(for: "mix", draw: Self.draw(into: 1)) { until[$0.model] ?? 60 }
        #expect(names(allCooling) == ["f1"])
    }

    @Test func aRankingOrdersTheTargets() {
        let ranking = [WeightedTarget(model: "c", weight: 2), WeightedTarget(model: "a", weight: 1), WeightedTarget(model: "b", weight: 5)]
        #expect(names(Self.table.candidates(for: "mix", draw: 0, ranking: ranking) { _ in nil }) == ["c", "a", "b", "f1"])
        // c cools: a is the session's model, and a's fallback follows the alias's.
        let cooled = Self.table.candidates(for: "mix", draw: 0, ranking: ranking) { $0.model == "c" ? 1 : nil }
        #expect(names(cooled) == ["a", "b", "f1", "f2"])
    }
}
