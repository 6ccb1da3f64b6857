// The parts the request and the response heads share on the wire.

extension HTTPVersion {
    func serialize(into bytes: inout [UInt8]) {
        bytes.append(contentsOf: "HTTP/".utf8)
        bytes.append(contentsOf: String(major).utf8)
        bytes.append(UInt8(ascii: "."))
        bytes.append(contentsOf: String(minor).utf8)
    }
}
