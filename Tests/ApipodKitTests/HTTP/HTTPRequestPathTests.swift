import Testing
@testable import ApipodKit

struct HTTPRequestPathTests {
    @Test func aNormalPathIsLeftAlone() throws {
        for path in ["/", "/v1/chat/completions", "/v1/models", "/v1/a.b/c..d/...", "*", "/v1/%41%20x", "/v1//x"] {
            let normal = try HTTPRequestPath.normalized(path)
            #expect(normal == nil || normal == path, "\(path)")
        }
    }

    /// RFC 3986 §5.2.4's examples, and the same with encoded dots.
    @Test func dotSegmentsAreRemoved() throws {
        let cases: [(String, String)] = [
            ("/a/b/c/./../../g", "/a/g"), ("/mid/content=5/../6", "/mid/6"),
            ("/v1/../internal/admin", "/internal/admin"), ("/v1/%2e%2e/secret", "/secret"), ("/v1/%2E./x", "/x"),
            ("/v1/.%2e/x", "/x"), ("/v1/./chat/completions", "/v1/chat/completions"), ("/..", "/"), ("/../..", "/"),
            ("/v1/..", "/"), ("/v1/chat/.", "/v1/chat/"), ("/v1/chat/..", "/v1/"), ("/v1//../x", "/v1/x"),
            ("/v1/.well-known", "/v1/.well-known"), ("/v1/.../x", "/v1/.../x"), ("/v1/%2e%2e%2e/x", "/v1/%2e%2e%2e/x"),
        ]
        for (path, expected) in cases {
            #expect(try HTTPRequestPath.normalized(path) == expected, "\(path)")
        }
    }

    @Test func encodedSeparatorsAndBackslashesAreRefused() {
        for path in ["/v1/a%2fb", "/v1/a%2Fb", "/v1/..%2f..%2fadmin", "/v1/a%5cb", "/v1/a%5Cb"] {
            #expect(throws: HTTPRequestPath.Refusal.encodedSeparator, "\(path)") { try HTTPRequestPath.normalized(path) }
        }
        #expect(throws: HTTPRequestPath.Refusal.backslash) { try HTTPRequestPath.normalized("/v1/..\\admin") }
    }

    @Test func aPercentAtTheEndIsNoRefusal() throws {
        #expect(try HTTPRequestPath.normalized("/v1/a%") == nil)
        #expect(try HTTPRequestPath.normalized("/v1/a%2") == nil)
    }
}
