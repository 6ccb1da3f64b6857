/// The byte classes of RFC 9110 §5.5–5.6, tested on raw bytes so that the codec never builds a
/// String just to look at one.
enum HTTPSyntax {
    static let cr = UInt8(ascii: "\r")
    static let lf = UInt8(ascii: "\n")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let colon = UInt8(ascii: ":")
    static let comma = UInt8(ascii: ",")
    static let semicolon = UInt8(ascii: ";")
    static let delete: UInt8 = 0x7f

    /// RFC 9110 §5.6.2: tchar, the bytes of a method, a field name or a transfer coding:
    /// DIGIT, ALPHA and !#$%&'*+-.^_`|~, as a bitmap of the ASCII range, since every byte of
    /// every field name goes through here.
    @inline(__always)
    static func isTokenByte(_ byte: UInt8) -> Bool {
        let bits: UInt64 = byte < 64 ? 0x03ff_6cfa_0000_0000 : 0x57ff_ffff_c7ff_fffe
        return byte < 128 && bits >> (byte & 63) & 1 == 1
    }

    /// RFC 9110 §5.5: a field value (and a reason phrase) holds SP, HTAB, VCHAR and obs-text;
    /// every other control, bare CR included, is refused.
    @inline(__always)
    static func isFieldValueByte(_ byte: UInt8) -> Bool {
        byte == tab || (byte >= space && byte != delete)
    }

    /// Whether every byte of `value` may stand in a field value, so it can be sent as one
    /// without letting its writer start a header line of their own.
    static func isFieldValue(_ value: String) -> Bool {
        value.utf8.withContiguousStorageIfAvailable { $0.allSatisfy(isFieldValueByte) }
            ?? value.utf8.allSatisfy(isFieldValueByte)
    }

    /// RFC 9110 §5.6.3: OWS is spaces and horizontal tabs.
    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == space || byte == tab
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }

    @inline(__always)
    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte
    }

    /// RFC 9110 §5.1: field names, connection options and codings compare case-insensitively,
    /// in ASCII only; done pairwise so nothing is allocated.
    static func equalsIgnoringCase<A: Collection<UInt8>, B: Collection<UInt8>>(_ a: A, _ b: B) -> Bool {
        guard a.count == b.count else { return false }
        let contiguous = a.withContiguousStorageIfAvailable { left in
            b.withContiguousStorageIfAvailable { right in equalsIgnoringCase(left, right) }
        }
        if let contiguous, let result = contiguous { return result }
        return pairwiseEqualIgnoringCase(a, b)
    }

    /// The same for two runs of bytes in memory, in one tight loop: the generic form's two
    /// nested contiguous-storage closures cost some 90 instructions a call, and header names are
    /// compared a dozen times a request.
    static func equalsIgnoringCase(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        guard let left = a.baseAddress, let right = b.baseAddress else { return true }
        for offset in 0..<a.count where left[offset] != right[offset] && lowercased(left[offset]) != lowercased(right[offset]) {
            return false
        }
        return true
    }

    private static func pairwiseEqualIgnoringCase<A: Sequence<UInt8>, B: Sequence<UInt8>>(_ a: A, _ b: B) -> Bool {
        for (left, right) in zip(a, b) where lowercased(left) != lowercased(right) {
            return false
        }
        return true
    }

    /// RFC 9110 §5.6.1: calls `body` with each element of a comma-separated list, OWS trimmed.
    /// Empty elements are passed on too: some fields accept them and some must not.
    static func forEachListElement<E: Error>(
        in value: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) throws(E) -> Void
    ) throws(E) {
        var start = 0
        while true {
            var end = start
            while end < value.count && value[end] != comma { end += 1 }
            try body(trimmingWhitespace(UnsafeBufferPointer(rebasing: value[start..<end])))
            guard end < value.count else { return }
            start = end + 1
        }
    }

    static func trimmingWhitespace(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var start = 0
        var end = bytes.count
        while start < end && isWhitespace(bytes[start]) { start += 1 }
        while end > start && isWhitespace(bytes[end - 1]) { end -= 1 }
        return UnsafeBufferPointer(rebasing: bytes[start..<end])
    }
}
