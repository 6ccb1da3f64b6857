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
/// (`8-4-4-4-12` lowercase hex digits from 128 random bits), written into a reused buffer eight
/// digits at a time: a million of them are drawn in a `--sessions 1000000` run.
enum RandomSessionID {
    static let length = 36

    static func fill(_ id: UnsafeMutableBufferPointer<UInt8>, using random: inout SeededRandom) {
        precondition(id.count >= length)
        let out = UnsafeMutableRawPointer(id.baseAddress!)
        let high = random.next(), low = random.next()
        // Each value holds its first digit in its top byte: stored big-endian, it comes first.
        let second = hexDigits(high), fourth = hexDigits(low >> 32)
        out.storeBytes(of: hexDigits(high >> 32).bigEndian, toByteOffset: 0, as: UInt64.self)
        out.storeBytes(of: UInt32(truncatingIfNeeded: second >> 32).bigEndian, toByteOffset: 9, as: UInt32.self)
        out.storeBytes(of: UInt32(truncatingIfNeeded: second).bigEndian, toByteOffset: 14, as: UInt32.self)
        out.storeBytes(of: UInt32(truncatingIfNeeded: fourth >> 32).bigEndian, toByteOffset: 19, as: UInt32.self)
        out.storeBytes(of: UInt32(truncatingIfNeeded: fourth).bigEndian, toByteOffset: 24, as: UInt32.self)
        out.storeBytes(of: hexDigits(low).bigEndian, toByteOffset: 28, as: UInt64.self)
        out.storeBytes(of: UInt8(ascii: "-"), toByteOffset: 8, as: UInt8.self)
        out.storeBytes(of: UInt8(ascii: "-"), toByteOffset: 13, as: UInt8.self)
        out.storeBytes(of: UInt8(ascii: "-"), toByteOffset: 18, as: UInt8.self)
        out.storeBytes(of: UInt8(ascii: "-"), toByteOffset: 23, as: UInt8.self)
    }

    /// The low 32 bits of `value` as eight lowercase hex digits, the most significant in the top
    /// byte: each nibble spread to a byte, then '0' added, and 'a' − '0' − 10 more where the
    /// nibble is 10 or above (adding 6 carries into bit 4 exactly there).
    @inline(__always)
    static func hexDigits(_ value: UInt64) -> UInt64 {
        var spread = value & 0xffff_ffff
        spread = (spread | spread << 16) & 0x0000_ffff_0000_ffff
        spread = (spread | spread << 8) & 0x00ff_00ff_00ff_00ff
        spread = (spread | spread << 4) & 0x0f0f_0f0f_0f0f_0f0f
        let letters = ((spread &+ 0x0606_0606_0606_0606) >> 4) & 0x0101_0101_0101_0101
        return spread &+ 0x3030_3030_3030_3030 &+ letters &* 0x27
    }
}
