import Foundation
import Testing

/// `keys create --rpm …`, `keys limit`, `tiers set` and `tiers list` as separate processes.
struct LimitsCommandTests {
    let cli = BinaryRunner()

    @Test func limitsAreSetShownAndTheTiersFillTheGaps() throws {
        defer { cli.remove() }
        #expect(try cli.run("keys", "create", "--name", "bot", "--tier", "free", "--rpm", "60", "--concurrency", "2").status == 0)
        #expect(try cli.run("keys", "create", "--name", "ann").status == 0)
        let tier = try cli.run("tiers", "set", "free", "--rpm", "10", "--daily-tokens", "200000")
        #expect(tier.status == 0)
        #expect(tier.stdout == "tier free (1 key): rpm 10, concurrency none, daily tokens 200000\n")

        let listed = try cli.run("keys", "list")
        let lines = listed.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasSuffix("RPM  CONCURRENCY  TOKENS/DAY") == true)
        #expect(lines[1].hasSuffix("60            2     200000*"), "\(lines[1])")
        #expect(lines[2].hasSuffix("never        -            -           -"), "\(lines[2])")
        #expect(lines.last == "* from the key's tier (apipodctl tiers list); - no limit")

        let limited = try cli.run("keys", "limit", "1", "--rpm", "none", "--daily-tokens", "5000")
        #expect(limited.status == 0)
        #expect(limited.stdout.hasSuffix("now has rpm 10 (tier free), concurrency 2, daily tokens 5000\n"), "\(limited.stdout)")
        #expect(try cli.run("keys", "limit", "1").stdout.hasSuffix(" has rpm 10 (tier free), concurrency 2, daily tokens 5000\n"))

        let json = try cli.run("keys", "list", "--json")
        let keys = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        let own = try #require(keys[0]["limits"] as? [String: Any])
        let effective = try #require(keys[0]["effective_limits"] as? [String: Any])
        #expect(own["rpm"] is NSNull)
        #expect(own["daily_tokens"] as? Int == 5000)
        #expect(effective["rpm"] as? Int == 10)
        #expect(effective["concurrency"] as? Int == 2)

        let tiers = try cli.run("tiers", "list")
        #expect(tiers.stdout == """
            TIER   KEYS  RPM  CONCURRENCY  TOKENS/DAY
            elite     1    -            -           -
            free      1   10            -      200000
            - no limit; a key's own limit wins over its tier's

            """)
        let tiersJSON = try cli.run("tiers", "list", "--json")
        #expect(tiersJSON.stdout.contains(#""name": "free","#) && tiersJSON.stdout.contains(#""daily_tokens": 200000"#))
    }

    static let badValues: [[String]] = [
        ["keys", "create", "--name", "a", "--rpm", "0"],
        ["keys", "create", "--name", "a", "--concurrency", "0"],
        ["keys", "create", "--name", "a", "--rpm", "-5"],
        ["keys", "create", "--name", "a", "--daily-tokens", "1.5"],
        ["keys", "create", "--name", "a", "--rpm", "ten"],
        ["keys", "create", "--name", "a", "--rpm", "none"],
        ["keys", "create", "--name", "a", "--daily-tokens", "99999999999999999999"],
        ["keys", "limit", "1", "--concurrency", "-1"],
        ["keys", "limit", "1", "--rpm", "10000001"],
        ["tiers", "set", "free", "--daily-tokens", "-1"],
        ["tiers", "set", "free", "--rpm", "NONE"],
    ]

    @Test(arguments: badValues)
    func aBadLimitIsAUsageErrorThatNamesTheOption(command: [String]) throws {
        defer { cli.remove() }
        let result = try cli.run(command)
        #expect(result.status == 64)
        let option = command[command.count - 2]
        #expect(result.stderr.hasPrefix("apipodctl: invalid value '\(command.last!)' for '\(option)': expected a whole number from "))
        #expect(!FileManager.default.fileExists(atPath: cli.databasePath), "nothing is created")
    }
}
