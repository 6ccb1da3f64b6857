/// The proxy's request handling: `/health`, the admin routes, and every `/v1/…` request
/// authenticated, routed, rewritten, forwarded and relayed (`Forwarder`). One log line per request.
/// A class so that the server's connections share one instance instead of copying its fields.
public final class ProxyHandler: HTTPHandler {
    let forwarder: Forwarder
    let admin: AdminRoutes?
    let logger: LineLogger
    let clock = LogClock()

    init(forwarder: Forwarder, admin: AdminRoutes?, logger: LineLogger) {
        self.forwarder = forwarder
        self.admin = admin
        self.logger = logger
    }

    public func handle(_ request: ServerRequest, _ response: ResponseWriter) async throws {
        let started = ContinuousClock.now
        let target = request.head.target
        // Without a query the path shares the target's storage.
        let path = target.utf8.firstIndex(of: UInt8(ascii: "?")).map { String(target[..<$0]) } ?? target
        let dialect = APIDialect(path: path)
        var entry = RequestLogEntry(method: request.head.method, path: path, client: request.remoteHost ?? "-")
        do {
            try await dispatch(request, path: path, response, &entry)
        } catch let error as APIError {
            entry.note = error.message
            try await fail(error, dialect, response, &entry)
        } catch let error as HTTPParseError {
            entry.note = error.reason
            let kind: APIError.Kind = error == .bodyTooLarge ? .payloadTooLarge : .badRequest
            try await fail(APIError(kind, "malformed request: \(error.reason)"), dialect, response, &entry)
        } catch let error as SocketError {
            let gone = Self.clientGone(error)
            entry.note = gone ? "client closed the connection" : error.description
            // 499, as nginx logs it: the client went away before it had its answer.
            if gone && !response.headSent { entry.status = 499 }
            response.abort()
        } catch is CancellationError {
            entry.note = "cancelled by shutdown"
            response.abort()
        }
        entry.bytesOut = response.bodyBytesWritten
        if entry.status == 0 { entry.status = response.status }
        logger.log(utf8: entry.line(at: clock.rfc3339Now(), duration: ContinuousClock.now - started))
    }

    public func errorBody(status: Int, reason: String) -> (contentType: String, body: [UInt8]) {
        let kind: APIError.Kind = switch status {
        case 413: .payloadTooLarge
        case 500...: .internalError
        default: .badRequest
        }
        return ("application/json", APIError(kind, "malformed request: \(reason)").body(.openAI))
    }

    private func dispatch(_ request: ServerRequest, path: String, _ response: ResponseWriter, _ entry: inout RequestLogEntry) async throws {
        if path == "/health" {
            var head = HTTPResponseHead(status: 200)
            head.headers.add(name: "Content-Type", value: "application/json")
            try await response.send(head, body: Self.healthBody)
            entry.status = 200
        } else if path == "/admin" || path.hasPrefix("/admin/") {
            guard let admin else { throw APIError(.notFound, "the admin API is off: set ADMIN_SECRET to enable it") }
            try await admin.handle(request, path: path, response, &entry)
        } else if path == "/v1" || path.hasPrefix("/v1/") {
            try await forwarder.forward(request, path: path, response, &entry)
        } else {
            throw APIError(.notFound, "no route for \(path)")
        }
    }

    private func fail(_ error: APIError, _ dialect: APIDialect, _ response: ResponseWriter, _ entry: inout RequestLogEntry) async throws {
        entry.status = error.status
        guard !response.headSent else {
            response.abort()
            return
        }
        var head = HTTPResponseHead(status: error.status)
        head.headers.add(name: "Content-Type", value: "application/json")
        if error.kind == .missingKey { head.headers.add(name: "WWW-Authenticate", value: "Bearer") }
        try await response.send(head, body: error.body(dialect))
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
