import CSystem
import Glibc

/// An IPv4 or IPv6 address with a port, as the kernel takes it.
///
/// Why its own type: sockets need the C `sockaddr` form, people and logs need `127.0.0.1:8080`
/// or `[::1]:8080`, and a connection keeps its peer's address for error messages after the
/// kernel has forgotten it (a reset socket has no `getpeername`).
public enum SocketAddress: Sendable, Equatable, CustomStringConvertible {
    case ipv4(sockaddr_in)
    case ipv6(sockaddr_in6)

    /// A numeric address (`127.0.0.1`, `::1`, `[::1]`), or nil for anything else.
    public init?(numericHost host: String, port: UInt16) {
        let literal = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        var v4 = sockaddr_in()
        if inet_pton(AF_INET, literal, &v4.sin_addr) == 1 {
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = port.bigEndian
            self = .ipv4(v4)
            return
        }
        var v6 = sockaddr_in6()
        if inet_pton(AF_INET6, literal, &v6.sin6_addr) == 1 {
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = port.bigEndian
            self = .ipv6(v6)
            return
        }
        return nil
    }

    /// Reads an address the kernel filled in (`accept4`, `getsockname`, `getaddrinfo`).
    init?(_ address: UnsafePointer<sockaddr>) {
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            self = .ipv4(UnsafeRawPointer(address).loadUnaligned(as: sockaddr_in.self))
        case AF_INET6:
            self = .ipv6(UnsafeRawPointer(address).loadUnaligned(as: sockaddr_in6.self))
        default:
            return nil
        }
    }

    /// Every address `host` names, in the resolver's order. Numeric hosts skip the resolver.
    /// Names go through `getaddrinfo`, which blocks: resolve once at startup, not per request.
    public static func resolve(host: String, port: UInt16) throws(SocketError) -> [SocketAddress] {
        if let address = SocketAddress(numericHost: host, port: port) { return [address] }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0 else {
            throw .unresolvedHost(host, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(list) }
        var addresses: [SocketAddress] = []
        var node = list
        while let current = node {
            if let raw = current.pointee.ai_addr, let address = SocketAddress(raw), !addresses.contains(address) {
                addresses.append(address)
            }
            node = current.pointee.ai_next
        }
        guard !addresses.isEmpty else { throw .unresolvedHost(host, reason: "no IPv4 or IPv6 address") }
        return addresses
    }

    public var family: Int32 {
        switch self {
        case .ipv4: AF_INET
        case .ipv6: AF_INET6
        }
    }

    public var port: UInt16 {
        switch self {
        case .ipv4(let address): UInt16(bigEndian: address.sin_port)
        case .ipv6(let address): UInt16(bigEndian: address.sin6_port)
        }
    }

    /// The address without the port: `127.0.0.1`, `::1`.
    public var host: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        switch self {
        case .ipv4(var address):
            inet_ntop(AF_INET, &address.sin_addr, &buffer, socklen_t(buffer.count))
        case .ipv6(var address):
            inet_ntop(AF_INET6, &address.sin6_addr, &buffer, socklen_t(buffer.count))
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public var description: String {
        switch self {
        case .ipv4: "\(host):\(port)"
        case .ipv6: "[\(host)]:\(port)"
        }
    }

    /// Calls `body` with the C form of the address, for `bind` and `connect`.
    func withSockAddr<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
        switch self {
        case .ipv4(var address):
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        case .ipv6(var address):
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        }
    }

    public static func == (lhs: SocketAddress, rhs: SocketAddress) -> Bool {
        switch (lhs, rhs) {
        case (.ipv4(var a), .ipv4(var b)):
            a.sin_zero = b.sin_zero
            return withUnsafeBytes(of: &a) { x in withUnsafeBytes(of: &b) { y in x.elementsEqual(y) } }
        case (.ipv6(let a), .ipv6(let b)):
            var (a, b) = (a, b)
            return withUnsafeBytes(of: &a) { x in withUnsafeBytes(of: &b) { y in x.elementsEqual(y) } }
        default:
            return false
        }
    }
}
