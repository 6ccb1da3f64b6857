// The parts the request and the response heads share on the wire.

extension HTTPVersion {
    /// Whether both numbers are one digit, as every version HTTP/1.1 can speak is: such a
    /// version is eight bytes on the wire.
    var hasSingleDigits: Bool { (0...9).contains(major) && (0...9).contains(minor) }

    /// The eight bytes of a version with single digits.
    func serialize(to cursor: inout ByteCursor) {
        ("HTTP/" as StaticString).withUTF8Buffer { cursor.write($0) }
        cursor.write(UInt8(ascii: "0") + UInt8(major))
        cursor.write(UInt8(ascii: "."))
        cursor.write(UInt8(ascii: "0") + UInt8(minor))
    }

    func serialize(into bytes: inout [UInt8]) {
        bytes.appendUTF8("HTTP/" as StaticString)
        bytes.appendDecimal(major)
        bytes.append(UInt8(ascii: "."))
        bytes.appendDecimal(minor)
    }
}
