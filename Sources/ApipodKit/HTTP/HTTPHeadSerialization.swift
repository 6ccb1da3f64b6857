// The parts the request and the response heads share on the wire.

extension HTTPVersion {
    func serialize(into bytes: inout [UInt8]) {
        bytes.append(contentsOf: "HTTP/".utf8)
        bytes.append(contentsOf: String(major).utf8)
        bytes.append(UInt8(ascii: "."))
        bytes.append(contentsOf: String(minor).utf8)
    }
}

extension HTTPHeaders {
    /// The size of the header lines and the final empty line, to reserve in one step.
    var serializedByteCount: Int {
        reduce(2) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 }
    }

    /// RFC 9112 §5: `field-name ":" SP field-value CRLF` for each field, then the empty line.
    func serialize(into bytes: inout [UInt8]) {
        for field in self {
            bytes.append(contentsOf: field.name.utf8)
            bytes.append(HTTPSyntax.colon)
            bytes.append(HTTPSyntax.space)
            bytes.append(contentsOf: field.value.utf8)
            bytes.append(HTTPSyntax.cr)
            bytes.append(HTTPSyntax.lf)
        }
        bytes.append(HTTPSyntax.cr)
        bytes.append(HTTPSyntax.lf)
    }
}
