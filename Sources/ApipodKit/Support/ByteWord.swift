/// Eight bytes read as one little-endian word and tested at once, for the scans that skip
/// plain bytes eight at a time (a header value's controls, a JSON string's specials, a usage
/// answer's quotes). Each test gives a mask with the high bit of every flagged byte set; the
/// lowest flagged byte is exact (a borrow can only flag bytes above a true one), which is what
/// `firstFlagged` reads.
struct ByteWord {
    let bits: UInt64

    init(_ bits: UInt64) {
        self.bits = bits
    }

    /// The eight bytes at `pointer`, whatever its alignment, the first in the lowest bits.
    init(loadingFrom pointer: UnsafeRawPointer) {
        bits = UInt64(littleEndian: pointer.loadUnaligned(as: UInt64.self))
    }

    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Bytes equal to `byte`.
    func equal(to byte: UInt8) -> UInt64 {
        Self.zeroBytes(bits ^ (UInt64(byte) &* Self.ones))
    }

    /// Bytes below `bound` (at most 0x80).
    func below(_ bound: UInt8) -> UInt64 {
        (bits &- UInt64(bound) &* Self.ones) & ~bits & Self.highs
    }

    /// Bytes from 0x80 up.
    var nonASCII: UInt64 { bits & Self.highs }

    /// The offset of the first flagged byte of a non-zero mask.
    static func firstFlagged(_ mask: UInt64) -> Int {
        mask.trailingZeroBitCount >> 3
    }

    private static func zeroBytes(_ value: UInt64) -> UInt64 {
        (value &- ones) & ~value & highs
    }
}
