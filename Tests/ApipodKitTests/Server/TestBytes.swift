@testable import ApipodKit

/// `count` bytes that look random and are the same on every run (xorshift from `seed`), so a
/// body that arrives shifted, short or with one byte changed does not match.
func testBytes(_ count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> [UInt8] {
    var state = seed
    return (0..<count).map { _ in
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return UInt8(truncatingIfNeeded: state)
    }
}

/// `bytes` in the chunked coding, cut into chunks of varied sizes (1 byte up to about 70 KB).
func chunkedEncoding(of bytes: [UInt8]) -> [UInt8] {
    var encoded: [UInt8] = []
    var offset = 0
    var size = 1
    while offset < bytes.count {
        let end = min(offset + size, bytes.count)
        ChunkedEncoder.appendChunk(bytes[offset..<end], to: &encoded)
        offset = end
        size = size * 7 % 70_001 + 1
    }
    return encoded + ChunkedEncoder.terminator
}
