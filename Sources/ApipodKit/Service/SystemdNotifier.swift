import Glibc

/// Tells systemd how `serve` is doing, so a `Type=notify` unit is "started" only once we listen,
/// shows our `STATUS=` in `systemctl status`, and knows when we begin to drain.
///
/// This is `sd_notify`'s protocol written by hand (no libsystemd): newline-separated
/// `KEY=VALUE` assignments in one datagram to the Unix socket named by `$NOTIFY_SOCKET`, a path
/// or, when it starts with `@`, an abstract name. Outside systemd there is no socket and every
/// call does nothing. Sending never blocks and a failure is dropped: systemd's own client does
/// the same, since a service must not stop serving because its supervisor stopped listening.
public final class SystemdNotifier: Sendable {
    private let fd: Int32
    /// The socket's address, fixed at init; read only by `send`.
    private let address: sockaddr_un
    private let addressLength: socklen_t

    /// The notifier for `$NOTIFY_SOCKET`, or nil when the variable is unset, empty or unusable.
    public static func fromEnvironment() -> SystemdNotifier? {
        guard let value = getenv("NOTIFY_SOCKET") else { return nil }
        return SystemdNotifier(socket: String(cString: value))
    }

    /// A notifier for `name` (a path, or `@name` for an abstract socket); nil when the name
    /// does not fit a Unix socket address or no socket can be made.
    public init?(socket name: String) {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var path = Array(name.utf8)
        let abstract = path.first == UInt8(ascii: "@")
        if abstract { path[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        // systemd names an absolute path or an abstract name. A path needs room for its
        // terminating zero; an abstract name is counted exactly.
        guard abstract || path.first == UInt8(ascii: "/"), path.count <= capacity - (abstract ? 0 : 1) else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path) }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        self.fd = fd
        self.address = address
        self.addressLength = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + path.count + (abstract ? 0 : 1))
    }

    deinit {
        close(fd)
    }

    /// Sends `state`: assignments such as `READY=1`, one per line.
    public func send(_ state: String) {
        let bytes = Array(state.utf8)
        var address = self.address
        _ = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bytes.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), socketAddress, addressLength) }
            }
        }
    }
}
