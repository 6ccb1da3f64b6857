import CSystem
import Glibc

extension Socket {
    /// Connects to `host:port`, trying each address the host resolves to in turn until one
    /// accepts; `deadline` bounds the whole attempt. Names are resolved with `getaddrinfo`,
    /// which blocks the loop: pass a numeric host, or resolve once with `SocketAddress.resolve`
    /// and use `connect(to:)`, on hot paths.
    /// - Throws: the last address's `SocketError` (`connectionRefused`, `timedOut`, …), or
    ///   `CancellationError`.
    public static func connect(
        host: String, port: UInt16, deadline: Deadline = .never, on loop: EventLoop
    ) async throws -> sending Socket {
        let addresses = try SocketAddress.resolve(host: host, port: port)
        var lastError = SocketError.unresolvedHost(host, reason: "no address")
        for address in addresses {
            do {
                return try await connect(to: address, deadline: deadline, on: loop)
            } catch let error as SocketError {
                if case .timedOut = error { throw error }
                lastError = error
            }
        }
        throw lastError
    }

    /// Connects to `address` without blocking the loop (non-blocking `connect`, then a wait
    /// for writability and `SO_ERROR`), with `TCP_NODELAY` set.
    /// - Throws: `SocketError` (`connectionRefused`, `timedOut`, …), or `CancellationError`.
    public static func connect(
        to address: SocketAddress, deadline: Deadline = .never, on loop: EventLoop
    ) async throws -> sending Socket {
        let descriptor = socket(address.family, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw SocketError(operation: "connect \(address)", errno: errno) }
        let connection = Socket(descriptor: descriptor, loop: loop, peerAddress: address)
        connection.setNoDelay()
        if address.withSockAddr({ Glibc.connect(descriptor, $0, $1) }) == 0 { return connection }
        // EINTR: the connection still completes in the background, exactly as EINPROGRESS.
        guard errno == EINPROGRESS || errno == EINTR else {
            throw SocketError(operation: "connect \(address)", errno: errno)
        }
        while true {
            try await connection.waitUntilWritable(deadline: deadline, operation: "connect \(address)")
            var code: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &code, &length) == 0 else {
                throw SocketError(operation: "connect \(address)", errno: errno)
            }
            if code != 0 { throw SocketError(operation: "connect \(address)", errno: code) }
            // A spurious wake-up leaves the connect in progress, with no peer yet: wait again.
            if connection.isConnected { return connection }
        }
    }

    private var isConnected: Bool {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        return withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fileDescriptor, $0, &length) == 0 }
        }
    }
}
