/// The body of `POST /admin/create-key`, in the original service's shape:
/// `{"name": "alice", "tier": "elite", "expires_in": 30}` (days, may be fractional), and the
/// key's own limits `rpm`, `concurrency`, `daily_tokens` (whole numbers or null).
struct CreateKeyRequest: Equatable {
    let name: String
    let tier: String
    let lifetime: KeyLifetime?
    let limits: KeyLimits

    init(body: [UInt8]) throws(APIError) {
        let document: JSONValue
        do { document = try JSONValue.parse(body) } catch { throw APIError(.badRequest, "the body is \(error.description)") }
        guard case .object(let fields) = document else { throw APIError(.badRequest, "the body must be a JSON object") }
        let known = ["name", "tier", "expires_in"] + LimitKind.allCases.map(\.field)
        for field in fields.keys.sorted() where !known.contains(field) {
            throw APIError(.badRequest, "unknown field '\(field)'; expected \(known.joined(separator: ", "))")
        }
        guard case .string(let name)? = fields["name"], !name.isEmpty else {
            throw APIError(.badRequest, "'name' is required and must be a non-empty string")
        }
        self.name = name
        switch fields["tier"] {
        case nil, .null?: tier = defaultTier
        case .string(let value)?: tier = value
        default: throw APIError(.badRequest, "'tier' must be a string")
        }
        switch fields["expires_in"] {
        case nil, .null?: lifetime = nil
        case .number(let days)?:
            do { lifetime = try KeyLifetime(days: days) } catch { throw APIError(.badRequest, "'expires_in': \(error.description)") }
        default: throw APIError(.badRequest, "'expires_in' must be a number of days")
        }
        limits = KeyLimits.none.applying(try AdminRoutes.limitsChange(fields))
    }
}
