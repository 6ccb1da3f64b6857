/// The attempt loop of SPEC §8: a request's candidates tried in order until one answers with
/// something other than a failure worth moving on from. Nothing reaches the client here — the
/// caller relays the answer this returns — so a failover can never follow a relayed byte.
extension Forwarder {
    /// Whether the next candidate is tried after `status`: rate limits (429, and Anthropic's
    /// 529 "overloaded") and the server errors that say the upstream, not the request, failed.
    /// A 400 (or any other 4xx) is the request's fault and would fail everywhere: never retried.
    static func movesOn(status: Int) -> Bool {
        switch status {
        case 429, 500, 502, 503, 504, 529: true
        default: false
        }
    }

    /// What the loop settled on: the answer to relay, and the candidate that gave it (nil for a
    /// request without a model, sent to `default` once).
    struct Settled {
        let answer: any UpstreamAnswer
        /// The answer's head, read once: each read through the existential copies it.
        let head: HTTPResponseHead
        let candidate: RouteCandidate?
    }

    /// Sends the request to each candidate in turn, the body replayed byte for byte with that
    /// candidate's model spliced in. Each attempt goes into `entry` (log and metrics) and onto
    /// the board (cooling). The last candidate's answer is returned whatever its status; when
    /// no attempt got a response head, the last one's error is thrown as the client's 502/504.
    /// - Parameters:
    ///   - usageSplice: the include_usage field the proxy adds to every attempt's body (§9).
    ///   - candidates: empty for a request without a model.
    func attempt(
        _ request: ServerRequest, target: String, path: String, modelRoute: Bool, body: [UInt8]?, field: ModelField?,
        usageSplice: BodySplice,
        candidates: [RouteCandidate], rules: ProxyRules, _ entry: inout RequestLogEntry
    ) async throws -> Settled {
        let count = max(candidates.count, 1)
        for index in 0..<count {
            let candidate = candidates.isEmpty ? nil : candidates[index]
            let isLast = index == count - 1
            let endpoint = candidate.flatMap { rules.endpoints[$0.provider] } ?? rules.fallbackEndpoint
            let payload = body.map { rewrite($0, field: field, to: candidate?.upstreamModel, adding: usageSplice) } ?? .empty
            var head = HTTPRequestHead(
                method: request.head.method, target: endpoint.url.basePath + target,
                headers: HeaderPolicy.upstreamRequest(
                    request.head.headers, credential: endpoint.credential, upstreamAuthority: endpoint.url.authority,
                    clientAddress: request.remoteHost, bodyLength: body == nil ? nil : payload.count,
                    // The alias entries are spliced into the listing's bytes, and an answer's usage
                    // is read from its bytes (SPEC §9): neither can be compressed.
                    identityOnly: modelRoute || path == "/v1/models"))
            head.version = .http1_1
            // The wait on the upstream runs from here (connecting or taking a pooled connection,
            // then writing the request) until its response head has been read.
            let sent = Deadline.now
            let answer: any UpstreamAnswer
            do {
                answer = try await endpoint.transport.request(head, body: payload, on: request.clientSocket.loop, watching: request.clientSocket)
            } catch let error as HTTPClientError {
                entry.addUpstreamWait(since: sent)
                let (outcome, boardOutcome, movesOn): (UpstreamOutcome, UpstreamBoard.Outcome, Bool) = switch error {
                case .unreachable(let reason): (.unreachable, .unreachable(reason), true)
                case .responseTimeout(let reason): (.timeout, .timeout(reason), true)
                case .badResponse(let reason): (.broken, .broken(reason), false)
                }
                entry.attempts.append(UpstreamAttempt(model: candidate?.model, provider: endpoint.name, outcome: outcome, status: nil))
                if let candidate { board.record(model: candidate.model, provider: candidate.provider, boardOutcome, on: request.clientSocket.loop) }
                if movesOn && !isLast { continue }
                // The client learns whose fault it was; the address and the reason are the log's.
                let detail = "\(endpoint.url): \(error.description)"
                switch error {
                case .unreachable: throw APIError(.upstreamUnreachable, "the upstream is unreachable", logDetail: detail)
                case .responseTimeout: throw APIError(.upstreamTimeout, "the upstream did not answer in time", logDetail: detail)
                case .badResponse: throw APIError(.upstreamUnreachable, "the upstream broke off its answer", logDetail: detail)
                }
            }
            entry.addUpstreamWait(since: sent)
            let answerHead = answer.head
            let status = answerHead.status
            entry.attempts.append(UpstreamAttempt(model: candidate?.model, provider: endpoint.name, outcome: UpstreamOutcome(status: status), status: status))
            if let candidate {
                // Only a failure can cool anything, so only then is `Retry-After` looked for.
                let retryAfter = status >= 400 ? answerHead.headers["retry-after"] : nil
                board.record(model: candidate.model, provider: candidate.provider, .status(status, retryAfter: retryAfter), on: request.clientSocket.loop)
            }
            if !isLast && Self.movesOn(status: status) {
                answer.close()
                continue
            }
            return Settled(answer: answer, head: answerHead, candidate: candidate)
        }
        preconditionFailure("the last attempt returns or throws")
    }

    /// A rewritten body up to this size is copied into one array; a larger one is sent as the
    /// runs around the new value, so a megabyte is not copied to change a few bytes.
    static let copiedRewriteLimit = 64 * 1024

    /// `body` with its model replaced by `model` and `usage` applied; every other byte as the
    /// client sent it.
    private func rewrite(_ body: [UInt8], field: ModelField?, to model: String?, adding usage: BodySplice) -> RequestBody {
        var splice = usage
        if let field, let model, model != field.value { splice = field.splice(to: model, adding: usage) }
        guard !splice.isEmpty else { return .bytes(body) }
        if body.count <= Self.copiedRewriteLimit { return .bytes(splice.applied(to: body)) }
        return .runs(splice.runs(of: body))
    }
}
