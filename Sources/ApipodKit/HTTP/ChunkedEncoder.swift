/// Writes the chunked transfer coding (RFC 9112 §7.1), for a body whose length is not known
/// when its head is sent, such as a relayed stream.
public enum ChunkedEncoder {
    /// The last chunk and the empty trailer section: `0 CRLF CRLF`.
    public static let terminator: [UInt8] = Array("0\r\n\r\n".utf8)

    /// `hex-size CRLF data CRLF`. An empty piece gives no bytes, since a chunk of size zero
    /// would end the body.
    public static func chunk<Bytes: Collection<UInt8>>(_ data: Bytes) -> [UInt8] {
        var bytes: [UInt8] = []
        appendChunk(data, to: &bytes)
        return bytes
    }

    /// Appends `chunk(data)` to `bytes`, to build a write without an intermediate array.
    public static func appendChunk<Bytes: Collection<UInt8>>(_ data: Bytes, to bytes: inout [UInt8]) {
        guard !data.isEmpty else { return }
        HTTPSyntax.withHexadecimal(data.count) { size in
            bytes.reserveCapacity(bytes.count + size.count + data.count + 4)
            bytes.append(contentsOf: size)
        }
        bytes.append(HTTPSyntax.cr)
        bytes.append(HTTPSyntax.lf)
        bytes.append(contentsOf: data)
        bytes.append(HTTPSyntax.cr)
        bytes.append(HTTPSyntax.lf)
    }
}
