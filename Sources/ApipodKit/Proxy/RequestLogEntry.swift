/// One line of the request log: method, path (without the query, which may carry secrets),
/// status, duration, key id, requested → routed model, bytes in and out, and what went wrong.
/// Never a key, a digest or a header value.
struct RequestLogEntry {
    let method: String
    let path: String
    let client: String
    var status = 0
    var keyID: Int64?
    var requestedModel: String?
    var routedModel: String?
    var bytesIn = 0
    var bytesOut = 0
    var note: String?

    func line(at time: String, duration: Duration) -> String {
        var line = time
        line.reserveCapacity(160)
        for part in [" ", client, " ", method, " ", path, " ", String(status), " ", Self.milliseconds(duration), "ms key="] {
            line += part
        }
        line += keyID.map(String.init) ?? "-"
        if let requestedModel {
            line += " model=\(requestedModel)"
            if let routedModel, routedModel != requestedModel { line += "->\(routedModel)" }
        }
        line += " in=\(bytesIn) out=\(bytesOut)"
        if let note { line += " (\(note))" }
        return line
    }

    /// Milliseconds with one decimal, without Foundation's formatting.
    static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let tenths = seconds * 10_000 + attoseconds / 100_000_000_000_000
        return "\(tenths / 10).\(tenths % 10)"
    }
}
