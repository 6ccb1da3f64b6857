import Foundation
import Testing

/// `route check` as a separate process, and the README's example routes file run through it so
/// the documentation cannot drift from what the program accepts.
struct RouteCheckTests {
    let cli = BinaryRunner()

    /// The JSON block after the README's `route-check-example` marker.
    static func readmeExample() throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let marker = try #require(readme.range(of: "<!-- route-check-example"))
        let open = try #require(readme.range(of: "```json\n", range: marker.upperBound..<readme.endIndex))
        let close = try #require(readme.range(of: "\n```", range: open.upperBound..<readme.endIndex))
        return String(readme[open.upperBound..<close.lowerBound])
    }

    @Test func theREADMEsExampleIsAccepted() throws {
        defer { cli.remove() }
        try cli.write("routes.json", try Self.readmeExample())
        var withKeys = cli
        withKeys.environment["ANTIGRAVITY_KEY"] = "a"
        withKeys.environment["DEEPSEEK_API_KEY"] = "d"
        withKeys.environment["KIMI_API_KEY"] = "k"
        let result = try withKeys.run("route", "check", "--routes", "routes.json")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "routes file 'routes.json' is valid: 4 providers (default included), 4 models, 2 aliases\n")
        #expect(result.stderr.isEmpty)
    }

    @Test func anUnsetKeyVariableIsAWarning() throws {
        defer { cli.remove() }
        try cli.write("routes.json", #"{"providers": {"p": {"url": "http://127.0.0.1:9", "key_env": "APIPOD_TEST_UNSET_KEY"}}}"#)
        let result = try cli.run("route", "check", "--routes", "routes.json")
        #expect(result.status == 0)
        #expect(result.stdout == "routes file 'routes.json' is valid: 2 providers (default included), 0 models, 1 alias\n")
        #expect(result.stderr == "apipodctl: warning: providers.p.key_env: APIPOD_TEST_UNSET_KEY is not set; the provider is used without a key\n")
    }

    @Test func anErrorNamesItsFieldAndExits78() throws {
        defer { cli.remove() }
        try cli.write("routes.json", #"{"models": {"m": {"provider": "nowhere"}}}"#)
        let result = try cli.run("route", "check", "--routes", "routes.json")
        #expect(result.status == 78)
        #expect(result.stderr.contains("models.m.provider 'nowhere' is not a provider"))
        #expect(result.stdout.isEmpty)
        try cli.write("secret.json", #"{"providers": {"p": {"url": "http://a", "api_key": "sk-do-not-print"}}}"#)
        let secret = try cli.run("route", "check", "--routes", "secret.json")
        #expect(secret.status == 78)
        #expect(secret.stderr.contains("providers.p.api_key must not hold a key"))
        #expect(!secret.stderr.contains("sk-do-not-print"))
    }

    @Test func withoutAFileTheBuiltInRulesApply() throws {
        defer { cli.remove() }
        let result = try cli.run("route", "check")
        #expect(result.status == 0)
        #expect(result.stdout.contains("no routes file is configured"))
    }
}
