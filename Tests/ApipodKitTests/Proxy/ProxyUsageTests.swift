import Synchronization
import TestSupport
import Testing
@testable import ApipodKit

/// Usage accounting end to end: a real proxy in front of a mock upstream that answers as each
/// API does; the tokens stored once the proxy stops (which writes every record).
@Suite(.serialized)
struct ProxyUsageTests {
    static let content = #"""
        data: {"id":"c","object":"chat.completion.chunk","model":"gemini-3-flash","choices":[{"index":0,"delta":{"content":"Hi"}}]}

        data: {"id":"c","object":"chat.completion.chunk","model":"gemini-3-flash","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}


        """#
    static let usageChunk = #"""
        data: {"id":"c","object":"chat.completion.chunk","model":"gemini-3-flash","choices":[],"usage":{"prompt_tokens":21,"completion_tokens":4,"total_tokens":25,"prompt_tokens_details":{"cached_tokens":16}}}


        """#
    static let done = "data: [DONE]\n\n"

    /// Streams like OpenAI: the usage chunk only when the request asked for it, and that chunk
    /// split over two writes so the proxy meets it in pieces.
    static let openAIStreaming: MockUpstream.Behaviour = { request, response in
        var head = HTTPResponseHead(status: 200)
        head.headers.add(name: "Content-Type", value: "text/event-stream")
        try await response.start(head)
        try await response.write(Array(content.utf8))
        if String(decoding: request.body, as: UTF8.self).contains(#""include_usage":true"#) {
            let chunk = Array(usageChunk.utf8)
            try await response.write(chunk[..<40])
            try await Task.sleep(for: .milliseconds(20))
            try await response.write(chunk[40...])
        }
        try await response.write(Array(done.utf8))
    }

    static func answering(_ text: String, status: Int = 200, contentType: String = "application/json") -> MockUpstream.Behaviour {
        { _, response in
            var head = HTTPResponseHead(status: status)
            head.headers.add(name: "Content-Type", value: contentType)
            try await response.start(head)
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                try await response.write(Array((line + "\n").utf8))
            }
        }
    }

    /// Stops the proxy (writing every record) and reads what it stored, by model.
    static func stored(_ harness: ProxyHarness) async throws -> [String: UsageTotals] {
        await harness.stop()
        let report = try harness.store.usage(UsageQuery(since: 0, until: Timestamp.now().secondsSinceEpoch + 3600, groupings: [.model]))
        return Dictionary(uniqueKeysWithValues: report.rows.map { ($0.model ?? "", $0.totals) })
    }

    @Test func aStreamedChatIsAskedForItsUsageAndTheClientNeverSeesTheChunk() async throws {
        let harness = try ProxyHarness(Self.openAIStreaming)
        let sent = #"{"model":"gemini-3-flash","messages":[{"role":"user","content":"hi"}], "stream":true }"#
        let response = try await harness.chat(sent, headers: [harness.bearer, ("Accept-Encoding", "gzip, br")])
        #expect(response.status == 200)
        #expect(response.text == Self.content + Self.done)
        let upstream = harness.upstream.received[0]
        #expect(String(decoding: upstream.body, as: UTF8.self)
            == #"{"model":"gemini-3-flash","messages":[{"role":"user","content":"hi"}], "stream":true ,"stream_options":{"include_usage":true}}"#)
        #expect(upstream.head.headers["accept-encoding"] == nil)
        let stored = try await Self.stored(harness)
        #expect(stored["gemini-3-flash"] == UsageTotals(requests: 1, errors: 0, inputTokens: 21, outputTokens: 4, cachedTokens: 16))
    }

    @Test func aClientThatAskedForUsageGetsItsChunk() async throws {
        let harness = try ProxyHarness(Self.openAIStreaming)
        let sent = #"{"model":"gemini-3-flash","stream":true,"stream_options":{"include_usage":true}}"#
        let response = try await harness.chat(sent)
        #expect(response.text == Self.content + Self.usageChunk + Self.done)
        #expect(harness.upstream.received[0].body == Array(sent.utf8))
        let stored = try await Self.stored(harness)
        #expect(stored["gemini-3-flash"]?.inputTokens == 21)
    }

    @Test func aDeclinedUsageChunkIsAskedForAndHidden() async throws {
        let harness = try ProxyHarness(Self.openAIStreaming)
        let response = try await harness.chat(#"{"stream":true,"stream_options":{"include_usage":false},"model":"gemini-3-flash"}"#)
        #expect(response.text == Self.content + Self.done)
        #expect(String(decoding: harness.upstream.received[0].body, as: UTF8.self)
            == #"{"stream":true,"stream_options":{"include_usage":true},"model":"gemini-3-flash"}"#)
        let stored = try await Self.stored(harness)
        #expect(stored["gemini-3-flash"]?.outputTokens == 4)
    }

    static let dialects: [(name: String, path: String, answer: String, contentType: String, model: String, usage: TokenUsage)] = [
        ("openai json", "/v1/chat/completions", UsageScannerTests.openAIJSON, "application/json", "gpt-4o-2024", TokenUsage(input: 120, output: 33, cached: 100)),
        ("anthropic json", "/v1/messages", UsageScannerTests.anthropicJSON, "application/json", "claude-sonnet-4-5", TokenUsage(input: 330, output: 42, cached: 300)),
        ("anthropic stream", "/v1/messages", UsageScannerTests.anthropicStream, "text/event-stream", "claude-sonnet-4-5", TokenUsage(input: 30, output: 15, cached: 5)),
        ("responses json", "/v1/responses", UsageScannerTests.responsesJSON, "application/json", "gpt-5-mini", TokenUsage(input: 7, output: 2, cached: 0)),
        ("responses stream", "/v1/responses", UsageScannerTests.responsesStream, "text/event-stream", "gpt-5", TokenUsage(input: 50, output: 8, cached: 20)),
    ]

    @Test(arguments: 0..<dialects.count)
    func eachDialectIsCountedAndRelayedUnchanged(_ index: Int) async throws {
        let example = Self.dialects[index]
        let harness = try ProxyHarness(Self.answering(example.answer, contentType: example.contentType))
        let stream = example.contentType == "text/event-stream"
        let sent = #"{"model":"\#(example.model)","stream":\#(stream)}"#
        let response = try await harness.chat(sent, path: example.path)
        #expect(response.text == example.answer + "\n", "\(example.name)")
        #expect(harness.upstream.received[0].body == Array(sent.utf8), "\(example.name)")
        let stored = try await Self.stored(harness)
        let totals = stored[example.model]
        #expect(totals?.requests == 1, "\(example.name)")
        #expect(totals.map { TokenUsage(input: $0.inputTokens, output: $0.outputTokens, cached: $0.cachedTokens) } == example.usage, "\(example.name)")
    }

    @Test func upstreamErrorsAreCountedAsErrorsWithTheRequestedModel() async throws {
        let harness = try ProxyHarness(Self.answering(#"{"error":{"message":"overloaded"}}"#, status: 529))
        let response = try await harness.chat(#"{"model":"claude-sonnet-4-5"}"#, path: "/v1/messages")
        #expect(response.status == 529)
        let stored = try await Self.stored(harness)
        #expect(stored["claude-sonnet-4-5"] == UsageTotals(requests: 1, errors: 1))
    }

    @Test func tokensAreExposedByModelAndKind() async throws {
        let harness = try ProxyHarness(Self.answering(UsageScannerTests.anthropicJSON))
        _ = try await harness.chat(#"{"model":"claude-sonnet-4-5"}"#, path: "/v1/messages")
        let scrape = try await harness.client.send("GET", "/metrics").text
        #expect(scrape.contains(#"apipod_tokens_total{model="claude-sonnet-4-5",kind="input"} 330"#))
        #expect(scrape.contains(#"apipod_tokens_total{model="claude-sonnet-4-5",kind="output"} 42"#))
        #expect(scrape.contains(#"apipod_tokens_total{model="claude-sonnet-4-5",kind="cached"} 300"#))
        await harness.stop()
    }

    /// The routes file's prices reach the stored usage: an answer naming a `models` entry is
    /// priced by it, and one naming that entry's `upstream_model` (as providers answer) too.
    @Test func answersArePricedByTheRoutesFile() async throws {
        let routes = #"{"models":{"priced":{"price":{"input":3,"output":15}},"renamed":{"upstream_model":"vendor-name","price":{"input":1,"output":2}}}}"#
        let routing = try RoutesFile.parse(Array(routes.utf8), path: "routes.json")
        let harness = try ProxyHarness(adminSecret: "admin-secret-0123456789", routing: routing) { received, response in
            let model = (try? ModelField.find(in: received.body))??.value ?? ""
            var head = HTTPResponseHead(status: 200)
            head.headers.add(name: "Content-Type", value: "application/json")
            try await response.send(head, body: Array(
                #"{"model":"\#(model)","choices":[],"usage":{"prompt_tokens":1000,"completion_tokens":2000}}"#.utf8))
        }
        #expect(try await harness.chat(#"{"model":"priced"}"#).status == 200)
        #expect(try await harness.chat(#"{"model":"renamed"}"#).status == 200)
        let secret = ("x-admin-secret", "admin-secret-0123456789")
        var text = ""
        for _ in 0..<100 {
            text = try await harness.client.send("GET", "/admin/usage?by=model&since=1d", headers: [secret]).text
            if text.contains(#""totals":{"requests":2"#) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        // 1,000 × 3 + 2,000 × 15 per million; 1,000 × 1 + 2,000 × 2 per million.
        #expect(text.contains(#"{"model":"priced","requests":1,"errors":0,"input_tokens":1000,"output_tokens":2000,"cached_tokens":0,"cost_usd":0.033}"#), "\(text)")
        #expect(text.contains(#"{"model":"vendor-name","requests":1,"errors":0,"input_tokens":1000,"output_tokens":2000,"cached_tokens":0,"cost_usd":0.005}"#), "\(text)")
        await harness.stop()
    }

    @Test func theAdminAPIReadsTheStoredUsage() async throws {
        let harness = try ProxyHarness(adminSecret: "admin-secret-0123456789")
        let keyID = try harness.store.listKeys()[0].id
        let hour = UsageDay.start(of: Timestamp.now().secondsSinceEpoch) + 3600 * 2
        var buckets = UsageBuckets()
        for (offset, model, input) in [(Int64(0), "gpt-5", 100), (3600, "gpt-5", 50), (-86_400, "claude", 7)] {
            buckets.add(UsageRecord(
                keyID: keyID, requestedModel: nil, model: model, status: 200, tokens: TokenUsage(input: input, output: 1, cached: 0),
                isError: false, time: hour + offset + 5), pricing: nil)
        }
        try harness.store.addUsage(buckets)
        let secret = ("x-admin-secret", "admin-secret-0123456789")
        let byModel = try await harness.client.send("GET", "/admin/usage?by=model&since=3d", headers: [secret])
        #expect(byModel.status == 200)
        #expect(byModel.text == #"{"rows":[{"model":"claude","requests":1,"errors":0,"input_tokens":7,"output_tokens":1,"cached_tokens":0,"cost_usd":0},"#
            + #"{"model":"gpt-5","requests":2,"errors":0,"input_tokens":150,"output_tokens":2,"cached_tokens":0,"cost_usd":0}],"#
            + #""totals":{"requests":3,"errors":0,"input_tokens":157,"output_tokens":3,"cached_tokens":0,"cost_usd":0}}"#)
        let prefix = try harness.store.listKeys()[0].displayPrefix
        let byKey = try await harness.client.send("GET", "/admin/usage?by=hour,key&model=gpt-5&key=\(prefix)&since=3d", headers: [secret])
        #expect(byKey.text.hasPrefix(#"{"rows":[{"hour":"\#(Timestamp(secondsSinceEpoch: Int64(hour)).rfc3339)","key_id":\#(keyID),"key_name":"test","key_prefix":"\#(prefix)","requests":1"#))
        let daily = try await harness.client.send("GET", "/admin/usage/daily?days=3", headers: [secret])
        let today = UsageDay.text(Int64(hour))
        #expect(daily.text.contains(#"{"day":"\#(today)","requests":2,"errors":0,"input_tokens":150,"output_tokens":2,"cached_tokens":0,"cost_usd":0,"models":[{"model":"gpt-5","requests":2"#))
        let bad = try await harness.client.send("GET", "/admin/usage?by=week", headers: [secret])
        #expect(bad.status == 400)
        #expect(bad.text.contains("by 'week' is not valid"))
        await harness.stop()
    }
}
