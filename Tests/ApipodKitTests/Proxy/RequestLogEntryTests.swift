import Testing
@testable import ApipodKit

struct RequestLogEntryTests {
    /// A routed request by key 42, as both formats' tests write it.
    static var routed: RequestLogEntry {
        var entry = RequestLogEntry(method: "POST", path: "/v1/chat/completions", client: "10.0.0.7")
        entry.status = 200
        entry.keyID = 42
        entry.requestedModel = "cursor-pro-sonnet"
        entry.routedModel = "gemini-3-flash"
        entry.bytesIn = 1234
        return entry
    }

    @Test func aLineHoldsEverythingButSecrets() {
        let line = Self.routed.line(at: "2026-11-22T06:00:00Z", duration: .microseconds(12_345))
        #expect(String(decoding: line, as: UTF8.self)
            == "2026-11-22T06:00:00Z 10.0.0.7 POST /v1/chat/completions 200 12.3ms key=42 model=cursor-pro-sonnet->gemini-3-flash in=1234 out=0")
    }

    @Test func aFailedOverRequestListsEveryAttempt() {
        var entry = Self.routed
        entry.attempts = [
            UpstreamAttempt(model: "gemini-3-flash", provider: "default", outcome: .http5xx, status: 503),
            UpstreamAttempt(model: "deepseek-chat", provider: "deepseek", outcome: .unreachable, status: nil),
            UpstreamAttempt(model: "kimi", provider: "kimi", outcome: .ok, status: 200),
        ]
        entry.routedModel = "kimi"
        let text = String(decoding: entry.line(at: "T", duration: .milliseconds(1)), as: UTF8.self)
        #expect(text == "T 10.0.0.7 POST /v1/chat/completions 200 1.0ms key=42 model=cursor-pro-sonnet->kimi in=1234 out=0 "
            + "attempts=gemini-3-flash:503,deepseek-chat:unreachable,kimi:200")
        let json = String(decoding: entry.jsonLine(at: "T", duration: .milliseconds(1)), as: UTF8.self)
        #expect(json.contains(#""attempts":[{"model":"gemini-3-flash","provider":"default","result":"503"},"#
            + #"{"model":"deepseek-chat","provider":"deepseek","result":"unreachable"},{"model":"kimi","provider":"kimi","result":"200"}]"#))
    }

    @Test func anUnauthenticatedFailureWithANote() {
        var entry = RequestLogEntry(method: "GET", path: "/v1/models", client: "-")
        entry.status = 401
        entry.note = "missing API key"
        let line = entry.line(at: "T", duration: .seconds(2) + .microseconds(50))
        #expect(String(decoding: line, as: UTF8.self) == "T - GET /v1/models 401 2000.0ms key=- in=0 out=0 (missing API key)")
    }

    @Test func clientChosenTextCannotEndTheLineOrReachTheTerminal() {
        var entry = RequestLogEntry(method: "POST", path: "/v1/chat/completions", client: "-")
        entry.status = 200
        entry.requestedModel = "a\nb c\u{1B}[31m\\\u{9B}\u{202E}é"
        entry.note = "unknown field 'x\ry'"
        let line = String(decoding: entry.line(at: "T", duration: .zero), as: UTF8.self)
        #expect(line == #"T - POST /v1/chat/completions 200 0.0ms key=- model=a\x0ab\x20c\x1b[31m\x5c\xc2\x9b\xe2\x80\xaeé in=0 out=0 (unknown field 'x\x0dy')"#)
    }

    @Test func longClientTextIsCutAtACharacterBoundary() {
        var entry = RequestLogEntry(method: "POST", path: "/v1/" + String(repeating: "p", count: 2000), client: "-")
        entry.requestedModel = String(repeating: "é", count: 1000)
        let line = String(decoding: entry.line(at: "T", duration: .zero), as: UTF8.self)
        #expect(line.contains("/v1/" + String(repeating: "p", count: 508) + "… "))
        #expect(line.contains("model=" + String(repeating: "é", count: 64) + "… in="))
    }

    @Test func aJSONLineHoldsTheSameFieldsAndParses() throws {
        let line = Self.routed.jsonLine(at: "2026-11-22T06:00:00Z", duration: .microseconds(12_345))
        #expect(String(decoding: line, as: UTF8.self) == #"{"time":"2026-11-22T06:00:00Z","client":"10.0.0.7","method":"POST","path":"/v1/chat/completions","status":200,"duration_ms":12.3,"key_id":42,"model":"cursor-pro-sonnet","routed_model":"gemini-3-flash","bytes_in":1234,"bytes_out":0,"attempts":[],"note":null}"#)
        guard case .object(let fields) = try JSONValue.parse(line) else { Issue.record("not an object"); return }
        #expect(fields["status"] == .number(200))
    }

    @Test func aJSONLineEscapesWhatAClientChose() throws {
        var entry = RequestLogEntry(method: "GET", path: "/v1/models", client: "-")
        entry.requestedModel = "a\"b\\c\nd\u{1B}[31m\u{9B}\u{202E}é"
        let line = String(decoding: entry.jsonLine(at: "T", duration: .zero), as: UTF8.self)
        #expect(line.contains(#""model":"a\"b\\c\u000ad\u001b[31m\u009b\u202eé""#))
        #expect(!line.utf8.contains(0x1B) && !line.utf8.contains(0x0A))
        guard case .object(let fields) = try JSONValue.parse(Array(line.utf8)) else { Issue.record("not an object"); return }
        #expect(fields["model"] == .string("a\"b\\c\nd\u{1B}[31m\u{9B}\u{202E}é"))
    }
}
