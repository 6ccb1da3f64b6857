import Glibc
import TestSupport
import Testing
@testable import ApipodKit

@Suite(.serialized)
struct ProxyForwardingTests {
    @Test func theUpstreamSeesOurCredentialsAndNoHopByHopHeaders() async throws {
        let harness = try ProxyHarness()
        let response = try await harness.client.send("POST", "/v1/other/thing?a=1&b=%20", headers: [
            harness.bearer, ("x-api-key", "also-a-client-secret"), ("Connection", "keep-alive, X-Hop"), ("X-Hop", "1"),
            ("Keep-Alive", "timeout=5"), ("X-Forwarded-For", "6.6.6.6"), ("X-Forwarded-Host", "evil"), ("Forwarded", "for=evil"),
            ("Proxy-Authorization", "Basic x"), ("X-Custom", "kept"), ("Accept", "text/event-stream"), ("X-Custom", "twice"),
        ], body: Array("not json at all".utf8))
        #expect(response.status == 200)
        let received = try #require(harness.upstream.received.first)
        #expect(received.head.method == "POST")
        #expect(received.head.target == "/v1/other/thing?a=1&b=%20")
        let headers = received.head.headers
        #expect(headers.values(named: "x-api-key") == ["upstream-secret"])
        #expect(headers["authorization"] == nil)
        for hop in ["connection", "x-hop", "keep-alive", "proxy-authorization", "forwarded", "x-forwarded-host"] {
            #expect(headers[hop] == nil, "\(hop) must not reach the upstream")
        }
        #expect(headers.values(named: "x-forwarded-for") == ["127.0.0.1"])
        #expect(headers.values(named: "x-custom") == ["kept", "twice"])
        #expect(headers["accept"] == "text/event-stream")
        #expect(headers["host"] == "127.0.0.1:\(harness.upstream.port)")
        #expect(received.body == Array("not json at all".utf8), "a non-JSON body on another route passes untouched")
        await harness.stop()
    }

    @Test func everyBodyByteButTheModelArrivesAsSent() async throws {
        let harness = try ProxyHarness()
        let body = #"""
            {"temperature" : 0.70,"messages":[{"role":"user","content":"caf\u00e9 \ud83d\ude00 \"quoted\" \/ é"}],
             "n":1E+2 , "model":"claude-sonnet-4-5"	,"extra":{"model":"nested-stays"},"big":12345678901234567890}
            """#
        #expect(try await harness.chat(body).status == 200)
        #expect(harness.upstream.received.first?.body == Array(body.utf8), "a non-alias model passes unchanged")

        let aliased = body.replacing("claude-sonnet-4-5", with: "cursor-pro-sonnet")
        #expect(try await harness.chat(aliased).status == 200)
        let forwarded = try #require(harness.upstream.received.last?.body)
        let routed = try #require(try ModelField.find(in: forwarded)).value
        #expect(["claude-sonnet-4-5", "gemini-3-flash"].contains(routed))
        #expect(forwarded == Array(aliased.replacing("cursor-pro-sonnet", with: routed).utf8))
        #expect(harness.upstream.received.last?.head.headers["content-length"] == String(forwarded.count))
        await harness.stop()
    }

    /// 2,000 requests; the premium share must be within 5 σ of 20 % (σ = √(2000·0.2·0.8) ≈ 17.9).
    @Test func theAliasSplitsTwentyEighty() async throws {
        let harness = try ProxyHarness()
        var premium = 0
        for _ in 0..<2000 {
            let response = try await harness.chat(#"{"model":"cursor-pro-sonnet","messages":[]}"#)
            if response.text == #"{"model":"claude-sonnet-4-5"}"# { premium += 1 } else { #expect(response.text == #"{"model":"gemini-3-flash"}"#) }
        }
        #expect(abs(premium - 400) <= 89)
        await harness.stop()
    }

    @Test func malformedJSONOnAModelRouteIs400() async throws {
        let harness = try ProxyHarness()
        let openAI = try await harness.chat(#"{"model": "x",}"#)
        #expect(openAI.status == 400)
        #expect(openAI.text.contains("not valid JSON"))
        let anthropic = try await harness.chat(#"{"model": 5}"#, headers: [("x-api-key", harness.key.text)], path: "/v1/messages")
        #expect(anthropic.status == 400)
        #expect(anthropic.text.hasPrefix(#"{"type":"error","error":{"type":"invalid_request_error""#))
        #expect(harness.upstream.received.isEmpty)
        await harness.stop()
    }

    /// Issue 11 item 8: a body that is not UTF-8 is not JSON (RFC 8259 §8.1); it is refused in
    /// the caller's dialect, never forwarded.
    @Test func aBodyThatIsNotUTF8Is400InTheCallersDialect() async throws {
        let harness = try ProxyHarness()
        let openAIBody = Array(#"{"model":""#.utf8) + [0xff, 0xfe] + Array(#"","messages":[]}"#.utf8)
        let openAI = try await harness.client.send("POST", "/v1/chat/completions", headers: [harness.bearer, ("Content-Type", "application/json")], body: openAIBody)
        #expect(openAI.status == 400)
        #expect(openAI.text.contains("not valid UTF-8"))
        #expect(openAI.text.hasPrefix(#"{"error":{"#))
        let anthropicBody = Array(#"{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"surrogate "#.utf8) + [0xed, 0xa0, 0x80] + Array(#""}]}"#.utf8)
        let anthropic = try await harness.client.send("POST", "/v1/messages", headers: [("x-api-key", harness.key.text), ("Content-Type", "application/json")], body: anthropicBody)
        #expect(anthropic.status == 400)
        #expect(anthropic.text.hasPrefix(#"{"type":"error","error":{"type":"invalid_request_error""#))
        #expect(anthropic.text.contains("not valid UTF-8"))
        #expect(harness.upstream.received.isEmpty)
        await harness.stop()
    }

    @Test func oversizedBodiesAre413() async throws {
        let harness = try ProxyHarness(maxBodyBytes: 1000)
        let response = try await harness.chat(#"{"model":"m","pad":""# + String(repeating: "x", count: 2000) + #""}"#)
        #expect(response.status == 413)
        #expect(harness.upstream.received.isEmpty)
        await harness.stop()
    }

    @Test func aOneMegabyteBodyIsForwardedIntact() async throws {
        let harness = try ProxyHarness()
        let content = String(repeating: "0123456789abcdef", count: 65_536)
        let body = #"{"model":"gpt-4o","messages":[{"role":"user","content":"\#(content)"}]}"#
        #expect(try await harness.chat(body).status == 200)
        #expect(harness.upstream.received.first?.body == Array(body.utf8))
        await harness.stop()
    }

    /// Past 64 KiB a rewritten body is sent as the runs around the new model value.
    @Test func aLargeBodyOnTheAliasArrivesWithOnlyTheModelChanged() async throws {
        let harness = try ProxyHarness()
        let content = String(repeating: "0123456789abcdef", count: 16_384)
        let body = #"{"messages":[{"role":"user","content":"\#(content)"}],"model":"cursor-pro-sonnet","stream":false}"#
        #expect(try await harness.chat(body).status == 200)
        let received = try #require(harness.upstream.received.first?.body)
        let routed = try #require(try ModelField.find(in: received)?.value)
        #expect(["claude-sonnet-4-5", "gemini-3-flash"].contains(routed))
        #expect(received == Array(body.replacing("cursor-pro-sonnet", with: routed).utf8))
        await harness.stop()
    }

    @Test func theModelListGainsTheAliases() async throws {
        let harness = try ProxyHarness { _, response in
            try await response.send(HTTPResponseHead(status: 200), body: Array(#"{"object":"list","data":[{"id":"gemini-3-flash","object":"model"}]}"#.utf8))
        }
        let openAI = try await harness.client.send("GET", "/v1/models", headers: [harness.bearer])
        #expect(openAI.text == #"{"object":"list","data":[{"id":"gemini-3-flash","object":"model"},{"id":"cursor-pro-sonnet","object":"model","created":0,"owned_by":"apipodctl"}]}"#)
        let anthropic = try await harness.client.send("GET", "/v1/models", headers: [harness.bearer, ("anthropic-version", "2023-06-01")])
        #expect(anthropic.text.contains(#"{"type":"model","id":"cursor-pro-sonnet","display_name":"cursor-pro-sonnet""#))
        await harness.stop()
    }

    /// The client learns whose fault it was, never the network behind the proxy (issue 16 item
    /// 11): the upstream's address and the connect error are the log's.
    @Test func anUnreachableUpstreamIs502() async throws {
        let closedPort = try ProxyHarness.closedPort()
        let harness = try ProxyHarness(upstreamPort: closedPort)
        let response = try await harness.chat(#"{"model":"m"}"#)
        #expect(response.status == 502)
        #expect(response.text.contains(#""code":"upstream_unreachable""#))
        for detail in ["127.0.0.1", String(closedPort), "refused"] { #expect(!response.text.lowercased().contains(detail)) }
        let lines = try await harness.logLines()
        #expect(lines.first?.contains("127.0.0.1:\(closedPort)") == true, "the operator still learns where and why")
        let anthropic = try await harness.chat(#"{"model":"m"}"#, headers: [("x-api-key", harness.key.text)], path: "/v1/messages")
        #expect(anthropic.text.hasPrefix(#"{"type":"error","error":{"type":"api_error""#))
        await harness.stop()
    }

    @Test func anUpstreamSilentPastTheHeadTimeoutIs504() async throws {
        let harness = try ProxyHarness(upstreamTimeout: .milliseconds(200)) { _, response in
            try await Task.sleep(for: .seconds(2))
            try await response.send(HTTPResponseHead(status: 200))
        }
        let response = try await harness.chat(#"{"model":"m"}"#)
        #expect(response.status == 504)
        #expect(response.text.contains("did not answer in time"))
        await harness.stop()
    }

    @Test func upstreamErrorsAreRelayedAsTheyAre() async throws {
        let harness = try ProxyHarness { _, response in
            var head = HTTPResponseHead(status: 429)
            head.headers.add(name: "Retry-After", value: "7")
            try await response.send(head, body: Array(#"{"error":"slow down"}"#.utf8))
        }
        let response = try await harness.chat(#"{"model":"m"}"#)
        #expect(response.status == 429)
        #expect(response.headers["retry-after"] == "7")
        #expect(response.text == #"{"error":"slow down"}"#)
        await harness.stop()
    }
}
