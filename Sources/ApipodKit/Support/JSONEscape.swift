/// RFC 8259 §7's one-character escapes, shared by the two JSON readers (`JSONScanner` on the
/// request path, `JSONParser` for files and admin bodies).
enum JSONEscape {
    /// The byte `\` + `letter` stands for, or nil when that is not such an escape (`\u` included).
    @inline(__always)
    static func unescaped(_ letter: UInt8) -> UInt8? {
        switch letter {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): letter
        case UInt8(ascii: "b"): 0x08
        case UInt8(ascii: "f"): 0x0c
        case UInt8(ascii: "n"): 0x0a
        case UInt8(ascii: "r"): 0x0d
        case UInt8(ascii: "t"): 0x09
        default: nil
        }
    }
}
