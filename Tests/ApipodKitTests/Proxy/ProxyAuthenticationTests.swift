import Glibc
import TestSupport
import Testing
@testable import ApipodKit

@Suite(.serialized)
struct ProxyAuthenticationTests {
    @Test func healthNeedsNoKey() async throws {
        let harness = try ProxyHarness()
        let response = try await harness.client.send("GET", "/health")
        #expect(response.status == 200)
        #expect(response.text == #"{"status":"healthy","service":"apipod-smart-proxy"}"#)
        await harness.stop()
    }

    @Test func missingKeyIs401InTheCallersDialect() async throws {
        let harness = try ProxyHarness()
        let openAI = try await harness.chat(#"{"model":"x"}"#, headers: [])
        #expect(openAI.status == 401)
        #expect(openAI.text.hasPrefix(#"{"error":{"message":"missing API key"#))
        #expect(openAI.text.contains(#""type":"invalid_request_error","code":"missing_api_key"}}"#))
        let anthropic = try await harness.chat(#"{"model":"x"}"#, headers: [], path: "/v1/messages")
        #expect(anthropic.status == 401)
        #expect(anthropic.text.hasPrefix(#"{"type":"error","error":{"type":"authentication_error","message":"missing API key"#))
        #expect(harness.upstream.received.isEmpty)
        await harness.stop()
    }

    @Test func unknownDisabledAndExpiredKeysAre403() async throws {
        let harness = try ProxyHarness()
        let unknown = try await harness.chat("{}", headers: [("x-api-key", try APIKey.generate().text)])
        #expect(unknown.status == 403)
        #expect(unknown.text.contains("invalid API key"))

        let expiring = try APIKey.generate()
        let past = Timestamp(secondsSinceEpoch: 1_000_000_000)
        _ = try harness.store.insert(expiring, name: "old", lifetime: KeyLifetime(seconds: 60), now: past)
        let expired = try await harness.chat("{}", headers: [("x-api-key", expiring.text)], path: "/v1/messages")
        #expect(expired.status == 403)
        #expect(expired.text.hasPrefix(#"{"type":"error","error":{"type":"permission_error","message":"this API key expired at 2001-09-09T01:47:40Z"}}"#))
        #expect(harness.upstream.received.isEmpty)
        await harness.stop()
    }

    @Test func bothKeyHeadersWork() async throws {
        let harness = try ProxyHarness()
        #expect(try await harness.chat(#"{"model":"m"}"#).status == 200)
        #expect(try await harness.chat(#"{"model":"m"}"#, headers: [("x-api-key", harness.key.text)], path: "/v1/messages").status == 200)
        #expect(try await harness.chat(#"{"model":"m"}"#, headers: [("authorization", "bearer \(harness.key.text)")]).status == 200)
        await harness.stop()
    }

    /// `apipodctl keys disable` writes through its own connection; the server notices within a second.
    @Test func aKeyDisabledElsewhereIsRefusedSoon() async throws {
        let harness = try ProxyHarness()
        #expect(try await harness.chat(#"{"model":"m"}"#).status == 200)
        let cli = try KeyStore(path: harness.scratch.file("keys.db"), opening: .mayCreate)
        try cli.setActive(false, id: try cli.resolve(harness.key.text).id)
        var status = 200
        for _ in 0..<200 where status == 200 {
            status = try await harness.chat(#"{"model":"m"}"#).status
            if status == 200 { usleep(20_000) }
        }
        #expect(status == 403)
        await harness.stop()
    }

    @Test func unknownPathsAre404() async throws {
        let harness = try ProxyHarness()
        let response = try await harness.client.send("GET", "/nowhere")
        #expect(response.status == 404)
        #expect(response.text.contains("no route for /nowhere"))
        await harness.stop()
    }
}

struct BearerTokenTests {
    @Test func theSchemeIgnoresCaseAndTheTokenFollowsItsSpaces() {
        #expect(Forwarder.bearerToken("Bearer apk_x") == "apk_x")
        #expect(Forwarder.bearerToken("bEaReR   apk_x") == "apk_x")
        #expect(Forwarder.bearerToken("Bearer ") == "")
        #expect(Forwarder.bearerToken("Bearer") == nil)
        #expect(Forwarder.bearerToken("Basic apk_x") == nil)
        #expect(Forwarder.bearerToken("Bearerx apk_x") == nil)
    }
}
