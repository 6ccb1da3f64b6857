import Testing
@testable import ApipodKit

struct RoutingTableTests {
    @Test func otherModelsPassThroughUnchanged() {
        var random = SeededRandom(seed: 1)
        let decision = RoutingTable.builtIn.route("gpt-4o", using: &random)
        #expect(decision == RoutingDecision(requested: "gpt-4o", routed: "gpt-4o", isAlias: false))
    }

    @Test func theSameSeedGivesTheSameDecisions() {
        var first = SeededRandom(seed: 42), second = SeededRandom(seed: 42)
        let a = (0..<1000).map { _ in RoutingTable.builtIn.route("cursor-pro-sonnet", using: &first).routed }
        let b = (0..<1000).map { _ in RoutingTable.builtIn.route("cursor-pro-sonnet", using: &second).routed }
        #expect(a == b)
        #expect(Set(a) == ["claude-sonnet-4-5", "gemini-3-flash"])
    }

    /// 100,000 draws: the premium share must lie within 5 standard deviations of 20 %
    /// (σ = √(n·0.2·0.8) = 126.5), a bound a correct router misses with odds of about 1 in 3.5 million.
    @Test(arguments: [UInt64(1), 2, 3, 99, 12345])
    func theBuiltInSplitIsTwentyEighty(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        var premium = 0
        for _ in 0..<100_000 where RoutingTable.builtIn.route("cursor-pro-sonnet", using: &random).routed == "claude-sonnet-4-5" {
            premium += 1
        }
        #expect(abs(premium - 20_000) < 633)
    }

    @Test func thresholdsCoverTheWholeRange() throws {
        let alias = try #require(RouteAlias(name: "x", targets: [
            WeightedTarget(model: "a", weight: 1), WeightedTarget(model: "b", weight: 3),
        ]))
        #expect(alias.pick(0) == "a")
        #expect(alias.pick(UInt64.max / 4 - 1) == "a")
        #expect(alias.pick(UInt64.max / 4 + 1) == "b")
        #expect(alias.pick(.max) == "b")
        #expect(alias.expectedShares == [0.25, 0.75])
    }

    @Test func aliasesNeedPositiveWeights() {
        #expect(RouteAlias(name: "x", targets: []) == nil)
        #expect(RouteAlias(name: "x", targets: [WeightedTarget(model: "a", weight: 0)]) == nil)
        #expect(RouteAlias(name: "x", targets: [WeightedTarget(model: "a", weight: .nan)]) == nil)
    }

    /// Issue 17 item 4: weights of 1e308 summed to infinity, sending every draw to one target,
    /// and a third target then trapped converting NaN to UInt64.
    @Test(arguments: [[1e308, 1e308], [1e308, 1e308, 1], [1e6, 1e-300], [1e-300, 1e6], [1, 1e-30, 1]])
    func weightsThatCannotBeSharedOutAreRefused(weights: [Double]) {
        let targets = weights.enumerated().map { WeightedTarget(model: "m\($0.offset)", weight: $0.element) }
        #expect(RouteAlias(name: "x", targets: targets) == nil)
    }

    /// Issue 17 item 14, decided: names compare as Swift strings, so the NFD spelling of an
    /// alias's name routes as the alias.
    @Test func anNFDSpellingOfAnAliasIsTheAlias() throws {
        let table = RoutingTable(aliases: [try #require(RouteAlias(name: "caf\u{e9}", targets: [WeightedTarget(model: "m", weight: 1)]))])
        var random = SeededRandom(seed: 1)
        #expect(table.route("cafe\u{301}", using: &random).routed == "m")
    }
}

struct RouteSimulationTests {
    @Test func reportsCountsSharesAndAFit() {
        let result = RouteSimulation(table: .builtIn, model: "cursor-pro-sonnet", draws: 50_000, seed: 7)
        #expect(result.isAlias)
        #expect(result.rows.map(\.model) == ["claude-sonnet-4-5", "gemini-3-flash"])
        #expect(result.rows.map(\.count).reduce(0, +) == 50_000)
        #expect(result.rows.map(\.expectedShare) == [0.2, 0.8])
        #expect(result.fit.degreesOfFreedom == 1)
        #expect(result.isConsistent)
    }

    /// The counts for a known seed, pinned: `route simulate --seed` must replay the same draws
    /// on every machine and in every version, or an operator cannot compare two runs.
    @Test func aKnownSeedGivesKnownCounts() {
        let result = RouteSimulation(table: .builtIn, model: "cursor-pro-sonnet", draws: 1000, seed: 42)
        #expect(result.seed == 42)
        #expect(result.rows.map(\.count) == [219, 781])
    }

    /// The session simulation's fast path (ids written into a buffer, hashed as bytes) tallies
    /// exactly what `SessionRanking.best` says of the same ids as strings.
    @Test func sessionsAreTalliedByTheirRanking() throws {
        let alias = try #require(RoutingTable.builtIn.aliases["cursor-pro-sonnet"])
        let result = RouteSimulation(table: .builtIn, model: "cursor-pro-sonnet", sessions: 3000, seed: 11)
        var random = SeededRandom(seed: 11)
        var expected = ["claude-sonnet-4-5": 0, "gemini-3-flash": 0]
        var id = [UInt8](repeating: 0, count: RandomSessionID.length)
        for _ in 0..<3000 {
            id.withUnsafeMutableBufferPointer { RandomSessionID.fill($0, using: &random) }
            let session = String(decoding: id, as: UTF8.self)
            #expect(session.split(separator: "-").map(\.count) == [8, 4, 4, 4, 12])
            #expect(session.allSatisfy { $0 == "-" || $0.isHexDigit && !$0.isUppercase })
            expected[SessionRanking.best(session: session, targets: alias.targets)!.model]! += 1
        }
        #expect(result.kind == .sessions)
        #expect(result.draws == 3000)
        #expect(result.rows.map(\.count) == [expected["claude-sonnet-4-5"]!, expected["gemini-3-flash"]!])
        #expect(result.isConsistent)
        #expect(RouteSimulation(table: .builtIn, model: "gpt-4o", sessions: 5, seed: 1).rows.map(\.count) == [5])
    }

    /// A simulated session id is its two random words in hex, as a UUID is written.
    @Test func sessionIDsAreTheRandomWordsInHex() {
        var random = SeededRandom(seed: 5), reference = SeededRandom(seed: 5)
        var id = [UInt8](repeating: 0, count: RandomSessionID.length)
        for _ in 0..<1000 {
            id.withUnsafeMutableBufferPointer { RandomSessionID.fill($0, using: &random) }
            let hex = [reference.next(), reference.next()].map { word in
                let digits = String(word, radix: 16)
                return String(repeating: "0", count: 16 - digits.count) + digits
            }.joined()
            let expected = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { range in
                String(hex.dropFirst(range.lowerBound).prefix(range.count))
            }.joined(separator: "-")
            #expect(String(decoding: id, as: UTF8.self) == expected)
        }
        #expect(withUnsafeBytes(of: RandomSessionID.hexDigits(0x0123_abcf).bigEndian) { Array($0) } == Array("0123abcf".utf8))
    }

    @Test func differentSeedsGiveDifferentDraws() {
        let counts = (1...3).map { seed in
            RouteSimulation(table: .builtIn, model: "cursor-pro-sonnet", draws: 1000, seed: seed).rows.map(\.count)
        }
        #expect(Set(counts).count == 3, "\(counts)")
    }

    @Test func flagsASplitThatDoesNotFitTheWeights() {
        let lying = ChiSquareTest(observed: [30_000, 70_000], expectedShares: [0.2, 0.8])
        #expect(lying.pValue < RouteSimulation.significance)
    }

    /// Issue 17 item 4: a target with a share of 0 was skipped, so draws landing on it fit.
    @Test func drawsWhereNoneAreExpectedDoNotFit() {
        let fit = ChiSquareTest(observed: [5, 5], expectedShares: [1, 0])
        #expect(fit.pValue == 0)
        #expect(ChiSquareTest(observed: [10, 0], expectedShares: [1, 0]).pValue == 1)
    }

    @Test func passThroughModelsHaveOneRow() {
        let result = RouteSimulation(table: .builtIn, model: "gpt-4o", draws: 10, seed: 1)
        #expect(!result.isAlias)
        #expect(result.rows == [RouteSimulation.Row(model: "gpt-4o", count: 10, share: 1, expectedShare: 1)])
        #expect(result.fit.pValue == 1)
    }

    /// Reference values of the chi-square survival function (from statistical tables).
    @Test(arguments: [
        (3.841, 1, 0.05), (6.635, 1, 0.01), (10.828, 1, 0.001), (5.991, 2, 0.05), (0.455, 1, 0.5), (18.307, 10, 0.05),
    ])
    func pValuesMatchTables(statistic: Double, degrees: Int, expected: Double) {
        let p = ChiSquareTest.upperRegularizedGamma(Double(degrees) / 2, statistic / 2)
        #expect(abs(p - expected) < expected * 0.01)
    }
}
