import Synchronization

/// `GET /v1/models` when the routes file has providers or models (SPEC §8): every provider's
/// listing, each fetched at most once a minute, merged without repeats, plus the aliases and the
/// `models` entries the providers do not list. A provider that fails is left out; when none
/// answers, the listing is a 502. (With only aliases configured, the one upstream's listing is
/// relayed byte for byte with the aliases spliced in, as before: `ModelListing`.)
///
/// Shared by the event loops; the cache is owned by its mutex, held only to read or store an entry.
final class ModelCatalog: Sendable {
    static let lifetime: Duration = .seconds(60)
    /// A listing larger than this is treated as a failure of its provider.
    static let maximumListingBytes = 16 << 20

    private struct Cached {
        let expires: Deadline
        /// The provider's URL when it was fetched: a reload that moves the provider refetches.
        let url: UpstreamURL
        let entries: [JSONValue]
    }

    /// By provider name and dialect.
    private let cache = Mutex<[String: Cached]>([:])

    /// The merged listing in the caller's dialect (Anthropic's when the request carried
    /// `anthropic-version`), or nil when no provider answered.
    func listing(_ request: ServerRequest, rules: ProxyRules) async throws -> [UInt8]? {
        let anthropicVersion = request.head.headers["anthropic-version"]
        var merged: [JSONValue] = []
        var seen: Set<String> = []
        var answered = false
        for name in [ProviderRoute.defaultName] + rules.table.providers.keys.sorted() {
            guard let endpoint = rules.endpoints[name],
                  let listed = try await entries(of: endpoint, anthropicVersion: anthropicVersion, request: request)
            else { continue }
            answered = true
            for entry in listed {
                guard case .object(let members) = entry, case .string(let id)? = members["id"], seen.insert(id).inserted else { continue }
                merged.append(entry)
            }
        }
        guard answered else { return nil }
        let ours = rules.table.aliasNames + rules.table.models.keys.sorted()
        var listed = merged.map(Self.output)
        for name in ours where seen.insert(name).inserted {
            listed.append(ModelListing.entry(for: name, anthropic: anthropicVersion != nil))
        }
        let document: JSONOutput = if anthropicVersion != nil {
            .object([
                ("data", .array(listed)), ("has_more", .bool(false)),
                ("first_id", Self.id(of: listed.first)), ("last_id", Self.id(of: listed.last)),
            ])
        } else {
            .object([("object", .string("list")), ("data", .array(listed))])
        }
        return Array(document.rendered().utf8)
    }

    /// One provider's `data` entries, from the cache or fetched; nil when it did not answer a
    /// readable listing.
    private func entries(of endpoint: ProviderEndpoint, anthropicVersion: String?, request: ServerRequest) async throws -> [JSONValue]? {
        let key = endpoint.name + (anthropicVersion == nil ? " openai" : " anthropic")
        let now = Deadline.now
        if let cached = cache.withLock({ $0[key] }), cached.url == endpoint.url, now.uptimeNanoseconds < cached.expires.uptimeNanoseconds {
            return cached.entries
        }
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: endpoint.url.authority)
        headers.add(name: "Accept", value: "application/json")
        if let anthropicVersion { headers.add(name: "anthropic-version", value: anthropicVersion) }
        if let credential = endpoint.credential { headers.add(name: credential.name, value: credential.value) }
        var head = HTTPRequestHead(method: "GET", target: endpoint.url.basePath + "/v1/models", headers: headers)
        head.version = .http1_1
        var body: [UInt8] = []
        do {
            let answer = try await endpoint.transport.request(head, body: .empty, on: request.clientSocket.loop, watching: request.clientSocket)
            guard answer.head.status == 200, answer.head.headers["content-encoding"].map({ $0.lowercased() == "identity" }) ?? true else {
                answer.close()
                return nil
            }
            while let piece = try await answer.nextPiece(watching: request.clientSocket) {
                body.append(contentsOf: piece)
                if body.count > Self.maximumListingBytes {
                    answer.close()
                    return nil
                }
            }
        } catch is HTTPClientError {
            return nil
        }
        guard case .object(let root)? = try? JSONValue.parse(body), case .array(let entries)? = root["data"] else { return nil }
        cache.withLock { $0[key] = Cached(expires: .after(Self.lifetime), url: endpoint.url, entries: entries) }
        return entries
    }

    private static func id(of entry: JSONOutput?) -> JSONOutput {
        guard case .object(let members)? = entry, let id = members.first(where: { $0.0 == "id" }) else { return .null }
        return id.1
    }

    /// A parsed value written out again: members sorted by name, whole numbers as integers.
    static func output(_ value: JSONValue) -> JSONOutput {
        switch value {
        case .null: .null
        case .bool(let flag): .bool(flag)
        case .number(let number):
            number == number.rounded() && abs(number) < 0x1p53 ? .integer(Int64(number)) : .number(number)
        case .string(let text): .string(text)
        case .array(let items): .array(items.map(output))
        case .object(let members): .object(members.keys.sorted().map { ($0, output(members[$0]!)) })
        }
    }
}
