/// The heart of `serve`: authenticate the client's key, read the body, route and rewrite the
/// model, forward with the upstream's credentials, and relay the answer piece by piece.
/// A class, not a struct: it is shared by every request, and each async call would otherwise copy
/// (and retain) all of its fields.
final class Forwarder: Sendable {
    let authenticator: KeyAuthenticator
    /// The routing table and provider endpoints; a reload swaps them.
    let rules: RulesSlot
    let dice: RoutingDice
    /// Which providers and models are cooling down; every attempt's outcome is recorded there.
    let board: UpstreamBoard
    let catalog = ModelCatalog()
    /// Nil when `METRICS=off`: nothing is counted.
    let metrics: ProxyMetrics?
    /// Each loop's memo of the keys presented on it (`KeyMemo`).
    let keyMemos: PerLoop<KeyMemo>

    init(
        authenticator: KeyAuthenticator, rules: RulesSlot, dice: RoutingDice, board: UpstreamBoard, metrics: ProxyMetrics?,
        loops: [EventLoop]
    ) {
        self.authenticator = authenticator
        keyMemos = PerLoop(loops) { KeyMemo() }
        self.rules = rules
        self.dice = dice
        self.board = board
        self.metrics = metrics
    }

    /// Whether `path` is a route whose body must be a JSON object: a malformed one is answered
    /// 400 here rather than forwarded. On other routes a body that is not JSON passes through
    /// untouched. Decided by length first, so most paths are refused without comparing bytes.
    static func isModelRoute(_ path: String) -> Bool {
        switch path.utf8.count {
        case 20: path == "/v1/chat/completions"
        case 15: path == "/v1/completions"
        case 12: path == "/v1/messages"
        case 25: path == "/v1/messages/count_tokens"
        case 13: path == "/v1/responses"
        case 14: path == "/v1/embeddings"
        default: false
        }
    }

    /// - Parameter target: the request target to send upstream, its path normalised.
    func forward(_ request: ServerRequest, path: String, target: String, _ response: ResponseWriter, _ entry: inout RequestLogEntry) async throws {
        let key = try await authenticate(request.head.headers, memo: keyMemos.on(request.clientSocket.loop))
        entry.keyID = key.record.id
        let permit = try admit(key, &entry)
        defer { permit.release() }
        // The answer's tokens count against the key's daily quota (SPEC §10), however the relay ended.
        defer { if let tokens = entry.tokens { authenticator.limiters.addTokens(tokens.input + tokens.output, to: key.limiter) } }
        // One snapshot for the whole request: a reload meanwhile does not change its rules.
        let rules = self.rules.current(on: request.clientSocket.loop)

        if request.head.method == "GET", path == "/v1/models", !rules.table.providers.isEmpty || !rules.table.models.isEmpty {
            try await respondWithCatalog(request, rules: rules, response, &entry)
            return
        }
        let modelRoute = Self.isModelRoute(path)
        let (settled, hidesUsageChunk) = try await send(request, path: path, target: target, modelRoute: modelRoute, rules: rules, &entry)
        let answer = settled.answer
        entry.routedModel = settled.candidate?.model
        entry.status = settled.head.status

        if request.head.method == "GET", path == "/v1/models", entry.status == 200 {
            try await relayModelListing(answer, head: settled.head, request: request, aliases: rules.table.aliasNames, response)
            return
        }
        try await relay(
            answer, head: settled.head, request: request, answeredBy: settled.candidate, response,
            reading: modelRoute ? path : nil, hidingUsageChunk: hidesUsageChunk, &entry)
    }

    /// Reads and checks the body, decides the candidates and tries them (`attempt`): everything
    /// up to the answer to relay, and whether the usage chunk it carries is the proxy's to hide.
    /// A function of its own, not inlined: its locals (the body, the candidates) are gone when
    /// the relay starts, instead of staying in `forward`'s frame for a stream's whole life.
    @inline(never)
    private func send(
        _ request: ServerRequest, path: String, target: String, modelRoute: Bool, rules: ProxyRules, _ entry: inout RequestLogEntry
    ) async throws -> (Settled, hidesUsageChunk: Bool) {
        var body: [UInt8]?
        var field: ModelField?
        // The include_usage request field when the proxy asks for it (SPEC §9); spliced into
        // every attempt's body, beside that candidate's model.
        var usageSplice = BodySplice()
        if request.hasBody {
            let bytes = try await request.collectBody()
            entry.bytesIn = bytes.count
            (field, usageSplice) = try scanBody(bytes, path: path, modelRoute: modelRoute)
            body = bytes
        }
        var candidates: [RouteCandidate] = []
        if let field {
            entry.requestedModel = field.value
            candidates = self.candidates(for: field.value, request, body: body, path: path, rules: rules)
        }
        let settled = try await attempt(
            request, target: target, path: path, modelRoute: modelRoute, body: body, field: field, usageSplice: usageSplice,
            candidates: candidates, rules: rules, &entry)
        return (settled, !usageSplice.isEmpty)
    }

    /// Where a request for `model` is tried, in order (SPEC §8). Not inlined into `forward`, like
    /// the other synchronous steps below: an async function keeps the locals of what it inlines
    /// in its frame, which lives in the task for the whole answer — for a stream, its whole life.
    @inline(never)
    private func candidates(for model: String, _ request: ServerRequest, body: [UInt8]?, path: String, rules: ProxyRules) -> [RouteCandidate] {
        let route = rules.table.lookUp(model)
        // A session keeps to its alias target: its ranking is its order (sticky sessions).
        let ranking = route.alias.flatMap { alias in
            SessionKey.of(request.head.headers, body: body ?? [], path: path).map {
                SessionRanking.ranking(session: $0, targets: alias.targets)
            }
        }
        guard board.mayBeCooling else {
            return rules.table.candidates(for: model, lookedUp: route, draw: dice.draw(), ranking: ranking)
        }
        return rules.table.candidates(for: model, draw: dice.draw(), ranking: ranking) { [board] candidate in
            board.coolingUntil(model: candidate.model, provider: candidate.provider)
        }
    }

    /// The client's key from `Authorization: Bearer …` (OpenAI SDKs) or `x-api-key` (Anthropic SDKs).
    private func authenticate(_ headers: HTTPHeaders, memo: KeyMemo) async throws -> AuthenticatedKey {
        var presented: Substring?
        if let authorization = headers["authorization"] { presented = Self.bearerToken(authorization) }
        if presented == nil, let apiKey = headers["x-api-key"] { presented = Substring(apiKey) }
        guard let presented, !presented.isEmpty else {
            throw APIError(.missingKey, "missing API key: send 'Authorization: Bearer apk_…' or 'x-api-key: apk_…'")
        }
        let (result, key) = await authenticator.authenticate(presented, memo: memo)
        switch result {
        case .valid:
            guard let key else { throw APIError(.invalidKey, "invalid API key") }
            return key
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

    /// The body's top-level `model` (nil when it has none) and, on a streamed chat that did not
    /// ask for it, the splice that asks for the usage chunk (`IncludeUsageOption`); a malformed
    /// body on a model route is a 400.
    @inline(never)
    private func scanBody(_ body: [UInt8], path: String, modelRoute: Bool) throws -> (ModelField?, BodySplice) {
        guard !body.isEmpty else { return (nil, BodySplice()) }
        let scanned: (model: ModelField?, streaming: JSONScanner.StreamingMembers?)
        do {
            scanned = try ModelField.scan(body, notingStreaming: path == "/v1/chat/completions")
        } catch {
            guard modelRoute else { return (nil, BodySplice()) }
            throw APIError(.badRequest, "the request body is not valid JSON: \(error.description)")
        }
        var splice = BodySplice()
        if let streaming = scanned.streaming, case .add(let range, let bytes) = IncludeUsageOption.decide(body, streaming) {
            splice.add(range, bytes)
        }
        return (scanned.model, splice)
    }

    /// Relays status, headers and body; each piece is written as soon as it is read, and the
    /// next upstream read waits for the client to take it. A read that finds no piece ready
    /// counts as waiting on the upstream; writing to the client (however slow it reads) does not.
    /// A streamed answer is one of `apipod_active_streams` while it is relayed.
    /// A routed answer says which model gave it and after how many attempts (SPEC §8).
    /// On a model route the usage scan watches every piece, and the usage chunk the proxy asked
    /// for is left out (`UsageReading`); what the scan found goes into `entry` however the relay ends.
    /// - Parameter usagePath: the model route whose answer is read for usage; nil on other routes.
    @inline(never)
    private func relay(
        _ answer: any UpstreamAnswer, head upstreamHead: HTTPResponseHead, request: ServerRequest, answeredBy candidate: RouteCandidate?,
        _ response: ResponseWriter, reading usagePath: String?, hidingUsageChunk: Bool, _ entry: inout RequestLogEntry
    ) async throws {
        let usage = UsageReading(path: usagePath, answer: upstreamHead, streamed: answer.isStreamed, hidesUsageChunk: hidingUsageChunk)
        defer { usage.finish(&entry) }
        // The head leaves with the first piece when that is already here (one send for a short
        // answer), and on its own before any wait, so a stream's head is never held back, not
        // even behind part of a chunk-size line.
        response.startHoldingHead(
            Self.clientHead(upstreamHead, streamed: answer.isStreamed, answeredBy: candidate, attempts: entry.attempts.count),
            firstPieceBytes: answer.bufferedBodyByteCount)
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

    /// The head the client gets: the upstream's, its hop-by-hop fields left out, and on a routed
    /// answer which model gave it and after how many attempts (SPEC §8).
    @inline(never)
    static func clientHead(_ upstream: HTTPResponseHead, streamed: Bool, answeredBy candidate: RouteCandidate?, attempts: Int) -> HTTPResponseHead {
        var head = HTTPResponseHead(
            status: upstream.status, reason: upstream.reason, headers: HeaderPolicy.clientResponse(upstream.headers, streamed: streamed))
        if let candidate {
            // The name may be the client's own (a model passed through): sent only when it is
            // a valid field value, so no client can write a header line of its own.
            if HTTPSyntax.isFieldValue(candidate.model) {
                head.headers.add(name: "x-apipod-model", value: candidate.model)
            }
            head.headers.add(name: "x-apipod-attempts", value: String(attempts))
        }
        return head
    }

    /// The merged listing of every provider (`ModelCatalog`); 502 when none answered.
    @inline(never)
    private func respondWithCatalog(_ request: ServerRequest, rules: ProxyRules, _ response: ResponseWriter, _ entry: inout RequestLogEntry) async throws {
        guard let listing = try await catalog.listing(request, rules: rules) else {
            throw APIError(.upstreamUnreachable, "no provider answered with its model list")
        }
        var head = HTTPResponseHead(status: 200)
        head.headers.add(name: "Content-Type", value: "application/json")
        try await response.send(head, body: listing)
        entry.status = 200
    }

    /// The listing's body is read whole before it is changed; its reads count as the proxy's time.
    @inline(never)
    private func relayModelListing(
        _ answer: any UpstreamAnswer, head: HTTPResponseHead, request: ServerRequest, aliases: [String], _ response: ResponseWriter
    ) async throws {
        var body: [UInt8] = []
        // A listing cut short throws HTTPClientError, which ProxyHandler answers 502.
        while let piece = try await answer.nextPiece(watching: request.clientSocket) {
            body.append(contentsOf: piece)
            if body.count > 16 << 20 { throw APIError(.upstreamUnreachable, "the upstream's model list is too large") }
        }
        let anthropic = request.head.headers.contains("anthropic-version")
        let encoded = head.headers["content-encoding"].map { $0.lowercased() != "identity" } ?? false
        let listed = encoded ? body : ModelListing.addingAliases(aliases, to: body, anthropic: anthropic) ?? body
        let headers = HeaderPolicy.clientResponse(head.headers, streamed: false)
        try await response.send(HTTPResponseHead(status: 200, headers: headers), body: listed)
    }
}
