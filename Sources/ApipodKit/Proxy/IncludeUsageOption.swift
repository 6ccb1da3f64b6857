/// An OpenAI streamed chat answer carries its usage only when the request sets
/// `stream_options.include_usage` (SPEC §9). When the client did not, the proxy sets it in the
/// bytes it sends upstream — every other byte unchanged — and removes the chunk it brings from
/// what it relays (`UsageChunkFilter`), so the client sees the stream it asked for.
///
/// - `"stream": true` without `stream_options`: `,"stream_options":{"include_usage":true}` goes
///   before the closing brace.
/// - `stream_options` null: it becomes `{"include_usage":true}`.
/// - `stream_options` an object without `include_usage`: `"include_usage":true` is its first member.
/// - `"include_usage": false` or null: the client declined the chunk; it is set to `true`
///   upstream and the chunk is still hidden, so the client gets what it asked for and the
///   proxy can count.
/// - `"include_usage": true`: the client asked; nothing changes and the chunk reaches it.
/// - Anything else (not streamed, `stream_options` or `include_usage` of another type, a member
///   given twice): the body is left as it is; the upstream judges it.
enum IncludeUsageOption {
    enum Decision: Equatable {
        /// Nothing to add; the answer is relayed as it comes.
        case unchanged
        /// The edit that asks for the chunk, which must then be hidden from the client.
        case add(range: Range<Int>, bytes: [UInt8])
    }

    static func decide(_ body: [UInt8], _ members: JSONScanner.StreamingMembers) -> Decision {
        guard !members.repeated, let stream = members.stream, body[stream].elementsEqual("true".utf8) else { return .unchanged }
        guard let options = members.options else {
            let brace = members.closingBrace
            return .add(range: brace..<brace, bytes: Array(#","stream_options":{"include_usage":true}"#.utf8))
        }
        let value = body[options]
        if value.elementsEqual("null".utf8) {
            return .add(range: options, bytes: Array(#"{"include_usage":true}"#.utf8))
        }
        guard value.first == UInt8(ascii: "{") else { return .unchanged }
        let member: JSONScanner.Member?
        do {
            member = try body.withUnsafeBufferPointer { buffer throws(JSONBodyError) in
                var scanner = JSONScanner(UnsafeBufferPointer(rebasing: buffer[options]), member: "include_usage")
                return try scanner.scanDocument()
            }
        } catch {
            return .unchanged
        }
        guard let member else {
            let inside = options.lowerBound + 1
            let empty = body[inside..<(options.upperBound - 1)].allSatisfy { [0x20, 0x09, 0x0a, 0x0d].contains($0) }
            return .add(range: inside..<inside, bytes: Array((empty ? #""include_usage":true"# : #""include_usage":true,"#).utf8))
        }
        let range = (member.range.lowerBound + options.lowerBound)..<(member.range.upperBound + options.lowerBound)
        let current = body[range]
        if current.elementsEqual("false".utf8) || current.elementsEqual("null".utf8) {
            return .add(range: range, bytes: Array("true".utf8))
        }
        return .unchanged
    }
}
