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

    @Test func removedAndReplacedFields_leaveNoTraceOnTheWire() {
        var headers: HTTPHeaders = ["A": "1", "B": "2", "C": "3", "b": "4"]
        headers.remove(named: "a")
        headers.replaceOrAdd(name: "B", value: "5")
        headers.add(name: "D", value: "6")
        var wire: [UInt8] = []
        headers.serialize(into: &wire)
        #expect(String(decoding: wire, as: UTF8.self) == "B: 5\r\nC: 3\r\nD: 6\r\n\r\n")
        #expect(headers.serializedByteCount == wire.count)
    }

    @Test func manyReplacements_keepTheSectionIntact() {
        var headers: HTTPHeaders = ["Keep": "me"]
        for round in 0..<500 {
            headers.replaceOrAdd(name: "X-Round", value: String(repeating: "v", count: 40) + String(round))
            headers.remove(named: "x-gone")
            headers.add(name: "X-Gone", value: "soon")
        }
        #expect(headers.map(\.name) == ["Keep", "X-Round", "X-Gone"])
        #expect(headers["x-round"]?.hasSuffix("499") == true)
        var wire: [UInt8] = []
        headers.serialize(into: &wire)
        #expect(headers.serializedByteCount == wire.count)
    }

    @Test func fieldsCopiedFromAnotherSection_keepTheirBytes() throws {
        // obs-text (RFC 9110 §5.5) is not UTF-8: a String would repair it, the copy must not.
        let request: [UInt8] = bytes("GET / HTTP/1.1\r\nHost: h\r\nX-Raw: caf") + [0xE9, 0xFF] + bytes("\r\n\r\n")
        let parsed = try #require(drive(HTTPRequestParser(limits: .requests), pieces: [request[...]]).heads.first)
        var copy = HTTPHeaders()
        for index in parsed.headers.indices { copy.append(fieldAt: index, of: parsed.headers) }
        #expect(copy == parsed.headers)
        var wire: [UInt8] = []
        copy.serialize(into: &wire)
        #expect(wire == Array(request.dropFirst("GET / HTTP/1.1\r\n".utf8.count)))
    }

    @Test func caseInsensitiveComparison_isASCIIOnly() {
        #expect(HTTPSyntax.equalsIgnoringCase("Keep-Alive".utf8, "keep-alive".utf8))
        #expect(!HTTPSyntax.equalsIgnoringCase("close".utf8, "closed".utf8))
        #expect(!HTTPSyntax.equalsIgnoringCase("[".utf8, "{".utf8))
        #expect(!HTTPSyntax.equalsIgnoringCase("\u{c9}".utf8, "\u{e9}".utf8))
    }
}
