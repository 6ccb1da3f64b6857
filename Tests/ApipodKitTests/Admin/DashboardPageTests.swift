import TestSupport
import Testing
@testable import ApipodKit

/// The dashboard's files and `/admin/live` over a real socket; what the page does with them is
/// `DashboardBrowserTests`.
@Suite(.serialized)
struct DashboardPageTests {
    static let secret = "a-secret-of-24-characters"
    static let files = ["/admin/", "/admin/app.js", "/admin/app.css", "/admin/favicon.svg"]

    @Test func thePageAndItsFilesLoadWithoutTheSecretUnderAStrictPolicy() async throws {
        let harness = try ProxyHarness(adminSecret: Self.secret)
        var total = 0
        for (path, type) in zip(Self.files, ["text/html", "text/javascript", "text/css", "image/svg+xml"]) {
            let response = try await harness.client.send("GET", path)
            #expect(response.status == 200, "\(path)")
            #expect(response.headers["content-type"]?.hasPrefix(type) == true, "\(path)")
            #expect(response.headers["x-content-type-options"] == "nosniff")
            #expect(response.headers["referrer-policy"] == "no-referrer")
            #expect(response.headers["cache-control"] == "no-store")
            let policy = Set((response.headers["content-security-policy"] ?? "").split(separator: ";").map {
                $0.split(separator: " ").joined(separator: " ")
            })
            #expect(policy == [
                "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self'", "connect-src 'self'",
                "frame-ancestors 'none'", "base-uri 'none'", "form-action 'none'",
            ], "\(path)")
            #expect(!response.text.contains(Self.secret))
            total += response.body.count
        }
        #expect(total < 60 * 1024, "page, script, styles and icon are \(total) bytes; the budget is 60 KB")
        let page = try await harness.client.send("GET", "/admin/")
        #expect(page.text.contains(#"<script src="app.js" defer></script>"#))
        #expect(!page.text.contains("<script>") && !page.text.contains("<style") && !page.text.contains("style="),
                "no inline script or style: the policy would refuse them")
        await harness.stop()
    }

    @Test func adminWithoutTheSlashRedirectsToThePage() async throws {
        let harness = try ProxyHarness(adminSecret: Self.secret)
        let response = try await harness.client.send("GET", "/admin")
        #expect(response.status == 308)
        #expect(response.headers["location"] == "/admin/")
        // The page's other paths are not files: the API still wants its secret.
        #expect(try await harness.client.send("GET", "/admin/keys").status == 401)
        #expect(try await harness.client.send("POST", "/admin/", body: []).status == 401)
        await harness.stop()
    }

    @Test func offWithoutASecretSaysHowToTurnItOn() async throws {
        let harness = try ProxyHarness()
        for path in ["/admin/", "/admin"] {
            let response = try await harness.client.send("GET", path)
            #expect(response.status == 404)
            #expect(response.headers["content-type"] == "text/plain; charset=utf-8")
            #expect(response.text.contains("set ADMIN_SECRET"))
        }
        for path in ["/admin/app.js", "/admin/live"] {
            let response = try await harness.client.send("GET", path)
            #expect(response.status == 404)
            #expect(response.text.contains("ADMIN_SECRET"))
        }
        await harness.stop()
    }

    @Test func liveFiguresCountProxiedRequestsOnly() async throws {
        let harness = try ProxyHarness(adminSecret: Self.secret)
        #expect(try await harness.client.send("GET", "/admin/live").status == 401)
        #expect(try await harness.client.send("GET", "/admin/live", headers: [("x-admin-secret", "wrong-secret-wrong-secret")]).status == 403)
        for _ in 0..<3 { #expect(try await harness.chat(#"{"model":"m"}"#).status == 200) }
        _ = try await harness.client.send("GET", "/health")
        var figures: [String: JSONValue] = [:]
        // A request is counted just after its answer: wait for the third.
        for _ in 0..<200 {
            let response = try await harness.client.send("GET", "/admin/live", headers: [("x-admin-secret", Self.secret)])
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == "application/json")
            guard case .object(let object) = try JSONValue.parse(response.body) else { break }
            figures = object
            if object["requests_total"] == .number(3) { break }
            try await Task.sleep(for: .milliseconds(25))
        }
        #expect(Set(figures.keys) == ["requests_total", "active_streams", "open_connections", "uptime_seconds"])
        #expect(figures["requests_total"] == .number(3), "three chat requests; /health and the admin calls are not proxied")
        #expect(figures["active_streams"] == .number(0))
        #expect((figures["open_connections"]?.numberValue ?? 0) >= 1,
                "the connection asking is open")
        #expect((figures["uptime_seconds"]?.numberValue ?? -1) >= 0)
        await harness.stop()
    }

    @Test func liveFiguresAreOffWithTheMetrics() async throws {
        let harness = try ProxyHarness(adminSecret: Self.secret, metrics: false)
        let response = try await harness.client.send("GET", "/admin/live", headers: [("x-admin-secret", Self.secret)])
        #expect(response.status == 404)
        #expect(response.text.contains("METRICS=off"))
        await harness.stop()
    }
}
