/// Reads a header or trailer section up to the empty line that ends it, enforcing the count
/// and size limits while the bytes arrive: in one pass when it arrived whole and plain
/// (`readWhole`), else a line at a time.
struct HTTPFieldSectionReader: Sendable {
    private static let typicalFieldCount = 16

    private let limits: HTTPParserLimits
    /// Whether fields are kept: a head's are, trailers are checked and dropped.
    private let keepsFields: Bool
    private var headers = HTTPHeaders()
    private var fieldCount = 0
    private var byteCount = 0
    /// Whether the section was offered to `readWhole` already: once per section, so a head that
    /// trickles in is never scanned again from its start for every byte that arrives.
    private var triedWhole = false

    init(limits: HTTPParserLimits, keepsFields: Bool) {
        self.limits = limits
        self.keepsFields = keepsFields
    }

    /// The whole section once its empty line has arrived, else nil; the reader is then ready
    /// for the next section.
    /// Never inlined: the head is read from async functions (a connection's `readHead`, the
    /// client's exchange), whose frames a task keeps for as long as it lives, and this
    /// function's locals inlined there made a stream's frames 2 KB larger.
    @inline(never)
    mutating func read(from buffer: inout HTTPInputBuffer) throws(HTTPParseError) -> HTTPHeaders? {
        if keepsFields && !triedWhole {
            triedWhole = true
            let limits = limits
            if let headers = buffer.consume({ Self.readWhole($0, limits: limits) }) { return headers }
        }
        while let ended = try buffer.withNextLine(
            maxLength: limits.maxHeaderBytes - byteCount, tooLong: .headerSectionTooLarge, { (line) throws(HTTPParseError) in try take(line) }
        ) {
            if ended {
                defer { self = Self(limits: limits, keepsFields: keepsFields) }
                return headers
            }
        }
        return nil
    }

    /// Takes one line of the section; true for the empty line that ends it.
    private mutating func take(_ line: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> Bool {
        if line.isEmpty { return true }
        byteCount += line.count
        fieldCount += 1
        if fieldCount > limits.maxHeaderCount { throw .tooManyHeaderFields }
        let field = try Self.parseFieldLine(line)
        guard keepsFields else { return false }
        // Most heads have a dozen or two fields: grow once, not five times.
        if fieldCount == 1 { headers.reserveCapacity(Self.typicalFieldCount) }
        headers.add(name: UnsafeBufferPointer(rebasing: line[field.name]), value: UnsafeBufferPointer(rebasing: line[field.value]))
        return false
    }

    /// The section at the start of `bytes` in one pass, when all of it has arrived and every
    /// line is in the usual form, `name: value` CRLF with one space after the colon and none
    /// after the value: the fields, kept as one copy of their lines, and the bytes the section
    /// took, its empty line included. Nil otherwise — part of it still to come, a limit passed,
    /// a line in another form or not valid — and the line-by-line reader then takes the
    /// section and says what is wrong with it. Almost every client and upstream writes heads
    /// this way; where a line at a time cost some 700 instructions a field, this costs about
    /// a hundred.
    /// Never inlined, like `appendAssembled`: its table of spans would otherwise join the frame
    /// of the async function that reads the head, and stay in the task for a stream's life.
    @inline(never)
    static func readWhole(_ bytes: UnsafeBufferPointer<UInt8>, limits: HTTPParserLimits) -> (HTTPHeaders, used: Int)? {
        guard let base = bytes.baseAddress else { return nil }
        let count = bytes.count
        let maxFields = limits.maxHeaderCount
        return withUnsafeTemporaryAllocation(of: HTTPHeaders.Span.self, capacity: maxFields) { spans in
            var fields = 0
            var lineBytes = 0
            var cursor = 0
            while cursor + 1 < count {
                if base[cursor] == HTTPSyntax.cr {
                    guard base[cursor + 1] == HTTPSyntax.lf else { return nil }
                    let headers = HTTPHeaders(
                        receivedLines: UnsafeBufferPointer(start: base, count: cursor),
                        spans: UnsafeBufferPointer(rebasing: spans[..<fields]))
                    return (headers, cursor + 2)
                }
                let start = cursor
                while cursor < count && HTTPSyntax.isTokenByte(base[cursor]) { cursor += 1 }
                guard cursor > start, cursor + 1 < count, base[cursor] == HTTPSyntax.colon, base[cursor + 1] == HTTPSyntax.space
                else { return nil }
                let nameEnd = cursor
                let valueStart = cursor + 2
                let valueEnd = firstControlByte(in: base, from: valueStart, to: count)
                guard valueEnd + 1 < count, base[valueEnd] == HTTPSyntax.cr, base[valueEnd + 1] == HTTPSyntax.lf else { return nil }
                if valueEnd > valueStart && (HTTPSyntax.isWhitespace(base[valueStart]) || HTTPSyntax.isWhitespace(base[valueEnd - 1])) {
                    return nil
                }
                lineBytes += valueEnd - start
                guard fields < maxFields, lineBytes <= limits.maxHeaderBytes else { return nil }
                spans[fields] = HTTPHeaders.Span(start: Int32(start), nameEnd: Int32(nameEnd), valueEnd: Int32(valueEnd))
                fields += 1
                cursor = valueEnd + 2
            }
            return nil
        }
    }

    /// The index of the first byte from `start` that may not stand in a field value (a control
    /// other than HTAB, or DEL: RFC 9110 §5.5), or `end`. Eight bytes at a time while none of
    /// them is suspect: a byte below 0x20 or equal to 0x7f sets its high bit in one of the two
    /// masks (bytes from 0x80 are obs-text and allowed); only a word with a suspect is looked
    /// at byte by byte, so a tab costs a word's worth of checks, not a wrong answer.
    private static func firstControlByte(in base: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Int {
        var index = start
        while index + 8 <= end {
            let word = ByteWord(loadingFrom: base + index)
            if word.below(HTTPSyntax.space) | word.equal(to: HTTPSyntax.delete) != 0 { break }
            index += 8
        }
        while index < end {
            if !HTTPSyntax.isFieldValueByte(base[index]) { return index }
            index += 1
        }
        return end
    }

    /// RFC 9112 §5: field-line = field-name ":" OWS field-value OWS. Returns where the name and
    /// the value without its surrounding whitespace lie in `bytes`, a line that is not empty.
    static func parseFieldLine(_ bytes: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> (name: Range<Int>, value: Range<Int>) {
        // RFC 9112 §5.2: obs-fold (a line starting with whitespace) is refused, not unfolded.
        if HTTPSyntax.isWhitespace(bytes[0]) { throw .obsoleteLineFolding }
        var index = 0
        while index < bytes.count && HTTPSyntax.isTokenByte(bytes[index]) { index += 1 }
        let nameEnd = index
        while index < bytes.count && HTTPSyntax.isWhitespace(bytes[index]) { index += 1 }
        guard index < bytes.count, bytes[index] == HTTPSyntax.colon, nameEnd > 0 else { throw .invalidHeaderName }
        // RFC 9112 §5.1: no whitespace is allowed between the field name and the colon.
        if index != nameEnd { throw .whitespaceBeforeColon }
        var valueStart = index + 1
        var valueEnd = bytes.count
        while valueStart < valueEnd && HTTPSyntax.isWhitespace(bytes[valueStart]) { valueStart += 1 }
        while valueEnd > valueStart && HTTPSyntax.isWhitespace(bytes[valueEnd - 1]) { valueEnd -= 1 }
        // RFC 9110 §5.5: CR, LF, NUL and the other controls are not allowed in a value.
        for offset in valueStart..<valueEnd where !HTTPSyntax.isFieldValueByte(bytes[offset]) {
            throw .invalidHeaderValue
        }
        return (0..<nameEnd, valueStart..<valueEnd)
    }
}
