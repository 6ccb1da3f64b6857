/// Which headers cross the proxy, in each direction.
///
/// Hop-by-hop headers describe one connection, not the message, so they never cross
/// (RFC 9110 §7.6.1): first every field the `Connection` header names, then the fixed list
/// Go's `httputil.ReverseProxy` also removes. Credentials are swapped: the client's key is for
/// this proxy, the upstream gets ours. `X-Forwarded-*` and `Forwarded` from the client are
/// dropped (anyone can write them) and replaced by our own `X-Forwarded-For`.
enum HeaderPolicy {
    static let hopByHop = [
        "connection", "proxy-connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
        "te", "trailer", "transfer-encoding", "upgrade",
    ]

    /// The headers for the upstream request; every field not named here passes unchanged, in order.
    static func upstreamRequest(
        _ client: HTTPHeaders, upstreamKey: String?, upstreamAuthority: String, clientAddress: String?, bodyLength: Int?
    ) -> HTTPHeaders {
        var headers = client
        removeHopByHop(&headers)
        headers.remove(named: "authorization")
        headers.remove(named: "x-api-key")
        headers.remove(named: "forwarded")
        headers.remove { name in name.utf8.count > 12 && HTTPSyntax.equalsIgnoringCase(name.utf8.prefix(12), "x-forwarded-".utf8) }

        // The body is already read in full: the upstream must not wait for a 100 Continue.
        headers.remove(named: "expect")
        headers.remove(named: "content-length")
        headers.replaceOrAdd(name: "Host", value: upstreamAuthority)
        if let bodyLength { headers.add(name: "Content-Length", value: String(bodyLength)) }
        if let upstreamKey { headers.add(name: "x-api-key", value: upstreamKey) }
        if let clientAddress { headers.add(name: "X-Forwarded-For", value: clientAddress) }
        return headers
    }

    /// The headers for the client's response. Without a known length the body is streamed, so
    /// caches and buffering proxies in front (nginx honours `X-Accel-Buffering`) are told not to hold it.
    static func clientResponse(_ upstream: HTTPHeaders, streamed: Bool) -> HTTPHeaders {
        var headers = upstream
        removeHopByHop(&headers)
        if streamed {
            headers.remove(named: "content-length")
            headers.replaceOrAdd(name: "Cache-Control", value: "no-cache")
            headers.replaceOrAdd(name: "X-Accel-Buffering", value: "no")
        }
        return headers
    }

    static func removeHopByHop(_ headers: inout HTTPHeaders) {
        var named: [String] = []
        for value in headers.values(named: "connection") {
            HTTPSyntax.forEachListElement(in: value) { element in
                if !element.isEmpty { named.append(String(decoding: element, as: UTF8.self)) }
            }
        }
        for name in named + hopByHop { headers.remove(named: name) }
    }
}
