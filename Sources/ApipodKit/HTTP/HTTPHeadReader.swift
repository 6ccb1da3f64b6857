/// Reads one message head: the start line, then the header section. Lines are parsed as they
/// complete, so limits hold while the bytes arrive; a section's bytes are scanned twice at most
/// (a one-pass read of a section that turns out not to be whole, then the line reader).
struct HTTPHeadReader<Head: HTTPMessageHead>: Sendable {
    /// RFC 9112 §2.2 asks a server to ignore at least one empty line before a request line;
    /// a few are allowed, an endless stream of them is not.
    private static var maxLeadingEmptyLines: Int { 2 }

    private let limits: HTTPParserLimits
    private var startLine: Head?
    private var leadingEmptyLines = 0
    private var section: HTTPFieldSectionReader

    init(limits: HTTPParserLimits) {
        self.limits = limits
        section = HTTPFieldSectionReader(limits: limits, keepsFields: true)
    }

    /// Whether part of a head has been read, so that the input ending now would cut a message.
    var hasStarted: Bool { startLine != nil }

    /// The head, once all of it has arrived; the reader is then ready for the next one.
    mutating func read(
        from buffer: inout HTTPInputBuffer,
        parseStartLine: (ArraySlice<UInt8>) throws(HTTPParseError) -> Head
    ) throws(HTTPParseError) -> Head? {
        while case .none = startLine {
            guard let line = try buffer.readLine(maxLength: limits.maxStartLineBytes, tooLong: .startLineTooLong) else {
                return nil
            }
            if !line.isEmpty {
                startLine = try parseStartLine(line)
            } else if leadingEmptyLines < Self.maxLeadingEmptyLines {
                leadingEmptyLines += 1
            } else {
                throw .tooManyLeadingEmptyLines
            }
        }
        guard let headers = try section.read(from: &buffer), var head = startLine.take() else { return nil }
        head.headers = headers
        self = Self(limits: limits)
        return head
    }
}
