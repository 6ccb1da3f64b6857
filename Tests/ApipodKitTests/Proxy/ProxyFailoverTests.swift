import Synchronization
import TestSupport
import Testing
@testable import ApipodKit

/// SPEC §8 over loopback: three mock upstreams, told apart by their `x-upstream` header — `a`
/// (provider `pa`, `x-api-key`), `b` (provider `pb`, bearer) and `c` (the built-in `default`,
/// the harness's own upstream) — each answering with the status its test sets.
@Suite(.serialized)
struct ProxyFailoverTests {
    /// The statuses the three upstreams answer with, in order: the first request gets the
    /// first status, later ones the last.
    final class Script: Sendable {
        let statuses: Mutex<[String: [Int]]>
        init(_ statuses: [String: [Int]]) { self.statuses = Mutex(statuses) }

        func next(_ name: String) -> Int {
            statuses.withLock { all in
                let list = all[name] ?? [200]
                if list.count > 1 { all[name] = Array(list.dropFirst()) }
                return list[0]
            }
        }
    }

    static func behaviour(_ name: String, _ script: Script, retryAfter: String? = nil) -> MockUpstream.Behaviour {
        { request, response in
            let model = (try? ModelField.find(in: request.body))??.value ?? ""
            var head = HTTPResponseHead(status: script.next(name))
            head.headers.add(name: "x-upstream", value: name)
            if let retryAfter, head.status != 200 { head.headers.add(name: "Retry-After", value: retryAfter) }
            head.headers.add(name: "Content-Type", value: "application/json")
            try await response.send(head, body: Array(#"{"model":"\#(model)","from":"\#(name)"}"#.utf8))
        }
    }

    /// `mix` is `ma` (on `pa`, sent as `ma-up`), then falls back to `mb` (on `pb`), then `mc`
    /// (on `default`).
    static func table(portA: UInt16, portB: UInt16) throws -> RoutingTable {
        RoutingTable.builtIn.merging(RoutingTable(
            aliases: [RouteAlias(name: "mix", targets: [WeightedTarget(model: "ma", weight: 1)], fallback: ["mb", "mc"])!],
            providers: [
                ProviderRoute(name: "pa", url: try UpstreamURL(parsing: "http://127.0.0.1:\(portA)"), keyEnv: "A_KEY"),
                ProviderRoute(name: "pb", url: try UpstreamURL(parsing: "http://127.0.0.1:\(portB)/base"), auth: .bearer, keyEnv: "B_KEY"),
            ],
            models: [
                ModelRoute(name: "ma", provider: "pa", upstreamModel: "ma-up"),
                ModelRoute(name: "mb", provider: "pb"),
            ]))
    }

    struct Setup {
        let a: MockUpstream
        let b: MockUpstream
        let harness: ProxyHarness

        func stop() async {
            await harness.stop()
            await a.stop()
            await b.stop()
        }
    }

    static func setUp(_ script: Script, retryAfter: String? = nil, portA: UInt16? = nil, adminSecret: String? = nil) throws -> Setup {
        let a = try MockUpstream(behaviour("a", script, retryAfter: retryAfter))
        let b = try MockUpstream(behaviour("b", script))
        let table = try table(portA: portA ?? a.port, portB: b.port)
        let harness = try ProxyHarness(
            adminSecret: adminSecret, routing: table, providerKeys: ["A_KEY": "key-a", "B_KEY": "key-b"], behaviour("c", script))
        return Setup(a: a, b: b, harness: harness)
    }

    static let body = #"{ "messages":[{"role":"user","content":"caf\u00e9"}], "model" : "mix","n":1E+2}"#

    @Test func eachProviderGetsItsOwnKeyAndTheModelsUpstreamName() async throws {
        let setup = try Self.setUp(Script([:]))
        let headers = [setup.harness.bearer, ("x-api-key", "client-secret"), ("Content-Type", "application/json")]
        let response = try await setup.harness.chat(Self.body, headers: headers)
        #expect(response.headers["x-upstream"] == "a")
        #expect(response.headers["x-apipod-model"] == "ma")
        #expect(response.headers["x-apipod-attempts"] == "1")
        let atA = try #require(setup.a.received.first)
        #expect(atA.head.headers.values(named: "x-api-key") == ["key-a"])
        #expect(atA.head.headers["authorization"] == nil)
        #expect(atA.body == Array(Self.body.replacing(#""mix""#, with: #""ma-up""#).utf8), "every other byte as sent")

        _ = try await setup.harness.chat(Self.body.replacing(#""mix""#, with: #""mb""#), headers: headers)
        let atB = try #require(setup.b.received.first)
        #expect(atB.head.headers.values(named: "authorization") == ["Bearer key-b"])
        #expect(atB.head.headers["x-api-key"] == nil)
        #expect(atB.head.target == "/base/v1/chat/completions")
        #expect(atB.head.headers["host"] == "127.0.0.1:\(setup.b.port)")

        _ = try await setup.harness.chat(Self.body.replacing(#""mix""#, with: #""unlisted""#), headers: headers)
        let atC = try #require(setup.harness.upstream.received.first)
        #expect(atC.head.headers.values(named: "x-api-key") == ["upstream-secret"], "a model not listed goes to default")
        #expect(atC.body == Array(Self.body.replacing(#""mix""#, with: #""unlisted""#).utf8))
        await setup.stop()
    }

    @Test(arguments: [429, 500, 502, 503, 504, 529])
    func aFailingStatusHandsTheRequestToTheNextCandidate(status: Int) async throws {
        let setup = try Self.setUp(Script(["a": [status]]))
        let response = try await setup.harness.chat(Self.body)
        #expect(response.status == 200)
        #expect(response.headers["x-upstream"] == "b")
        #expect(response.headers["x-apipod-model"] == "mb")
        #expect(response.headers["x-apipod-attempts"] == "2")
        #expect(setup.b.received.first?.body == Array(Self.body.replacing(#""mix""#, with: #""mb""#).utf8), "the body replayed with mb")
        let line = try #require(try await setup.harness.logLines().first)
        #expect(line.contains("model=mix->mb"))
        #expect(line.contains("attempts=ma:\(status),mb:200"))
        await setup.stop()
    }

    @Test func aBadRequestIsNeverRetried() async throws {
        let setup = try Self.setUp(Script(["a": [400]]))
        let response = try await setup.harness.chat(Self.body)
        #expect(response.status == 400)
        #expect(response.headers["x-upstream"] == "a")
        #expect(response.headers["x-apipod-attempts"] == "1")
        #expect(setup.b.received.isEmpty)
        #expect(setup.harness.upstream.received.isEmpty)
        await setup.stop()
    }

    @Test func aDeadProviderPortFailsOver() async throws {
        let setup = try Self.setUp(Script([:]), portA: try ProxyHarness.closedPort())
        let response = try await setup.harness.chat(Self.body)
        #expect(response.status == 200)
        #expect(response.headers["x-upstream"] == "b")
        let line = try #require(try await setup.harness.logLines().first)
        #expect(line.contains("attempts=ma:unreachable,mb:200"))
        await setup.stop()
    }

    @Test func whenEveryCandidateFailsTheClientGetsTheLastAnswer() async throws {
        let setup = try Self.setUp(Script(["a": [503], "b": [502], "c": [529]]))
        let response = try await setup.harness.chat(Self.body)
        #expect(response.status == 529)
        #expect(response.headers["x-upstream"] == "c")
        #expect(response.headers["x-apipod-model"] == "mc")
        #expect(response.headers["x-apipod-attempts"] == "3")
        await setup.stop()
    }

    /// A 429 with `Retry-After` cools `ma`: the next request skips it and goes straight to `mb`,
    /// and `/admin/upstreams` (and `/admin/fallback`) show why and until when.
    @Test func retryAfterCoolsTheModelAndTheBoardShowsIt() async throws {
        let setup = try Self.setUp(Script(["a": [429, 200]]), retryAfter: "120", adminSecret: "an-admin-secret-0123")
        #expect(try await setup.harness.chat(Self.body).headers["x-upstream"] == "b")
        let second = try await setup.harness.chat(Self.body)
        #expect(second.headers["x-upstream"] == "b")
        #expect(second.headers["x-apipod-attempts"] == "1", "the cooling model is not tried")
        #expect(setup.a.received.count == 1)
        for path in ["/admin/upstreams", "/admin/fallback"] {
            let board = try await setup.harness.client.send("GET", path, headers: [("x-admin-secret", "an-admin-secret-0123")])
            #expect(board.status == 200)
            guard case .object(let root) = try JSONValue.parse(board.body), case .array(let models)? = root["models"],
                  case .array(let providers)? = root["providers"]
            else { Issue.record("not the board's shape: \(board.text)"); continue }
            let ma = models.first { if case .object(let row) = $0 { return row["name"] == .string("ma") } else { return false } }
            guard case .object(let row)? = ma else { Issue.record("ma is not on the board"); continue }
            #expect(row["provider"] == .string("pa"))
            #expect(row["state"] == .string("cooling"))
            #expect(row["last_status"] == .number(429))
            #expect(row["attempts"] == .number(1))
            #expect(row["failures"] == .number(1))
            if case .string(let until)? = row["until"], let end = Timestamp(parsing: until) {
                #expect((Timestamp.now().secondsSinceEpoch + 60...Timestamp.now().secondsSinceEpoch + 121).contains(end.secondsSinceEpoch))
            } else {
                Issue.record("no until: \(row)")
            }
            #expect(providers.count == 3)
        }
        await setup.stop()
    }

    /// Once a byte of the answer has been relayed the answer is that upstream's: a stream cut
    /// mid-way leaves the client with a cut stream, and no other candidate is asked.
    @Test func noFailoverAfterTheFirstByte() async throws {
        let a = try MockUpstream { _, response in
            var head = HTTPResponseHead(status: 200)
            head.headers.add(name: "Content-Type", value: "text/event-stream")
            head.headers.add(name: "Transfer-Encoding", value: "chunked")
            try await response.start(head)
            try await response.write(Array("data: {\"first\":true}\n\n".utf8))
            try await response.flush()
            response.abort()
        }
        let b = try MockUpstream(Self.behaviour("b", Script([:])))
        let table = try Self.table(portA: a.port, portB: b.port)
        let harness = try ProxyHarness(routing: table, Self.behaviour("c", Script([:])))
        // Read raw to the close: what came (the head and the first event, or nothing if the
        // proxy had not flushed them yet) is all there is — never a second answer.
        let connection = try await harness.connect()
        try await connection.write(harness.rawChat(Self.body))
        let received = String(decoding: try await connection.readToEnd(), as: UTF8.self)
        #expect(!received.contains("x-upstream: b") && !received.contains("x-upstream: c"))
        #expect(received.components(separatedBy: "HTTP/1.1 ").count <= 2, "one answer at most: \(received)")
        let line = try #require(try await harness.logLines().first)
        #expect(line.contains("upstream failed mid-response"), "the relay was cut: \(line)")
        #expect(b.received.isEmpty)
        #expect(harness.upstream.received.isEmpty)
        await harness.stop()
        await a.stop()
        await b.stop()
    }

    @Test func theMetricsCountEveryAttemptAndTheFailover() async throws {
        let setup = try Self.setUp(Script(["a": [503]]))
        _ = try await setup.harness.chat(Self.body)
        let scrape = try await setup.harness.client.send("GET", "/metrics").text
        #expect(scrape.contains(#"apipod_upstream_attempts_total{provider="pa",model="ma",outcome="http_5xx"} 1"#))
        #expect(scrape.contains(#"apipod_upstream_attempts_total{provider="pb",model="mb",outcome="ok"} 1"#))
        #expect(scrape.contains("apipod_failovers_total 1\n"))
        await setup.stop()
    }
    static func listing(_ ids: [String]?) -> MockUpstream.Behaviour {
        { _, response in
            guard let ids else { return try await response.send(HTTPResponseHead(status: 500)) }
            let data = ids.map { #"{"id":"\#($0)","object":"model","owned_by":"x"}"# }.joined(separator: ",")
            try await response.send(HTTPResponseHead(status: 200), body: Array(#"{"object":"list","data":[\#(data)]}"#.utf8))
        }
    }

    /// Every provider's models, each once, then the aliases and the configured models; a provider
    /// that fails is left out, and each listing is fetched at most once a minute.
    @Test func theModelListMergesEveryProvider() async throws {
        let a = try MockUpstream(Self.listing(["xa", "shared"]))
        let b = try MockUpstream(Self.listing(nil))
        let harness = try ProxyHarness(routing: try Self.table(portA: a.port, portB: b.port), providerKeys: ["A_KEY": "key-a"], Self.listing(["shared", "yc"]))
        for _ in 0..<2 {
            let response = try await harness.client.send("GET", "/v1/models", headers: [harness.bearer])
            #expect(response.status == 200)
            guard case .object(let root) = try JSONValue.parse(response.body), case .array(let data)? = root["data"] else {
                Issue.record("not a listing: \(response.text)")
                continue
            }
            let ids = data.compactMap { entry -> String? in
                if case .object(let members) = entry, case .string(let id)? = members["id"] { return id } else { return nil }
            }
            #expect(ids == ["shared", "yc", "xa", "cursor-pro-sonnet", "mix", "ma", "mb"])
            #expect(root["object"] == .string("list"))
        }
        #expect(a.received.count == 1, "cached for a minute")
        #expect(a.received.first?.head.headers["x-api-key"] == "key-a")
        #expect(a.received.first?.head.headers["authorization"] == nil)
        let anthropic = try await harness.client.send("GET", "/v1/models", headers: [harness.bearer, ("anthropic-version", "2023-06-01")])
        #expect(anthropic.text.contains(#""has_more":false"#))
        #expect(anthropic.text.contains(#"{"type":"model","id":"mix","display_name":"mix""#))
        await harness.stop()
        await a.stop()
        await b.stop()
    }

    @Test func whenNoProviderListsItsModelsTheListIs502() async throws {
        let b = try MockUpstream(Self.listing(nil))
        let harness = try ProxyHarness(routing: try Self.table(portA: try ProxyHarness.closedPort(), portB: b.port), Self.listing(nil))
        let response = try await harness.client.send("GET", "/v1/models", headers: [harness.bearer])
        #expect(response.status == 502)
        await harness.stop()
        await b.stop()
    }
}
