/// A status line and its header section. The reason phrase is kept as received so a proxy can
/// relay it, although nothing should depend on it (RFC 9112 §4).
public struct HTTPResponseHead: Sendable, Equatable {
    public var version: HTTPVersion
    public var status: Int
    public var reason: String
    public var headers: HTTPHeaders

    /// With no `reason`, the standard phrase for `status`.
    public init(version: HTTPVersion = .http1_1, status: Int, reason: String? = nil, headers: HTTPHeaders = [:]) {
        self.version = version
        self.status = status
        self.reason = reason ?? Self.reasonPhrase(for: status)
        self.headers = headers
    }

    /// Whether the server lets the connection carry another request (RFC 9112 §9.3). A body
    /// framed to end at close ends the connection whatever this says.
    public var keepAlive: Bool { headers.keepsConnectionAlive(for: version) }

    /// The head on the wire: status line, header lines in order, then the empty line.
    public func serialized() -> [UInt8] {
        var bytes: [UInt8] = []
        serialize(into: &bytes)
        return bytes
    }

    /// The size of the serialized head, to reserve room for it (and what follows) at once.
    public var serializedByteCount: Int {
        reason.utf8.count + headers.serializedByteCount + 16
    }

    /// Appends the head to `bytes`, so a caller can put it and the first body bytes in one write.
    /// The head is written as it is: the reason, names and values must be valid.
    /// Never inlined: its locals would join the frame of the async function that writes the
    /// head, which a task keeps for a stream's whole life.
    @inline(never)
    public func serialize(into bytes: inout [UInt8]) {
        // The usual head (HTTP/1.x, a three-digit status) is assembled whole and appended in one
        // copy: a dozen appends of its parts had cost some 900 instructions.
        if version.hasSingleDigits, (100...999).contains(status) {
            var reason = reason
            reason.withUTF8 { reason in
                bytes.appendAssembled(count: 13 + reason.count + 2 + headers.serializedByteCount) { cursor in
                    version.serialize(to: &cursor)
                    cursor.write(HTTPSyntax.space)
                    cursor.write(UInt8(ascii: "0") + UInt8(status / 100))
                    cursor.write(UInt8(ascii: "0") + UInt8(status / 10 % 10))
                    cursor.write(UInt8(ascii: "0") + UInt8(status % 10))
                    cursor.write(HTTPSyntax.space)
                    cursor.write(reason)
                    cursor.write(HTTPSyntax.cr)
                    cursor.write(HTTPSyntax.lf)
                    headers.serialize(to: &cursor)
                }
            }
            return
        }
        bytes.reserveCapacity(bytes.count + serializedByteCount)
        // RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ] CRLF
        version.serialize(into: &bytes)
        bytes.append(HTTPSyntax.space)
        bytes.appendDecimal(status)
        bytes.append(HTTPSyntax.space)
        bytes.appendUTF8(reason)
        bytes.append(HTTPSyntax.cr)
        bytes.append(HTTPSyntax.lf)
        headers.serialize(into: &bytes)
    }
}
