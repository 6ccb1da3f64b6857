// The parts the request and the response heads share on the wire.

extension HTTPVersion {
    func serialize(into bytes: inout [UInt8]) {
        bytes.appendUTF8("HTTP/" as StaticString)
        bytes.appendDecimal(major)
        bytes.append(UInt8(ascii: "."))
        bytes.appendDecimal(minor)
    }
}
