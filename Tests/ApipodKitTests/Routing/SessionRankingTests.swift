import Testing
@testable import ApipodKit

struct SessionRankingTests {
    static let builtIn = [WeightedTarget(model: "claude-sonnet-4-5", weight: 20), WeightedTarget(model: "gemini-3-flash", weight: 80)]
    static let three = [WeightedTarget(model: "a", weight: 1), WeightedTarget(model: "b", weight: 2), WeightedTarget(model: "c", weight: 3)]

    /// The published FNV-1a 64 test vectors, so the first stage is the well-known function.
    static let fnvVectors: [(input: String, hash: UInt64)] = [("", 0xcbf2_9ce4_8422_2325), ("a", 0xaf63_dc4c_8601_ec8c), ("foobar", 0x8594_4171_f739_67e8)]

    @Test(arguments: fnvVectors)
    func theFirstStageIsFNV1a64(input: String, expected: UInt64) {
        var state = SessionRanking.offsetBasis
        for byte in input.utf8 { state = SessionRanking.fnv(state, byte) }
        #expect(state == expected)
    }

    /// SplitMix64 seeded with 0 first outputs 0xe220a8397b1dcdaf: its finaliser of the golden gamma.
    @Test func theFinaliserIsSplitMix64s() {
        #expect(SessionRanking.finalise(0x9e37_79b9_7f4a_7c15) == 0xe220_a839_7b1d_cdaf)
    }

    /// Values computed by an independent implementation of the documented hash (a few lines of
    /// Python): the hash is a wire format, and changing it would move every session.
    static let hashCases: [(input: [UInt8], hash: UInt64)] = [
        ([], 0xf52a_15e9_a9b5_e89b),
        (Array("a".utf8), 0x02c0_bdbf_4814_20f8),
        (Array("foobar".utf8), 0x404d_a9e3_b740_78c2),
        (Array("session-1\u{0}claude-sonnet-4-5".utf8), 0xa8ed_2eb8_9c48_ad3a),
        (Array("session-1\u{0}gemini-3-flash".utf8), 0x5661_0ba3_1e3f_92bf),
        (Array("caf\u{e9}".utf8), 0xe0c1_3ffc_340b_758f),
        (Array("cafe\u{301}".utf8), 0x57a4_6be2_0a36_c57c),
    ]

    @Test(arguments: hashCases)
    func knownHashes(input: [UInt8], expected: UInt64) {
        #expect(SessionRanking.hash(input) == expected)
    }

    /// Rankings from the same independent implementation, scores and all.
    static let rankingCases: [(session: String, builtIn: [String], three: [String])] = [
        ("session-1", ["gemini-3-flash", "claude-sonnet-4-5"], ["b", "c", "a"]),
        ("session-4", ["claude-sonnet-4-5", "gemini-3-flash"], ["b", "c", "a"]),
        ("session-7", ["gemini-3-flash", "claude-sonnet-4-5"], ["c", "a", "b"]),
        ("session-8", ["claude-sonnet-4-5", "gemini-3-flash"], ["a", "c", "b"]),
        ("0d6f1c7e-3b1a-4c59-9f2e-5b7a1e2c4d8f", ["gemini-3-flash", "claude-sonnet-4-5"], ["c", "b", "a"]),
    ]

    @Test(arguments: rankingCases)
    func knownRankings(session: String, builtIn: [String], three: [String]) {
        #expect(SessionRanking.ranking(session: session, targets: Self.builtIn).map(\.model) == builtIn)
        #expect(SessionRanking.ranking(session: session, targets: Self.three).map(\.model) == three)
        #expect(SessionRanking.best(session: session, targets: Self.builtIn)?.model == builtIn.first)
        #expect(SessionRanking.best(session: session, targets: Self.three)?.model == three.first)
    }

    /// Session ids are hashed as the bytes they are: the NFC and NFD spellings of one id are two sessions.
    @Test func theSessionsBytesAreHashedAsGiven() {
        let nfc = SessionRanking.prefixState("caf\u{e9}")
        let nfd = SessionRanking.prefixState("cafe\u{301}")
        #expect(nfc != nfd)
        let bytes = Array("caf\u{e9}".utf8)
        #expect(bytes.withUnsafeBufferPointer { SessionRanking.prefixState($0) } == nfc)
    }

    @Test func everyTargetIsRankedOnce() {
        for session in Self.sessions(count: 200, seed: 3) {
            let ranked = SessionRanking.ranking(session: session, targets: Self.three)
            #expect(ranked.map(\.model).sorted() == ["a", "b", "c"])
        }
        #expect(SessionRanking.ranking(session: "s", targets: []).isEmpty)
        #expect(SessionRanking.best(session: "s", targets: []) == nil)
    }

    /// 40,000 sessions: each target's share of first places must lie within 5 standard
    /// deviations of its weight's share (σ = √(n·p·(1−p))); the sessions come from a seeded
    /// generator, so the counts are the same on every run.
    static let splits: [(seed: UInt64, targets: [WeightedTarget])] = [(1, builtIn), (2, builtIn), (3, three), (4, three)]

    @Test(arguments: splits)
    func theSplitFollowsTheWeights(seed: UInt64, targets: [WeightedTarget]) {
        let n = 40_000
        var wins = [Int](repeating: 0, count: targets.count)
        for session in Self.sessions(count: n, seed: seed) {
            let best = SessionRanking.best(session: session, targets: targets)!
            wins[targets.firstIndex(of: best)!] += 1
        }
        let total = targets.reduce(0) { $0 + $1.weight }
        for (index, target) in targets.enumerated() {
            let p = target.weight / total
            let sigma = (Double(n) * p * (1 - p)).squareRoot()
            #expect(abs(Double(wins[index]) - Double(n) * p) < 5 * sigma, "\(target.model): \(wins[index]) of \(n)")
        }
    }

    /// The second place is also drawn by weight among the rest: after a 1/2/3 split's winner
    /// is removed, the others still split by their weights (what failover relies on).
    @Test func theSecondPlaceFollowsTheRemainingWeights() {
        let n = 30_000
        var secondBehindC = ["a": 0, "b": 0]
        var behindC = 0
        for session in Self.sessions(count: n, seed: 9) {
            let ranked = SessionRanking.ranking(session: session, targets: Self.three).map(\.model)
            guard ranked[0] == "c" else { continue }
            behindC += 1
            secondBehindC[ranked[1], default: 0] += 1
        }
        let p = 1.0 / 3.0
        let sigma = (Double(behindC) * p * (1 - p)).squareRoot()
        #expect(abs(Double(secondBehindC["a"]!) - Double(behindC) * p) < 5 * sigma)
    }

    @Test func removingATargetMovesOnlyItsOwnSessions() {
        let before = Self.three
        let after = before.filter { $0.model != "b" }
        var moved = 0
        for session in Self.sessions(count: 20_000, seed: 5) {
            let old = SessionRanking.ranking(session: session, targets: before).map(\.model)
            let new = SessionRanking.best(session: session, targets: after)!.model
            if old[0] == "b" {
                moved += 1
                #expect(new == old[1], "a removed target's session goes to its own second choice")
            } else {
                #expect(new == old[0])
            }
        }
        #expect(moved > 0)
    }

    @Test func addingATargetTakesSessionsOnlyOntoItself() {
        let before = Self.three
        let after = before + [WeightedTarget(model: "d", weight: 2)]
        var taken = 0
        for session in Self.sessions(count: 20_000, seed: 6) {
            let old = SessionRanking.best(session: session, targets: before)!.model
            let new = SessionRanking.best(session: session, targets: after)!.model
            if new != old {
                taken += 1
                #expect(new == "d")
            }
        }
        #expect(taken > 0)
    }

    /// The order of the targets in the routes file does not change any session's ranking.
    @Test func theTargetsOrderDoesNotMatter() {
        for session in Self.sessions(count: 500, seed: 8) {
            #expect(SessionRanking.ranking(session: session, targets: Self.three).map(\.model)
                == SessionRanking.ranking(session: session, targets: Self.three.reversed()).map(\.model))
        }
    }

    /// UUID-shaped session ids drawn from a seeded generator.
    static func sessions(count: Int, seed: UInt64) -> [String] {
        var random = SeededRandom(seed: seed)
        return (0..<count).map { _ in
            let high = String(random.next(), radix: 16), low = String(random.next(), radix: 16)
            return "\(high)-\(low)"
        }
    }
}
