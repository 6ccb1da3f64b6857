/// Idle keep-alive connections to one upstream, one pool per event loop. A pool is touched
/// only by tasks running on its loop, so it needs no lock; that is also why a connection taken
/// from it is already registered with the right loop for the relay's hang-up watch.
final class ConnectionPool: @unchecked Sendable {
    let loop: EventLoop
    private let capacity: Int
    /// Loop thread only. Most recently returned last, so the warmest connection is reused first.
    /// Each access is one call on the array that reaches nothing else here, so the runtime's
    /// exclusivity check (three a request) is off.
    @exclusivity(unchecked) private var idle: [Socket] = []

    init(loop: EventLoop, capacity: Int) {
        self.loop = loop
        self.capacity = capacity
    }

    /// An idle connection that still looks open, or nil.
    func take() -> Socket? {
        precondition(loop.isCurrent, "a connection pool is used on its own loop")
        while let socket = idle.popLast() {
            if Self.isStillOpen(socket) { return socket }
            socket.close()
        }
        return nil
    }

    /// Keeps a connection whose last response was read in full and did not ask to close.
    func giveBack(_ socket: Socket) {
        precondition(loop.isCurrent, "a connection pool is used on its own loop")
        if idle.count >= capacity {
            idle.removeFirst().close()
        }
        idle.append(socket)
    }

    /// A pooled connection the upstream closed while it sat idle has had its hang-up reported
    /// by epoll; asking the loop costs no system call. (One closed in the instant before reuse
    /// fails its exchange without an answer, which `HTTPClient` retries once if that cannot
    /// repeat the request's effect.)
    private static func isStillOpen(_ socket: Socket) -> Bool {
        !socket.peerHasHungUp
    }
}
