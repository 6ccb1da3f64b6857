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
    /// Built as a new section rather than by editing a copy of the client's, which would copy
    /// every field first.
    static func upstreamRequest(
        _ client: HTTPHeaders, upstreamKey: String?, upstreamAuthority: String, clientAddress: String?, bodyLength: Int?
    ) -> HTTPHeaders {
        let connection = ConnectionOptions(client)
        var headers = HTTPHeaders()
        headers.reserveCapacity(client.count + 3)
        var hostWritten = false
        for field in client {
            let name = field.name
            if matches(name, "host") {
                if !hostWritten { headers.add(name: "Host", value: upstreamAuthority) }
                hostWritten = true
                continue
            }
            if matches(name, hopByHop) || matches(name, strippedFromRequests) || connection.names(name)
                || name.utf8.count > 12 && HTTPSyntax.equalsIgnoringCase(name.utf8.prefix(12), "x-forwarded-".utf8) {
                continue
            }
            headers.add(name: name, value: field.value)
        }
        if !hostWritten { headers.add(name: "Host", value: upstreamAuthority) }
        if let bodyLength { headers.add(name: "Content-Length", value: String(bodyLength)) }
        if let upstreamKey { headers.add(name: "x-api-key", value: upstreamKey) }
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
        for field in upstream {
            let name = field.name
            if matches(name, hopByHop) || connection.names(name) { continue }
            if streamed {
                if matches(name, "content-length") { continue }
                if matches(name, "cache-control") {
                    if !cacheControlWritten { headers.add(name: "Cache-Control", value: "no-cache") }
                    cacheControlWritten = true
                    continue
                }
                if matches(name, "x-accel-buffering") {
                    if !accelWritten { headers.add(name: "X-Accel-Buffering", value: "no") }
                    accelWritten = true
                    continue
                }
            }
            headers.add(name: name, value: field.value)
        }
        if streamed && !cacheControlWritten { headers.add(name: "Cache-Control", value: "no-cache") }
        if streamed && !accelWritten { headers.add(name: "X-Accel-Buffering", value: "no") }
        return headers
    }

    /// The field names listed in `Connection` (RFC 9110 §7.6.1), which are hop-by-hop too.
    /// Most messages list only `keep-alive` or `close`, which the fixed list covers already, so
    /// the per-field lookup runs only when another name is listed; nothing is allocated.
    private struct ConnectionOptions {
        private let headers: HTTPHeaders
        private let listsOtherNames: Bool

        init(_ headers: HTTPHeaders) {
            self.headers = headers
            var other = false
            for field in headers where HeaderPolicy.matches(field.name, "connection") {
                HTTPSyntax.forEachListElement(in: field.value) { element in
                    if element.isEmpty || HTTPSyntax.equalsIgnoringCase(element, "close".utf8) { return }
                    if !HeaderPolicy.hopByHop.contains(where: { HTTPSyntax.equalsIgnoringCase(element, $0.utf8) }) { other = true }
                }
            }
            listsOtherNames = other
        }

        func names(_ name: String) -> Bool {
            listsOtherNames && headers.containsToken(name, inField: "connection")
        }
    }

    private static func matches(_ name: String, _ list: [String]) -> Bool {
        list.contains { matches(name, $0) }
    }

    /// Case-insensitive equality; the byte counts (known without a scan) rule out most pairs.
    fileprivate static func matches(_ name: String, _ candidate: String) -> Bool {
        name.utf8.count == candidate.utf8.count && HTTPSyntax.equalsIgnoringCase(name.utf8, candidate.utf8)
    }
}
