import Glibc

/// Idle keep-alive connections to one upstream, one pool per event loop. A pool is touched
/// only by tasks running on its loop, so it needs no lock; that is also why a connection taken
/// from it is already registered with the right loop for the relay's hang-up watch.
final class ConnectionPool: @unchecked Sendable {
    let loop: EventLoop
    private let capacity: Int
    /// Loop thread only. Most recently returned last, so the warmest connection is reused first.
    private var idle: [Socket] = []

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

    /// A pooled connection must have nothing to read: data or end of stream means the upstream
    /// closed it (or sent garbage) while it sat idle. Costs one non-blocking `recv`.
    private static func isStillOpen(_ socket: Socket) -> Bool {
        var byte: UInt8 = 0
        let count = recv(socket.fileDescriptor, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)
    }
}
