/// Reads a header or trailer section a line at a time up to the empty line that ends it,
/// enforcing the count and size limits while the bytes arrive.
struct HTTPFieldSectionReader: Sendable {
    private static let typicalFieldCount = 16

    private let limits: HTTPParserLimits
    /// Whether fields are kept: a head's are, trailers are checked and dropped.
    private let keepsFields: Bool
    private var headers = HTTPHeaders()
    private var fieldCount = 0
    private var byteCount = 0

    init(limits: HTTPParserLimits, keepsFields: Bool) {
        self.limits = limits
        self.keepsFields = keepsFields
    }

    /// The whole section once its empty line has arrived, else nil; the reader is then ready
    /// for the next section.
    mutating func read(from buffer: inout HTTPInputBuffer) throws(HTTPParseError) -> HTTPHeaders? {
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
