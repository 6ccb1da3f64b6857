import Synchronization

/// The `model` label's values, bounded: the first `capacity` names seen get their own series,
/// every later one is counted as `other`, so a client sending a million model names creates
/// no more than `capacity` series. Shared by the loops; each loop asks it only through its own
/// `ModelLabelCache`, the first time that loop meets a name, so the lock here is taken at most
/// `capacity + 1` times per loop in the process's life and never once the loop's cache is
/// complete.
///
/// A name is refused (counted as `other`) when it is longer than `maximumLength` bytes or looks
/// like a client key (`apk_`): a label must never carry a secret, even one a client put in the
/// model field by mistake.
final class ModelLabelRegistry: Sendable {
    /// Index of requests that named no model (label `""`).
    static let none = 0
    /// Index of the fold for every name past the cap, or refused (label `other`).
    static let other = 1
    static let maximumLength = 128

    private struct State {
        var names: [String] = ["", "other"]
        var indices: [String: Int] = ["": ModelLabelRegistry.none, "other": ModelLabelRegistry.other]
    }

    let capacity: Int
    /// Protected by its mutex; grows up to `capacity` admitted names and never shrinks.
    private let state = Mutex(State())

    /// - Parameter capacity: how many distinct client-chosen names get a series of their own.
    init(capacity: Int = 100) {
        self.capacity = capacity
    }

    /// The index of `name`, admitting it if there is room. `complete` is true once the registry
    /// is full: the caller then has every name there will ever be (`names`) and need not ask again.
    /// Call it only for a name `isRefused` lets through.
    func admit(_ name: String) -> (index: Int, complete: Bool, names: [String]) {
        state.withLock { state in
            var index = state.indices[name] ?? Self.other
            if index == Self.other && state.names.count - 2 < capacity {
                index = state.names.count
                state.names.append(name)
                state.indices[name] = index
            }
            let complete = state.names.count - 2 >= capacity
            return (index, complete, complete ? state.names : [])
        }
    }

    /// A name that may not be a label value, checked without the lock.
    static func isRefused(_ name: String) -> Bool {
        name.utf8.count > maximumLength || name.contains("apk_")
    }

    /// Every label value by index, for the exposition.
    var names: [String] { state.withLock { $0.names } }
}

/// One loop's view of `ModelLabelRegistry`: the names it has met, by index. Owned by that
/// loop's thread (inside its `MetricsShard`). An open-addressing table hashed with FNV-1a over
/// the name's bytes (`hash`), sized for every name the registry can admit at a quarter full, so it never
/// grows: a lookup costs a short hash and one comparison, where `Dictionary`'s SipHash cost a
/// request several hundred instructions.
struct ModelLabelCache {
    /// The registry index of each slot's name; -1 for an empty slot.
    private var indices: [Int]
    private var names: [String]
    /// Set once the registry is full and its names copied here: from then on a name not here is `other`.
    private var complete = false

    init(capacity: Int) {
        var size = 16
        while size < 4 * (capacity + 2) { size *= 2 }
        indices = Array(repeating: -1, count: size)
        names = Array(repeating: "", count: size)
    }

    mutating func index(of name: String?, in registry: ModelLabelRegistry) -> Int {
        guard let name else { return ModelLabelRegistry.none }
        let slot = slot(of: name)
        if indices[slot] >= 0 { return indices[slot] }
        if complete || ModelLabelRegistry.isRefused(name) { return ModelLabelRegistry.other }
        let answer = registry.admit(name)
        if answer.complete {
            complete = true
            for (index, admitted) in answer.names.enumerated() where indices[self.slot(of: admitted)] < 0 {
                remember(admitted, index)
            }
        } else if answer.index != ModelLabelRegistry.other {
            remember(name, answer.index)
        }
        return answer.index
    }

    /// The slot holding `name`, or the empty slot where it would go.
    private func slot(of name: String) -> Int {
        let hash = name.utf8.withContiguousStorageIfAvailable { Self.hash(UnsafeRawBufferPointer($0)) }
            ?? Array(name.utf8).withUnsafeBytes { Self.hash($0) }
        let mask = indices.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while indices[slot] >= 0 && names[slot] != name { slot = (slot + 1) & mask }
        return slot
    }

    /// FNV-1a, eight bytes a step (byte by byte through `String.UTF8View` cost a thousand
    /// instructions a request), with a shift to spread the high bits into the slot's.
    private static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let prime: UInt64 = 0x100_0000_01B3
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        var offset = 0
        while offset + 8 <= bytes.count {
            hash = (hash ^ bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* prime
            hash ^= hash >> 29
            offset += 8
        }
        while offset < bytes.count {
            hash = (hash ^ UInt64(bytes[offset])) &* prime
            offset += 1
        }
        return hash ^ (hash >> 29)
    }

    private mutating func remember(_ name: String, _ index: Int) {
        let slot = slot(of: name)
        indices[slot] = index
        names[slot] = name
    }
}
