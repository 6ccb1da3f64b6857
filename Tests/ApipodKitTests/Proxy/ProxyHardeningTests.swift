import Glibc
import TestSupport
import Testing
@testable import ApipodKit

/// The defects a security and reliability review of `serve` found, each driven through the
/// proxy over loopback as the review reproduced it.
@Suite(.serialized)
struct ProxyHardeningTests {
    /// An upstream that reads one request and writes `answer` as raw bytes, then closes the
    /// connection, or with `holding` keeps it open until the proxy closes it.
    static func rawUpstream(_ answer: String, holding: Bool = false) throws -> ScriptedUpstream {
        try ScriptedUpstream { listener, log in
            let connection = try await ScriptedConnection(acceptingOn: listener, log: log)
            _ = try await connection.nextRequest(log: log)
            try await connection.send(answer)
            if holding { try await connection.holdUntilClosed() }
            connection.close()
        }
    }

    @Test func dotSegmentsThatLeaveV1AreRefusedBeforeAuthentication() async throws {
        let harness = try ProxyHarness()
        for target in [
            "/v1/../internal/admin?x=1", "/v1/%2e%2e/secret", "/v1/%2E./x", "/v1/chat/..%2f..%2fadmin",
            "/v1/a%2Fb", "/v1/a%5cb", "/v1/a\\b", "/v1/..", "/v1/chat/../../health",
        ] {
            let response = try await harness.client.send("GET", target, headers: [harness.bearer])
            #expect(response.status == 400, "\(target)")
            let anonymous = try await harness.client.send("GET", target)
            #expect(anonymous.status == 400, "\(target) is refused before the missing key is")
        }
        #expect(harness.upstream.received.isEmpty, "nothing that leaves /v1/ reaches the upstream")
        await harness.stop()
    }

    @Test func aPathThatStaysUnderV1IsForwardedNormalised() async throws {
        let harness = try ProxyHarness()
        let response = try await harness.chat(#"{"model":"m"}"#, path: "/v1/./x/%2e%2E/chat/completions?a=%2e%2e")
        #expect(response.status == 200)
        #expect(harness.upstream.received.map(\.head.target) == ["/v1/chat/completions?a=%2e%2e"])
        await harness.stop()
    }

    @Test func aListValuedContentLengthReachesTheClientAsOneNumberWithoutChunking() async throws {
        let upstream = try Self.rawUpstream("HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\nContent-Length: 5\r\n\r\nhello")
        let harness = try ProxyHarness(upstreamPort: upstream.port)
        let connection = try await RawConnection(port: harness.running.server.localAddress.port, loop: harness.clientGroup.loops[0])
        let body = #"{"model":"m"}"#
        try await connection.write(
            "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(harness.key.text)\r\n"
                + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)")
        let response = try #require(try await connection.readResponse(to: "POST"))
        #expect(response.head.headers.values(named: "content-length") == ["5"])
        #expect(response.head.headers["transfer-encoding"] == nil)
        #expect(response.text == "hello")
        await harness.stop()
        await upstream.stop()
    }

    @Test func aStreamsHeadIsNotHeldBehindHalfAChunkSizeLine() async throws {
        let upstream = try Self.rawUpstream(
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n1", holding: true)
        let harness = try ProxyHarness(upstreamPort: upstream.port)
        let connection = try await RawConnection(port: harness.running.server.localAddress.port, loop: harness.clientGroup.loops[0])
        let body = #"{"model":"m","stream":true}"#
        try await connection.write(
            "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(harness.key.text)\r\n"
                + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)")
        // The upstream sends nothing more: before the fix the head waited for its next bytes
        // (up to the 300 s idle timeout), past the read's 10 s guard.
        #expect(try await connection.readUntil("\r\n\r\n"))
        #expect(String(decoding: connection.received, as: UTF8.self).hasPrefix("HTTP/1.1 200"))
        await harness.stop()
        await upstream.stop()
    }

    @Test func anAbsurdLifetimeFromTheAdminAPIIs400AndTheServerLivesOn() async throws {
        let harness = try ProxyHarness(adminSecret: "an-admin-secret-of-length")
        let admin = ("x-admin-secret", "an-admin-secret-of-length")
        for days in ["-1e300", "1e300", "-1", "0", "1e-300", "36500000"] {
            let response = try await harness.client.send(
                "POST", "/admin/create-key", headers: [admin], body: Array(#"{"name":"x","expires_in":\#(days)}"#.utf8))
            #expect(response.status == 400, "expires_in \(days)")
            #expect(response.text.contains("expires_in"))
        }
        #expect(try await harness.client.send("GET", "/health").status == 200)
        await harness.stop()
    }

    @Test func aModelThatForgesALogLineIsEscapedAndCut() async throws {
        let harness = try ProxyHarness()
        let forged = #"x\n2099-01-01T00:00:00Z 10.0.0.1 POST /admin/create-key 201 0.1ms key=- in=0 out=0\u001b[31m"#
        let long = String(repeating: "m", count: 5000)
        #expect(try await harness.chat(#"{"model":"\#(forged)"}"#).status == 200)
        #expect(try await harness.chat(#"{"model":"\#(long)"}"#).status == 200)
        let lines = try await harness.logLines(atLeast: 2)
        #expect(lines.count == 2, "one line per request, none forged: \(lines)")
        #expect(lines.allSatisfy { !$0.utf8.contains(0x1B) }, "no terminal escape reaches the log")
        #expect(lines.first?.contains(#"model=x\x0a2099-01-01T00:00:00Z\x2010.0.0.1"#) == true)
        #expect(lines.allSatisfy { $0.utf8.count < 1000 }, "a long model is cut")
        await harness.stop()
    }

    @Test func aCutModelListingIs502AndLogged() async throws {
        let upstream = try Self.rawUpstream("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"object\":\"list\",")
        let harness = try ProxyHarness(upstreamPort: upstream.port)
        let response = try await harness.client.send("GET", "/v1/models", headers: [harness.bearer])
        #expect(response.status == 502)
        #expect(!response.text.contains("malformed request"))
        let lines = try await harness.logLines()
        #expect(lines.count == 1)
        #expect(lines.first?.contains("GET /v1/models 502") == true)
        await harness.stop()
        await upstream.stop()
    }

    @Test func clientAddressClaimsDoNotReachTheUpstream() async throws {
        let harness = try ProxyHarness()
        let headers = [harness.bearer, ("X-Real-IP", "6.6.6.6"), ("True-Client-IP", "6.6.6.6"), ("CF-Connecting-IP", "6.6.6.6")]
        #expect(try await harness.chat(#"{"model":"m"}"#, headers: headers).status == 200)
        let received = try #require(harness.upstream.received.first).head.headers
        for claim in ["x-real-ip", "true-client-ip", "cf-connecting-ip"] { #expect(received[claim] == nil, "\(claim)") }
        #expect(received.values(named: "x-forwarded-for") == ["127.0.0.1"])
        await harness.stop()
    }

    @Test func aBodyWithACaseVariantOfModelIsRefused() async throws {
        let harness = try ProxyHarness()
        let response = try await harness.chat(#"{"model":"gemini-3-flash","Model":"claude-opus-4"}"#)
        #expect(response.status == 400)
        #expect(response.text.contains(#"\"Model\""#))
        #expect(harness.upstream.received.isEmpty)
        await harness.stop()
    }
}
