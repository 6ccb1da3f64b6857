/// A request line and its header section: everything a server must read before it can decide
/// what to do, and what a client writes before the body.
public struct HTTPRequestHead: Sendable, Equatable {
    public var method: String
    /// As received (origin-form `/v1/messages?beta=true` in practice), never decoded, so that
    /// what is forwarded is byte for byte what the client sent.
    public var target: String
    public var version: HTTPVersion
    public var headers: HTTPHeaders

    public init(method: String, target: String, version: HTTPVersion = .http1_1, headers: HTTPHeaders = [:]) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
    }

    /// Whether the client lets the connection carry another request (RFC 9112 §9.3).
    public var keepAlive: Bool { headers.keepsConnectionAlive(for: version) }

    /// The head on the wire: request line, header lines in order, then the empty line.
    public func serialized() -> [UInt8] {
        var bytes: [UInt8] = []
        serialize(into: &bytes)
        return bytes
    }

    /// The size of the serialized head, to reserve room for it (and what follows) at once.
    public var serializedByteCount: Int {
        method.utf8.count + target.utf8.count + headers.serializedByteCount + 16
    }

    /// Appends the head to `bytes`, so a caller can put it and the first body bytes in one write.
    /// The head is written as it is: names and values must be valid (parsed ones always are).
    /// Never inlined: its locals would join the frame of the async function that writes the
    /// head, which a task keeps for a stream's whole life.
    @inline(never)
    public func serialize(into bytes: inout [UInt8]) {
        // Assembled whole and appended in one copy: a dozen appends of its parts had cost some
        // 900 instructions. RFC 9112 §3: request-line = method SP request-target SP HTTP-version CRLF
        var method = method, target = target
        method.withUTF8 { method in
            target.withUTF8 { target in
                let count = method.count + target.count + version.serializedByteCount + 4 + headers.serializedByteCount
                bytes.appendAssembled(count: count) { cursor in
                    cursor.write(method)
                    cursor.write(HTTPSyntax.space)
                    cursor.write(target)
                    cursor.write(HTTPSyntax.space)
                    version.serialize(to: &cursor)
                    cursor.write(HTTPSyntax.cr)
                    cursor.write(HTTPSyntax.lf)
                    headers.serialize(to: &cursor)
                }
            }
        }
    }
}
