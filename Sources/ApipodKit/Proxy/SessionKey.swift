/// The session a request belongs to, for sticky routing (SPEC §8): `X-Session-Id` (seed 004),
/// else an Anthropic body's `metadata.user_id`, which Claude Code fills per session. Looked for
/// only when the request names an alias, the one case where it changes anything.
enum SessionKey {
    /// The longest session id used; a longer one is cut (the hash of a prefix is still a stable key).
    static let maximumLength = 512

    static func of(_ headers: HTTPHeaders, body: [UInt8], path: String) -> String? {
        if let header = headers["x-session-id"], !header.isEmpty { return String(header.prefix(maximumLength)) }
        guard path == "/v1/messages" else { return nil }
        return body.withUnsafeBufferPointer { buffer -> String? in
            // The body was validated already; the scans only find the members.
            var outer = JSONScanner(buffer, member: "metadata")
            guard let metadata = (try? outer.scanDocument()) ?? nil, metadata.string == nil,
                  buffer[metadata.range.lowerBound] == UInt8(ascii: "{")
            else { return nil }
            var inner = JSONScanner(UnsafeBufferPointer(rebasing: buffer[metadata.range]), member: "user_id")
            guard let user = (try? inner.scanDocument()) ?? nil, let id = user.string, !id.isEmpty else { return nil }
            return String(id.prefix(maximumLength))
        }
    }
}
