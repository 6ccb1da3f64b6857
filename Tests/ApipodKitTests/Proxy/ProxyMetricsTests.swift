import Foundation
import Synchronization
import TestSupport
import Testing
@testable import ApipodKit

@Suite(.serialized)
struct ProxyMetricsTests {
    /// Scrapes until `ready` holds: a request is counted just after its answer has gone, so the
    /// last one may still be on its way when the client has it. Gives up after 10 s (a hang guard).
    static func scrape(_ harness: ProxyHarness, until ready: (Exposition) -> Bool = { _ in true }) async throws -> Exposition {
        var exposition = Exposition("")
        for _ in 0..<400 {
            let response = try await harness.client.send("GET", "/metrics")
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
            exposition = Exposition(response.text)
            if ready(exposition) { break }
            try await Task.sleep(for: .milliseconds(25))
        }
        return exposition
    }

    @Test func theScrapeCountsTheTrafficItServedAndPassesPromtool() async throws {
        let harness = try ProxyHarness()
        for _ in 0..<3 { #expect(try await harness.chat(#"{"model":"gpt-4o"}"#).status == 200) }
        #expect(try await harness.chat(#"{"model":"a\"b\\c\nd"}"#).status == 200)
        #expect(try await harness.client.send("GET", "/health").status == 200)
        #expect(try await harness.client.send("POST", "/v1/chat/completions", body: Array(#"{"model":"gpt-4o"}"#.utf8)).status == 401)
        #expect(try await harness.client.send("GET", "/nowhere").status == 404)
        // A client key put in the model field by mistake must not become a label.
        #expect(try await harness.chat(#"{"model":"\#(harness.key.text)"}"#).status == 200)

        let exposition = try await Self.scrape(harness) { $0.value("apipod_request_duration_seconds_count") == 8 }
        let requests = "apipod_requests_total"
        #expect(exposition.value(requests, ["route": "chat_completions", "code": "200", "model": "gpt-4o"]) == 3)
        #expect(exposition.value(requests, ["route": "chat_completions", "code": "200", "model": "a\"b\\c\nd"]) == 1)
        #expect(exposition.value(requests, ["route": "chat_completions", "code": "200", "model": "other"]) == 1)
        #expect(exposition.value(requests, ["route": "chat_completions", "code": "401", "model": ""]) == 1)
        #expect(exposition.value(requests, ["route": "health", "code": "200", "model": ""]) == 1)
        #expect(exposition.value(requests, ["route": "not_found", "code": "404", "model": ""]) == 1)
        #expect(exposition.samples(named: requests).count == 6)
        #expect(exposition.value("apipod_upstream_attempts_total", ["provider": "default", "model": "gpt-4o", "outcome": "ok"]) == 3)
        #expect(exposition.value("apipod_request_duration_seconds_bucket", ["le": "+Inf"]) == 8)
        // Only the five forwarded requests waited on an upstream.
        #expect(exposition.value("apipod_proxy_overhead_seconds_count") == 5)
        #expect(exposition.value("apipod_proxy_overhead_seconds_bucket", ["le": "+Inf"]) == 5)
        #expect(exposition.value("apipod_failovers_total") == 0)
        #expect(exposition.value("apipod_active_streams") == 0)
        #expect((exposition.value("apipod_open_connections") ?? 0) >= 1)
        #expect(exposition.types["apipod_tokens_total"] == "counter")
        #expect(exposition.types["apipod_rate_limited_total"] == "counter")
        #expect((exposition.value("process_resident_memory_bytes") ?? 0) > 1_000_000)
        #expect((exposition.value("process_open_fds") ?? 0) > 3)
        #expect((exposition.value("process_cpu_seconds_total") ?? -1) >= 0)
        let now = Double(Timestamp.now().secondsSinceEpoch)
        let started = exposition.value("process_start_time_seconds") ?? 0
        #expect(started > now - 86_400 && started < now + 5)
        #expect(exposition.value("apipod_build_info", ["version": BuildInfo.version]) == 1)
        // No key, key name, prefix or upstream secret anywhere.
        #expect(!exposition.text.contains("apk_"))
        #expect(!exposition.text.contains("upstream-secret"))
        #expect(!exposition.text.contains(#"="test""#))
        try Exposition.checkWithPromtool(exposition.text)
        await harness.stop()
    }

    @Test func metricsOffAnswers404() async throws {
        let harness = try ProxyHarness(metrics: false)
        let response = try await harness.client.send("GET", "/metrics")
        #expect(response.status == 404)
        #expect(!response.text.contains("apipod_"))
        await harness.stop()
    }

    /// A client sending ever new model names creates at most 100 series of its own; the rest
    /// are counted, as `other`.
    @Test func modelLabelsAreCappedAndTheRestCountedAsOther() async throws {
        let harness = try ProxyHarness()
        for index in 0..<130 { #expect(try await harness.chat(#"{"model":"m-\#(index)"}"#).status == 200) }
        let exposition = try await Self.scrape(harness) { $0.value("apipod_request_duration_seconds_count") == 130 }
        let series = exposition.samples(named: "apipod_requests_total")
        #expect(series.count == 101)
        #expect(exposition.value("apipod_requests_total", ["route": "chat_completions", "code": "200", "model": "other"]) == 30)
        #expect(series.reduce(0) { $0 + $1.value } == 130)
        #expect(exposition.samples(named: "apipod_upstream_attempts_total").count == 101)
        try Exposition.checkWithPromtool(exposition.text)
        await harness.stop()
    }

    /// The gauge counts a streamed answer while it is relayed: the upstream holds its stream
    /// open until the test has seen the gauge at 1.
    @Test func activeStreamsRiseDuringAStreamAndFallAfter() async throws {
        let release = Atomic(false)
        let harness = try ProxyHarness { _, response in
            var head = HTTPResponseHead(status: 200)
            head.headers.add(name: "Content-Type", value: "text/event-stream")
            try await response.start(head)
            try await response.write(Array("data: first\n\n".utf8))
            let giveUp = ContinuousClock.now + .seconds(10)
            while !release.load(ordering: .relaxed), ContinuousClock.now < giveUp {
                try await Task.sleep(for: .milliseconds(2))
            }
            try await response.write(Array("data: last\n\n".utf8))
        }
        let client = harness.client
        let bearer = harness.bearer
        let stream = Task {
            try await client.send("POST", "/v1/chat/completions", headers: [bearer], body: Array(#"{"model":"gpt-4o","stream":true}"#.utf8))
        }
        let during = try await Self.scrape(harness) { $0.value("apipod_active_streams") == 1 }
        #expect(during.value("apipod_active_streams") == 1)
        release.store(true, ordering: .relaxed)
        #expect(try await stream.value.status == 200)
        let after = try await Self.scrape(harness) { $0.value("apipod_active_streams") == 0 }
        #expect(after.value("apipod_active_streams") == 0)
        #expect(after.value("apipod_upstream_attempts_total", ["provider": "default", "model": "gpt-4o", "outcome": "ok"]) == 1)
        await harness.stop()
    }

    /// The overhead leaves out both waits on the upstream: for its head (1 s here) and for a
    /// piece mid-stream (1 s), so it is at most the duration less 2 s, give or take the time
    /// between the upstream starting its pause and the proxy starting to wait (a margin of
    /// 0.8 s, for a busy machine; left out, either wait alone would break the bound by 0.2 s
    /// or more).
    @Test func theOverheadLeavesOutTheWaitsOnTheUpstream() async throws {
        let harness = try ProxyHarness { _, response in
            try await Task.sleep(for: .seconds(1))
            var head = HTTPResponseHead(status: 200)
            head.headers.add(name: "Content-Type", value: "text/event-stream")
            try await response.start(head)
            try await response.write(Array("data: first\n\n".utf8))
            try await Task.sleep(for: .seconds(1))
            try await response.write(Array("data: last\n\n".utf8))
        }
        #expect(try await harness.chat(#"{"model":"gpt-4o","stream":true}"#).status == 200)
        let exposition = try await Self.scrape(harness) { $0.value("apipod_proxy_overhead_seconds_count") == 1 }
        let duration = try #require(exposition.value("apipod_request_duration_seconds_sum"))
        let overhead = try #require(exposition.value("apipod_proxy_overhead_seconds_sum"))
        #expect(duration >= 2)
        #expect(overhead >= 0 && overhead <= duration - 1.2)
        await harness.stop()
    }

    /// docs/grafana-dashboard.json graphs only series the proxy exposes (a renamed series would
    /// leave an operator's panel silently empty).
    @Test func theGrafanaDashboardNamesOnlySeriesTheProxyExposes() async throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let dashboard = try String(contentsOf: repository.appendingPathComponent("docs/grafana-dashboard.json"), encoding: .utf8)
        #expect(try JSONSerialization.jsonObject(with: Data(dashboard.utf8)) is [String: Any])
        let words = dashboard.split { !($0.isLetter || $0.isNumber || $0 == "_") }.map(String.init)
        let named = Set(words.filter { $0.hasPrefix("apipod_") || $0.hasPrefix("process_") }.map { word in
            word.hasSuffix("_bucket") ? String(word.dropLast("_bucket".count)) : word
        })
        let harness = try ProxyHarness()
        let exposition = try await Self.scrape(harness)
        #expect(named.count >= 10)
        #expect(named.subtracting(exposition.types.keys).isEmpty, "not exposed: \(named.subtracting(exposition.types.keys).sorted())")
        await harness.stop()
    }
}
