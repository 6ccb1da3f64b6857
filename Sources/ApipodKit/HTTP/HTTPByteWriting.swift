/// Writing heads as bytes without a `String` per number or a byte-at-a-time copy.
///
/// Why: `append(contentsOf: text.utf8)` takes the generic sequence path, and `String(n)` makes a
/// string only to copy its bytes out; a response head has three numbers (version, status,
/// Content-Length) and a few words, and together those had cost more instructions per request
/// than parsing the request that asked for it.
extension Array where Element == UInt8 {
    /// Appends the UTF-8 of `text` in one copy.
    mutating func appendUTF8(_ text: String) {
        var text = text
        text.withUTF8 { append(contentsOf: $0) }
    }

    mutating func appendUTF8(_ text: StaticString) {
        text.withUTF8Buffer { append(contentsOf: $0) }
    }

    /// Appends `value` in decimal ASCII.
    mutating func appendDecimal(_ value: Int) {
        HTTPSyntax.withDecimal(value) { append(contentsOf: $0) }
    }

    /// Appends `count` bytes that `assemble` writes through a cursor (it must write exactly
    /// that many), in one copy: each `append` is a generic call of some 80 instructions rather
    /// than a memcpy, and a header line has six parts.
    /// Never inlined: its buffer is on the stack of whoever runs it, and inlined into an async
    /// function it would become part of that function's frame, which a task keeps for as long
    /// as it lives (a stream's whole life).
    @inline(never)
    mutating func appendAssembled(count: Int, _ assemble: (inout ByteCursor) -> Void) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count) { buffer in
            var cursor = ByteCursor(buffer: buffer)
            assemble(&cursor)
            precondition(cursor.offset == count, "appendAssembled wrote \(cursor.offset) of \(count) bytes")
            append(contentsOf: UnsafeBufferPointer(buffer))
        }
    }
}

/// Writes parts one after another into a buffer that has room for all of them.
struct ByteCursor {
    let buffer: UnsafeMutableBufferPointer<UInt8>
    private(set) var offset = 0

    init(buffer: UnsafeMutableBufferPointer<UInt8>) {
        self.buffer = buffer
    }

    mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        precondition(offset + bytes.count <= buffer.count, "ByteCursor overflow")
        (buffer.baseAddress! + offset).update(from: source, count: bytes.count)
        offset += bytes.count
    }

    mutating func write(_ byte: UInt8) {
        buffer[offset] = byte
        offset += 1
    }
}

extension HTTPSyntax {
    /// How many bytes `withDecimal` writes for `value`, its sign included.
    static func decimalCount(_ value: Int) -> Int {
        var magnitude = value.magnitude
        var count = value < 0 ? 2 : 1
        while magnitude >= 10 {
            magnitude /= 10
            count += 1
        }
        return count
    }

    /// Calls `body` with `value` in decimal ASCII (a leading `-` if negative), in a stack buffer
    /// valid only inside `body`.
    static func withDecimal<Result>(_ value: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        withDigits(value, radix: 10, body)
    }

    /// Like `withDecimal`, in lowercase hexadecimal (a chunk size).
    static func withHexadecimal<Result>(_ value: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        withDigits(value, radix: 16, body)
    }

    private static func withDigits<Result>(
        _ value: Int, radix: UInt, _ body: (UnsafeBufferPointer<UInt8>) -> Result
    ) -> Result {
        // 20 decimal digits hold any UInt64 magnitude, plus one for the sign.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 21) { buffer in
            var magnitude = value.magnitude
            var start = buffer.count
            repeat {
                start -= 1
                let digit = UInt8(truncatingIfNeeded: magnitude % radix)
                buffer[start] = digit < 10 ? UInt8(ascii: "0") &+ digit : UInt8(ascii: "a") &+ (digit &- 10)
                magnitude /= radix
            } while magnitude > 0
            if value < 0 {
                start -= 1
                buffer[start] = UInt8(ascii: "-")
            }
            return body(UnsafeBufferPointer(rebasing: buffer[start...]))
        }
    }
}
