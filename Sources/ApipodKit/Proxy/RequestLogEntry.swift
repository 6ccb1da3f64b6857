/// One line of the request log: method, path (without the query, which may carry secrets),
/// status, duration, key id, requested → routed model, bytes in and out, and what went wrong.
/// Never a key, a digest or a header value.
///
/// Whatever a client chose (the path, the model, an error that quotes its input) is escaped and
/// cut to a bound (`LogText`), so no client can end a line, forge the next one, or send a
/// terminal escape to whoever reads the log.
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
    /// For the metrics: the route the path was given and how long the request waited on the
    /// upstream (nil when it never reached one).
    var route = MetricsRoute.notFound
    var upstreamWaitNanoseconds: Int64?
    /// Every attempt at an upstream, in order (SPEC §8, failover); the last one answered.
    var attempts: [UpstreamAttempt] = []
    /// The limit that refused the request, for `apipod_rate_limited_total`.
    var rateLimited: LimitReason?
    /// For usage accounting: the answer's tokens when it carried them, and the model that
    /// answered (the answer's own `model`, else the one sent upstream).
    var tokens: TokenUsage?
    var answeredModel: String?

    /// Adds the time since `start` to the wait on the upstream.
    mutating func addUpstreamWait(since start: Deadline) {
        let waited = Int64(bitPattern: Deadline.now.uptimeNanoseconds &- start.uptimeNanoseconds)
        upstreamWaitNanoseconds = (upstreamWaitNanoseconds ?? 0) &+ waited
    }

    /// The line as UTF-8 bytes, built without intermediate strings: it is written for every
    /// request, and building it as a `String` showed in the proxy's profile. The words are
    /// static strings and the texts copied in one piece each (`appendUTF8`): appending a
    /// string's UTF-8 view went byte by byte, and had made the line cost 4,800 instructions.
    func line(at time: String, duration: Duration) -> [UInt8] {
        var line: [UInt8] = []
        line.reserveCapacity(192)
        func add(_ text: StaticString) { line.appendUTF8(text) }
        func add(_ text: String) { line.appendUTF8(text) }
        func add(_ number: Int64) { line.appendDecimal(Int(number)) }
        add(time); add(" "); add(client); add(" ")
        LogText.append(method, to: &line, limit: 32, field: true); add(" ")
        LogText.append(path, to: &line, limit: 512, field: true); add(" ")
        add(Int64(status)); add(" ")
        Self.appendMilliseconds(duration, to: &line); add("ms key=")
        if let keyID { add(keyID) } else { add("-") }
        if let requestedModel {
            add(" model="); LogText.append(requestedModel, to: &line, limit: 128, field: true)
            if let routedModel, routedModel != requestedModel {
                add("->"); LogText.append(routedModel, to: &line, limit: 128, field: true)
            }
        }
        add(" in="); add(Int64(bytesIn)); add(" out="); add(Int64(bytesOut))
        if attempts.count > 1 {
            add(" attempts=")
            for (index, attempt) in attempts.enumerated() {
                if index > 0 { add(",") }
                LogText.append(attempt.model ?? "-", to: &line, limit: 128, field: true)
                add(":"); add(attempt.result)
            }
        }
        if let note { add(" ("); LogText.append(note, to: &line, limit: 512, field: false); add(")") }
        return line
    }

    /// The same fields as one JSON object (`LOG_FORMAT=json`), every one always present
    /// (null when unknown) so a query need not test for a missing key.
    func jsonLine(at time: String, duration: Duration) -> [UInt8] {
        var line: [UInt8] = []
        line.reserveCapacity(256)
        func add(_ text: StaticString) { line.appendUTF8(text) }
        func add(_ number: Int64) { line.appendDecimal(Int(number)) }
        func add(string text: String?, limit: Int) {
            if let text { LogText.appendJSON(text, to: &line, limit: limit) } else { add("null") }
        }
        add(#"{"time":"#); add(string: time, limit: 64)
        add(#","client":"#); add(string: client, limit: 64)
        add(#","method":"#); add(string: method, limit: 32)
        add(#","path":"#); add(string: path, limit: 512)
        add(#","status":"#); add(Int64(status))
        add(#","duration_ms":"#); Self.appendMilliseconds(duration, to: &line)
        add(#","key_id":"#); if let keyID { add(keyID) } else { add("null") }
        add(#","model":"#); add(string: requestedModel, limit: 128)
        add(#","routed_model":"#); add(string: routedModel, limit: 128)
        add(#","bytes_in":"#); add(Int64(bytesIn))
        add(#","bytes_out":"#); add(Int64(bytesOut))
        add(#","attempts":["#)
        for (index, attempt) in attempts.enumerated() {
            if index > 0 { add(",") }
            add(#"{"model":"#); add(string: attempt.model, limit: 128)
            add(#","provider":"#); add(string: attempt.provider, limit: 128)
            add(#","result":"#); add(string: attempt.result, limit: 32)
            add("}")
        }
        add("]")
        add(#","note":"#); add(string: note, limit: 512)
        add("}")
        return line
    }

    /// The duration in milliseconds with one decimal: `12.3`.
    private static func appendMilliseconds(_ duration: Duration, to line: inout [UInt8]) {
        let (seconds, attoseconds) = duration.components
        let tenths = seconds * 10_000 + attoseconds / 100_000_000_000_000
        line.appendDecimal(Int(tenths / 10))
        line.append(UInt8(ascii: "."))
        line.appendDecimal(Int(tenths % 10))
    }
}

/// One attempt at an upstream: the model tried (as the routes file names it), its provider,
/// and how it ended.
struct UpstreamAttempt {
    /// Nil for a request that named no model.
    let model: String?
    let provider: String
    let outcome: UpstreamOutcome
    /// The response's status; nil when no head arrived.
    let status: Int?

    /// For the log: the status, or why there was none (`unreachable`, `timeout`, `broken`).
    var result: String { status.map(String.init) ?? outcome.label }
}
