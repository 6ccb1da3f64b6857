import TestSupport
import Testing
@testable import ApipodKit

/// Sticky sessions over loopback: a session's requests all go to its ranking's first model,
/// in this proxy and in a proxy started afresh, and fail over along that ranking.
@Suite(.serialized)
struct ProxyStickyTests {
    static let targets = (1...6).map { WeightedTarget(model: "t\($0)", weight: Double($0)) }
    static let table = RoutingTable.builtIn.merging(RoutingTable(aliases: [RouteAlias(name: "sticky", targets: targets)!]))

    static func answeredBy(_ response: TestClient.Response) -> String? { response.headers["x-apipod-model"] }

    @Test func aSessionKeepsToItsRankingsFirstModelAcrossRestarts() async throws {
        var first: [String: String] = [:]
        for round in 0..<2 {
            let harness = try ProxyHarness(routing: Self.table)
            for session in ["session-1", "s2", "another session id"] {
                let expected = SessionRanking.ranking(session: session, targets: Self.targets)[0].model
                for _ in 0..<3 {
                    let headers = [harness.bearer, ("X-Session-Id", session)]
                    let response = try await harness.chat(#"{"model":"sticky"}"#, headers: headers)
                    #expect(Self.answeredBy(response) == expected)
                    #expect(response.text == #"{"model":"\#(expected)"}"#)
                }
                if round == 0 { first[session] = expected } else { #expect(first[session] == expected) }
            }
            await harness.stop()
        }
    }

    @Test func claudeCodesMetadataUserIDIsTheSession() async throws {
        let harness = try ProxyHarness(routing: Self.table)
        let session = "user_abc_account__session_5f1e"
        let expected = SessionRanking.ranking(session: session, targets: Self.targets)[0].model
        let body = #"{"model":"sticky","metadata":{"user_id":"\#(session)"},"max_tokens":5,"messages":[]}"#
        for _ in 0..<4 {
            let response = try await harness.chat(body, headers: [("x-api-key", harness.key.text)], path: "/v1/messages")
            #expect(Self.answeredBy(response) == expected)
        }
        await harness.stop()
    }

    /// When the session's model fails, the next of its ranking answers.
    @Test func aSessionFailsOverAlongItsRanking() async throws {
        let session = "session-1"
        let ranking = SessionRanking.ranking(session: session, targets: Self.targets).map(\.model)
        let failing = ranking[0]
        let harness = try ProxyHarness(routing: Self.table) { request, response in
            let model = (try? ModelField.find(in: request.body))??.value ?? ""
            try await response.send(HTTPResponseHead(status: model == failing ? 503 : 200), body: Array(model.utf8))
        }
        let response = try await harness.chat(#"{"model":"sticky"}"#, headers: [harness.bearer, ("X-Session-Id", session)])
        #expect(response.status == 200)
        #expect(Self.answeredBy(response) == ranking[1])
        #expect(response.headers["x-apipod-attempts"] == "2")
        await harness.stop()
    }
}
