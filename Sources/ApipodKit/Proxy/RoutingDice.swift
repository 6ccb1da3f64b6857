import Synchronization

/// The random source of the routing decisions in `serve`: a fast seeded generator, seeded from
/// the system's CSPRNG at start, shared by the event loops behind a mutex held for one draw.
final class RoutingDice: Sendable {
    /// Protected by its mutex.
    private let random: Mutex<SeededRandom>

    init() {
        var system = SystemRandomNumberGenerator()
        random = Mutex(SeededRandom(seed: system.next()))
    }

    /// One uniform 64-bit word for `RoutingTable.candidates`.
    func draw() -> UInt64 {
        random.withLock { $0.next() }
    }
}
