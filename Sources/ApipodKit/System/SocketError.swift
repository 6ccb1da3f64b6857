import Glibc

/// A failed socket or loop operation, with what was attempted (`"connect 127.0.0.1:8080"`) so
/// that a log line alone says what went wrong. The outcomes a caller acts on have their own
/// cases: a timed-out phase becomes 504, a refused upstream 502, a hung-up client ends the relay
/// quietly. A cancelled task gets Swift's `CancellationError`, never a `SocketError`, so that
/// one `catch is CancellationError` covers sockets and every other suspending call alike.
public enum SocketError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A system call failed with `errno`.
    case failed(operation: String, errno: Int32)
    /// The deadline passed before the operation could finish.
    case timedOut(operation: String)
    /// This socket's peer reset the connection, or it is gone and a write found out (EPIPE).
    case connectionReset(operation: String)
    /// The other socket watched during this operation (`abortingOnHangupOf`) hung up.
    case peerClosed(operation: String)
    /// Nothing listens at the address (ECONNREFUSED).
    case connectionRefused(operation: String)
    /// Another socket is bound to the address (EADDRINUSE).
    case addressInUse(operation: String)
    /// The host name could not be resolved; `reason` is `gai_strerror`'s text.
    case unresolvedHost(String, reason: String)
    /// The socket was closed, or closed by another task while this one waited on it.
    case closed(operation: String)

    /// The case that names `code`, so callers can switch on outcomes instead of errno values.
    public init(operation: String, errno code: Int32) {
        switch code {
        case ECONNREFUSED: self = .connectionRefused(operation: operation)
        case EADDRINUSE: self = .addressInUse(operation: operation)
        case ECONNRESET, EPIPE: self = .connectionReset(operation: operation)
        case ETIMEDOUT: self = .timedOut(operation: operation)
        default: self = .failed(operation: operation, errno: code)
        }
    }

    /// The same outcome for a wait that ended early, described with the socket's operation.
    init(_ error: EventLoop.WaitError, operation: String) {
        switch error {
        case .timedOut: self = .timedOut(operation: operation)
        case .watchedPeerClosed: self = .peerClosed(operation: operation)
        case .closed: self = .closed(operation: operation)
        }
    }

    public var description: String {
        switch self {
        case .failed(let operation, let code):
            return "\(operation): \(String(cString: strerror(code))) (errno \(code))"
        case .timedOut(let operation):
            return "\(operation): timed out"
        case .connectionReset(let operation):
            return "\(operation): connection reset by peer"
        case .peerClosed(let operation):
            return "\(operation): the other side hung up"
        case .connectionRefused(let operation):
            return "\(operation): connection refused"
        case .addressInUse(let operation):
            return "\(operation): address already in use"
        case .unresolvedHost(let host, let reason):
            return "resolve \(host): \(reason)"
        case .closed(let operation):
            return "\(operation): socket closed"
        }
    }
}
