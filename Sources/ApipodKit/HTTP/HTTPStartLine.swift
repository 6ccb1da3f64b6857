/// The first line of a message (RFC 9112 §3 and §4), read strictly: single spaces and nothing a
/// more lenient peer could read another way.
enum HTTPStartLine {
    /// RFC 9112 §3: request-line = method SP request-target SP HTTP-version.
    /// Returns the head with no headers yet.
    static func parseRequestLine(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> HTTPRequestHead {
        // Split at the first and the last space so a space inside the target is seen as such.
        guard let firstSpace = line.firstIndex(of: HTTPSyntax.space),
              let lastSpace = line.lastIndex(of: HTTPSyntax.space), firstSpace < lastSpace
        else { throw .invalidRequestLine }
        let method = line[line.startIndex..<firstSpace]
        guard !method.isEmpty, method.allSatisfy(HTTPSyntax.isTokenByte) else { throw .invalidRequestLine }
        // RFC 9112 §3.2 and RFC 3986 §2: a target is visible ASCII, no whitespace or control.
        let target = line[(firstSpace + 1)..<lastSpace]
        guard !target.isEmpty, target.allSatisfy({ $0 > HTTPSyntax.space && $0 < HTTPSyntax.delete }) else {
            throw .invalidRequestTarget
        }
        let version = try parseVersion(line[(lastSpace + 1)...])
        return HTTPRequestHead(
            method: String(decoding: method, as: UTF8.self),
            target: String(decoding: target, as: UTF8.self),
            version: version
        )
    }

    /// RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ].
    /// Returns the head with no headers yet.
    static func parseStatusLine(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> HTTPResponseHead {
        let versionEnd = line.startIndex + 8
        let statusEnd = versionEnd + 4
        guard line.count >= statusEnd - line.startIndex, line[versionEnd] == HTTPSyntax.space else {
            throw .invalidStatusLine
        }
        let version = try parseVersion(line[..<versionEnd])
        var status = 0
        for byte in line[(versionEnd + 1)..<statusEnd] {
            guard HTTPSyntax.isDigit(byte) else { throw .invalidStatusLine }
            status = status * 10 + Int(byte &- UInt8(ascii: "0"))
        }
        // RFC 9110 §15: status codes run from 100 to 599.
        guard (100...599).contains(status) else { throw .invalidStatusLine }
        let rest = line[statusEnd...]
        // The SP before an empty reason is often left out; accepted, since a client ignores the
        // reason anyway (RFC 9112 §4).
        guard rest.isEmpty || rest[statusEnd] == HTTPSyntax.space else { throw .invalidStatusLine }
        let reason = rest.dropFirst()
        guard reason.allSatisfy(HTTPSyntax.isFieldValueByte) else { throw .invalidStatusLine }
        return HTTPResponseHead(version: version, status: status, reason: String(decoding: reason, as: UTF8.self))
    }

    /// RFC 9112 §2.3: HTTP-version = "HTTP/" DIGIT "." DIGIT, case-sensitive. A well-formed
    /// version other than 1.0 and 1.1 is answered 505 (RFC 9110 §15.6.6).
    static func parseVersion(_ bytes: ArraySlice<UInt8>) throws(HTTPParseError) -> HTTPVersion {
        let start = bytes.startIndex
        // Compared byte by byte: `starts(with: "HTTP/".utf8)` walks a String's UTF-8 view.
        guard bytes.count == 8, bytes[start] == UInt8(ascii: "H"), bytes[start + 1] == UInt8(ascii: "T"),
              bytes[start + 2] == UInt8(ascii: "T"), bytes[start + 3] == UInt8(ascii: "P"),
              bytes[start + 4] == UInt8(ascii: "/")
        else { throw .invalidVersion }
        let major = bytes[bytes.startIndex + 5]
        let dot = bytes[bytes.startIndex + 6]
        let minor = bytes[bytes.startIndex + 7]
        guard HTTPSyntax.isDigit(major), dot == UInt8(ascii: "."), HTTPSyntax.isDigit(minor) else {
            throw .invalidVersion
        }
        let version = HTTPVersion(major: Int(major &- UInt8(ascii: "0")), minor: Int(minor &- UInt8(ascii: "0")))
        guard version == .http1_1 || version == .http1_0 else { throw .unsupportedVersion }
        return version
    }
}
