import Glibc

/// The bytes received and not yet consumed.
///
/// Consumed bytes are dropped lazily, when new bytes arrive and the unread part is no bigger than
/// the consumed one, so moving it costs no more than the bytes already parsed; a buffer that was
/// read to the end keeps a small allocation for the next message and gives a large one back.
/// The parser frees it outright once a head has been read to the last byte (`releaseIfEmpty`),
/// so a keep-alive connection waiting for its next request holds no buffer.
struct HTTPInputBuffer: Sendable {
    /// The allocation kept once everything was read: a typical head fits in it.
    private static let retainedCapacity = 4096

    private var storage: [UInt8] = []
    private var readerIndex = 0
    /// How many bytes after `readerIndex` are known to hold no LF, so that a line arriving a
    /// byte at a time is still scanned once.
    private var scannedCount = 0

    var readableCount: Int { storage.count - readerIndex }

    mutating func append<Bytes: Collection<UInt8>>(_ bytes: Bytes) {
        if readerIndex == storage.count {
            storage.removeAll(keepingCapacity: storage.capacity <= Self.retainedCapacity)
            readerIndex = 0
        } else if readerIndex >= readableCount {
            storage.removeSubrange(0..<readerIndex)
            readerIndex = 0
        }
        storage.append(contentsOf: bytes)
    }

    /// The next line without its CRLF, consumed; nil while no complete line is buffered.
    /// A line longer than `maxLength` throws `tooLong` as soon as that is certain, so a peer
    /// that never sends LF cannot make the buffer grow.
    mutating func readLine(maxLength: Int, tooLong: HTTPParseError) throws(HTTPParseError) -> ArraySlice<UInt8>? {
        guard let line = try nextLine(maxLength: maxLength, tooLong: tooLong) else { return nil }
        return storage[line]
    }

    /// Like `readLine`, but hands the line to `body` in place and returns its result: no slice,
    /// so no reference to the storage is taken (a head reads a dozen lines). The bytes are
    /// valid only inside `body`.
    mutating func withNextLine<Result>(
        maxLength: Int, tooLong: HTTPParseError, _ body: (UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> Result
    ) throws(HTTPParseError) -> Result? {
        guard let line = try nextLine(maxLength: maxLength, tooLong: tooLong) else { return nil }
        return try storage.withUnsafeBufferPointer { (bytes) throws(HTTPParseError) in try body(UnsafeBufferPointer(rebasing: bytes[line])) }
    }

    /// Hands the unread bytes to `parse`, which returns what it read and how many bytes that
    /// took, consumed; or nil, and they stay unread.
    mutating func consume<Result>(_ parse: (UnsafeBufferPointer<UInt8>) -> (Result, used: Int)?) -> Result? {
        let start = readerIndex
        guard let (result, used) = storage.withUnsafeBufferPointer({ parse(UnsafeBufferPointer(rebasing: $0[start...])) }) else {
            return nil
        }
        readerIndex += used
        scannedCount = 0
        return result
    }

    /// Where the next complete line lies, without its CRLF, consumed; nil while none is buffered.
    private mutating func nextLine(maxLength: Int, tooLong: HTTPParseError) throws(HTTPParseError) -> Range<Int>? {
        let start = readerIndex
        let end = storage.count
        let scanFrom = start + scannedCount
        let lineFeed = storage.withUnsafeBufferPointer { bytes in
            guard scanFrom < end, let base = bytes.baseAddress,
                  let found = memchr(base + scanFrom, Int32(HTTPSyntax.lf), end - scanFrom)
            else { return end }
            return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        }
        // Up to `maxLength` bytes and a CR may precede the LF. Checked before the line ending, so
        // the error is the same however the bytes were split.
        if lineFeed - start - 1 > maxLength { throw tooLong }
        guard lineFeed < end else {
            scannedCount = end - start
            return nil
        }
        // RFC 9112 §2.2: a line ends in CRLF; a bare LF is refused, not tolerated.
        guard lineFeed > start, storage[lineFeed - 1] == HTTPSyntax.cr else { throw .bareLineFeed }
        scannedCount = 0
        readerIndex = lineFeed + 1
        return start..<(lineFeed - 1)
    }

    /// Up to `count` bytes, consumed; nil when none is buffered or `count` is zero.
    mutating func read(upTo count: Int) -> ArraySlice<UInt8>? {
        let length = min(count, readableCount)
        guard length > 0 else { return nil }
        defer { readerIndex += length }
        return storage[readerIndex..<(readerIndex + length)]
    }

    /// The unread byte at `offset`, if it has arrived.
    func peek(at offset: Int) -> UInt8? {
        offset < readableCount ? storage[readerIndex + offset] : nil
    }

    mutating func skip(_ count: Int) {
        readerIndex += count
    }

    /// Frees the storage if everything in it was read: the next bytes then arrive in a fresh
    /// allocation, which the allocator hands out from memory the thread touched moments ago,
    /// where a buffer kept per connection is cold by the time its connection's next request
    /// comes, a thousand connections later.
    mutating func releaseIfEmpty() {
        guard readerIndex == storage.count, storage.capacity > 0 else { return }
        storage = []
        readerIndex = 0
        scannedCount = 0
    }
}
