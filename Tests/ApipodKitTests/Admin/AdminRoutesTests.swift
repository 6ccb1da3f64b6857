import TestSupport
import Testing
@testable import ApipodKit

@Suite(.serialized)
struct AdminRoutesTests {
    static let secret = "a-secret-of-24-characters"

    @Test func offWithoutASecret() async throws {
        let harness = try ProxyHarness()
        let response = try await harness.client.send("GET", "/admin/keys", headers: [("x-admin-secret", Self.secret)])
        #expect(response.status == 404)
        #expect(response.text.contains("ADMIN_SECRET"))
        await harness.stop()
    }

    @Test func createListDisableEnable() async throws {
        let harness = try ProxyHarness(adminSecret: Self.secret)
        let admin = [("x-admin-secret", Self.secret), ("Content-Type", "application/json")]
        let created = try await harness.client.send("POST", "/admin/create-key", headers: admin,
                                                    body: Array(#"{"name":"bob","tier":"pro","expires_in":1.5}"#.utf8))
        #expect(created.status == 201)
        let fields = try #require(try? JSONValue.parse(created.body))
        guard case .object(let object) = fields, case .string(let key)? = object["api_key"], case .number(let id)? = object["id"] else {
            Issue.record("unexpected body \(created.text)")
            return
        }
        #expect(object["name"] == .string("bob"))
        #expect(object["tier"] == .string("pro"))
        #expect(created.text.hasPrefix(#"{"api_key":"apk_"#))
        let useKey = [("x-api-key", key)]
        #expect(try await harness.chat(#"{"model":"m"}"#, headers: useKey).status == 200)

        let listed = try await harness.client.send("GET", "/admin/keys", headers: admin)
        #expect(listed.status == 200)
        #expect(!listed.text.contains(key), "the listing never holds a full key")
        #expect(listed.text.contains(String(key.prefix(12))))

        let disabled = try await harness.client.send("POST", "/admin/keys/\(Int(id))/disable", headers: admin)
        #expect(disabled.status == 200)
        #expect(disabled.text.contains(#""status":"disabled""#))
        #expect(try await harness.chat(#"{"model":"m"}"#, headers: useKey).status == 403)
        #expect(try await harness.client.send("POST", "/admin/keys/\(Int(id))/enable", headers: admin).status == 200)
        #expect(try await harness.chat(#"{"model":"m"}"#, headers: useKey).status == 200)
        #expect(try await harness.client.send("POST", "/admin/keys/999/enable", headers: admin).status == 404)
        await harness.stop()
    }

    @Test func wrongOrMissingSecretsAndBadBodies() async throws {
        let harness = try ProxyHarness(adminSecret: Self.secret)
        #expect(try await harness.client.send("GET", "/admin/keys").status == 401)
        #expect(try await harness.client.send("GET", "/admin/keys", headers: [("x-admin-secret", Self.secret + "x")]).status == 403)
        let admin = [("x-admin-secret", Self.secret)]
        for body in [#"{}"#, #"{"name":""}"#, #"{"name":"a","expires_in":"soon"}"#, #"{"name":"a","expires_in":-1}"#, "nope", #"{"name":"a","color":"red"}"#] {
            let response = try await harness.client.send("POST", "/admin/create-key", headers: admin, body: Array(body.utf8))
            #expect(response.status == 400, "\(body) must be refused")
        }
        await harness.stop()
    }
}
