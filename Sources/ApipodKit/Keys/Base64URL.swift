/// Base64url without padding (RFC 4648 §5): the alphabet of `apk_` keys, safe in a header,
/// a URL and a shell word without quoting.
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    public static func encode<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var iterator = bytes.makeIterator()
        while let first = iterator.next() {
            let second = iterator.next()
            let third = second == nil ? nil : iterator.next()
            let group = UInt32(first) << 16 | UInt32(second ?? 0) << 8 | UInt32(third ?? 0)
            out.append(alphabet[Int(group >> 18 & 0x3f)])
            out.append(alphabet[Int(group >> 12 & 0x3f)])
            if second != nil { out.append(alphabet[Int(group >> 6 & 0x3f)]) }
            if third != nil { out.append(alphabet[Int(group & 0x3f)]) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of `text`, or nil when it holds a character outside the alphabet, padding,
    /// or a length no encoding produces.
    public static func decode(_ text: String) -> [UInt8]? {
        var values: [UInt32] = []
        for char in text.utf8 {
            guard let index = alphabet.firstIndex(of: char) else { return nil }
            values.append(UInt32(index))
        }
        if values.count % 4 == 1 { return nil }
        var out: [UInt8] = []
        var index = 0
        while index < values.count {
            let chunk = values[index..<min(index + 4, values.count)]
            var group: UInt32 = 0
            for (offset, value) in chunk.enumerated() { group |= value << (18 - 6 * UInt32(offset)) }
            out.append(UInt8(truncatingIfNeeded: group >> 16))
            if chunk.count > 2 { out.append(UInt8(truncatingIfNeeded: group >> 8)) }
            if chunk.count > 3 { out.append(UInt8(truncatingIfNeeded: group)) }
            index += 4
        }
        return encode(out) == text ? out : nil
    }
}
