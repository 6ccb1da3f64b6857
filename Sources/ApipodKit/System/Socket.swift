import CSystem
import Glibc

/// A non-blocking stream socket (TCP, or a Unix socket pair in tests) owned by one task.
///
/// Why not Sendable: one task reads and writes it, on the loop it belongs to, so its state needs
/// no lock; handing it to another task goes through `sending` (as `accept` returns it). Every
/// call tries the system call first and suspends on the loop only when the kernel says `EAGAIN`,
/// so a socket with data waiting costs one syscall and no suspension.
///
/// The socket closes itself when released, but closing explicitly (`close()`) says when.
public final class Socket {
    /// The loop whose thread waits for this socket's readiness.
    public let loop: EventLoop
    /// The descriptor, or -1 once closed. Owning task only; every access is a single load or
    /// store, so the runtime's exclusivity check, paid on each of a request's many reads,
    /// could never fire and is switched off.
    @exclusivity(unchecked) public private(set) var fileDescriptor: Int32
    /// The connected peer, known from `accept` or `connect`; kept for error messages.
    public let peerAddress: SocketAddress?
    /// Set by the first wait, which registers the descriptor with `loop`; from then on closing
    /// goes through the loop so the registration ends before the number can be reused.
    private var mayBeRegistered = false  // owning task only

    init(descriptor: Int32, loop: EventLoop, peerAddress: SocketAddress?) {
        self.fileDescriptor = descriptor
        self.loop = loop
        self.peerAddress = peerAddress
    }

    /// Takes ownership of an open stream descriptor (a `socketpair` end, an inherited socket)
    /// and makes it non-blocking. If this throws, the descriptor stays the caller's.
    public convenience init(adopting descriptor: Int32, on loop: EventLoop) throws(SocketError) {
        let flags = fcntl(descriptor, F_GETFL)
        guard flags >= 0, fcntl(descriptor, F_SETFL, flags | O_NONBLOCK) == 0 else {
            throw .failed(operation: "make fd \(descriptor) non-blocking", errno: errno)
        }
        self.init(descriptor: descriptor, loop: loop, peerAddress: nil)
    }

    deinit {
        close()
    }

    /// Reads what is available into `buffer` (which must not be empty), suspending until
    /// something is. Returns the number of bytes read, 0 at end of stream.
    ///
    /// - Parameters:
    ///   - deadline: when to give up waiting (`SocketError.timedOut`); per read, so it bounds
    ///     the idle time between chunks, never a whole stream.
    ///   - watched: another socket on the same loop whose hang-up ends the wait with
    ///     `SocketError.peerClosed`: relay upstream → client with the client watched.
    /// - Throws: `SocketError`, or `CancellationError` if the task is cancelled while waiting.
    public func read(
        into buffer: UnsafeMutableRawBufferPointer, deadline: Deadline = .never,
        abortingOnHangupOf watched: Socket? = nil
    ) async throws -> Int {
        precondition(!buffer.isEmpty, "a read into an empty buffer would look like end of stream")
        while true {
            let fd = fileDescriptor
            guard fd >= 0 else { throw SocketError.closed(operation: "read") }
            let count = recv(fd, buffer.baseAddress, buffer.count, 0)
            if count >= 0 { return count }
            switch errno {
            case EINTR:
                continue
            case EAGAIN:
                try await waitUntilReadable(deadline: deadline, watching: watched, operation: "read from \(name)")
            case let code:
                throw SocketError(operation: "read from \(name)", errno: code)
            }
        }
    }

    /// Writes all of `bytes`, suspending whenever the send buffer is full, so a slow reader
    /// slows the writer down instead of growing a buffer. `deadline` bounds each wait.
    /// - Throws: `SocketError` (`connectionReset` once the peer is gone), or `CancellationError`.
    public func write(_ bytes: UnsafeRawBufferPointer, deadline: Deadline = .never) async throws {
        var offset = 0
        while offset < bytes.count {
            let fd = fileDescriptor
            guard fd >= 0 else { throw SocketError.closed(operation: "write") }
            let count = send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if count >= 0 {
                offset += count
                continue
            }
            switch errno {
            case EINTR:
                continue
            case EAGAIN:
                try await waitUntilWritable(deadline: deadline, operation: "write to \(name)")
            case let code:
                throw SocketError(operation: "write to \(name)", errno: code)
            }
        }
    }

    /// Sends FIN: the peer reads end of stream, and this side can still read.
    public func shutdownWrite() throws(SocketError) {
        guard fileDescriptor >= 0 else { throw .closed(operation: "shutdown") }
        guard shutdown(fileDescriptor, Int32(SHUT_WR)) == 0 else {
            throw SocketError(operation: "shutdown \(name)", errno: errno)
        }
    }

    /// Closes the socket; waits another task still has on it fail with `SocketError.closed`.
    /// Closing twice does nothing.
    public func close() {
        let fd = fileDescriptor
        guard fd >= 0 else { return }
        fileDescriptor = -1
        if mayBeRegistered {
            loop.closeDescriptor(fd)
        } else {
            Glibc.close(fd)
        }
    }

    /// The address this socket is bound to (read a listener's ephemeral port from it).
    public var localAddress: SocketAddress {
        get throws(SocketError) {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let address = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> SocketAddress? in
                    getsockname(fileDescriptor, pointer, &length) == 0 ? SocketAddress(pointer) : nil
                }
            }
            guard let address else { throw .failed(operation: "getsockname fd \(fileDescriptor)", errno: errno) }
            return address
        }
    }

    /// Turns off Nagle's algorithm: a streamed chunk leaves at once instead of waiting for
    /// the previous one's ACK. Best effort; a failure only costs latency.
    func setNoDelay() {
        var on: Int32 = 1
        _ = setsockopt(fileDescriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
    }

    /// How error messages name this socket: its peer, or its descriptor.
    var name: String {
        peerAddress?.description ?? "fd \(fileDescriptor)"
    }

    func waitUntilReadable(
        deadline: Deadline, watching watched: Socket? = nil, operation: @autoclosure () -> String
    ) async throws {
        mayBeRegistered = true
        var watchedFD: Int32?
        if let watched {
            precondition(watched.loop === loop, "a watched socket must belong to the same loop")
            guard watched.fileDescriptor >= 0 else { throw SocketError.peerClosed(operation: operation()) }
            watched.mayBeRegistered = true
            watchedFD = watched.fileDescriptor
        }
        do {
            try await loop.waitReadable(fileDescriptor, deadline: deadline, abortingOnHangupOf: watchedFD)
        } catch let error as EventLoop.WaitError {
            throw SocketError(error, operation: operation())
        }
    }

    /// `EventLoop.watchReadable` for this socket: `onEnd` runs on the loop's thread once the
    /// socket may be readable (or the watch ends otherwise); nil when it already is. Owning
    /// task, on the loop's thread.
    func watchReadable(deadline: Deadline, _ onEnd: @escaping (Result<Void, any Error>) -> Void) throws -> WaitID? {
        guard fileDescriptor >= 0 else { throw SocketError.closed(operation: "watch") }
        mayBeRegistered = true
        return try loop.watchReadable(fileDescriptor, deadline: deadline, onEnd)
    }

    func waitUntilWritable(deadline: Deadline, operation: @autoclosure () -> String) async throws {
        mayBeRegistered = true
        do {
            try await loop.waitWritable(fileDescriptor, deadline: deadline)
        } catch let error as EventLoop.WaitError {
            throw SocketError(error, operation: operation())
        }
    }
}

@available(*, unavailable, message: "a Socket belongs to one task; pass it on with `sending`")
extension Socket: Sendable {}
