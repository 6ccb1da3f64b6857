import Glibc
import Synchronization

/// A fixed set of event loops, one per core by default, handed out round-robin.
///
/// Why: one loop thread per core keeps every core busy while each connection stays on
/// the single loop it was given (no locks on its path, no thread hops). The acceptor spreads new
/// connections over the loops with `next()`.
public final class EventLoopGroup: Sendable {
    public let loops: [EventLoop]
    private let cursor = Atomic<Int>(0)

    /// Starts `count` loops, each on its own thread. If one cannot start, those already
    /// started are shut down before the error is thrown.
    public init(count: Int = EventLoopGroup.coreCount) throws(SocketError) {
        precondition(count > 0, "an EventLoopGroup needs at least one loop")
        var loops: [EventLoop] = []
        do {
            for _ in 0..<count { loops.append(try EventLoop()) }
        } catch {
            for loop in loops { loop.shutdown() }
            throw error
        }
        self.loops = loops
    }

    /// The number of online processors, at least 1.
    public static var coreCount: Int {
        max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }

    /// The next loop in round-robin order; safe from any thread.
    public func next() -> EventLoop {
        let index = cursor.wrappingAdd(1, ordering: .relaxed).oldValue
        return loops[Int(UInt(bitPattern: index) % UInt(loops.count))]
    }

    /// Stops every loop and joins its thread; see `EventLoop.shutdown()` for what happens to
    /// tasks still waiting. Call it from outside the loops (it blocks until they have ended).
    public func shutdown() {
        precondition(!loops.contains { $0.isCurrent }, "an EventLoopGroup cannot be shut down from one of its loops")
        for loop in loops { loop.stop() }
        for loop in loops { loop.join() }
    }
}
