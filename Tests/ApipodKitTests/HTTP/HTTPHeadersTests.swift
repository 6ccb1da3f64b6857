@testable import ApipodKit
import Testing

@Suite struct HTTPHeadersTests {
    private let headers: HTTPHeaders = ["Content-Type": "application/json", "X-Tag": "a", "x-tag": "b", "Accept": "*/*"]

    @Test func lookups_ignoreCase() {
        #expect(headers["content-type"] == "application/json")
        #expect(headers["CONTENT-TYPE"] == "application/json")
        #expect(headers["missing"] == nil)
        #expect(headers.contains("ACCEPT"))
        #expect(!headers.contains("Accept-Encoding"))
    }

    @Test func duplicates_andOrder_andSpelling_areKept() {
        #expect(headers.values(named: "X-TAG") == ["a", "b"])
        #expect(headers["x-tag"] == "a")
        #expect(headers.map(\.name) == ["Content-Type", "X-Tag", "x-tag", "Accept"])
        #expect(headers.count(named: "x-tag") == 2)
    }

    @Test func remove_returnsHowManyWereRemoved() {
        var headers = headers
        #expect(headers.remove(named: "X-Tag") == 2)
        #expect(headers.remove(named: "X-Tag") == 0)
        #expect(headers == ["Content-Type": "application/json", "Accept": "*/*"])
    }

    @Test func replaceOrAdd_keepsThePlaceOfTheFirst_andDropsTheRest() {
        var headers = headers
        headers.replaceOrAdd(name: "X-TAG", value: "c")
        #expect(headers == ["Content-Type": "application/json", "X-TAG": "c", "Accept": "*/*"])
        headers.replaceOrAdd(name: "x-api-key", value: "k")
        #expect(headers.last?.name == "x-api-key")
    }

    @Test func add_appends() {
        var headers = HTTPHeaders()
        headers.add(name: "A", value: "1")
        headers.add(name: "a", value: "2")
        #expect(headers.values(named: "A") == ["1", "2"])
    }

    @Test func equality_isOrderAndCaseSensitive() {
        let ab: HTTPHeaders = ["A": "1", "B": "2"]
        let ba: HTTPHeaders = ["B": "2", "A": "1"]
        let lower: HTTPHeaders = ["a": "1"]
        #expect(ab != ba)
        #expect(lower != ["A": "1"])
        #expect(HTTPHeaders([(name: "A", value: "1")]) == ["A": "1"])
    }

    @Test func caseInsensitiveComparison_isASCIIOnly() {
        #expect(HTTPSyntax.equalsIgnoringCase("Keep-Alive".utf8, "keep-alive".utf8))
        #expect(!HTTPSyntax.equalsIgnoringCase("close".utf8, "closed".utf8))
        #expect(!HTTPSyntax.equalsIgnoringCase("[".utf8, "{".utf8))
        #expect(!HTTPSyntax.equalsIgnoringCase("\u{c9}".utf8, "\u{e9}".utf8))
    }
}
