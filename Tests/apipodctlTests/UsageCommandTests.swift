import Foundation
import Glibc
import TestSupport
import Testing
@testable import ApipodKit

/// `apipodctl usage` as a process: the table, the JSON, the filters, a missing database; and
/// `serve` writing every count before it exits on SIGTERM.
@Suite(.serialized)
struct UsageCommandTests {
    /// A database with two keys and usage on two days (yesterday and today, UTC).
    static func seeded(_ cli: BinaryRunner) throws -> (alice: KeyRecord, bob: KeyRecord, today: Int64) {
        let store = try KeyStore(path: cli.databasePath, opening: .mayCreate)
        let alice = try store.insert(try APIKey.generate(), name: "alice", lifetime: nil)
        let bob = try store.insert(try APIKey.generate(), name: "bob", lifetime: nil)
        let today = UsageDay.start(of: Timestamp.now().secondsSinceEpoch)
        var buckets = UsageBuckets()
        let rows: [(KeyRecord, String, Int64, Int, Bool)] = [
            (alice, "gpt-5", today, 1000, false), (alice, "gpt-5", today - 86_400, 3000, false),
            (bob, "claude-sonnet-4-5", today, 500, true),
        ]
        for (key, model, day, input, error) in rows {
            buckets.add(UsageRecord(
                keyID: key.id, requestedModel: nil, model: model, status: error ? 500 : 200,
                tokens: TokenUsage(input: input, output: input / 10, cached: input / 2), isError: error, time: day + 60),
                pricing: { _, input, output in Double(input + output) / 1_000_000 })
        }
        try store.addUsage(buckets)
        return (alice, bob, today)
    }

    @Test func theTableShowsRowsAndTotalsInUTC() throws {
        let cli = BinaryRunner()
        defer { cli.remove() }
        let (_, _, today) = try Self.seeded(cli)
        let result = try cli.run("usage", "--since", "2d")
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("Usage from ") && lines[0].hasSuffix(" UTC, by day"))
        #expect(lines.count == 5 && lines[1].hasPrefix("DAY (UTC)"))
        guard lines.count == 5 else { return }
        #expect(lines[2].hasPrefix(UsageDay.text(today - 86_400)) && lines[2].contains("3,000") && lines[2].contains("300"))
        #expect(lines[3].hasPrefix(UsageDay.text(today)) && lines[3].contains("1,500"))
        #expect(lines[4].hasPrefix("TOTAL") && lines[4].contains("4,500") && lines[4].contains("0.0049"))
        #expect(!result.stdout.contains("█"), "no bars when piped")
    }

    @Test func theJSONFiltersByKeyAndModel() throws {
        let cli = BinaryRunner()
        defer { cli.remove() }
        let (alice, bob, today) = try Self.seeded(cli)
        let byKey = try cli.run("usage", "--since", "7d", "--by", "key", "--json")
        #expect(byKey.status == 0)
        let expected = JSONOutput.object([
            ("rows", .array([
                .object([("key_id", .integer(alice.id)), ("key_name", .string("alice")), ("key_prefix", .string(alice.displayPrefix)),
                         ("requests", .integer(2)), ("errors", .integer(0)), ("input_tokens", .integer(4000)),
                         ("output_tokens", .integer(400)), ("cached_tokens", .integer(2000)), ("cost_usd", .number(0.0044))]),
                .object([("key_id", .integer(bob.id)), ("key_name", .string("bob")), ("key_prefix", .string(bob.displayPrefix)),
                         ("requests", .integer(1)), ("errors", .integer(1)), ("input_tokens", .integer(500)),
                         ("output_tokens", .integer(50)), ("cached_tokens", .integer(250)), ("cost_usd", .number(0.00055))]),
            ])),
            ("totals", .object([("requests", .integer(3)), ("errors", .integer(1)), ("input_tokens", .integer(4500)),
                                ("output_tokens", .integer(450)), ("cached_tokens", .integer(2250)), ("cost_usd", .number(0.00495))])),
        ])
        let parsed = try JSONValue.parse(Array(byKey.stdout.utf8))
        #expect(parsed == (try JSONValue.parse(Array(expected.rendered().utf8))))

        let filtered = try cli.run("usage", "--key", alice.displayPrefix, "--model", "gpt-5", "--since", UsageDay.text(today), "--by", "day,model", "--json")
        #expect(filtered.stdout.contains(#""day": "\#(UsageDay.text(today))""#))
        #expect(filtered.stdout.contains(#""input_tokens": 1000"#) && !filtered.stdout.contains("3000"))
    }

    @Test func badWordsAreUsageErrorsAndAMissingDatabaseIsCreatedNever() throws {
        let cli = BinaryRunner()
        defer { cli.remove() }
        let missing = try cli.run("usage")
        #expect(missing.status == 74)
        #expect(missing.stderr.contains(cli.databasePath) && missing.stderr.contains("apipodctl db migrate --db"))
        #expect(!FileManager.default.fileExists(atPath: cli.databasePath))
        let badBy = try cli.run("usage", "--by", "week")
        #expect(badBy.status == 64)
        #expect(badBy.stderr.contains("--by"))
        let badSince = try cli.run("usage", "--since", "yesterday")
        #expect(badSince.status == 64)
        #expect(badSince.stderr.contains("--since"))
    }

    @Test func sigtermWritesEveryCountBeforeExit() async throws {
        let cli = BinaryRunner()
        defer { cli.remove() }
        let upstream = try MockUpstream { _, response in
            var head = HTTPResponseHead(status: 200)
            head.headers.add(name: "Content-Type", value: "application/json")
            try await response.send(head, body: Array(#"{"model":"gpt-5","usage":{"prompt_tokens":7,"completion_tokens":3}}"#.utf8))
        }
        let group = try EventLoopGroup(count: 1)
        let key = try cli.run("keys", "create", "--name", "counted").stdout.trimmingCharacters(in: .newlines)
        let serve = try ServeProcessTests.Serve(cli: cli, upstreamPort: upstream.port)
        let client = TestClient(loop: group.loops[0], port: serve.port)
        try await serve.waitUntilReady(client: client)
        for _ in 0..<25 {
            let response = try await client.send(
                "POST", "/v1/chat/completions", headers: [("Authorization", "Bearer \(key)")], body: Array(#"{"model":"gpt-5"}"#.utf8))
            #expect(response.status == 200)
        }
        kill(serve.process.processIdentifier, SIGTERM)
        serve.process.waitUntilExit()
        #expect(serve.process.terminationStatus == 0)
        let stored = try cli.run("usage", "--by", "model", "--json")
        let totals = #""totals": {\#n    "requests": 25,\#n    "errors": 0,\#n    "input_tokens": 175,\#n    "output_tokens": 75,"#
        #expect(stored.stdout.contains(totals), "\(stored.stdout)")
        await upstream.stop()
        group.shutdown()
    }
}
