import TestSupport
import Testing
@testable import ApipodKit

@Suite(.serialized)
struct ProxyLogTests {
    /// Under LOG_FORMAT=json every line, `serve`'s own included, is one JSON object.
    @Test func aJSONLogHoldsNothingButJSONObjects() async throws {
        let harness = try ProxyHarness(logFormat: .json)
        #expect(try await harness.chat(#"{"model":"cursor-pro-sonnet"}"#).status == 200)
        var lines: [String] = []
        for _ in 0..<400 where !lines.contains(where: { $0.contains(#""status":"#) }) {
            lines = try await harness.logLines()
            try await Task.sleep(for: .milliseconds(25))
        }
        let objects = try lines.map { line -> [String: JSONValue] in
            guard case .object(let fields) = try JSONValue.parse(Array(line.utf8)) else { throw JSONLogError.notAnObject(line) }
            return fields
        }
        #expect(objects.contains { $0["message"].map { if case .string(let text) = $0 { text.hasPrefix("listening on") } else { false } } == true })
        let request = try #require(objects.first { $0["status"] != nil })
        #expect(request["status"] == .number(200))
        #expect(request["path"] == .string("/v1/chat/completions"))
        #expect(request["model"] == .string("cursor-pro-sonnet"))
        #expect(request["key_id"] == .number(Double(try #require(harness.store.listKeys().first).id)))
        await harness.stop()
    }

    enum JSONLogError: Error {
        case notAnObject(String)
    }
}
