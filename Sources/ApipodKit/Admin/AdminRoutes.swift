/// The admin HTTP API of the original service and the gateways it learnt from:
/// `POST /admin/create-key`, `GET /admin/keys`, `POST /admin/keys/{id}/disable|enable`, the
/// upstream board, `GET /admin/upstreams` (or `/admin/fallback`; `UpstreamsRoute`),
/// `GET /admin/usage[/daily]` (`AdminUsageRoutes`), and the limit routes of `LimitRoutes.swift`.
/// Off (404) unless an admin secret is configured; the secret in `x-admin-secret` is compared
/// in constant time. Never returns a full key except once, from `create-key`. The dashboard's
/// page (`DashboardPage`) is served here too, without the secret; its API calls need it.
struct AdminRoutes: Sendable {
    let secretDigest: [UInt8]
    let writer: KeyStoreWorker
    let authenticator: KeyAuthenticator
    let board: UpstreamBoard
    /// `GET /admin/live`'s figures; nil when `METRICS=off`, and the route is then 404.
    let live: (@Sendable () async -> LiveFigures)?

    init(
        secret: String, writer: KeyStoreWorker, authenticator: KeyAuthenticator, board: UpstreamBoard,
        live: (@Sendable () async -> LiveFigures)?
    ) {
        secretDigest = SHA256.hash(secret)
        self.writer = writer
        self.authenticator = authenticator
        self.board = board
        self.live = live
    }

    /// Answers an `/admin/…` request; the status goes into `entry` for the log.
    func handle(_ request: ServerRequest, path: String, _ response: ResponseWriter, _ entry: inout RequestLogEntry) async throws {
        if try await DashboardPage.answer(request, path: path, response, &entry) { return }
        guard let presented = request.head.headers["x-admin-secret"] else {
            throw APIError(.missingKey, "the admin API needs the x-admin-secret header")
        }
        // Comparing digests takes the same time whatever the secret's length or content.
        guard Self.constantTimeEqual(SHA256.hash(presented), secretDigest) else {
            throw APIError(.invalidKey, "wrong admin secret")
        }
        let method = request.head.method
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        let now = Timestamp.now()
        switch (method, parts.count) {
        case ("POST", 2) where parts[1] == "create-key":
            let body = try await request.collectBody()
            entry.bytesIn = body.count
            let order = try CreateKeyRequest(body: body)
            let key = try APIKey.generate()
            let record = try await writer.perform { store throws(StorageError) in
                try store.insert(key, name: order.name, tier: order.tier, lifetime: order.lifetime, limits: order.limits, now: now)
            }
            authenticator.invalidate()
            try await respond(response, status: 201, .object([
                ("api_key", .string(key.text)), ("name", .string(record.name)), ("tier", .string(record.tier)),
                ("created_at", .string(record.createdAt.rfc3339)),
                ("expires_at", record.expiresAt.map { .string($0.rfc3339) } ?? .null),
                ("id", .integer(record.id)),
                ("limits", record.limits.json), ("effective_limits", record.effectiveLimits.json),
            ]), &entry)
        case ("GET", 2) where parts[1] == "keys":
            let records = try await writer.perform { store throws(StorageError) in try store.listKeys() }
            try await respond(response, status: 200, .object([("keys", .array(records.map { $0.json(at: now) }))]), &entry)
        case ("POST", 4) where parts[1] == "keys" && (parts[3] == "disable" || parts[3] == "enable"):
            guard let id = Int64(parts[2]) else { throw APIError(.notFound, "no key with id '\(parts[2])'") }
            let active = parts[3] == "enable"
            let record = try await writer.perform { store throws(StorageError) -> KeyRecord? in
                guard try store.key(id: id) != nil else { return nil }
                return try store.setActive(active, id: id)
            }
            guard let record else { throw APIError(.notFound, "no key with id \(id)") }
            authenticator.invalidate()
            try await respond(response, status: 200, record.json(at: now), &entry)
        case ("GET", 2) where parts[1] == "upstreams" || parts[1] == "fallback":
            try await respond(response, status: 200, UpstreamsRoute.json(board), &entry)
        case ("GET", 2) where parts[1] == "live":
            guard let live else { throw APIError(.notFound, "live figures come from the metrics, which are off (METRICS=off)") }
            try await respond(response, status: 200, await live().json, &entry)
        case ("GET", 2...3) where parts[1] == "usage":
            let json = try await AdminUsageRoutes(writer: writer)
                .answer(parts, query: AdminUsageRoutes.parameters(of: request.head.target), now: now)
            try await respond(response, status: 200, json, &entry)
        default:
            guard try await handleLimitRoute(request, method: method, parts: parts, response, &entry) else {
                throw APIError(.notFound, "no admin route \(method) \(path)")
            }
        }
    }

    func respond(_ response: ResponseWriter, status: Int, _ json: JSONOutput, _ entry: inout RequestLogEntry) async throws {
        var head = HTTPResponseHead(status: status)
        head.headers.add(name: "Content-Type", value: "application/json")
        let body = Array(json.rendered().utf8)
        try await response.send(head, body: body)
        entry.status = status
        entry.bytesOut = body.count
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
