import Glibc

/// The proxy's request handling: `/health`, the admin routes, and every `/v1/…` request
/// authenticated, routed, rewritten, forwarded and relayed (`Forwarder`), and `/metrics`. One
/// log line per request, and each request counted in its loop's metrics.
/// A class so that the server's connections share one instance instead of copying its fields.
public final class ProxyHandler: HTTPHandler {
    let forwarder: Forwarder
    let admin: AdminRoutes?
    let logger: LineLogger
    let format: LogFormat
    let clock = LogClock()
    /// Nil when `METRICS=off`: `/metrics` is then 404 and nothing is counted.
    let metrics: ProxyMetrics?
    let usage: UsageRecorder

    init(forwarder: Forwarder, admin: AdminRoutes?, logger: LineLogger, format: LogFormat, metrics: ProxyMetrics?, usage: UsageRecorder) {
        self.forwarder = forwarder
        self.metrics = metrics
        self.usage = usage
        self.admin = admin
        self.logger = logger
        self.format = format
    }

    /// A request's time, for its log line and the metrics, runs from its head's first bytes
    /// (`receivedAt`) to the last byte of its answer written, as nginx's `$request_time` does.
    public func handle(_ request: ServerRequest, _ response: ResponseWriter) async throws {
        let started = request.receivedAt
        let target = request.head.target
        let queryStart = Self.queryStart(of: target)
        // Without a query the path shares the target's storage.
        let path = queryStart.map { String(target[..<$0]) } ?? target
        let dialect = APIDialect(path: path)
        var entry = RequestLogEntry(method: request.head.method, path: path, client: request.remoteHost ?? "-")
        do {
            try await dispatch(request, path: path, queryStart: queryStart, response, &entry)
            if !response.isFinished { try await response.finish() }
        } catch {
            await fail(error, dialect, response, &entry)
        }
        finish(&entry, request, response, started: started)
    }

    /// Counts, records and logs a finished request. Not inlined into `handle`: an async function
    /// keeps the locals of what it inlines in its frame, which lives as long as the request.
    @inline(never)
    private func finish(_ entry: inout RequestLogEntry, _ request: ServerRequest, _ response: ResponseWriter, started: Deadline) {
        entry.bytesOut = response.bodyBytesWritten
        if entry.status == 0 { entry.status = response.status }
        let nanoseconds = Int64(bitPattern: Deadline.now.uptimeNanoseconds &- started.uptimeNanoseconds)
        metrics?.shard(on: request.clientSocket.loop).record(entry, durationNanoseconds: nanoseconds)
        // Every request that got past the key check is counted, refusals and failures included.
        if let record = UsageRecord(entry) { usage.record(record, on: request.clientSocket.loop) }
        let duration = Duration.nanoseconds(nanoseconds)
        switch format {
        case .text: logger.log(utf8: entry.line(at: clock.rfc3339Now(), duration: duration))
        case .json: logger.log(utf8: entry.jsonLine(at: clock.rfc3339Now(), duration: duration))
        }
    }

    public func errorBody(status: Int, reason: String) -> (contentType: String, body: [UInt8]) {
        let error = switch status {
        case 413: APIError(.payloadTooLarge, "malformed request: \(reason)")
        case 500...: APIError(.internalError, "internal error")
        default: APIError(.badRequest, "malformed request: \(reason)")
        }
        return ("application/json", error.body(.openAI))
    }

    /// Routes by the normalised path (`HTTPRequestPath`), decided before anything else: a path
    /// that names `/v1/…` as sent but leaves it once normalised is refused, never forwarded with
    /// the upstream's key; one that normalises into `/v1/` is forwarded as normalised.
    private func dispatch(
        _ request: ServerRequest, path sent: String, queryStart: String.Index?, _ response: ResponseWriter,
        _ entry: inout RequestLogEntry
    ) async throws {
        var path = sent
        var target = request.head.target
        let normal: String?
        do { normal = try HTTPRequestPath.normalized(sent) } catch {
            throw APIError(.badRequest, "the request path is refused: \(error.description)")
        }
        if let normal {
            if Self.isUnderV1(sent) && !Self.isUnderV1(normal) {
                throw APIError(.badRequest, "the request path leaves /v1/ once its dot-segments are resolved")
            }
            path = normal
            target = queryStart.map { normal + target[$0...] } ?? normal
        }
        entry.route = MetricsRoute(path: path)
        // The proxied routes first: nearly every request is one, and the others are compared
        // as strings.
        if Self.isUnderV1(path) {
            try await forwarder.forward(request, path: path, target: target, response, &entry)
        } else if path == "/health" {
            var head = HTTPResponseHead(status: 200)
            head.headers.add(name: "Content-Type", value: "application/json")
            try await response.send(head, body: Self.healthBody)
            entry.status = 200
        } else if path == "/admin" || path.hasPrefix("/admin/") {
            guard let admin else {
                if try await DashboardPage.answerOff(request, path: path, response, &entry) { return }
                throw APIError(.notFound, "the admin API is off: set ADMIN_SECRET to enable it")
            }
            try await admin.handle(request, path: path, response, &entry)
        } else if path == "/metrics" {
            try await scrape(request, response, &entry)
        } else {
            throw APIError(.notFound, "no route for \(path)")
        }
    }

    /// `GET /metrics`, without authentication (SPEC §3): the series carry no key and no secret.
    private func scrape(_ request: ServerRequest, _ response: ResponseWriter, _ entry: inout RequestLogEntry) async throws {
        guard let metrics else { throw APIError(.notFound, "metrics are off (METRICS=off)") }
        guard request.head.method == "GET" else { throw APIError(.notFound, "no route \(request.head.method) /metrics") }
        var head = HTTPResponseHead(status: 200)
        head.headers.add(name: "Content-Type", value: ProxyMetrics.contentType)
        try await response.send(head, body: await metrics.scrape())
        entry.status = 200
    }

    /// Where the query of `target` starts (its `?`), found with `memchr` in the string's bytes:
    /// the generic search over a string's UTF-8 view cost some 650 instructions a request.
    static func queryStart(of target: String) -> String.Index? {
        let offset = target.utf8.withContiguousStorageIfAvailable { bytes -> Int? in
            guard let base = bytes.baseAddress, let found = memchr(base, Int32(UInt8(ascii: "?")), bytes.count) else { return nil }
            return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        } ?? target.utf8.firstIndex(of: UInt8(ascii: "?")).map { target.utf8.distance(from: target.utf8.startIndex, to: $0) }
        return offset.map { target.utf8.index(target.utf8.startIndex, offsetBy: $0) }
    }

    private static func isUnderV1(_ path: String) -> Bool {
        path == "/v1" || path.hasPrefix("/v1/")
    }

    /// Answers a request that failed before its answer began, in the caller's dialect, and
    /// notes why for the log; after the head, closing is the only signal HTTP/1.1 has. Every
    /// error ends here, so every request gets its log line and a status that says whose fault
    /// it was: 502 for the upstream's, 500 only for our own.
    private func fail(_ error: any Error, _ dialect: APIDialect, _ response: ResponseWriter, _ entry: inout RequestLogEntry) async {
        let answer: APIError
        switch error {
        case let error as APIError:
            answer = error
        case let error as HTTPParseError:
            let kind: APIError.Kind = error == .bodyTooLarge ? .payloadTooLarge : .badRequest
            answer = APIError(kind, "malformed request: \(error.reason)")
        case let error as HTTPClientError:
            answer = APIError(.upstreamUnreachable, "the upstream broke off its answer", logDetail: error.description)
        case let error as SocketError:
            let gone = Self.clientGone(error)
            entry.note = gone ? "client closed the connection" : error.description
            // 499, as nginx logs it: the client went away before it had its answer.
            if gone && !response.headSent { entry.status = 499 }
            response.abort()
            return
        case is CancellationError:
            entry.note = "cancelled by shutdown"
            response.abort()
            return
        default:
            answer = APIError(.internalError, "internal error", logDetail: String(describing: error))
        }
        entry.note = answer.logDetail.map { "\(answer.message): \($0)" } ?? answer.message
        entry.status = answer.status
        guard !response.headSent else {
            response.abort()
            return
        }
        var head = HTTPResponseHead(status: answer.status)
        head.headers.add(name: "Content-Type", value: "application/json")
        if answer.kind == .missingKey { head.headers.add(name: "WWW-Authenticate", value: "Bearer") }
        for field in answer.headers { head.headers.add(name: field.name, value: field.value) }
        do {
            try await response.send(head, body: answer.body(dialect))
        } catch {
            response.abort()
        }
    }

    static func clientGone(_ error: SocketError) -> Bool {
        switch error {
        case .peerClosed, .connectionReset: true
        default: false
        }
    }

    /// The original service's health answer, byte for byte.
    static let healthBody = Array(#"{"status":"healthy","service":"apipod-smart-proxy"}"#.utf8)
}
