/// Finds the top-level `"model"` string of a JSON request body without building a document,
/// and replaces its value in the bytes, so that everything else reaches the upstream exactly as
/// the client sent it: key order, number spelling, unicode escapes, whitespace.
///
/// The scan also validates the whole body as JSON (RFC 8259), because a model route must answer
/// a malformed body with 400 instead of forwarding something the upstream would misread.
/// It is one pass with no allocation but the model's own value; string contents, the bulk of a
/// chat body, are skipped by a tight loop that only looks for a quote, a backslash or a control byte.
public struct ModelField: Sendable, Equatable {
    /// The model's decoded value.
    public let value: String
    /// The bytes of the value's JSON string, quotes included.
    public let range: Range<Int>

    /// The value replaced by `model`, escaped as JSON, as an edit to combine with others;
    /// every other byte stays as it was.
    func splice(to model: String, adding other: BodySplice = BodySplice()) -> BodySplice {
        var encoded: [UInt8] = []
        encoded.reserveCapacity(model.utf8.count + 2)
        ModelField.appendEncoded(model, to: &encoded)
        var splice = other
        splice.add(range, encoded)
        return splice
    }

    /// Scans `body`: nil when it is a JSON object without a top-level `model`; throws when it is
    /// not JSON, not an object, or its `model` is not a single string.
    public static func find(in body: [UInt8]) throws(JSONBodyError) -> ModelField? {
        try scan(body, notingStreaming: false).model
    }

    /// `find`, and when asked the places of `stream` and `stream_options` as well, in the same pass.
    static func scan(_ body: [UInt8], notingStreaming: Bool) throws(JSONBodyError) -> (model: ModelField?, streaming: JSONScanner.StreamingMembers?) {
        let (member, streaming) = try body.withUnsafeBufferPointer { buffer throws(JSONBodyError) in
            var scanner = JSONScanner(buffer, member: "model", notingStreaming: notingStreaming)
            let member = try scanner.scanDocument()
            return (member, scanner.streaming)
        }
        guard let member else { return (nil, streaming) }
        guard let value = member.string else {
            throw JSONBodyError(message: "\"model\" must be a string", offset: member.range.lowerBound)
        }
        return (ModelField(value: value, range: member.range), streaming)
    }

    /// Appends `text` as a JSON string, quotes included.
    static func appendEncoded(_ text: String, to out: inout [UInt8]) {
        let hex: StaticString = "0123456789abcdef"
        out.append(UInt8(ascii: "\""))
        // A model's name rarely needs an escape: then it goes in one copy, not a byte at a time.
        var text = text
        let plain = text.withUTF8 { bytes in
            guard bytes.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) else { return false }
            out.append(contentsOf: bytes)
            return true
        }
        if plain {
            out.append(UInt8(ascii: "\""))
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                out.append(UInt8(ascii: "\\"))
                out.append(byte)
            case 0..<0x20:
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                out.append(hex.utf8Start[Int(byte >> 4)])
                out.append(hex.utf8Start[Int(byte & 0xf)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// Why a body is not a JSON object we can route: the message goes back to the client in a 400.
public struct JSONBodyError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public let offset: Int

    public var description: String { "\(message) at byte \(offset)" }
}
