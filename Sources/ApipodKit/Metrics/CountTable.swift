/// Counters by a packed 56-bit key, in an open-addressing table with a multiplicative hash:
/// a request's count is a multiply, a shift and a compare or two, where `Dictionary` hashes
/// each key with SipHash (about 150 instructions, twice a request).
struct CountTable: Sendable {
    /// The key with `occupied` set, or 0 for an empty slot.
    private var keys: [UInt64]
    private var counts: [UInt64]
    private var shift: UInt64
    private(set) var count = 0

    private static let occupied: UInt64 = 1 << 63

    init() {
        keys = Array(repeating: 0, count: 64)
        counts = Array(repeating: 0, count: 64)
        shift = 64 - 6
    }

    mutating func add(_ key: UInt64, _ amount: UInt64 = 1) {
        let stored = key | Self.occupied
        let mask = keys.count - 1
        var slot = Int(truncatingIfNeeded: (stored &* 0x9E37_79B9_7F4A_7C15) >> shift)
        while keys[slot] != 0 {
            if keys[slot] == stored {
                counts[slot] &+= amount
                return
            }
            slot = (slot + 1) & mask
        }
        keys[slot] = stored
        counts[slot] = amount
        count += 1
        if count * 2 > keys.count { grow() }
    }

    /// Every key with its count, in no particular order.
    var entries: [(key: UInt64, count: UInt64)] {
        zip(keys, counts).compactMap { $0.0 == 0 ? nil : ($0.0 & ~Self.occupied, $0.1) }
    }

    private mutating func grow() {
        let old = entries
        keys = Array(repeating: 0, count: keys.count * 2)
        counts = Array(repeating: 0, count: counts.count * 2)
        shift -= 1
        count = 0
        for (key, value) in old { add(key, value) }
    }
}
