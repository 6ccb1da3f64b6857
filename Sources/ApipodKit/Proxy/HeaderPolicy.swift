/// Which headers cross the proxy, in each direction.
///
/// Hop-by-hop headers describe one connection, not the message, so they never cross
/// (RFC 9110 §7.6.1): first every field the `Connection` header names, then the fixed list
/// Go's `httputil.ReverseProxy` also removes. Credentials are swapped: the client's key is for
/// this proxy, the upstream gets ours. `X-Forwarded-*`, `Forwarded` and the other client-address
/// claims (`X-Real-IP`, `True-Client-IP`, `CF-Connecting-IP`) from the client are dropped
/// (anyone can write them) and replaced by our own `X-Forwarded-For`.
enum HeaderPolicy {
    static let hopByHop: [StaticString] = [
        "connection", "proxy-connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
        "te", "trailer", "transfer-encoding", "upgrade",
    ]

    /// Client fields the upstream never sees, besides the hop-by-hop ones: the client's
    /// credentials, forwarding and address claims anyone can forge, and framing we set ourselves. (`Expect`:
    /// the body is read in full already, so the upstream must not wait for a 100 Continue.)
    static let strippedFromRequests: [StaticString] = [
        "authorization", "x-api-key", "forwarded", "expect", "content-length",
        "x-real-ip", "true-client-ip", "cf-connecting-ip",
    ]

    /// The headers for the upstream request; every field not named here passes unchanged, in order.
    /// Built as a new section, each kept field copied as bytes, rather than by editing a copy
    /// of the client's.
    /// - Parameter identityOnly: leave out `Accept-Encoding`, so the answer comes uncompressed
    ///   (its bytes are read for usage, or changed).
    static func upstreamRequest(
        _ client: HTTPHeaders, credential: UpstreamCredential?, upstreamAuthority: String, clientAddress: String?, bodyLength: Int?,
        identityOnly: Bool = false
    ) -> HTTPHeaders {
        let connection = ConnectionOptions(client)
        var headers = HTTPHeaders()
        headers.reserveCapacity(client.count + 4)
        var hostWritten = false
        for index in client.indices {
            if client.nameMatches(at: index, "host") {
                if !hostWritten { headers.add(name: "Host", value: upstreamAuthority) }
                hostWritten = true
                continue
            }
            if matches(client, index, hopByHop) || matches(client, index, strippedFromRequests)
                || connection.names(client, index) || isForwardingClaim(client, index)
                || (identityOnly && client.nameMatches(at: index, "accept-encoding")) {
                continue
            }
            headers.append(fieldAt: index, of: client)
        }
        if !hostWritten { headers.add(name: "Host", value: upstreamAuthority) }
        if let bodyLength { headers.add(name: "Content-Length", value: String(bodyLength)) }
        if let credential { headers.add(name: credential.name, value: credential.value) }
        if let clientAddress { headers.add(name: "X-Forwarded-For", value: clientAddress) }
        return headers
    }

    /// The headers for the client's response. Without a known length the body is streamed, so
    /// caches and buffering proxies in front (nginx honours `X-Accel-Buffering`) are told not to hold it.
    static func clientResponse(_ upstream: HTTPHeaders, streamed: Bool) -> HTTPHeaders {
        let connection = ConnectionOptions(upstream)
        var headers = HTTPHeaders()
        headers.reserveCapacity(upstream.count + 2)
        var cacheControlWritten = false, accelWritten = false
        for index in upstream.indices {
            if matches(upstream, index, hopByHop) || connection.names(upstream, index) { continue }
            if streamed {
                if upstream.nameMatches(at: index, "content-length") { continue }
                if upstream.nameMatches(at: index, "cache-control") {
                    if !cacheControlWritten { headers.add(name: "Cache-Control", value: "no-cache") }
                    cacheControlWritten = true
                    continue
                }
                if upstream.nameMatches(at: index, "x-accel-buffering") {
                    if !accelWritten { headers.add(name: "X-Accel-Buffering", value: "no") }
                    accelWritten = true
                    continue
                }
            }
            headers.append(fieldAt: index, of: upstream)
        }
        if streamed && !cacheControlWritten { headers.add(name: "Cache-Control", value: "no-cache") }
        if streamed && !accelWritten { headers.add(name: "X-Accel-Buffering", value: "no") }
        return headers
    }

    /// The field names listed in `Connection` (RFC 9110 §7.6.1), which are hop-by-hop too.
    /// Most messages list only `keep-alive` or `close`, which the fixed list covers already, so
    /// the per-field lookup runs only when another name is listed; nothing is allocated.
    private struct ConnectionOptions {
        private let listsOtherNames: Bool

        init(_ headers: HTTPHeaders) {
            var other = false
            for index in headers.indices where headers.nameMatches(at: index, "connection") {
                headers.withField(at: index) { _, value in
                    HTTPSyntax.forEachListElement(in: value) { element in
                        if element.isEmpty || HTTPSyntax.equalsIgnoringCase(element, "close".utf8) { return }
                        if !HeaderPolicy.hopByHop.contains(where: { name in
                            name.withUTF8Buffer { HTTPSyntax.equalsIgnoringCase(element, $0) }
                        }) { other = true }
                    }
                }
            }
            listsOtherNames = other
        }

        /// Whether `Connection` lists the name of field `index`.
        func names(_ headers: HTTPHeaders, _ index: Int) -> Bool {
            guard listsOtherNames else { return false }
            return headers.withField(at: index) { name, _ in headers.containsToken(name, inField: "connection") }
        }
    }

    private static func matches(_ headers: HTTPHeaders, _ index: Int, _ list: [StaticString]) -> Bool {
        list.contains { headers.nameMatches(at: index, $0) }
    }

    /// `X-Forwarded-For`, `-Host`, `-Proto` and the rest: claims about earlier hops that anyone
    /// can write.
    private static func isForwardingClaim(_ headers: HTTPHeaders, _ index: Int) -> Bool {
        let prefix: StaticString = "x-forwarded-"
        return headers.withField(at: index) { name, _ in
            prefix.withUTF8Buffer { prefix in
                name.count > prefix.count
                    && HTTPSyntax.equalsIgnoringCase(UnsafeBufferPointer(rebasing: name[..<prefix.count]), prefix)
            }
        }
    }
}

/// How a provider is shown its key: `x-api-key: K`, or `Authorization: Bearer K`. Built once
/// per provider, so a request adds one ready field.
struct UpstreamCredential: Sendable, Equatable {
    let name: String
    let value: String

    init(auth: ProviderRoute.Auth, key: String) {
        switch auth {
        case .xAPIKey: (name, value) = ("x-api-key", key)
        case .bearer: (name, value) = ("Authorization", "Bearer " + key)
        }
    }
}
