import Testing
@testable import ApipodKit

struct RequestLogEntryTests {
    @Test func aLineHoldsEverythingButSecrets() {
        var entry = RequestLogEntry(method: "POST", path: "/v1/chat/completions", client: "10.0.0.7")
        entry.status = 200
        entry.keyID = 42
        entry.requestedModel = "cursor-pro-sonnet"
        entry.routedModel = "gemini-3-flash"
        entry.bytesIn = 1234
        entry.bytesOut = 0
        let line = entry.line(at: "2026-11-22T06:00:00Z", duration: .microseconds(12_345))
        #expect(String(decoding: line, as: UTF8.self)
            == "2026-11-22T06:00:00Z 10.0.0.7 POST /v1/chat/completions 200 12.3ms key=42 model=cursor-pro-sonnet->gemini-3-flash in=1234 out=0")
    }

    @Test func anUnauthenticatedFailureWithANote() {
        var entry = RequestLogEntry(method: "GET", path: "/v1/models", client: "-")
        entry.status = 401
        entry.note = "missing API key"
        let line = entry.line(at: "T", duration: .seconds(2) + .microseconds(50))
        #expect(String(decoding: line, as: UTF8.self) == "T - GET /v1/models 401 2000.0ms key=- in=0 out=0 (missing API key)")
    }
}
