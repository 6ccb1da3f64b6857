/// Which headers cross the proxy, in each direction.
///
/// Hop-by-hop headers describe one connection, not the message, so they never cross
/// (RFC 9110 §7.6.1): first every field the `Connection` header names, then the fixed list
/// Go's `httputil.ReverseProxy` also removes. Credentials are swapped: the client's key is for
/// this proxy, the upstream gets ours. `X-Forwarded-*`, `Forwarded` and the other client-address
/// claims (`X-Real-IP`, `True-Client-IP`, `CF-Connecting-IP`) from the client are dropped
/// (anyone can write them) and replaced by our own `X-Forwarded-For`.
enum HeaderPolicy {
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
            switch client.withField(at: index, { name, _ in FieldName(name) }) {
            case .host:
                if !hostWritten { headers.add(name: "Host", value: upstreamAuthority) }
                hostWritten = true
                continue
            case .hopByHop, .contentLength, .strippedFromRequests, .forwardingClaim:
                continue
            case .acceptEncoding where identityOnly:
                continue
            case .acceptEncoding, .cacheControl, .accelBuffering, .other:
                if connection.names(client, index) { continue }
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
            let name = upstream.withField(at: index) { name, _ in FieldName(name) }
            if name == .hopByHop || connection.names(upstream, index) { continue }
            if streamed {
                switch name {
                case .contentLength:
                    continue
                case .cacheControl:
                    if !cacheControlWritten { headers.add(name: "Cache-Control", value: "no-cache") }
                    cacheControlWritten = true
                    continue
                case .accelBuffering:
                    if !accelWritten { headers.add(name: "X-Accel-Buffering", value: "no") }
                    accelWritten = true
                    continue
                default:
                    break
                }
            }
            headers.append(fieldAt: index, of: upstream)
        }
        if streamed && !cacheControlWritten { headers.add(name: "Cache-Control", value: "no-cache") }
        if streamed && !accelWritten { headers.add(name: "X-Accel-Buffering", value: "no") }
        return headers
    }

    /// What a field's name is to the two policies above, decided once per field: by its
    /// length, then by comparing with the one or two names of that length. (Comparing every
    /// field with each of the lists, name by name, had cost some 250 instructions a field.)
    enum FieldName: Equatable {
        case host
        /// Connection, Proxy-Connection, Keep-Alive, Proxy-Authenticate, Proxy-Authorization, TE,
        /// Trailer, Transfer-Encoding, Upgrade.
        case hopByHop
        case contentLength
        /// Client fields the upstream never sees, besides the hop-by-hop ones and Content-Length
        /// (framing we set ourselves): the client's credentials (`Authorization`, `x-api-key`),
        /// forwarding and address claims anyone can forge (`Forwarded`, `X-Real-IP`,
        /// `True-Client-IP`, `CF-Connecting-IP`), and `Expect`: the body is read in full
        /// already, so the upstream must not wait for a 100 Continue.
        case strippedFromRequests
        /// `X-Forwarded-For`, `-Host`, `-Proto` and the rest: claims about earlier hops that
        /// anyone can write.
        case forwardingClaim
        case acceptEncoding, cacheControl, accelBuffering
        case other

        init(_ name: UnsafeBufferPointer<UInt8>) {
            func isNamed(_ known: StaticString) -> Bool {
                known.withUTF8Buffer { HTTPSyntax.equalsIgnoringCase(name, $0) }
            }
            switch name.count {
            case 2 where isNamed("te"), 7 where isNamed("trailer") || isNamed("upgrade"),
                 10 where isNamed("connection") || isNamed("keep-alive"), 16 where isNamed("proxy-connection"),
                 17 where isNamed("transfer-encoding"), 18 where isNamed("proxy-authenticate"),
                 19 where isNamed("proxy-authorization"):
                self = .hopByHop
            case 4 where isNamed("host"):
                self = .host
            case 14 where isNamed("content-length"):
                self = .contentLength
            case 6 where isNamed("expect"), 9 where isNamed("x-api-key") || isNamed("forwarded") || isNamed("x-real-ip"),
                 13 where isNamed("authorization"), 14 where isNamed("true-client-ip"), 16 where isNamed("cf-connecting-ip"):
                self = .strippedFromRequests
            case 15 where isNamed("accept-encoding"):
                self = .acceptEncoding
            case 13 where isNamed("cache-control"):
                self = .cacheControl
            case 17 where isNamed("x-accel-buffering"):
                self = .accelBuffering
            default:
                let prefix: StaticString = "x-forwarded-"
                let claim = name.count > prefix.utf8CodeUnitCount && prefix.withUTF8Buffer { prefix in
                    HTTPSyntax.equalsIgnoringCase(UnsafeBufferPointer(rebasing: name[..<prefix.count]), prefix)
                }
                self = claim ? .forwardingClaim : .other
            }
        }
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
                        if FieldName(element) != .hopByHop { other = true }
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
