import TestSupport
import Testing
@testable import ApipodKit

struct SettingsTests {
    let scratch = TemporaryDirectory()

    @Test func precedenceIsFlagThenEnvironmentThenEnvFileThenDefault() throws {
        scratch.write(".env", "PORT=7000\nHOST=10.0.0.1\nDATABASE_PATH=/from/file.db\n")
        let settings = try Settings(
            flags: [.port: ("--port", "9000")],
            environment: ["PORT": "8000", "HOST": "127.0.0.1"],
            envFilePath: scratch.file(".env"))
        #expect(settings[.port] == .init(value: "9000", origin: .flag("--port")))
        #expect(settings[.host] == .init(value: "127.0.0.1", origin: .environment))
        #expect(settings[.databasePath] == .init(value: "/from/file.db", origin: .envFile(path: scratch.file(".env"), line: 3)))
        #expect(settings[.upstreamURL] == .init(value: "http://127.0.0.1:8080", origin: .defaultValue))
        #expect(settings[.adminSecret] == nil)
    }

    @Test func anExplicitEnvFileMustExist() {
        #expect(throws: ConfigurationError.unreadableEnvFile(path: "/nonexistent/.env", reason: "No such file or directory")) {
            try Settings(environment: [:], envFilePath: "/nonexistent/.env")
        }
    }

    @Test func emptyValuesCountAsUnset() throws {
        let settings = try Settings(environment: ["ADMIN_SECRET": "", "DATABASE_PATH": ""], envFilePath: nil)
        #expect(settings[.adminSecret] == nil)
        #expect(settings.databasePath == "./data/proxy.db")
    }
}

struct EnvFileTests {
    @Test func readsTheCommonDotenvSyntax() throws {
        let file = try EnvFile(path: ".env", contents: """
            # comment
            ANTIGRAVITY_URL=http://127.0.0.1:8080
            export ANTIGRAVITY_KEY = "a \\"quoted\\" key"  # trailing comment
            ADMIN_SECRET='single # not a comment'
            PORT=8081 # comment

            EMPTY=
            """)
        #expect(file.entries["ANTIGRAVITY_URL"]?.value == "http://127.0.0.1:8080")
        #expect(file.entries["ANTIGRAVITY_KEY"]?.value == "a \"quoted\" key")
        #expect(file.entries["ADMIN_SECRET"]?.value == "single # not a comment")
        #expect(file.entries["PORT"] == .init(value: "8081", line: 5))
        #expect(file.entries["EMPTY"]?.value == "")
    }

    /// Issue 17 item 1: "\r\n" is one Character, so a split on "\n" found no line at all.
    @Test func windowsLineEndingsEndEachLine() throws {
        let file = try EnvFile(path: ".env", contents: "PORT=9000\r\nANTIGRAVITY_KEY=upkey123\r\nADMIN_SECRET=\"quoted\"\r\n\r\n")
        #expect(file.entries["PORT"] == .init(value: "9000", line: 1))
        #expect(file.entries["ANTIGRAVITY_KEY"] == .init(value: "upkey123", line: 2))
        #expect(file.entries["ADMIN_SECRET"] == .init(value: "quoted", line: 3))
        #expect("upkey123\r\n".trimmingASCIIWhitespace() == "upkey123")
        #expect(" \r\néa\u{301}\t".trimmingASCIIWhitespace() == "éa\u{301}")
    }

    /// Issue 17 item 14: the value's leading spaces were trimmed before the ` #` search.
    @Test func aCommentWhereTheValueWouldStartLeavesItEmpty() throws {
        let file = try EnvFile(path: ".env", contents: "PORT= # comment\nHOST=#\nNAME=a#b\n")
        #expect(file.entries["PORT"]?.value == "")
        #expect(file.entries["HOST"]?.value == "")
        #expect(file.entries["NAME"]?.value == "a#b")
    }

    @Test(arguments: [
        ("JUST_A_NAME", 1, "expected KEY=value"),
        ("BAD NAME=1", 1, "the text before '=' is not a variable name (letters, digits, _)"),
        ("\nKEY=\"open", 2, "missing closing \""),
        ("KEY='a' b", 1, "unexpected text after the closing quote"),
    ])
    func reportsTheLineAtFault(contents: String, line: Int, problem: String) {
        #expect(throws: ConfigurationError.envFileSyntax(path: ".env", line: line, problem: problem)) {
            try EnvFile(path: ".env", contents: contents)
        }
    }
}

struct ServerConfigurationTests {
    func configuration(_ environment: [String: String]) throws(ConfigurationError) -> ServerConfiguration {
        try ServerConfiguration(settings: Settings(environment: environment, envFilePath: "/dev/null"))
    }

    @Test func worksWithNoConfigurationAtAll() throws {
        let configuration = try configuration([:])
        #expect(configuration.host == "0.0.0.0")
        #expect(configuration.port == 8081)
        #expect(configuration.upstream.description == "http://127.0.0.1:8080")
        #expect(configuration.adminSecret == nil)
        #expect(configuration.upstreamKey == nil)
        #expect(configuration.databasePath == "./data/proxy.db")
        #expect(configuration.routing == .builtIn)
        #expect(configuration.logFormat == .text)
        #expect(try self.configuration(["LOG_FORMAT": "json"]).logFormat == .json)
        #expect(configuration.metricsEnabled)
        #expect(try !self.configuration(["METRICS": "off"]).metricsEnabled)
    }

    @Test(arguments: [
        (["PORT": "0"], "PORT (from the environment) '0' is not a port number (1–65535)"),
        (["PORT": "65536"], "PORT (from the environment) '65536' is not a port number (1–65535)"),
        (["PORT": "http"], "PORT (from the environment) 'http' is not a port number (1–65535)"),
        (["ANTIGRAVITY_URL": "ftp://x"], "ANTIGRAVITY_URL (from the environment) 'ftp://x' must start with http:// or https://"),
        (["ANTIGRAVITY_URL": "http://:80"], "ANTIGRAVITY_URL (from the environment) 'http://:80' has no valid host"),
        (["HOST": "a b"], "HOST (from the environment) 'a b' is not an address or host name"),
        (["LOG_FORMAT": "yaml"], "LOG_FORMAT (from the environment) 'yaml' is not a log format: text or json"),
        (["METRICS": "no"], "METRICS (from the environment) 'no' is not on or off"),
    ])
    func badValuesNameTheSetting(environment: [String: String], message: String) {
        do {
            _ = try configuration(environment)
            Issue.record("expected a configuration error")
        } catch {
            #expect(error.description == "bad configuration: \(message)")
            #expect(error.exitStatus == .configuration)
        }
    }

    @Test func aShortAdminSecretIsRefusedWithoutRepeatingIt() {
        do {
            _ = try configuration(["ADMIN_SECRET": "hunter2"])
            Issue.record("a 7-character secret must be refused")
        } catch {
            #expect(error.description.contains("ADMIN_SECRET"))
            #expect(error.description.contains("at least 16"))
            #expect(!error.description.contains("hunter2"))
        }
    }

    /// Issue 17 item 2: a CR or LF in the upstream key reached the wire and ended its headers.
    @Test(arguments: SettingName.allCases)
    func controlCharactersAreRefusedWithoutRepeatingTheValue(name: SettingName) {
        for value in ["sk-live-secret\r\nX-Injected: 1", "sk-live-secret\u{0}", "sk-live-secret\u{85}"] {
            do {
                _ = try configuration([name.rawValue: value])
                Issue.record("\(name.rawValue) with a control character must be refused")
            } catch {
                #expect(error.exitStatus == .configuration)
                #expect(error.description.contains(name.rawValue))
                #expect(error.description.contains("control character"))
                #expect(!error.description.contains("sk-live"), "the value may be a secret")
            }
        }
    }

    /// Issue 17 item 3: the password of a URL with credentials was printed in its error.
    @Test(arguments: [
        ("https://admin:hunter2hunter2@llm.example", "'https://…@llm.example' must not carry credentials"),
        ("ftp://admin:hunter2hunter2@llm.example/a", "'ftp://…@llm.example/a' must start with"),
        ("https://llm.example/v1?key=hunter2hunter2", "'https://llm.example/v1?…' must not have a query"),
        ("https://user:hunter2hunter2@h:99999", "'https://…@h:99999'"),
    ])
    func urlCredentialsAreNotRepeated(url: String, expected: String) {
        do {
            _ = try configuration(["ANTIGRAVITY_URL": url])
            Issue.record("\(url) must be refused")
        } catch {
            #expect(error.description.contains(expected))
            #expect(!error.description.contains("hunter2"))
        }
    }

    /// Issue 17 item 3 (the audit): an env line with a space in its name echoed that name,
    /// which can hold the secret itself.
    @Test func anEnvLineWithABadNameIsNotRepeated() {
        do {
            _ = try EnvFile(path: ".env", contents: "ANTIGRAVITY_KEY sk-live-secret=x\n")
            Issue.record("expected a syntax error")
        } catch {
            #expect(!error.description.contains("sk-live"))
            #expect(error.description.contains("line 1"))
        }
    }

    @Test func anUnreadableRoutesFileIsAConfigurationError() {
        do {
            _ = try configuration(["ROUTES_FILE": "/nonexistent/routes.json"])
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("ROUTES_FILE"))
            #expect(error.description.contains("No such file or directory"))
        }
    }
}

struct UpstreamURLTests {
    @Test(arguments: [
        ("http://127.0.0.1:8080", "http", "127.0.0.1", 8080, ""),
        ("https://api.example.com", "https", "api.example.com", 443, ""),
        ("http://example.com/base/", "http", "example.com", 80, "/base"),
        ("HTTP://[::1]:9000/v", "http", "::1", 9000, "/v"),
    ])
    func parses(text: String, scheme: String, host: String, port: Int, base: String) throws {
        let url = try UpstreamURL(parsing: text)
        #expect(url.scheme.rawValue == scheme)
        #expect(url.host == host)
        #expect(url.port == port)
        #expect(url.basePath == base)
    }

    @Test(arguments: ["127.0.0.1:8080", "http://user:pw@host", "http://host:0", "http://host:99999", "http://host/?q=1", "http://[::1"])
    func rejects(text: String) {
        #expect(throws: UpstreamURLError.self) { try UpstreamURL(parsing: text) }
    }

    /// Issue 17 item 13: a space forged the request line (`POST /a b HTTP/1.0/v1/… HTTP/1.1`),
    /// and `host:8080:9090` read as host `host:8080`.
    @Test(arguments: [
        "http://127.0.0.1:18082/a b HTTP/1.0", "http://h/a\tb", "http://h/a\u{85}", "http://h/a\u{7f}",
        "http://host:8080:9090", "http://a:b:80", "http://h/100%", "http://h/%zz",
    ])
    func refusesWhatWouldBreakTheRequestLine(text: String) {
        #expect(throws: UpstreamURLError.self) { try UpstreamURL(parsing: text) }
    }

    @Test func percentEncodesTheBasePath() throws {
        #expect(try UpstreamURL(parsing: "http://h/ü\"<x>/%2e%41").basePath == "/%C3%BC%22%3Cx%3E/%2e%41")
        #expect(try UpstreamURL(parsing: "http://h/a-b_c.d~e!$&'()*+,;=:@").basePath == "/a-b_c.d~e!$&'()*+,;=:@")
    }

    @Test func authorityOmitsTheDefaultPort() throws {
        #expect(try UpstreamURL(parsing: "https://h:443").authority == "h")
        #expect(try UpstreamURL(parsing: "http://[::1]:81").authority == "[::1]:81")
    }
}
