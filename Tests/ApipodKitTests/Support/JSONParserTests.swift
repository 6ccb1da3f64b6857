import Testing
@testable import ApipodKit

struct JSONParserTests {
    func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        try JSONValue.parse(Array(text.utf8))
    }

    @Test func readsEveryKindOfValue() throws {
        let value = try parse(#" {"a": [1, -2.5e2, 0, true, false, null], "s": "q\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00", "o": {}} "#)
        #expect(value == .object([
            "a": .array([.number(1), .number(-250), .number(0), .bool(true), .bool(false), .null]),
            "s": .string("q\"\\/\u{8}\u{c}\n\r\té😀"),
            "o": .object([:]),
        ]))
        #expect(try parse("[]") == .array([]))
        #expect(try parse("\"\"") == .string(""))
    }

    /// Issue 17 item 11: every syntax error read "not valid JSON: nil".
    @Test(arguments: [
        ("{\"aliases\": ", "the document ends where a value should be at line 1, column 13"),
        ("{\n  \"a\": 1,\n  \"b\" 2\n}", "expected ':' after the member name at line 3, column 7"),
        ("{\"é\": [1 2]}", "expected ',' or ']' after an array element at line 1, column 10"),
        ("{\"a\": 1,}", "expected a member name in double quotes at line 1, column 9"),
        ("[01]", "a number must not start with 0 at line 1, column 3"),
        ("[1.]", "expected a digit after the decimal point at line 1, column 4"),
        ("[tru]", "expected 'true' at line 1, column 2"),
        ("{} x", "unexpected text after the JSON value at line 1, column 4"),
        ("[\"a\u{1}\"]", "a control character (byte 0x1) must be escaped inside a string at line 1, column 4"),
        ("[\"\\x\"]", "'x' after a backslash is not a JSON escape at line 1, column 4"),
        ("[\"\\ud800\"]", "a high surrogate escape must be followed by a low one at line 1, column 9"),
        ("[\"\\udc00\"]", "a lone low surrogate escape at line 1, column 9"),
        ("[\"\\u12g4\"]", "a \\u escape needs four hexadecimal digits at line 1, column 3"),
        ("[\"open", "the string is not closed at line 1, column 2"),
        ("@", "unexpected '@' where a value should be at line 1, column 1"),
        ("", "the document ends where a value should be at line 1, column 1"),
    ])
    func syntaxErrorsSayWhatAndWhere(text: String, message: String) {
        #expect(throws: JSONSyntaxError.self) { try parse(text) }
        do { _ = try parse(text) } catch { #expect(error.description == "not valid JSON: \(message)") }
    }

    /// Issue 17 item 11: `1e400` was reported as "found an array".
    @Test func aNumberTooLargeForADoubleIsSaidSo() {
        do {
            _ = try parse("{\"weight\": 1e400}")
            Issue.record("1e400 must be refused")
        } catch {
            #expect(error.description == "not valid JSON: the number 1e400 is too large at line 1, column 12")
        }
    }

    @Test func invalidUTF8AndDeepNestingAreRefused() {
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse([0x22, 0xff, 0x22]) }
        #expect(throws: JSONSyntaxError.self) { try parse(String(repeating: "[", count: 513) + String(repeating: "]", count: 513)) }
        #expect(throws: Never.self) { try parse(String(repeating: "[", count: 512) + String(repeating: "]", count: 512)) }
    }

    /// Issue 17 item 14: a member given twice silently kept one of the two.
    @Test func aMemberGivenTwiceIsRefused() {
        do {
            _ = try parse("{\"a\": 1,\n \"a\": 2}")
            Issue.record("a duplicate member must be refused")
        } catch {
            #expect(error.description == "not valid JSON: the member \"a\" is given twice in one object at line 2, column 2")
        }
    }

    /// Issue 17 item 14, decided: names are compared as Swift compares strings, so NFC and NFD
    /// spellings of one name are one name, and a document that gives both gives it twice.
    @Test func canonicallyEquivalentNamesAreTheSameName() {
        #expect(throws: JSONSyntaxError.self) { try parse("{\"caf\u{e9}\": 1, \"cafe\u{301}\": 2}") }
        #expect(throws: JSONSyntaxError.self) { try parse(#"{"caf\u00e9": 1, "cafe\u0301": 2}"#) }
    }
}
