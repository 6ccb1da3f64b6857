/// Where `serve` forwards requests: `http://` or `https://`, a host, an optional port and an
/// optional base path that is put in front of every forwarded path.
public struct UpstreamURL: Sendable, Equatable, CustomStringConvertible {
    public enum Scheme: String, Sendable { case http, https }

    public let scheme: Scheme
    public let host: String
    public let port: Int
    /// Without a trailing slash; empty for the root.
    public let basePath: String
    /// The value for a `Host` header: the port only when it is not the scheme's default. Stored,
    /// because every forwarded request sends it.
    public let authority: String

    public init(parsing text: String) throws(UpstreamURLError) {
        let schemeEnd = text.firstRange(of: "://")
        guard let schemeEnd, let scheme = Scheme(rawValue: text[..<schemeEnd.lowerBound].lowercased()) else {
            throw .init(problem: "must start with http:// or https://")
        }
        var rest = text[schemeEnd.upperBound...]
        if rest.contains("?") || rest.contains("#") { throw .init(problem: "must not have a query or fragment") }
        var path = ""
        if let slash = rest.firstIndex(of: "/") {
            path = String(rest[slash...])
            rest = rest[..<slash]
        }
        if rest.contains("@") { throw .init(problem: "must not carry credentials; use ANTIGRAVITY_KEY") }
        var host = String(rest)
        var port = scheme == .https ? 443 : 80
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { throw .init(problem: "has an unclosed IPv6 bracket") }
            let after = host[host.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let number = Int(after.dropFirst()), (1...65535).contains(number) else {
                    throw .init(problem: "has a bad port")
                }
                port = number
            }
            host = String(host[host.index(after: host.startIndex)..<close])
        } else if let colon = host.lastIndex(of: ":") {
            guard let number = Int(host[host.index(after: colon)...]), (1...65535).contains(number) else {
                throw .init(problem: "has a bad port (1–65535)")
            }
            port = number
            host = String(host[..<colon])
        }
        guard !host.isEmpty, host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-.:_".contains($0)) }) else {
            throw .init(problem: "has no valid host")
        }
        while path.hasSuffix("/") { path.removeLast() }
        self.scheme = scheme
        self.host = host
        self.port = port
        self.basePath = path
        let bracketed = host.contains(":") ? "[\(host)]" : host
        authority = port == (scheme == .https ? 443 : 80) ? bracketed : "\(bracketed):\(port)"
    }

    public var description: String { "\(scheme.rawValue)://\(authority)\(basePath)" }
}

public struct UpstreamURLError: Error, Equatable {
    public let problem: String
}
