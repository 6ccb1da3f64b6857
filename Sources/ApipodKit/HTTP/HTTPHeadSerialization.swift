// The parts the request and the response heads share on the wire.

extension HTTPVersion {
    /// The size of `HTTP/major.minor` on the wire.
    var serializedByteCount: Int { 6 + HTTPSyntax.decimalCount(major) + HTTPSyntax.decimalCount(minor) }

    func serialize(to cursor: inout ByteCursor) {
        ("HTTP/" as StaticString).withUTF8Buffer { cursor.write($0) }
        HTTPSyntax.withDecimal(major) { cursor.write($0) }
        cursor.write(UInt8(ascii: "."))
        HTTPSyntax.withDecimal(minor) { cursor.write($0) }
    }
}
