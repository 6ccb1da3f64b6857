import Glibc

/// Sticky sessions (SPEC §8): a session's targets ranked by weighted rendezvous hashing, so the
/// same session id goes to the same model in every process and after every restart, with no
/// table and nothing stored per session.
///
/// Each target gets the score −weight / ln(h), where h ∈ (0, 1) comes from a fixed 64-bit hash of
/// the session id and the target's model; the highest score ranks first. −ln(h) / weight is an
/// exponential variable of rate `weight`, so a target wins a share of sessions equal to its share
/// of the weights, and since a target's score does not depend on the other targets, removing one
/// moves only the sessions it had, and adding one takes sessions only onto itself.
///
/// The hash, so that any other implementation can reproduce a ranking bit for bit:
/// - input bytes: the session id's UTF-8, one 0x00 byte, the model's UTF-8 (both as given:
///   no normalisation, no trimming);
/// - FNV-1a 64 over those bytes (offset basis 0xcbf29ce484222325, prime 0x100000001b3);
/// - then SplitMix64's finaliser on the result, because FNV's last bytes barely reach its high bits:
///   `z ^= z >> 30; z *= 0xbf58476d1ce4e5b9; z ^= z >> 27; z *= 0x94d049bb133111eb; z ^= z >> 31`
///   (all arithmetic modulo 2^64);
/// - h = ((z >> 12) + 0.5) / 2^52, exact in a Double and strictly between 0 and 1.
///
/// For example, session `session-1` with model `claude-sonnet-4-5` hashes to 0xa8ed2eb89c48ad3a.
/// Equal scores (which need equal hashes) keep the targets' order.
public enum SessionRanking {
    static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01b3

    /// The fixed 64-bit hash: FNV-1a 64 of `bytes`, then SplitMix64's finaliser.
    public static func hash(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var state = offsetBasis
        for byte in bytes { state = fnv(state, byte) }
        return finalise(state)
    }

    /// The session's targets, best first: its failover order.
    public static func ranking(session: String, targets: [WeightedTarget]) -> [WeightedTarget] {
        let prefix = prefixState(session)
        return withUnsafeTemporaryAllocation(of: (score: Double, index: Int).self, capacity: targets.count) { scored in
            // Insertion sort: aliases have a handful of targets, and a stable sort keeps ties in order.
            for (index, target) in targets.enumerated() {
                let entry = (score: score(prefix: prefix, model: target.model, weight: target.weight), index: index)
                var slot = index
                while slot > 0, scored[slot - 1].score < entry.score {
                    scored[slot] = scored[slot - 1]
                    slot -= 1
                }
                scored[slot] = entry
            }
            var ranked: [WeightedTarget] = []
            ranked.reserveCapacity(targets.count)
            for entry in scored { ranked.append(targets[entry.index]) }
            return ranked
        }
    }

    /// The first of `ranking(session:targets:)` without building the ranking: what a request
    /// needs when its first choice answers. Nil only when there are no targets.
    public static func best(session: String, targets: [WeightedTarget]) -> WeightedTarget? {
        bestIndex(prefix: prefixState(session), targets: targets).map { targets[$0] }
    }

    /// The index in `targets` of the highest score after the hash state `prefix`.
    static func bestIndex(prefix: UInt64, targets: [WeightedTarget]) -> Int? {
        var best: Int?
        var bestScore = -Double.infinity
        for (index, target) in targets.enumerated() {
            let score = score(prefix: prefix, model: target.model, weight: target.weight)
            if best == nil || score > bestScore {
                best = index
                bestScore = score
            }
        }
        return best
    }

    /// FNV-1a state after the session's bytes and the separator, shared by every target's hash.
    static func prefixState(_ session: String) -> UInt64 {
        fnv(absorb(session, into: offsetBasis), 0)
    }

    /// FNV-1a state after `bytes` and the separator.
    static func prefixState(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var state = offsetBasis
        for byte in bytes { state = fnv(state, byte) }
        return fnv(state, 0)
    }

    static func score(prefix: UInt64, model: String, weight: Double) -> Double {
        -weight / log(unitInterval(finalise(absorb(model, into: prefix))))
    }

    /// The hash's top 52 bits as a point strictly inside (0, 1).
    @inline(__always)
    static func unitInterval(_ hash: UInt64) -> Double {
        (Double(hash >> 12) + 0.5) * 0x1p-52
    }

    @inline(__always)
    static func absorb(_ text: String, into state: UInt64) -> UInt64 {
        let contiguous = text.utf8.withContiguousStorageIfAvailable { bytes in
            var state = state
            for byte in bytes { state = fnv(state, byte) }
            return state
        }
        if let contiguous { return contiguous }
        var state = state
        for byte in text.utf8 { state = fnv(state, byte) }
        return state
    }

    @inline(__always)
    static func fnv(_ state: UInt64, _ byte: UInt8) -> UInt64 {
        (state ^ UInt64(byte)) &* prime
    }

    /// SplitMix64's output function (Stafford's "Mix13"): every input bit reaches every output bit.
    @inline(__always)
    static func finalise(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
