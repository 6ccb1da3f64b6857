/// Text a client chose, made safe for a line of a log that people read in terminals and that
/// tools split on spaces and newlines.
///
/// Control characters (C0, DEL, C1), the bidirectional overrides that reorder what a terminal
/// shows, and the backslash itself are written as `\xNN` escapes, byte by byte; in a field of a
/// space-separated line a space is too. Past `limit` bytes the text is cut at a character
/// boundary and marked with `…`, so a body-sized model name cannot make a body-sized line.
///
/// For `LOG_FORMAT=json` the same text becomes a JSON string (`appendJSON`), with the same
/// characters escaped as `\uXXXX` beyond what JSON requires, and the same bound.
enum LogText {
    static func append(_ text: String, to line: inout [UInt8], limit: Int, field: Bool) {
        var text = text
        // Plain text (the usual model or path) is copied in one piece.
        let copied = text.withUTF8 { bytes in
            guard bytes.count <= limit, bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\\") }) else { return false }
            line.append(contentsOf: bytes)
            return true
        }
        if copied { return }
        let utf8 = text.utf8
        var written = 0
        var index = utf8.startIndex
        while index < utf8.endIndex {
            let byte = utf8[index]
            let length = sequenceLength(byte)
            guard written + length <= limit else {
                line.append(contentsOf: "…".utf8)
                return
            }
            let end = utf8.index(index, offsetBy: length, limitedBy: utf8.endIndex) ?? utf8.endIndex
            let sequence = utf8[index..<end]
            if mustEscape(sequence, field: field) {
                for byte in sequence { appendEscape(byte, to: &line) }
            } else {
                line.append(contentsOf: sequence)
            }
            written += length
            index = end
        }
    }

    /// Appends `text` as a JSON string, quotes included, cut after `limit` bytes of text.
    static func appendJSON(_ text: String, to line: inout [UInt8], limit: Int) {
        line.append(UInt8(ascii: "\""))
        var text = text
        let copied = text.withUTF8 { bytes in
            guard bytes.count <= limit,
                  bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") })
            else { return false }
            line.append(contentsOf: bytes)
            return true
        }
        if !copied {
            var written = 0
            for scalar in text.unicodeScalars {
                let length = UTF8.width(scalar)
                guard written + length <= limit else {
                    line.append(contentsOf: "…".utf8)
                    break
                }
                written += length
                switch scalar.value {
                case 0x22, 0x5C:
                    line.append(UInt8(ascii: "\\"))
                    line.append(UInt8(scalar.value))
                case 0..<0x20, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069:
                    line.append(contentsOf: "\\u".utf8)
                    for shift in [12, 8, 4, 0] { appendHexDigit(UInt8((scalar.value >> UInt32(shift)) & 0xF), to: &line) }
                default:
                    line.append(contentsOf: String(scalar).utf8)
                }
            }
        }
        line.append(UInt8(ascii: "\""))
    }

    /// The bytes of the UTF-8 sequence that `lead` starts (1 for a stray continuation byte,
    /// which `String` never holds anyway).
    private static func sequenceLength(_ lead: UInt8) -> Int {
        switch lead {
        case 0xF0...: 4
        case 0xE0...: 3
        case 0xC0...: 2
        default: 1
        }
    }

    private static func mustEscape(_ sequence: String.UTF8View.SubSequence, field: Bool) -> Bool {
        var bytes = sequence.makeIterator()
        let first = bytes.next() ?? 0, second = bytes.next() ?? 0, third = bytes.next() ?? 0
        switch sequence.count {
        case 1:
            return first < 0x20 || first == 0x7F || first == UInt8(ascii: "\\") || (field && first == UInt8(ascii: " "))
        case 2:
            // U+0080–U+009F, the C1 controls (CSI among them).
            return first == 0xC2 && second < 0xA0
        case 3:
            // U+202A–U+202E and U+2066–U+2069: embeddings, overrides and isolates.
            return first == 0xE2 && (second == 0x80 && (0xAA...0xAE).contains(third) || second == 0x81 && (0xA6...0xA9).contains(third))
        default:
            return false
        }
    }

    private static func appendEscape(_ byte: UInt8, to line: inout [UInt8]) {
        line.append(UInt8(ascii: "\\"))
        line.append(UInt8(ascii: "x"))
        appendHexDigit(byte >> 4, to: &line)
        appendHexDigit(byte & 0xF, to: &line)
    }

    private static func appendHexDigit(_ digit: UInt8, to line: inout [UInt8]) {
        line.append(digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10)
    }
}
