import TestSupport
import Testing
@testable import ApipodKit

/// The admin API's limits (contracts: create-key's limit fields, `POST /admin/keys/{id}/limits`,
/// `GET /admin/tiers`, and `limits` / `effective_limits` on every key object).
@Suite(.serialized)
struct AdminLimitRoutesTests {
    static let admin = [("x-admin-secret", AdminRoutesTests.secret), ("Content-Type", "application/json")]

    @Test func limitsAreSetOnCreationChangedAndEnforcedAtOnce() async throws {
        let harness = try ProxyHarness(adminSecret: AdminRoutesTests.secret)
        var tier = KeyLimitsChange()
        tier.set(.concurrency, 4)
        _ = try harness.store.updateTierLimits(tier, tier: "pro")
        let created = try await harness.client.send(
            "POST", "/admin/create-key", headers: Self.admin,
            body: Array(#"{"name":"bot","tier":"pro","rpm":2,"daily_tokens":null}"#.utf8))
        #expect(created.status == 201)
        #expect(created.text.contains(#""limits":{"rpm":2,"concurrency":null,"daily_tokens":null}"#))
        #expect(created.text.contains(#""effective_limits":{"rpm":2,"concurrency":4,"daily_tokens":null}"#))
        guard case .object(let fields) = try JSONValue.parse(created.body), case .string(let key)? = fields["api_key"],
              case .number(let id)? = fields["id"] else { Issue.record("unexpected body \(created.text)"); return }
        let useKey = [("x-api-key", key)]
        #expect(try await harness.chat(#"{"model":"m"}"#, headers: useKey).status == 200)

        let changed = try await harness.client.send(
            "POST", "/admin/keys/\(Int(id))/limits", headers: Self.admin, body: Array(#"{"rpm":1,"concurrency":2}"#.utf8))
        #expect(changed.status == 200)
        #expect(changed.text.contains(#""limits":{"rpm":1,"concurrency":2,"daily_tokens":null}"#))
        #expect(changed.text.contains(#""effective_limits":{"rpm":1,"concurrency":2,"daily_tokens":null}"#))
        // The cache was emptied with the change: the very next request is judged by rpm 1,
        // whose allowance the request above, made under rpm 2, already spent for 30 s (so the
        // check holds on a machine however slow, unless 30 s pass between the two requests).
        #expect(try await harness.chat(#"{"model":"m"}"#, headers: useKey).status == 429)

        let cleared = try await harness.client.send(
            "POST", "/admin/keys/\(Int(id))/limits", headers: Self.admin, body: Array(#"{"rpm":null,"concurrency":null}"#.utf8))
        #expect(cleared.text.contains(#""effective_limits":{"rpm":null,"concurrency":4,"daily_tokens":null}"#))
        #expect(try await harness.chat(#"{"model":"m"}"#, headers: useKey).status == 200)

        let listed = try await harness.client.send("GET", "/admin/keys", headers: Self.admin)
        #expect(listed.text.contains(#""limits":{"rpm":null,"concurrency":null,"daily_tokens":null},"effective_limits":{"rpm":null,"concurrency":4,"daily_tokens":null}"#))

        let tiers = try await harness.client.send("GET", "/admin/tiers", headers: Self.admin)
        #expect(tiers.status == 200)
        #expect(tiers.text == #"{"tiers":[{"name":"elite","rpm":null,"concurrency":null,"daily_tokens":null},{"name":"pro","rpm":null,"concurrency":4,"daily_tokens":null}]}"#)
        await harness.stop()
    }

    @Test func badLimitsAreRefusedAndChangeNothing() async throws {
        let harness = try ProxyHarness(adminSecret: AdminRoutesTests.secret)
        let id = try #require(try harness.store.listKeys().first?.id)
        for body in [#"{"rpm":0}"#, #"{"concurrency":-1}"#, #"{"rpm":1.5}"#, #"{"rpm":"60"}"#, #"{"daily_tokens":1e13}"#, #"{"rps":5}"#, "[]"] {
            let response = try await harness.client.send("POST", "/admin/keys/\(id)/limits", headers: Self.admin, body: Array(body.utf8))
            #expect(response.status == 400, "\(body) must be refused")
            let created = try await harness.client.send("POST", "/admin/create-key", headers: Self.admin, body: Array(#"{"name":"x",\#(body.dropFirst())"#.utf8))
            #expect(created.status == 400 || body == "[]", "create-key with \(body) must be refused")
        }
        #expect(try harness.store.key(id: id)?.limits == KeyLimits.none)
        #expect(try harness.store.listKeys().count == 1)
        #expect(try await harness.client.send("POST", "/admin/keys/999/limits", headers: Self.admin, body: Array(#"{"rpm":1}"#.utf8)).status == 404)
        await harness.stop()
    }
}
