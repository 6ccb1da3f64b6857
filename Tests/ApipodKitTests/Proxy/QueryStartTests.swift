@testable import ApipodKit
import Testing

/// Where a target's query starts decides the path every route is chosen by.
@Suite struct QueryStartTests {
    @Test(arguments: [
        ("/v1/chat/completions", nil), ("/v1/x?a=1", "/v1/x"), ("/?", "/"), ("?", ""),
        ("/v1/caf\u{e9}/\u{1F600}?q=\u{e9}?", "/v1/caf\u{e9}/\u{1F600}"), ("/short?x", "/short"),
        ("/a-target-longer-than-a-small-string/and-more?k=v", "/a-target-longer-than-a-small-string/and-more"),
    ] as [(String, String?)])
    func theQueryStartsAtTheFirstQuestionMark(target: String, path: String?) {
        let start = ProxyHandler.queryStart(of: target)
        #expect(start.map { String(target[..<$0]) } == path)
        if let start { #expect(target[start] == "?") }
    }
}
