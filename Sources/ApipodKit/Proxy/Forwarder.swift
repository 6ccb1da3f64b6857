/// The heart of `serve`: authenticate the client's key, read the body, route and rewrite the
/// model, forward with the upstream's credentials, and relay the answer piece by piece.
/// A class, not a struct: it is shared by every request, and each async call would otherwise copy
/// (and retain) all of its fields.
final class Forwarder: Sendable {
    let authenticator: KeyAuthenticator
    let routing: RoutingTable
    let dice: RoutingDice
    let transport: any UpstreamTransport
    let upstream: UpstreamURL
    let upstreamKey: String?
    /// Nil when `METRICS=off`: nothing is counted.
    let metrics: ProxyMetrics?

    init(
        authenticator: KeyAuthenticator, routing: RoutingTable, dice: RoutingDice, transport: any UpstreamTransport,
        upstream: UpstreamURL, upstreamKey: String?, metrics: ProxyMetrics?
    ) {
        self.authenticator = authenticator
        self.routing = routing
        self.dice = dice
        self.transport = transport
        self.upstream = upstream
        self.upstreamKey = upstreamKey
        self.metrics = metrics
    }

    /// Routes whose body must be a JSON object: a malformed one is answered 400 here rather than
    /// forwarded. On other routes a body that is not JSON passes through untouched.
    static let modelRoutes: Set<String> = [
        "/v1/chat/completions", "/v1/completions", "/v1/messages", "/v1/messages/count_tokens",
        "/v1/responses", "/v1/embeddings",
    ]

    /// - Parameter target: the request target to send upstream, its path normalised.
    func forward(_ request: ServerRequest, path: String, target: String, _ response: ResponseWriter, _ entry: inout RequestLogEntry) async throws {
        entry.keyID = try await authenticate(request.head.headers)

        var body: RequestBody?
        var hidesUsageChunk = false
        if request.hasBody {
            let bytes = try await request.collectBody()
            entry.bytesIn = bytes.count
            (body, hidesUsageChunk) = try rewriteBody(bytes, path: path, &entry)
        }

        var head = HTTPRequestHead(
            method: request.head.method, target: upstream.basePath + target,
            headers: HeaderPolicy.upstreamRequest(
                request.head.headers, upstreamKey: upstreamKey, upstreamAuthority: upstream.authority,
                clientAddress: request.remoteHost, bodyLength: body?.count))
        head.version = .http1_1
        if path == "/v1/models" || Self.modelRoutes.contains(path) {
            // The alias entries are spliced into the listing's bytes, and an answer's usage is
            // read from its bytes (SPEC §9): neither can be compressed.
            head.headers.remove(named: "accept-encoding")
        }

        let answer: any UpstreamAnswer
        // The wait on the upstream runs from here (connecting or taking a pooled connection,
        // then writing the request) until its response head has been read.
        let sent = Deadline.now
        do {
            answer = try await transport.request(head, body: body ?? .empty, on: request.clientSocket.loop, watching: request.clientSocket)
        } catch let error as HTTPClientError {
            entry.addUpstreamWait(since: sent)
            // The client learns whose fault it was; the address and the reason are the log's.
            let detail = "\(upstream): \(error.description)"
            switch error {
            case .unreachable:
                entry.attemptOutcome = .unreachable
                throw APIError(.upstreamUnreachable, "the upstream is unreachable", logDetail: detail)
            case .responseTimeout:
                entry.attemptOutcome = .timeout
                throw APIError(.upstreamTimeout, "the upstream did not answer in time", logDetail: detail)
            case .badResponse:
                entry.attemptOutcome = .broken
                throw APIError(.upstreamUnreachable, "the upstream broke off its answer", logDetail: detail)
            }
        }
        entry.addUpstreamWait(since: sent)
        entry.status = answer.head.status
        entry.attemptOutcome = UpstreamOutcome(status: entry.status)

        if request.head.method == "GET", path == "/v1/models", entry.status == 200 {
            try await relayModelListing(answer, request: request, response)
            return
        }
        let usage = UsageReading(path: path, answer: answer.head, streamed: answer.isStreamed, hidesUsageChunk: hidesUsageChunk)
        try await relay(answer, request: request, response, usage, &entry)
    }

    /// The client's key from `Authorization: Bearer …` (OpenAI SDKs) or `x-api-key` (Anthropic SDKs).
    private func authenticate(_ headers: HTTPHeaders) async throws -> Int64 {
        var presented: Substring?
        if let authorization = headers["authorization"] { presented = Self.bearerToken(authorization) }
        if presented == nil, let apiKey = headers["x-api-key"] { presented = Substring(apiKey) }
        guard let presented, !presented.isEmpty else {
            throw APIError(.missingKey, "missing API key: send 'Authorization: Bearer apk_…' or 'x-api-key: apk_…'")
        }
        switch await authenticator.authenticate(presented) {
        case .valid(let record):
            return record.id
        case .unknown:
            throw APIError(.invalidKey, "invalid API key")
        case .disabled:
            throw APIError(.disabledKey, "this API key is disabled")
        case .expired(let record):
            throw APIError(.expiredKey, "this API key expired at \(record.expiresAt?.rfc3339 ?? "an earlier time")")
        }
    }

    /// The credentials of `Bearer <token>` (the scheme's case ignored, RFC 9110 §11.1), or nil
    /// for another scheme.
    static func bearerToken(_ authorization: String) -> Substring? {
        let utf8 = authorization.utf8
        guard let space = utf8.firstIndex(of: UInt8(ascii: " ")),
              HTTPSyntax.equalsIgnoringCase(utf8[..<space], "bearer".utf8)
        else { return nil }
        let token = utf8[space...].drop { $0 == UInt8(ascii: " ") }
        return Substring(authorization[token.startIndex...])
    }

    /// A rewritten body up to this size is copied into one array; a larger one is sent as the
    /// runs around the new value, so a megabyte is not copied to change a few bytes.
    static let copiedRewriteLimit = 64 * 1024

    /// Routes and rewrites the model and, on a streamed chat that did not ask for it, asks for
    /// the usage chunk (`IncludeUsageOption`); every other byte stays as the client sent it.
    /// Returns the body to send and whether the usage chunk must be hidden from the client.
    private func rewriteBody(_ body: [UInt8], path: String, _ entry: inout RequestLogEntry) throws -> (RequestBody, Bool) {
        guard !body.isEmpty else { return (.bytes(body), false) }
        let scanned: (model: ModelField?, streaming: JSONScanner.StreamingMembers?)
        do {
            scanned = try ModelField.scan(body, notingStreaming: path == "/v1/chat/completions")
        } catch {
            guard Self.modelRoutes.contains(path) else { return (.bytes(body), false) }
            throw APIError(.badRequest, "the request body is not valid JSON: \(error.description)")
        }
        var splice = BodySplice()
        var hidesUsageChunk = false
        if let streaming = scanned.streaming, case .add(let range, let bytes) = IncludeUsageOption.decide(body, streaming) {
            splice.add(range, bytes)
            hidesUsageChunk = true
        }
        if let field = scanned.model {
            let decision = dice.route(field.value, in: routing)
            entry.requestedModel = decision.requested
            entry.routedModel = decision.routed
            if decision.routed != field.value { splice = field.splice(to: decision.routed, adding: splice) }
        }
        guard !splice.isEmpty else { return (.bytes(body), false) }
        if body.count <= Self.copiedRewriteLimit { return (.bytes(splice.applied(to: body)), hidesUsageChunk) }
        return (.runs(splice.runs(of: body)), hidesUsageChunk)
    }

    /// Relays status, headers and body; each piece is written as soon as it is read, and the
    /// next upstream read waits for the client to take it. A read that finds no piece ready
    /// counts as waiting on the upstream; writing to the client (however slow it reads) does not.
    /// A streamed answer is one of `apipod_active_streams` while it is relayed.
    /// The usage scan watches every piece, and the usage chunk the proxy asked for is left out
    /// (`UsageReading`); what the scan found goes into `entry` however the relay ends.
    private func relay(
        _ answer: any UpstreamAnswer, request: ServerRequest, _ response: ResponseWriter, _ reading: UsageReading,
        _ entry: inout RequestLogEntry
    ) async throws {
        var usage = reading
        defer { usage.finish(&entry) }
        let upstreamHead = answer.head  // one copy: each read of an existential's property makes one
        let head = HTTPResponseHead(
            status: upstreamHead.status, reason: upstreamHead.reason,
            headers: HeaderPolicy.clientResponse(upstreamHead.headers, streamed: answer.isStreamed))
        // The head leaves with the first piece when that is already here (one send for a short
        // answer), and on its own before any wait, so a stream's head is never held back, not
        // even behind part of a chunk-size line.
        response.startHoldingHead(consume head, firstPieceBytes: answer.bufferedBodyByteCount)
        let streams = answer.isStreamed ? metrics?.shard(on: request.clientSocket.loop) : nil
        streams?.streamStarted()
        defer { streams?.streamEnded() }
        do {
            while true {
                let waiting = !answer.hasPieceReady
                if waiting { try await response.flush() }
                let waitStarted = waiting ? Deadline.now : nil
                let piece = try await answer.nextPiece(watching: request.clientSocket)
                if let waitStarted { entry.addUpstreamWait(since: waitStarted) }
                guard let piece else { break }
                try await usage.relay(piece, to: response)
                if answer.isComplete { break }
            }
            try await usage.relayHeldBytes(to: response)
        } catch let error as HTTPClientError {
            // After the head, HTTP/1.1 can only signal failure by closing the connection.
            entry.note = "upstream failed mid-response: \(error.description)"
            response.abort()
        }
    }

    /// The listing's body is read whole before it is changed; its reads count as the proxy's time.
    private func relayModelListing(_ answer: any UpstreamAnswer, request: ServerRequest, _ response: ResponseWriter) async throws {
        var body: [UInt8] = []
        // A listing cut short throws HTTPClientError, which ProxyHandler answers 502.
        while let piece = try await answer.nextPiece(watching: request.clientSocket) {
            body.append(contentsOf: piece)
            if body.count > 16 << 20 { throw APIError(.upstreamUnreachable, "the upstream's model list is too large") }
        }
        let anthropic = request.head.headers.contains("anthropic-version")
        let encoded = answer.head.headers["content-encoding"].map { $0.lowercased() != "identity" } ?? false
        let listed = encoded ? body : ModelListing.addingAliases(routing.aliasNames, to: body, anthropic: anthropic) ?? body
        let headers = HeaderPolicy.clientResponse(answer.head.headers, streamed: false)
        try await response.send(HTTPResponseHead(status: 200, headers: headers), body: listed)
    }
}
