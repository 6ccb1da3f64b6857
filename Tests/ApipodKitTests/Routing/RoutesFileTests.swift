import Testing
@testable import ApipodKit

struct RoutesFileTests {
    func parse(_ text: String) throws(RoutesFileError) -> RoutingTable {
        try RoutesFile.parse(Array(text.utf8), path: "routes.json")
    }

    @Test func addsAliasesAndKeepsTheBuiltIn() throws {
        let table = try parse("""
            {"aliases": {"fast": {"targets": [{"model": "gemini-3-flash", "weight": 1}, {"model": "gpt-4o-mini", "weight": 3}]}}}
            """)
        #expect(table.aliasNames == ["cursor-pro-sonnet", "fast"])
        #expect(table.aliases["fast"]?.expectedShares == [0.25, 0.75])
    }

    @Test func replacesTheBuiltInAliasOfTheSameName() throws {
        let table = try parse("""
            {"aliases": {"cursor-pro-sonnet": {"targets": [{"model": "claude-sonnet-4-5", "weight": 0.5}, {"model": "gemini-3-flash", "weight": 0.5}]}}}
            """)
        #expect(table.aliases["cursor-pro-sonnet"]?.expectedShares == [0.5, 0.5])
    }

    @Test(arguments: [
        (#"{"aliases": {"a": {"targets": [{"model": "m", "weight": -1}]}}}"#, "aliases.a.targets[0].weight must be a positive number, got a number"),
        (#"{"aliases": {"a": {"targets": [{"model": "m", "wieght": 1}]}}}"#, "aliases.a.targets[0].wieght unknown field; did you mean 'weight'?"),
        (#"{"aliases": {"a": {"targets": [{"model": "m", "weight": "1"}]}}}"#, "aliases.a.targets[0].weight must be a positive number, got a string"),
        (#"{"aliases": {"a": {"targets": []}}}"#, "aliases.a.targets must name at least one target"),
        (#"{"aliases": {"a": {"targets": [{"model": "b", "weight": 1}]}, "b": {"targets": [{"model": "m", "weight": 1}]}}}"#,
         "aliases.a.targets[0].model 'b' is itself an alias; targets must be real models"),
        (#"{"aliases": {"a": {"targets": [{"model": "m", "weight": 1}, {"model": "m", "weight": 2}]}}}"#, "aliases.a.targets[1].model 'm' is listed twice"),
        (#"{"aliases": {"a": {"targets": [{"model": "m", "weight": 1e308}, {"model": "n", "weight": 1e308}]}}}"#,
         "aliases.a.targets[0].weight must be at most 1000000; only the ratios between weights matter"),
        (#"{"aliases": {"a": {"targets": [{"model": "m", "weight": 1e6}, {"model": "n", "weight": 1e-300}]}}}"#,
         "aliases.a.targets has weights too far apart: a target would never be chosen"),
        (#"{"alias": {}}"#, "alias unknown field; did you mean 'aliases'?"),
        (#"[]"#, "(top level) must be an object, got an array"),
        (#"{}"#, "aliases is missing; the file must have a \"providers\", \"models\" or \"aliases\" object"),
        (#"{"models": {"m": {"provider": "nowhere"}}}"#, "models.m.provider 'nowhere' is not a provider: define it under \"providers\""),
        (#"{"providers": {"p": {"url": "http://a"}}, "models": {"m": {"provider": "q"}}}"#,
         "models.m.provider 'q' is not a provider: define it under \"providers\"; did you mean 'p'?"),
        (#"{"providers": {"p": {"url": "ftp://a"}}}"#, "providers.p.url 'ftp://a' must start with http:// or https://"),
        (#"{"providers": {"p": {"url": "http://a", "auth": "basic"}}}"#, "providers.p.auth must be \"x-api-key\" or \"bearer\""),
        (#"{"providers": {"p": {"url": "http://a", "key_env": "1X"}}}"#,
         "providers.p.key_env must be the name of an environment variable, such as \"DEEPSEEK_API_KEY\""),
        (#"{"providers": {"default": {"url": "http://a"}}}"#,
         "providers.default is built in (ANTIGRAVITY_URL and ANTIGRAVITY_KEY); give this provider another name"),
        (#"{"models": {"m": {"fallback": ["cursor-pro-sonnet"]}}}"#,
         "models.m.fallback[0] 'cursor-pro-sonnet' is an alias; a fallback must be a real model (aliases do not nest)"),
        (#"{"aliases": {"a": {"targets": [{"model": "m", "weight": 1}], "fallback": ["a"]}}}"#,
         "aliases.a.fallback[0] 'a' is the entry itself; a fallback must be a real model (aliases do not nest)"),
        (#"{"aliases": {"a": {"targets": [{"model": "cursor-pro-sonnet", "weight": 1}]}}}"#,
         "aliases.a.targets[0].model 'cursor-pro-sonnet' is itself an alias; targets must be real models"),
        (#"{"models": {"fast": {}}, "aliases": {"fast": {"targets": [{"model": "m", "weight": 1}]}}}"#,
         "models.fast 'fast' is an alias; describe its targets under \"models\" instead"),
        (#"{"models": {"m": {"price": {"input": -1, "output": 2}}}}"#, "models.m.price.input must be a number of US dollars per million tokens, 0 or more"),
        (#"{"models": {"m": {"upstream_model": ""}}}"#, "models.m.upstream_model must be a non-empty string"),
    ])
    func errorsNameTheFieldAtFault(text: String, message: String) {
        do {
            _ = try parse(text)
            Issue.record("expected an error for \(text)")
        } catch {
            #expect(error.description == "routes file 'routes.json': \(message)")
            #expect(error.exitStatus == .configuration)
        }
    }

    @Test func readsProvidersModelsAndFallbacks() throws {
        let table = try parse("""
            {"providers": {"deepseek": {"url": "https://api.deepseek.com/v1", "key_env": "DEEPSEEK_API_KEY", "auth": "bearer"},
                           "local": {"url": "http://127.0.0.1:9000"}},
             "models": {"deepseek-chat": {"provider": "deepseek", "upstream_model": "deepseek-v3", "fallback": ["gemini-3-pro"],
                                          "price": {"input": 0.27, "output": 1.1}},
                        "claude-sonnet-4-5": {"fallback": ["gemini-3-pro"]}},
             "aliases": {"cheap": {"targets": [{"model": "deepseek-chat", "weight": 1}], "fallback": ["gemini-3-flash"]}}}
            """)
        #expect(table.providers["deepseek"] == ProviderRoute(
            name: "deepseek", url: try UpstreamURL(parsing: "https://api.deepseek.com/v1"), auth: .bearer, keyEnv: "DEEPSEEK_API_KEY"))
        #expect(table.providers["local"]?.auth == .xAPIKey)
        #expect(table.providers["local"]?.keyEnv == nil)
        #expect(table.models["deepseek-chat"] == ModelRoute(
            name: "deepseek-chat", provider: "deepseek", upstreamModel: "deepseek-v3", fallback: ["gemini-3-pro"],
            price: ModelPrice(inputPerMillion: 0.27, outputPerMillion: 1.1)))
        #expect(table.models["claude-sonnet-4-5"]?.provider == "default")
        #expect(table.aliases["cheap"]?.fallback == ["gemini-3-flash"])
        #expect(table.aliasNames == ["cheap", "cursor-pro-sonnet"])
    }

    @Test func aFileWithOnlyAliasesIsTheFirstEdition() throws {
        let table = try parse(#"{"aliases": {"fast": {"targets": [{"model": "m", "weight": 1}]}}}"#)
        #expect(table.providers.isEmpty)
        #expect(table.models.isEmpty)
        #expect(table.candidate("m") == RouteCandidate(model: "m", provider: "default", upstreamModel: "m"))
    }

    /// A key written into the file is refused by its field's name; its value is never repeated.
    @Test(arguments: ["key", "api_key", "token"])
    func aKeyInTheFileIsRefusedWithoutEchoingIt(field: String) {
        do {
            _ = try parse(#"{"providers": {"p": {"url": "http://a", "\#(field)": "sk-very-secret-value"}}}"#)
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("providers.p.\(field) must not hold a key"))
            #expect(error.description.contains("key_env"))
            #expect(!error.description.contains("sk-very-secret-value"))
            #expect(error.exitStatus == .configuration)
        }
    }

    @Test func unsetKeyVariablesAreWarningsNotErrors() throws {
        let table = try parse(#"{"providers": {"a": {"url": "http://a", "key_env": "A_KEY"}, "b": {"url": "http://b", "key_env": "B_KEY"}, "c": {"url": "http://c"}}}"#)
        let keys = ProviderKeys(table) { ["A_KEY": "ka", "C_KEY": "k\r\nX-Injected: 1"][$0] }
        #expect(keys.keys == ["a": "ka"])
        #expect(keys.warnings == ["providers.b.key_env: B_KEY is not set; the provider is used without a key"])
        let injected = try parse(#"{"providers": {"c": {"url": "http://c", "key_env": "C_KEY"}}}"#)
        let refused = ProviderKeys(injected) { ["C_KEY": "k\r\nX-Injected: 1"][$0] }
        #expect(refused.keys.isEmpty)
        #expect(refused.warnings == ["providers.c.key_env: C_KEY contains a control character; the provider is used without a key"])
    }

    @Test func aPriceCostsPerMillionTokens() {
        let price = ModelPrice(inputPerMillion: 3, outputPerMillion: 15)
        #expect(price.cost(inputTokens: 1_000_000, outputTokens: 0) == 3)
        #expect(abs(price.cost(inputTokens: 1000, outputTokens: 2000) - 0.033) < 1e-12)
    }

    @Test func syntaxErrorsSaySo() {
        do {
            _ = try parse("{\"aliases\": ")
            Issue.record("expected a syntax error")
        } catch {
            #expect(error.description.hasPrefix("routes file 'routes.json': not valid JSON"))
        }
    }

    /// Issue 17 item 11: the routes file's syntax errors say what and where.
    @Test func syntaxErrorsSayWhatAndWhere() {
        do {
            _ = try parse("{\"aliases\": {\"a\": {\"targets\": [{\"model\": \"m\", \"weight\": 1e400}]}}}")
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "routes file 'routes.json': not valid JSON: the number 1e400 is too large at line 1, column 57")
        }
    }

    /// Issue 17 item 14: a second spelling of an alias silently replaced or lost the first.
    @Test(arguments: [
        "{\"aliases\": {\"a\": {\"targets\": [{\"model\": \"m\", \"weight\": 1}]}, \"a\": {\"targets\": [{\"model\": \"n\", \"weight\": 1}]}}}",
        "{\"aliases\": {\"caf\u{e9}\": {\"targets\": [{\"model\": \"m\", \"weight\": 1}]}, \"cafe\u{301}\": {\"targets\": [{\"model\": \"n\", \"weight\": 1}]}}}",
    ])
    func anAliasGivenTwiceIsRefused(text: String) {
        do {
            _ = try parse(text)
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("is given twice in one object at line 1, column 6"))
            #expect(error.exitStatus == .configuration)
        }
    }

    /// Issue 17 item 12: a set of every alias name was rebuilt per alias, and each target was
    /// checked against every earlier one: 20,000 aliases took 37.7 s (release build). Each bound is
    /// some forty times what the linear code takes in a debug build (so a slow, busy machine
    /// passes) and a fraction of what the quadratic code took (150 s and, for 40,000 targets,
    /// about 100 s).
    @Test func loadingTakesTimeInProportionToTheFile() throws {
        let aliases = (0..<20_000).map { #""a\#($0)": {"targets": [{"model": "m", "weight": 1}]}"# }
        let manyAliases = Array("{\"aliases\": {\(aliases.joined(separator: ","))}}".utf8)
        let targets = (0..<40_000).map { #"{"model": "m\#($0)", "weight": 1}"# }
        let manyTargets = Array("{\"aliases\": {\"a\": {\"targets\": [\(targets.joined(separator: ","))]}}}".utf8)
        let clock = ContinuousClock()
        let start = clock.now
        #expect(try RoutesFile.parse(manyAliases, path: "routes.json").aliases.count == 20_001)
        #expect(clock.now - start < .seconds(30))
        let middle = clock.now
        #expect(try RoutesFile.parse(manyTargets, path: "routes.json").aliases["a"]?.targets.count == 40_000)
        #expect(clock.now - middle < .seconds(30))
    }

    @Test func aMissingFileIsUnreadable() {
        #expect(throws: RoutesFileError.unreadable(path: "/nonexistent/routes.json", reason: "No such file or directory")) {
            try RoutesFile.load(path: "/nonexistent/routes.json")
        }
    }
}
