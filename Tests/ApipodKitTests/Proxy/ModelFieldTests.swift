import Testing
@testable import ApipodKit

struct ModelFieldTests {
    /// Key order, number spellings, escapes and odd whitespace must survive byte for byte.
    let awkward = #"""
        { "messages":[{"role":"user","content":"h\u00e9llo \"model\": \"x\" \ud83d\ude00"}],
          "temperature" : 0.70, "top_p":1E-2,"n":1e2 ,
          "model"  :	"cursor-pro-sonnet" ,"stream":true, "metadata":{"model":"inner"} }
        """#

    @Test func replacesOnlyTheTopLevelModelValue() throws {
        let body = Array(awkward.utf8)
        let field = try #require(try ModelField.find(in: body))
        #expect(field.value == "cursor-pro-sonnet")
        let rewritten = field.splice(to: "gemini-3-flash").applied(to: body)
        let expected = awkward.replacing(#""cursor-pro-sonnet""#, with: #""gemini-3-flash""#)
        #expect(rewritten == Array(expected.utf8))
    }

    @Test func decodesEscapedNamesAndValues() throws {
        let body = Array(#"{"mo\u0064el":"cursor\u002dpro-sonnet"}"#.utf8)
        let field = try #require(try ModelField.find(in: body))
        #expect(field.value == "cursor-pro-sonnet")
        #expect(String(decoding: field.splice(to: "a\"b").applied(to: body), as: UTF8.self) == #"{"mo\u0064el":"a\"b"}"#)
        #expect(String(decoding: field.splice(to: "a\u{1}b\\c\u{e9}").applied(to: body), as: UTF8.self) == #"{"mo\u0064el":"a\u0001b\\c"# + "\u{e9}\"}")
        #expect(String(decoding: field.splice(to: "plain-model_1.5").applied(to: body), as: UTF8.self) == #"{"mo\u0064el":"plain-model_1.5"}"#)
    }

    @Test func aBodyWithoutAModelHasNoField() throws {
        #expect(try ModelField.find(in: Array(#"{"input":"x","nested":{"model":"m"}}"#.utf8)) == nil)
        #expect(try ModelField.find(in: Array(" {} \n".utf8)) == nil)
    }

    @Test(arguments: [
        ("", "the body is not a JSON object"),
        ("[1]", "the body is not a JSON object"),
        (#"{"model":"a","model":"b"}"#, "the JSON has more than one \"model\" field"),
        (#"{"model":42}"#, "\"model\" must be a string"),
        (#"{"model":"a"} x"#, "unexpected data after the JSON object"),
        (#"{"model":"a",}"#, "expected a quoted member name in JSON"),
        (#"{"a":01}"#, "expected ',' or '}' in JSON"),
        (#"{"a":1.}"#, "invalid number in JSON"),
        (#"{"a":tru}"#, "invalid literal in JSON"),
        ("{\"a\":\"line\nbreak\"}", "control character inside a JSON string"),
        (#"{"a":"\x"}"#, "invalid escape in a JSON string"),
        (#"{"a":"\u12"}"#, #"invalid \u escape in a JSON string"#),
        (#"{"a":"open"#, "unterminated JSON string"),
        (#"{"a":[1,2}"#, "expected ',' or ']' in JSON"),
        (#"{"a" 1}"#, "expected ':' in JSON"),
    ])
    func malformedBodiesAreRejected(body: String, message: String) {
        do {
            _ = try ModelField.find(in: Array(body.utf8))
            Issue.record("expected an error for \(body)")
        } catch {
            #expect(error.message == message)
        }
    }

    /// Issue 11 item 8: RFC 8259 §8.1 — a JSON text is UTF-8. Each case puts the bytes in the
    /// model, in another string, in a member name, and at every offset of an eight-byte word.
    static let invalidUTF8: [[UInt8]] = [
        [0xff, 0xfe], [0x80], [0xbf], [0xc0, 0xaf], [0xc1, 0xbf], [0xe0, 0x80, 0xaf], [0xe0, 0x9f, 0xbf],
        [0xf0, 0x80, 0x80, 0xaf], [0xf0, 0x8f, 0xbf, 0xbf], [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf],
        [0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xf5, 0x80, 0x80, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80],
        [0xc3], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xc3, 0x28], [0xe2, 0x28, 0xa1], [0xe2, 0x82, 0x28], [0xf0, 0x9f, 0x98, 0x28],
    ]

    @Test(arguments: invalidUTF8)
    func bytesThatAreNotUTF8AreMalformed(bad: [UInt8]) {
        let quote = UInt8(ascii: "\"")
        let shapes: [[UInt8]] = [
            Array(#"{"model":""#.utf8) + bad + Array(#"","messages":[]}"#.utf8),
            Array(#"{"model":"m","messages":[{"content":"hello "#.utf8) + bad + Array(#" world"}]}"#.utf8),
            Array(#"{"model":"m",""#.utf8) + bad + Array(#"":1}"#.utf8),
            Array(#"{"model":"m","a":"\n"#.utf8) + bad + [quote, UInt8(ascii: "}")],
        ]
        for body in shapes {
            #expect(throws: JSONBodyError(message: "the JSON is not valid UTF-8", offset: body.firstIndex { $0 >= 0x80 }!)) {
                try ModelField.find(in: body)
            }
        }
        for padding in 0..<16 {
            let body = Array(#"{"model":"m","a":""#.utf8) + Array(repeating: UInt8(ascii: "x"), count: padding) + bad
                + Array(repeating: UInt8(ascii: "y"), count: 16 - padding) + [quote, UInt8(ascii: "}")]
            #expect(throws: JSONBodyError.self, "offset \(padding)") { try ModelField.find(in: body) }
        }
    }

    /// The scanner agrees with the standard library's UTF-8 check on every byte from 0x80 up,
    /// followed by a second byte at each edge of Table 3-7's ranges, then either a continuation
    /// byte or the string's end.
    @Test func theScannerAgreesWithTheStandardLibrary() {
        let seconds: [UInt8] = [0x20, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xef, 0xf0, 0xf4, 0xf5, 0xff]
        for lead in UInt8(0x80)...0xff {
            for second in seconds {
                for tail: [UInt8] in [[0x80], []] {
                    let text = [lead, second] + tail
                    let body = Array(#"{"model":"m","a":""#.utf8) + text + Array(#""}"#.utf8)
                    let valid = String(validating: text, as: UTF8.self) != nil
                    let accepted = (try? ModelField.find(in: body)) != nil
                    #expect(accepted == valid, "\(text)")
                }
            }
        }
    }

    /// The longest, shortest and boundary sequences of every length are accepted, and decoded as themselves.
    @Test func wellFormedUTF8IsAccepted() throws {
        let text = "\u{7f}\u{80}\u{7ff}\u{800}\u{fff}\u{1000}\u{d7ff}\u{e000}\u{fffd}\u{ffff}\u{10000}\u{3ffff}\u{40000}\u{fffff}\u{100000}\u{10ffff}"
        for padding in 0..<9 {
            let value = String(repeating: "x", count: padding) + text
            let body = Array(#"{"a":"\#(value)","model":"\#(value)"}"#.utf8)
            #expect(try ModelField.find(in: body)?.value == value)
        }
    }

    @Test func deepNestingIsRefusedNotACrash() {
        let body = "{\"a\":" + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
        #expect(throws: JSONBodyError.self) { try ModelField.find(in: Array(body.utf8)) }
    }

    @Test func seededMutationsNeverCrash() {
        var random = SeededRandom(seed: 2026)
        let base = Array(awkward.utf8)
        for _ in 0..<5000 {
            var body = base
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let position = Int.random(in: 0..<body.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: body[position] = UInt8.random(in: 0...255, using: &random)
                case 1: body.remove(at: position)
                default: body.insert(UInt8.random(in: 0...255, using: &random), at: position)
                }
            }
            if let field = try? ModelField.find(in: body) {
                let rewritten = field.splice(to: "m").applied(to: body)
                #expect((try? ModelField.find(in: rewritten))??.value == "m")
            }
        }
    }

    @Test func aLargeBodyIsScanned() throws {
        let content = String(repeating: "lorem ipsum \\\"quoted\\\" ", count: 50_000)
        let body = Array(#"{"model":"cursor-pro-sonnet","messages":[{"role":"user","content":"\#(content)"}]}"#.utf8)
        #expect(body.count > 1_000_000)
        let field = try #require(try ModelField.find(in: body))
        #expect(field.splice(to: "gemini-3-flash").applied(to: body).count == body.count - 3)
    }

    /// String contents are skipped eight bytes at a time: a quote, a backslash or a control byte
    /// must be found at every offset in and across those words, and UTF-8 must not be mistaken
    /// for one of them.
    @Test func everyOffsetOfASpecialByteInsideAStringIsSeen() throws {
        for length in 0..<20 {
            let filler = String(repeating: "é", count: length / 2) + String(repeating: "x", count: length % 2)
            let plain = Array(#"{"model":"m","a":"\#(filler)"}"#.utf8)
            #expect(try ModelField.find(in: plain)?.value == "m")
            for (escape, decoded) in [(#"\n"#, "\n"), (#"\""#, "\""), (#"\u0041"#, "A")] {
                let body = Array(#"{"a":"\#(filler)\#(escape)\#(filler)","model":"\#(filler)\#(escape)"}"#.utf8)
                #expect(try ModelField.find(in: body)?.value == filler + decoded)
            }
            for control: UInt8 in [0x00, 0x09, 0x1f] {
                var body = Array(#"{"a":"\#(filler)_\#(filler)"}"#.utf8)
                body[body.firstIndex(of: UInt8(ascii: "_"))!] = control
                #expect(throws: JSONBodyError.self) { try ModelField.find(in: body) }
            }
        }
    }
}
