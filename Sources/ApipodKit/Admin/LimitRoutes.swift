/// The admin API's limit routes (SPEC §10): `POST /admin/keys/{id}/limits` and
/// `GET /admin/tiers`. Changes are written by the write worker and the key cache is emptied at
/// once, so the next request is judged by the new limits.
extension AdminRoutes {
    /// Answers `path` if it is a limit route and returns true; false leaves it to the caller.
    func handleLimitRoute(
        _ request: ServerRequest, method: String, parts: [Substring], _ response: ResponseWriter, _ entry: inout RequestLogEntry
    ) async throws -> Bool {
        switch (method, parts.count) {
        case ("POST", 4) where parts[1] == "keys" && parts[3] == "limits":
            guard let id = Int64(parts[2]) else { throw APIError(.notFound, "no key with id '\(parts[2])'") }
            let body = try await request.collectBody()
            entry.bytesIn = body.count
            let change = try Self.limitsChange(body: body)
            let record = try await writer.perform { store throws(StorageError) -> KeyRecord? in
                guard try store.key(id: id) != nil else { return nil }
                return try store.updateLimits(change, id: id)
            }
            guard let record else { throw APIError(.notFound, "no key with id \(id)") }
            authenticator.invalidate()
            try await respond(response, status: 200, record.json(at: .now()), &entry)
            return true
        case ("GET", 2) where parts[1] == "tiers":
            let tiers = try await writer.perform { store throws(StorageError) in try store.listTiers() }
            try await respond(response, status: 200, .object([("tiers", .array(tiers.map(\.json)))]), &entry)
            return true
        default:
            return false
        }
    }

    /// `{"rpm": 60, "daily_tokens": null}`: the fields present change, null clears one.
    static func limitsChange(body: [UInt8]) throws(APIError) -> KeyLimitsChange {
        let document: JSONValue
        do { document = try JSONValue.parse(body) } catch { throw APIError(.badRequest, "the body is \(error.description)") }
        guard case .object(let fields) = document else { throw APIError(.badRequest, "the body must be a JSON object") }
        let known = LimitKind.allCases.map(\.field)
        for field in fields.keys.sorted() where !known.contains(field) {
            throw APIError(.badRequest, "unknown field '\(field)'; expected \(known.joined(separator: ", "))")
        }
        return try limitsChange(fields)
    }

    /// The limit fields among `fields`, each an integer in its kind's range or null.
    static func limitsChange(_ fields: [String: JSONValue]) throws(APIError) -> KeyLimitsChange {
        var change = KeyLimitsChange()
        for kind in LimitKind.allCases {
            switch fields[kind.field] {
            case nil: continue
            case .null?: change.set(kind, nil)
            case .number(let number)? where number == number.rounded(.towardZero) && Double(kind.range.lowerBound) <= number
                && number <= Double(kind.range.upperBound):
                change.set(kind, Int(number))
            default:
                throw APIError(.badRequest, "'\(kind.field)' must be null or a whole number from \(kind.range.lowerBound) to \(kind.range.upperBound)")
            }
        }
        return change
    }
}

extension TierRecord {
    /// A tier as `GET /admin/tiers` and `tiers list --json` show it.
    public var json: JSONOutput {
        .object([("name", .string(name))] + limits.jsonMembers)
    }
}

extension KeyLimits {
    /// `rpm`, `concurrency`, `daily_tokens`, each a number or null (not set).
    var jsonMembers: [(String, JSONOutput)] {
        LimitKind.allCases.map { kind in (kind.field, self[kind].map { .integer(Int64($0)) } ?? .null) }
    }

    public var json: JSONOutput { .object(jsonMembers) }
}
