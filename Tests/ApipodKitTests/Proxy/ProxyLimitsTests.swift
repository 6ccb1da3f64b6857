import Glibc
import TestSupport
import Testing
@testable import ApipodKit

/// SPEC §10 over loopback: refusals in each dialect with the headers the SDKs read, no refused
/// request upstream, the log line and the metric, a concurrency slot given back when the client
/// hangs up mid-stream, and the daily quota fed by an answer's usage.
@Suite(.serialized)
struct ProxyLimitsTests {
    static func limit(_ harness: ProxyHarness, _ limits: KeyLimits) throws -> KeyRecord {
        let id = try #require(try harness.store.listKeys().first?.id)
        return try harness.store.updateLimits(KeyLimitsChange(setting: limits), id: id)
    }

    /// `59.149s`, `1m0s` or `45s` in seconds.
    static func seconds(_ text: String) -> Double? {
        guard text.hasSuffix("s") else { return nil }
        let parts = text.dropLast().split(separator: "m")
        if parts.count == 2 { return Double(parts[0]).flatMap { minutes in Double(parts[1]).map { minutes * 60 + $0 } } }
        return Double(text.dropLast())
    }

    static func object(_ response: TestClient.Response) throws -> [String: JSONValue] {
        guard case .object(let fields) = try JSONValue.parse(response.body) else { throw APIError(.badRequest, "not an object") }
        return fields
    }

    @Test func anRpmRefusalIsAnOpenAI429WithRetryAfterAndRateLimitHeaders() async throws {
        let harness = try ProxyHarness()
        _ = try Self.limit(harness, KeyLimits(rpm: 2))
        #expect(try await harness.chat(#"{"model":"m"}"#).status == 200)
        #expect(try await harness.chat(#"{"model":"m"}"#).status == 200)
        let refused = try await harness.chat(#"{"model":"m"}"#)
        #expect(refused.status == 429)
        #expect(refused.headers["content-type"] == "application/json")
        // The next of two requests a minute is 30 s after the first, less the time the test took.
        let retryAfter = try #require(refused.headers["retry-after"].flatMap { Int($0) })
        #expect((1...30).contains(retryAfter))
        #expect(refused.headers["x-ratelimit-limit-requests"] == "2")
        #expect(refused.headers["x-ratelimit-remaining-requests"] == "0")
        // Whatever the time between the requests: a refusal means the allowance is whole again
        // in over 30 s (one interval past a minute) and at most 60 s, and the next slot comes
        // 30 s before that.
        let reset = try #require(refused.headers["x-ratelimit-reset-requests"].flatMap(Self.seconds))
        #expect(reset > 30 && reset <= 60, "\(reset)")
        #expect(Double(retryAfter) == (reset - 30).rounded(.up) || Double(retryAfter) == (reset - 30).rounded(.up) + 1)
        guard case .object(let error)? = try Self.object(refused)["error"] else { Issue.record("no error object: \(refused.text)"); return }
        #expect(error["code"] == .string("rate_limit_exceeded"))
        #expect(error["type"] == .string("requests"))
        guard case .string(let message)? = error["message"] else { Issue.record("no message"); return }
        #expect(message.hasPrefix("rate limit reached: this key may make 2 requests per minute; try again in "))
        #expect(harness.upstream.received.count == 2, "a refused request never reaches the upstream")

        let lines = try await harness.logLines(atLeast: 3)
        #expect(lines.count == 3)
        #expect(lines.last?.contains(" 429 ") == true)
        #expect(lines.last?.contains("(rate limit reached: this key may make 2 requests per minute") == true)
        let exposition = try await ProxyMetricsTests.scrape(harness) { $0.value("apipod_rate_limited_total", ["reason": "rpm"]) == 1 }
        #expect(exposition.value("apipod_rate_limited_total", ["reason": "rpm"]) == 1)
        #expect(exposition.value("apipod_rate_limited_total", ["reason": "concurrency"]) == 0)
        #expect(exposition.value("apipod_requests_total", ["route": "chat_completions", "code": "429", "model": ""]) == 1)
        await harness.stop()
    }

    @Test func anAnthropicCallerGetsARateLimitErrorInItsOwnShape() async throws {
        let harness = try ProxyHarness()
        _ = try Self.limit(harness, KeyLimits(rpm: 1))
        let headers = [("x-api-key", harness.key.text), ("anthropic-version", "2023-06-01"), ("Content-Type", "application/json")]
        #expect(try await harness.chat(#"{"model":"claude"}"#, headers: headers, path: "/v1/messages").status == 200)
        let refused = try await harness.chat(#"{"model":"claude"}"#, headers: headers, path: "/v1/messages")
        #expect(refused.status == 429)
        let fields = try Self.object(refused)
        #expect(fields["type"] == .string("error"))
        guard case .object(let error)? = fields["error"] else { Issue.record("no error object: \(refused.text)"); return }
        #expect(error["type"] == .string("rate_limit_error"))
        #expect(refused.headers["retry-after"].flatMap { Int($0) }.map { (1...60).contains($0) } == true)
        #expect(refused.headers["x-ratelimit-limit-requests"] == "1")
        #expect(harness.upstream.received.count == 1)
        await harness.stop()
    }

    /// The tier's limit applies to a key without its own; the key's own wins over it.
    @Test func aTierLimitAppliesUntilTheKeySetsItsOwn() async throws {
        let harness = try ProxyHarness()
        var tier = KeyLimitsChange()
        tier.set(.rpm, 1)
        _ = try harness.store.updateTierLimits(tier, tier: defaultTier)
        #expect(try await harness.chat(#"{"model":"m"}"#).status == 200)
        #expect(try await harness.chat(#"{"model":"m"}"#).status == 429)
        _ = try Self.limit(harness, KeyLimits(rpm: 100))
        var status = 429
        for _ in 0..<400 where status == 429 {
            status = try await harness.chat(#"{"model":"m"}"#).status
            if status == 429 { try await Task.sleep(for: .milliseconds(25)) }
        }
        #expect(status == 200, "the key's own rpm never replaced its tier's")
        await harness.stop()
    }

    /// Two clients hold a stream each, with one concurrency slot: the second is refused; once
    /// the first hangs up, its slot is free again (nothing else could free it: its upstream
    /// stays silent), and the next request is answered.
    @Test func aClientThatHangsUpMidStreamGivesItsConcurrencySlotBack() async throws {
        let upstream = try ScriptedUpstream { listener, log in
            let held = try await ScriptedConnection(acceptingOn: listener, log: log)
            _ = try await held.nextRequest(log: log)
            try await held.send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n")
            do { try await held.holdUntilClosed() } catch SocketError.connectionReset {}
            log.note("closed")
            let next = try await ScriptedConnection(acceptingOn: listener, log: log)
            _ = try await next.nextRequest(log: log)
            try await next.send("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
            try await next.holdUntilClosed()
        }
        let harness = try ProxyHarness(upstreamPort: upstream.port)
        let record = try Self.limit(harness, KeyLimits(concurrency: 1))
        let stream = try await harness.connect()
        try await stream.write(harness.rawChat(#"{"model":"m","stream":true}"#))
        #expect(try await stream.readUntil("first"))

        let refused = try await harness.chat(#"{"model":"m"}"#)
        #expect(refused.status == 429)
        #expect(refused.headers["retry-after"] == "1")
        #expect(refused.headers["x-ratelimit-limit-requests"] == nil, "no rpm limit, no request figures")
        #expect(refused.text.contains("concurrency limit reached: this key may have 1 requests in progress at once"))

        let limiter = harness.running.authenticator.limiters.limiter(forKey: record.id)
        #expect(limiter.requestsInFlight == 1)
        stream.socket.close()
        #expect(try await eventually(within: .seconds(5)) { limiter.requestsInFlight == 0 }, "the slot was never given back")
        #expect(try await harness.chat(#"{"model":"m"}"#).status == 200)
        #expect(try await eventually(within: .seconds(5)) { limiter.requestsInFlight == 0 }, "nor the next one's")
        #expect(upstream.log.entries.filter { $0 == "/v1/chat/completions" }.count == 2, "the refused request never reached it")
        await harness.stop()
        await upstream.stop()
    }

    /// The daily quota, fed as the usage accounting will feed it: the answer's `usage`, read
    /// with the JSON parser, goes to `addTokens`. The answer that crosses the quota was relayed
    /// whole; the next request is refused until midnight UTC.
    @Test func aKeyOverItsDailyQuotaIsRefusedUntilMidnightUTC() async throws {
        let harness = try ProxyHarness { _, response in
            var head = HTTPResponseHead(status: 200)
            head.headers.add(name: "Content-Type", value: "application/json")
            try await response.send(head, body: Array(#"{"choices":[],"usage":{"prompt_tokens":60,"completion_tokens":50,"total_tokens":110}}"#.utf8))
        }
        let record = try Self.limit(harness, KeyLimits(rpm: 10, dailyTokens: 100))
        #expect(try await harness.chat(#"{"model":"m"}"#).status == 200)
        // The proxy reads the answer's usage and counts it as the request ends, which may be
        // just after the client has its answer.
        let limiter = harness.running.authenticator.limiters.limiter(forKey: record.id)
        let today = LimitTime.utcDay(Int64(time(nil)))
        #expect(try await eventually { limiter.tokens(onDay: today) == 110 }, "the answer's 60 + 50 tokens are counted once")

        let latest = 86_400 - time(nil) % 86_400
        let refused = try await harness.chat(#"{"model":"m"}"#)
        let earliest = 86_400 - time(nil) % 86_400
        #expect(refused.status == 429)
        guard case .object(let error)? = try Self.object(refused)["error"] else { Issue.record("no error: \(refused.text)"); return }
        #expect(error["code"] == .string("insufficient_quota"))
        #expect(error["type"] == .string("insufficient_quota"))
        #expect(refused.text.contains("this key has used 110 of its 100 tokens for today (UTC)"))
        let retryAfter = try #require(refused.headers["retry-after"].flatMap { Int($0) })
        #expect(earliest <= retryAfter && retryAfter <= latest || earliest > latest, "until midnight UTC")
        #expect(refused.headers["x-should-retry"] == "false")
        #expect(refused.headers["x-ratelimit-remaining-requests"] == "9", "the refusal took no request slot")
        #expect(harness.upstream.received.count == 1)
        let exposition = try await ProxyMetricsTests.scrape(harness) { $0.value("apipod_rate_limited_total", ["reason": "daily_tokens"]) == 1 }
        #expect(exposition.value("apipod_rate_limited_total", ["reason": "daily_tokens"]) == 1)
        await harness.stop()
    }
}
