import CSystem
import Glibc

extension Socket {
    /// A listening TCP socket on `host:port` (port 0 picks a free one: read it back from
    /// `localAddress`). `host` is an IPv4 or IPv6 literal or a name such as `localhost`; a name
    /// that resolves to both families listens on IPv4, as most servers do for `localhost`.
    /// `SO_REUSEADDR` lets a restarted server bind while old connections linger in TIME_WAIT.
    ///
    /// Why one listener handing connections to every loop (see `accept(assigningTo:)`) rather
    /// than one `SO_REUSEPORT` listener per loop: a second server started on the same port
    /// fails with `addressInUse` instead of silently sharing the traffic, port 0 needs no
    /// bind-then-rebind dance, and round-robin spreads connections evenly. The price, one
    /// cross-thread enqueue per accepted connection, is paid per connection, not per request.
    public static func listen(
        host: String, port: UInt16, backlog: Int32 = 1024, on loop: EventLoop
    ) throws(SocketError) -> sending Socket {
        let addresses = try SocketAddress.resolve(host: host, port: port)
        let address = addresses.first { $0.family == AF_INET } ?? addresses[0]
        let descriptor = socket(address.family, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw SocketError(operation: "listen \(address)", errno: errno) }
        let listener = Socket(descriptor: descriptor, loop: loop, peerAddress: nil)
        var on: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        guard address.withSockAddr({ bind(descriptor, $0, $1) }) == 0 else {
            throw SocketError(operation: "bind \(address)", errno: errno)
        }
        guard Glibc.listen(descriptor, backlog) == 0 else {
            throw SocketError(operation: "listen \(address)", errno: errno)
        }
        return listener
    }

    /// Waits for the next connection and returns it with `TCP_NODELAY` set, bound to `target`
    /// (default: this listener's loop). The connection is registered with its loop lazily, on
    /// its first wait, so start its task there: `Task(executorPreference: connection.loop)`.
    ///
    /// Aborted handshakes are skipped. When the process is out of descriptors (EMFILE, ENFILE)
    /// or memory, the pending connection cannot be taken, and edge-triggered epoll will not
    /// report it again: `accept` pauses 100 ms on the loop and then throws `SocketError.failed`,
    /// so a caller that logs and calls again retries without spinning.
    /// - Throws: `SocketError`, or `CancellationError` once the task is cancelled.
    public func accept(assigningTo target: EventLoop? = nil) async throws -> sending Socket {
        while true {
            let listener = fileDescriptor
            guard listener >= 0 else { throw SocketError.closed(operation: "accept") }
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let (descriptor, peer) = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { address -> (Int32, SocketAddress?) in
                    let descriptor = accept4(listener, address, &length, Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue))
                    return (descriptor, descriptor >= 0 ? SocketAddress(address) : nil)
                }
            }
            if descriptor >= 0 {
                let connection = Socket(descriptor: descriptor, loop: target ?? loop, peerAddress: peer)
                connection.setNoDelay()
                return connection
            }
            switch errno {
            case EINTR, ECONNABORTED, EPROTO:
                continue
            case EAGAIN:
                try await waitUntilReadable(deadline: .never, operation: "accept on \(listenerName)")
            case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                let code = errno
                try await loop.sleep(for: .milliseconds(100))
                throw SocketError.failed(operation: "accept on \(listenerName)", errno: code)
            case let code:
                throw SocketError(operation: "accept on \(listenerName)", errno: code)
            }
        }
    }

    private var listenerName: String {
        (try? localAddress.description) ?? name
    }
}
