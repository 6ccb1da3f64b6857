import Glibc

/// A Unix datagram socket standing in for systemd's notification socket: bound to a path in a
/// scratch folder or to an abstract name, it collects what a service sends to `$NOTIFY_SOCKET`.
public final class NotifySocket: @unchecked Sendable {
    // Only the test that made it reads it; the descriptor never changes.
    private let fd: Int32
    /// What to put in `$NOTIFY_SOCKET`: the path, or `@` and the abstract name.
    public let name: String

    /// - Parameter path: a file path to bind, or nil for a fresh abstract name.
    public init(path: String? = nil) {
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        precondition(fd >= 0, "socket: \(errno)")
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes: [UInt8]
        if let path {
            name = path
            bytes = Array(path.utf8) + [0]
        } else {
            name = "@apipodctl-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            bytes = Array(name.utf8)
            bytes[0] = 0
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + bytes.count)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        precondition(bound == 0, "bind \(name): \(errno)")
    }

    deinit {
        close(fd)
    }

    /// The datagrams that have arrived, oldest first, without waiting.
    public func received() -> [String] {
        var messages: [String] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count >= 0 else { return messages }
            messages.append(String(decoding: buffer[..<count], as: UTF8.self))
        }
    }

    /// Waits until a datagram satisfying `matches` arrives (every datagram read meanwhile is
    /// returned too, in order); gives up after `seconds`, a hang guard rather than a timing
    /// assertion.
    public func waitFor(seconds: Int = 10, _ matches: (String) -> Bool) async throws -> [String] {
        var messages: [String] = []
        let giveUp = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < giveUp {
            messages += received()
            if messages.contains(where: matches) { return messages }
            try await Task.sleep(for: .milliseconds(10))
        }
        return messages
    }
}
