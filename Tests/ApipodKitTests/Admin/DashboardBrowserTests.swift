import Foundation
import TestSupport
import Testing
@testable import ApipodKit

/// The dashboard in a real headless Chromium, driven over the DevTools protocol (`Chromium`),
/// against the proxy of `ProxyHarness`. Each test ends by checking what the browser saw: no
/// request to any origin but the server's, no script error, no console error or warning, no
/// policy violation. Skipped where Chromium is not installed, except under `CI=true`, where
/// `.ci/run` installs it and its absence fails.
///
/// For the views whose endpoints other branches add (usage, upstreams, limits), each view has a
/// `data-testid` and a `data-state` to wait for: e.g. send requests through the harness, then
/// `waitUntil("document.querySelector('[data-testid=usage]').dataset.state === 'ready'")`.
@Suite(.serialized, .enabled(if: Chromium.isInstalled || ProcessInfo.processInfo.environment["CI"] == "true"))
struct DashboardBrowserTests {
    static let secret = "a-secret-of-24-characters"

    /// A proxy with the admin API on, a browser on its `/admin/`, and the checks every test ends with.
    struct Session {
        let harness: ProxyHarness
        let browser: Chromium
        let page: BrowserPage
        var origin: String { "http://127.0.0.1:\(harness.running.server.localAddress.port)" }

        /// Runs `body` in a fresh session, then `finish`es it; a test that fails half-way still
        /// stops its browser and its proxy.
        static func run(checkingWhatTheBrowserSaw: Bool = true, _ body: (Session) async throws -> Void) async throws {
            let session = try await start()
            do {
                try await body(session)
            } catch {
                await session.stop()
                throw error
            }
            if checkingWhatTheBrowserSaw { try await session.finish() } else { await session.stop() }
        }

        func stop() async {
            await browser.stop()
            await harness.stop()
        }

        private static func start() async throws -> Session {
            let harness = try ProxyHarness(adminSecret: DashboardBrowserTests.secret)
            let browser: Chromium
            do { browser = try Chromium() } catch {
                await harness.stop()
                throw error
            }
            let page = try await browser.open("http://127.0.0.1:\(harness.running.server.localAddress.port)/admin/")
            try await page.waitUntil("document.readyState === 'complete' && document.activeElement?.id === 'secret'")
            return Session(harness: harness, browser: browser, page: page)
        }

        /// Types the secret into the focused field and presses Enter, as a person does.
        func signIn(with secret: String = DashboardBrowserTests.secret) async throws {
            try await page.type(secret)
            try await page.pressEnter()
        }

        /// Signs in and waits until every view has its answer, so nothing moves under a click;
        /// views whose endpoint this server may lack settle quietly, never on an error.
        func signedIn() async throws {
            try await signIn()
            try await page.waitUntil("document.querySelector('[data-testid=keys]').dataset.state === 'ready'")
            try await page.waitUntil("document.querySelector('[data-testid=live]').dataset.state === 'ready'")
            for view in ["usage", "upstreams"] {
                try await page.waitUntil("['ready', 'empty', 'unavailable'].includes(document.querySelector('[data-testid=\(view)]').dataset.state)")
            }
        }

        func text(_ selector: String) async throws -> String {
            try await page.evaluate("document.querySelector(\(JSONOutput.string(selector).rendered()))?.textContent ?? ''").stringValue ?? ""
        }

        /// What every test asserts before it ends: one origin, no errors.
        private func finish() async throws {
            let events = page.events
            let urls = events.filter { $0.method == "Network.requestWillBeSent" }.compactMap { $0.params["request"]?["url"]?.stringValue }
            #expect(!urls.isEmpty)
            for url in urls { #expect(url.hasPrefix(origin + "/"), "a request to another origin: \(url)") }
            for event in events {
                switch event.method {
                case "Runtime.exceptionThrown":
                    Issue.record("script error: \(event.params)")
                case "Runtime.consoleAPICalled" where ["error", "warning", "assert"].contains(event.params["type"]?.stringValue ?? ""):
                    Issue.record("console \(event.params["type"]?.stringValue ?? ""): \(event.params)")
                // A status the page handles (a wrong secret's 403, the 404 of an endpoint this server
                // lacks) is logged by Chromium itself with source "network"; everything else counts.
                case "Log.entryAdded" where event.params["entry"]?["source"]?.stringValue != "network"
                    && ["error", "warning"].contains(event.params["entry"]?["level"]?.stringValue ?? ""):
                    Issue.record("console: \(event.params)")
                default: break
                }
            }
            await stop()
        }
    }

    @Test func signInShowsTheKeysAndSignOutForgetsTheSecret() async throws {
        try await Session.run { session in
            let page = session.page
            #expect(try await page.evaluate("document.querySelector('#app').hidden") == .bool(true))
            try await session.signedIn()
            let rendered = try await page.evaluate(
                "['signin-to-keys', 'keys-drawn'].map(name => performance.getEntriesByName(name)[0].duration.toFixed(1)).join(' ms, of which drawing ')"
            ).stringValue ?? "?"
            print("dashboard: first render of the keys after the secret was entered: \(rendered) ms (target < 100 ms)")

            let prefix = String(session.harness.key.text.prefix(12))
            #expect(try await session.text("[data-testid=keys] tbody").contains("test"))
            #expect(try await session.text("[data-testid=keys] tbody").contains(prefix))
            #expect(try await page.evaluate("sessionStorage.getItem('apipod.adminSecret')") == .string(Self.secret))
            #expect(try await page.evaluate("localStorage.length + document.cookie.length + location.href.length")
                == .number(Double("\(session.origin)/admin/".count)), "the secret is in no URL, cookie or local storage")
            #expect(try await session.text("[data-testid=live-connections]").contains("open connections"))

            try await page.click("#signout")
            try await page.waitUntil("!document.querySelector('#signin').hidden")
            #expect(try await page.evaluate("sessionStorage.length") == .number(0))
            #expect(try await page.evaluate("document.querySelector('#app').textContent.includes('\(prefix)')") == .bool(false))
        }
    }

    @Test func aWrongSecretIsRefusedAndNotKeptUsingTheKeyboardOnly() async throws {
        try await Session.run { session in
            // By keyboard alone: type, Tab to the button, Enter on it.
            try await session.page.type("not-the-admin-secret")
            try await session.page.pressTab()
            #expect(try await session.text("form :focus") == "Sign in")
            try await session.page.pressEnter()
            try await session.page.waitUntil("!document.querySelector('#signin-error').hidden")
            #expect(try await session.text("#signin-error") == "Wrong admin secret.")
            #expect(try await session.page.evaluate("document.querySelector('#app').hidden") == .bool(true))
            #expect(try await session.page.evaluate("sessionStorage.length") == .number(0))
        }
    }

    @Test func aNewKeyIsShownOnceAndWorks() async throws {
        try await Session.run { session in
            let page = session.page
            try await session.signedIn()
            try await page.click("#create-form [name=name]")
            try await page.type("alice")
            try await page.click("#create-form [name=expires_in]")
            try await page.type("30")
            try await page.pressEnter()
            try await page.waitUntil("document.querySelector('[data-testid=created-dialog]')?.open")
            let key = try await session.text("[data-testid=new-key]")
            #expect(key.hasPrefix("apk_"))
            #expect(try await session.text("[data-testid=created-dialog]").contains("will not be shown again"))
            #expect(try await session.harness.chat(#"{"model":"m"}"#, headers: [("x-api-key", key)]).status == 200, "the key shown works")

            try await page.click("[data-testid=created-dialog] button:last-of-type")
            try await page.waitUntil("!document.querySelector('[data-testid=created-dialog]')")
            try await page.waitUntil("document.querySelector('[data-testid=keys] tbody').textContent.includes('alice')")
            #expect(try await session.text("[data-testid=keys] tbody").contains(String(key.prefix(12))))
            let everything = try await page.evaluate(
                "document.documentElement.outerHTML + JSON.stringify(sessionStorage) + JSON.stringify(localStorage) + document.cookie"
            ).stringValue ?? ""
            #expect(!everything.contains(key), "the full key is gone from the page once its dialog is closed")
            #expect(everything.contains(String(key.prefix(12))))
        }
    }

    @Test func disablingAKeyTakesEffect() async throws {
        try await Session.run { session in
            let page = session.page
            try await session.signedIn()
            try await page.click("[data-testid=keys] tbody button[data-action=disable]")
            try await page.waitUntil("document.querySelector('[data-testid=keys] tbody .status').textContent === 'disabled'")
            #expect(try await session.harness.chat(#"{"model":"m"}"#).status == 403)
            #expect(try await session.text("[data-testid=keys] tbody button[data-action]") == "Enable")
        }
    }

    /// The policy the page runs under is enforced: a script (even one injected into the page)
    /// can neither reach another origin nor run inline code.
    @Test func thePolicyKeepsThePageToItsOrigin() async throws {
        // The violations this test provokes are logged: they are what it checks.
        try await Session.run(checkingWhatTheBrowserSaw: false) { session in
            let page = session.page
            let document = page.events.first { $0.method == "Network.responseReceived" && $0.params["type"]?.stringValue == "Document" }
            let policy = document?.params["response"]?["headers"]?["Content-Security-Policy"]?.stringValue ?? ""
            #expect(policy.contains("default-src 'none'") && policy.contains("connect-src 'self'"))
            // Resolves once both attempts are reported as violations; a fetch that got through says so.
            let blocked = try await page.evaluate("""
                new Promise(resolve => {
                  const seen = [];
                  document.addEventListener('securitypolicyviolation', event => {
                    seen.push(event.effectiveDirective);
                    if (seen.length === 2) resolve([window.injected === true, ...seen.sort()].join(' '));
                  });
                  const script = document.createElement('script');
                  script.textContent = 'window.injected = true';
                  document.body.append(script);
                  fetch('http://127.0.0.2:9/').then(() => resolve('fetched'), () => {});
                })
                """)
            #expect(blocked == .string("false connect-src script-src-elem"))
        }
    }

    /// The usage the test's own requests left is drawn as a chart (stacked by model, then by
    /// key) with the same numbers in the table under it, and the upstream board lists `default`.
    @Test func theUsageOfTheTestsRequestsIsChartedAndTheUpstreamsListed() async throws {
        try await Session.run { session in
            let page = session.page
            for _ in 0..<3 { #expect(try await session.harness.chat(#"{"model":"charted-model"}"#).status == 200) }
            // The usage writer batches once a second: wait until the server reports all three.
            let secret = ("x-admin-secret", DashboardBrowserTests.secret)
            var stored = false
            for _ in 0..<100 where !stored {
                stored = try await session.harness.client.send("GET", "/admin/usage?by=model&since=1d", headers: [secret]).text
                    .contains(#""totals":{"requests":3"#)
                if !stored { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(stored, "the three requests were stored")
            try await session.signedIn()
            #expect(try await page.evaluate("document.querySelector('[data-testid=usage]').dataset.state") == .string("ready"))
            try await page.waitUntil("document.querySelectorAll('[data-testid=chart-day] rect').length > 0")
            #expect(try await session.text("[data-testid=usage-day]").contains("charted-model"))
            #expect(try await session.text("[data-testid=usage-hour]").contains("charted-model"))
            try await page.click("[data-stack=key]")
            try await page.waitUntil("document.querySelector('[data-testid=usage-day]').textContent.includes('test')")
            try await page.waitUntil("document.querySelector('[data-testid=upstreams]').dataset.state === 'ready'")
            #expect(try await session.text("[data-testid=upstreams]").contains("default"))
        }
    }

    /// At a phone's width nothing is wider than the screen: tables fold into cards.
    @Test func aPhoneWidthNeedsNoSidewaysScrolling() async throws {
        try await Session.run { session in
            let page = session.page
            try await page.resize(width: 390, height: 844, phone: true)
            try await session.signedIn()
            #expect(try await page.evaluate("document.documentElement.scrollWidth <= innerWidth") == .bool(true))
        }
    }
}
