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

    /// Client fields the upstream never sees, besides the hop-by-hop ones: the client's
    /// credentials, forwarding claims anyone can forge, and framing we set ourselves. (`Expect`:
    /// the body is read in full already, so the upstream must not wait for a 100 Continue.)
    static let strippedFromRequests = ["authorization", "x-api-key", "forwarded", "expect", "content-length"]

    /// The headers for the upstream request; every field not named here passes unchanged, in order.
    static func upstreamRequest(
        _ client: HTTPHeaders, upstreamKey: String?, upstreamAuthority: String, clientAddress: String?, bodyLength: Int?
    ) -> HTTPHeaders {
        var headers = client
        let named = connectionOptions(client)
        headers.remove { name in
            matches(name, hopByHop) || matches(name, strippedFromRequests) || matches(name, named)
                || name.utf8.count > 12 && HTTPSyntax.equalsIgnoringCase(name.utf8.prefix(12), "x-forwarded-".utf8)
        }
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
        let named = connectionOptions(upstream)
        headers.remove { name in
            matches(name, hopByHop) || matches(name, named) || streamed && HTTPSyntax.equalsIgnoringCase(name.utf8, "content-length".utf8)
        }
        if streamed {
            headers.replaceOrAdd(name: "Cache-Control", value: "no-cache")
            headers.replaceOrAdd(name: "X-Accel-Buffering", value: "no")
        }
        return headers
    }

    /// The field names listed in `Connection` (RFC 9110 §7.6.1), which are hop-by-hop too.
    private static func connectionOptions(_ headers: HTTPHeaders) -> [String] {
        var named: [String] = []
        for value in headers.values(named: "connection") {
            HTTPSyntax.forEachListElement(in: value) { element in
                if !element.isEmpty { named.append(String(decoding: element, as: UTF8.self)) }
            }
        }
        return named
    }

    private static func matches(_ name: String, _ list: [String]) -> Bool {
        list.contains { HTTPSyntax.equalsIgnoringCase(name.utf8, $0.utf8) }
    }
}
