/// Adds the routing aliases to the upstream's `GET /v1/models` answer, so clients such as
/// Cursor offer `cursor-pro-sonnet` in their model pickers. The upstream's bytes are kept;
/// alias entries are spliced in before the end of its `data` array, in the shape of the
/// caller's SDK (Anthropic's when the request carried `anthropic-version`).
enum ModelListing {
    static func addingAliases(_ aliases: [String], to body: [UInt8], anthropic: Bool) -> [UInt8]? {
        guard !aliases.isEmpty else { return body }
        let data = try? body.withUnsafeBufferPointer { buffer throws(JSONBodyError) in
            var scanner = JSONScanner(buffer, member: "data")
            return try scanner.scanDocument()
        }
        guard let data = data ?? nil, data.string == nil, body[data.range.lowerBound] == UInt8(ascii: "[") else { return nil }
        let closing = data.range.upperBound - 1
        let isEmpty = body[(data.range.lowerBound + 1)..<closing].allSatisfy { [0x20, 0x09, 0x0a, 0x0d].contains($0) }
        let entries = aliases.map { entry(for: $0, anthropic: anthropic).rendered() }.joined(separator: ",")
        var out = Array(body[..<closing])
        out += Array(((isEmpty ? "" : ",") + entries).utf8)
        out += body[closing...]
        return out
    }

    static func entry(for alias: String, anthropic: Bool) -> JSONOutput {
        anthropic
            ? .object([
                ("type", .string("model")), ("id", .string(alias)), ("display_name", .string(alias)),
                ("created_at", .string("1970-01-01T00:00:00Z")),
            ])
            : .object([("id", .string(alias)), ("object", .string("model")), ("created", .integer(0)), ("owned_by", .string("apipodctl"))])
    }
}
