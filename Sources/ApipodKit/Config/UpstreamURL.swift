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
            // `host:8080:9090` would otherwise leave `host:8080` as the host name.
            if host.contains(":") { throw .init(problem: "has more than one port (an IPv6 address goes in brackets)") }
        }
        guard !host.isEmpty, host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-.:_".contains($0)) }) else {
            throw .init(problem: "has no valid host")
        }
        path = try Self.encodedPath(path)
        while path.hasSuffix("/") { path.removeLast() }
        self.scheme = scheme
        self.host = host
        self.port = port
        self.basePath = path
        let bracketed = host.contains(":") ? "[\(host)]" : host
        authority = port == (scheme == .https ? 443 : 80) ? bracketed : "\(bracketed):\(port)"
    }

    public var description: String { "\(scheme.rawValue)://\(authority)\(basePath)" }

    /// The base path as it may stand in a request line: a space or a control character would
    /// end or split the line (`/a b HTTP/1.0` forged one), so they are refused; any other byte
    /// outside RFC 3986's path characters is percent-encoded, and `%` must start an escape.
    private static func encodedPath(_ path: String) throws(UpstreamURLError) -> String {
        if path.unicodeScalars.contains(where: { $0 == " " || $0.properties.generalCategory == .control }) {
            throw .init(problem: "has a space or a control character in its path")
        }
        let bytes = Array(path.utf8)
        let isHex: (UInt8) -> Bool = { Unicode.Scalar($0).properties.isASCIIHexDigit }
        var encoded = ""
        for (index, byte) in bytes.enumerated() {
            if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.count, isHex(bytes[index + 1]), isHex(bytes[index + 2]) else {
                    throw .init(problem: "has a '%' in its path that does not start an escape such as %20")
                }
                encoded += "%"
            } else if byte < 0x80, pathCharacters.contains(Unicode.Scalar(byte)) {
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                encoded += "%" + String(byte, radix: 16, uppercase: true)
            }
        }
        return encoded
    }

    /// RFC 3986 §3.3: unreserved, sub-delims, ':', '@', and '/' between segments.
    private static let pathCharacters = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/".unicodeScalars)

    /// `text` as an error may repeat it: a user and password before `@` become `…@`, and a
    /// query or fragment becomes `?…`, since either may carry a credential.
    public static func redacted(_ text: String) -> String {
        var rest = Substring(text)
        var start = ""
        if let schemeEnd = rest.firstRange(of: "://") {
            start = String(rest[..<schemeEnd.upperBound])
            rest = rest[schemeEnd.upperBound...]
        }
        var tail = ""
        if let query = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) {
            tail = "?…"
            rest = rest[..<query]
        }
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        if let at = rest[..<authorityEnd].lastIndex(of: "@") {
            rest = Substring("…" + rest[at...])
        }
        return start + rest + tail
    }
}

public struct UpstreamURLError: Error, Equatable {
    public let problem: String
}
