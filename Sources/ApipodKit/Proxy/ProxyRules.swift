import Synchronization

/// One provider ready to be sent to: its URL, its own transport (so its own keep-alive pool)
/// and its credential. A class: every attempt takes one, and a reference is one retain where
/// the fields would be several.
final class ProviderEndpoint: Sendable {
    let name: String
    let url: UpstreamURL
    let transport: any UpstreamTransport
    /// Nil when the provider has no key.
    let credential: UpstreamCredential?

    init(name: String, url: UpstreamURL, transport: any UpstreamTransport, credential: UpstreamCredential?) {
        self.name = name
        self.url = url
        self.transport = transport
        self.credential = credential
    }
}

/// The rules a request runs on: the routing table and a ready endpoint for every provider it
/// names, `default` included. Immutable; a reload builds a new one and swaps it in
/// (`RulesSlot`), so a request in flight finishes on the rules it started with.
final class ProxyRules: Sendable {
    let table: RoutingTable
    let endpoints: [String: ProviderEndpoint]
    /// The endpoint of `default`, kept apart: every model-less request goes there.
    let fallbackEndpoint: ProviderEndpoint

    /// - Parameters:
    ///   - previous: the rules being replaced; a provider whose URL is unchanged keeps its
    ///     transport and so its pooled connections.
    ///   - makeTransport: builds the transport of one provider's URL.
    init(
        _ configuration: ServerConfiguration, previous: ProxyRules?,
        makeTransport: (UpstreamURL) throws -> any UpstreamTransport
    ) rethrows {
        func endpoint(_ name: String, _ url: UpstreamURL, _ credential: UpstreamCredential?) throws -> ProviderEndpoint {
            let reused = previous?.endpoints[name].flatMap { $0.url == url ? $0.transport : nil }
            return ProviderEndpoint(name: name, url: url, transport: try reused ?? makeTransport(url), credential: credential)
        }
        let table = configuration.routing
        var endpoints: [String: ProviderEndpoint] = [:]
        let fallbackEndpoint = try endpoint(
            ProviderRoute.defaultName, configuration.upstream,
            configuration.upstreamKey.map { UpstreamCredential(auth: .xAPIKey, key: $0) })
        endpoints[ProviderRoute.defaultName] = fallbackEndpoint
        for (name, provider) in table.providers {
            let key = configuration.providerKeys.keys[name]
            endpoints[name] = try endpoint(name, provider.url, key.map { UpstreamCredential(auth: provider.auth, key: $0) })
        }
        self.table = table
        self.endpoints = endpoints
        self.fallbackEndpoint = fallbackEndpoint
    }
}

/// Where the current rules live: read once per request, replaced by a reload. The reference
/// is owned by its mutex, held only to copy or swap it — but a request does not take that
/// lock, which all loops would share: each loop keeps its own copy of the reference
/// (`LoopRules`) with the `generation` it was taken at, and takes the lock again only after a
/// replacement moved the generation on (one atomic load per request otherwise). A loop holds
/// the rules it last used until its next request, so replaced rules (and the pools of a
/// provider a reload removed) are released once every loop has moved on.
final class RulesSlot: Sendable {
    private let rules: Mutex<ProxyRules>
    /// Moved on by each replacement, after the new rules are in place.
    private let generation = Atomic<UInt64>(0)
    private let copies: PerLoop<LoopRules>

    init(_ rules: ProxyRules, loops: [EventLoop]) {
        self.rules = Mutex(rules)
        copies = PerLoop(loops) { LoopRules(rules) }
    }

    /// The rules of the moment, for work off the request path (a reload, pricing a batch).
    var current: ProxyRules { rules.withLock { $0 } }

    /// The rules of the moment, for a request on `loop` (the calling thread's loop). Never older
    /// than the last replacement finished before the call: the copy is refreshed whenever the
    /// generation differs from the one it was taken at.
    func current(on loop: EventLoop) -> ProxyRules {
        let copy = copies.on(loop)
        let latest = generation.load(ordering: .acquiring)
        if copy.generation != latest {
            copy.rules = current
            copy.generation = latest
        }
        return copy.rules
    }

    func replace(with new: ProxyRules) {
        rules.withLock { rules in
            rules = new
            generation.add(1, ordering: .releasing)
        }
    }
}

/// One loop's copy of the rules reference (see `RulesSlot`); touched only by that loop's thread.
final class LoopRules: @unchecked Sendable {
    // @unchecked: confined to the owning loop's thread (`PerLoop`).
    var rules: ProxyRules
    var generation: UInt64 = 0

    init(_ rules: ProxyRules) {
        self.rules = rules
    }
}
