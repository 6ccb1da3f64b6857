@testable import ApipodKit
import Testing

/// Each field's name is classified once (`HeaderPolicy.FieldName`), by its length and then its
/// bytes: every name the policies list is found in any case, and a name that merely shares a
/// length or a beginning with one is not.
@Suite struct HeaderFieldNameTests {
    static let named: [(String, HeaderPolicy.FieldName)] = [
        ("Host", .host), ("te", .hopByHop), ("Trailer", .hopByHop), ("UPGRADE", .hopByHop), ("Connection", .hopByHop),
        ("keep-alive", .hopByHop), ("Proxy-Connection", .hopByHop), ("Transfer-Encoding", .hopByHop),
        ("Proxy-Authenticate", .hopByHop), ("proxy-authorization", .hopByHop), ("Content-Length", .contentLength),
        ("Expect", .strippedFromRequests), ("X-API-Key", .strippedFromRequests), ("Forwarded", .strippedFromRequests),
        ("x-real-ip", .strippedFromRequests), ("Authorization", .strippedFromRequests), ("True-Client-IP", .strippedFromRequests),
        ("CF-Connecting-IP", .strippedFromRequests), ("Accept-Encoding", .acceptEncoding), ("Cache-Control", .cacheControl),
        ("X-Accel-Buffering", .accelBuffering), ("X-Forwarded-For", .forwardingClaim), ("x-forwarded-host", .forwardingClaim),
        ("X-Forwarded-Proto", .forwardingClaim), ("x-forwarded-a-name-longer-than-any-listed", .forwardingClaim),
        ("X-Forwarded-", .other), ("X-Forwarded", .other), ("Hosts", .other), ("hos", .other), ("tf", .other),
        ("Content-Type", .other), ("Content-Lengths", .other), ("Accept", .other), ("x-api-keys", .other),
        ("anthropic-version", .other), ("Connectio", .other), ("authorisation", .other), ("User-Agent", .other),
    ]

    @Test(arguments: named)
    func aNameIsClassifiedByItsBytes(name: String, expected: HeaderPolicy.FieldName) {
        var text = name
        #expect(text.withUTF8 { HeaderPolicy.FieldName($0) } == expected, "\(name)")
    }

    /// Go's `httputil.ReverseProxy` list of hop-by-hop fields, every one classified so.
    static let hopByHop: [StaticString] = [
        "connection", "proxy-connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
        "te", "trailer", "transfer-encoding", "upgrade",
    ]

    @Test func theHopByHopListAndTheClassificationAgree() {
        for name in Self.hopByHop {
            #expect(name.withUTF8Buffer { HeaderPolicy.FieldName($0) } == .hopByHop, "\(name)")
        }
    }
}
