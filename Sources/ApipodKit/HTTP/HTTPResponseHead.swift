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
        // Assembled whole and appended in one copy, as a request head is.
        // RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ] CRLF
        var reason = reason
        reason.withUTF8 { reason in
            HTTPSyntax.withDecimal(status) { status in
                let count = version.serializedByteCount + status.count + reason.count + 4 + headers.serializedByteCount
                bytes.appendAssembled(count: count) { cursor in
                    version.serialize(to: &cursor)
                    cursor.write(HTTPSyntax.space)
                    cursor.write(status)
                    cursor.write(HTTPSyntax.space)
                    cursor.write(reason)
                    cursor.write(HTTPSyntax.cr)
                    cursor.write(HTTPSyntax.lf)
                    headers.serialize(to: &cursor)
                }
            }
        }
    }
}
