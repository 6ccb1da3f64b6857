/// Takes the framing off one message body (RFC 9112 §6–7) and hands the payload out as it
/// arrives, so a body is never accumulated.
struct HTTPBodyDecoder: Sendable {
    private enum State: Sendable {
        case fixed(remaining: Int)
        case chunkSizeLine
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers(HTTPFieldSectionReader)
        case untilClose
    }

    let framing: HTTPBodyFraming
    private let limits: HTTPParserLimits
    private var state: State
    /// Payload bytes accepted so far, for the limit on bodies of unknown length.
    private var received = 0

    init(framing: HTTPBodyFraming, limits: HTTPParserLimits) {
        self.framing = framing
        self.limits = limits
        switch framing {
        case .none: state = .fixed(remaining: 0)
        case .contentLength(let length): state = .fixed(remaining: length)
        case .chunked: state = .chunkSizeLine
        case .untilClose: state = .untilClose
        }
    }

    /// For a Content-Length body: the payload bytes still to come.
    var fixedRemaining: Int? {
        if case .fixed(let remaining) = state { return remaining }
        return nil
    }

    /// Counts `count` payload bytes of a Content-Length body that the caller read itself.
    mutating func consumeFixed(_ count: Int) {
        guard case .fixed(let remaining) = state, count <= remaining else {
            preconditionFailure("only the bytes a Content-Length body still expects can be read around the parser")
        }
        state = .fixed(remaining: remaining - count)
    }

    /// The next piece of payload, `.end` once the body is complete, or nil while more bytes
    /// are needed. With `inputEnded`, a body cut short throws instead of waiting.
    mutating func next<Head>(
        from buffer: inout HTTPInputBuffer, inputEnded: Bool
    ) throws(HTTPParseError) -> HTTPParserEvent<Head>? {
        while true {
            switch state {
            case .fixed(let remaining):
                if remaining == 0 { return .end }
                guard let bytes = buffer.read(upTo: remaining) else { return try waitForInput(inputEnded) }
                state = .fixed(remaining: remaining - bytes.count)
                return .body(bytes)

            case .untilClose:
                // RFC 9112 §6.3 (8): the end of the input is the end of the body.
                guard let bytes = buffer.read(upTo: limits.maxBodyBytes - received) else {
                    if buffer.readableCount > 0 { throw .bodyTooLarge }
                    return inputEnded ? .end : nil
                }
                received += bytes.count
                return .body(bytes)

            case .chunkSizeLine:
                guard let line = try buffer.readLine(maxLength: limits.maxChunkLineBytes, tooLong: .chunkLineTooLong)
                else { return try waitForInput(inputEnded) }
                let size = try Self.parseChunkSize(line)
                if size == 0 {
                    state = .trailers(HTTPFieldSectionReader(limits: limits, keepsFields: false))
                } else {
                    if size > limits.maxBodyBytes - received { throw .bodyTooLarge }
                    received += size
                    state = .chunkData(remaining: size)
                }

            case .chunkData(let remaining):
                guard let bytes = buffer.read(upTo: remaining) else { return try waitForInput(inputEnded) }
                state = bytes.count == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - bytes.count)
                return .body(bytes)

            case .chunkDataEnd:
                // RFC 9112 §7.1: chunk-data is followed by CRLF, checked a byte at a time so the
                // error does not depend on how the bytes were split.
                guard let cr = buffer.peek(at: 0) else { return try waitForInput(inputEnded) }
                guard cr == HTTPSyntax.cr else { throw .missingChunkTerminator }
                guard let lf = buffer.peek(at: 1) else { return try waitForInput(inputEnded) }
                guard lf == HTTPSyntax.lf else { throw .missingChunkTerminator }
                buffer.skip(2)
                state = .chunkSizeLine

            case .trailers(var reader):
                // RFC 9112 §7.1.2: trailer fields are checked like headers, then dropped; a
                // proxy that does not forward them may discard them.
                let section = try reader.read(from: &buffer)
                state = .trailers(reader)
                if section == nil { return try waitForInput(inputEnded) }
                return .end
            }
        }
    }

    private func waitForInput<Head>(_ inputEnded: Bool) throws(HTTPParseError) -> HTTPParserEvent<Head>? {
        if inputEnded { throw .truncatedMessage }
        return nil
    }

    /// RFC 9112 §7.1: chunk-size = 1*HEXDIG, then optional extensions, which are ignored
    /// (§7.1.1) but must start with ";" and hold no control.
    static func parseChunkSize(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> Int {
        var size = 0
        var index = line.startIndex
        while index < line.endIndex, let digit = hexValue(line[index]) {
            guard size <= (Int.max - digit) >> 4 else { throw .invalidChunkSize }
            size = size << 4 | digit
            index += 1
        }
        guard index > line.startIndex else { throw .invalidChunkSize }
        // chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
        var extensions = line[index...].drop(while: HTTPSyntax.isWhitespace)
        if let first = extensions.first {
            guard first == HTTPSyntax.semicolon else { throw .invalidChunkSize }
            extensions = extensions.dropFirst()
            guard extensions.allSatisfy(HTTPSyntax.isFieldValueByte) else { throw .invalidChunkSize }
        }
        return size
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte &- UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte &- UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte &- UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}
