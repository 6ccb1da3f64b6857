@testable import ApipodKit
import Testing

/// A header section that arrives whole is read in one pass (`HTTPFieldSectionReader.readWhole`)
/// when every line is in the usual form, and line by line otherwise. Both must give the same
/// fields and refuse the same heads: these tests hold each kind of line against the
/// line-by-line reader, which a head cut into single bytes always goes through.
@Suite struct HTTPWholeSectionTests {
    /// Lines the one-pass reader takes, and lines it must leave to the other (other spacing,
    /// controls, obs-text, an empty value).
    static let lines = [
        "X-A: b", "X-A:b", "X-A:  b", "X-A: b ", "X-A: b\t", "X-A: \tb", "X-A: a\tb", "X-A: ",
        "X-A:", "X-A: caf\u{e9} \u{1F600}", "X-A: 0123456789abcdef0123456789", "X-A: 01234567\t89abcdef",
    ]

    @Test(arguments: lines)
    func aLine_readsTheSameWholeAndByteByByte(line: String) throws {
        let input = bytes("GET / HTTP/1.1\r\nHost: a\r\n\(line)\r\nAccept: */*\r\n\r\n")
        let whole = drive(HTTPRequestParser(), pieces: Splits.whole(input))
        #expect(whole.error == nil)
        #expect(whole == drive(HTTPRequestParser(), pieces: Splits.byteByByte(input)))
        let headers = try #require(whole.heads.first?.headers)
        #expect(headers.count == 3)
        // However the line was spaced, the value is kept without its surrounding whitespace,
        // and passed on in the usual form.
        let value = headers["x-a"] ?? "missing"
        #expect(value.first != " " && value.last != " " && value.first != "\t" && value.last != "\t")
        var written: [UInt8] = []
        headers.serialize(into: &written)
        #expect(String(decoding: written, as: UTF8.self) == "Host: a\r\nX-A: \(value)\r\nAccept: */*\r\n\r\n")
    }

    /// Every byte a value may not hold, at every place in a value longer than a word, is refused
    /// whole as it is byte by byte; every byte it may hold is kept.
    @Test func everyByte_atEveryPlace_isJudgedTheSameWholeAndByteByByte() throws {
        for byte in UInt8(0)...UInt8(255) where byte != HTTPSyntax.cr && byte != HTTPSyntax.lf {
            for place in [0, 3, 7, 8, 9, 15, 16, 20] {
                var value = Array("abcdefghijklmnopqrstu".utf8)
                value[place] = byte
                let input = bytes("GET / HTTP/1.1\r\nHost: a\r\nX-V: ") + value + bytes("\r\n\r\n")
                let whole = drive(HTTPRequestParser(), pieces: Splits.whole(input))
                let allowed = byte == HTTPSyntax.tab || (byte >= 0x20 && byte != 0x7f)
                #expect((whole.error == nil) == allowed, "byte \(byte) at \(place)")
                #expect(whole == drive(HTTPRequestParser(), pieces: Splits.byteByByte(input)), "byte \(byte) at \(place)")
            }
        }
    }

    /// Each limit on a header section, on a section that arrived whole: the last head that
    /// fits passes, one more field fails with that limit's error.
    @Test(arguments: [
        // At most three fields.
        (HTTPParserLimits(maxHeaderCount: 3),
         "GET / HTTP/1.1\r\nHost: 1\r\nB: 2\r\nC: 3\r\n\r\n",
         "GET / HTTP/1.1\r\nHost: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n",
         HTTPParseError.tooManyHeaderFields),
        // Lines of 10 bytes without their CRLF: three fit in 30, four do not.
        (HTTPParserLimits(maxHeaderBytes: 30),
         "GET / HTTP/1.1\r\nHost: 1234\r\nBb: 12345\r\nCc: 12345\r\n\r\n",
         "GET / HTTP/1.1\r\nHost: 1234\r\nBb: 12345\r\nCc: 12345\r\nDd: 12345\r\n\r\n",
         HTTPParseError.headerSectionTooLarge),
    ])
    func aSectionLimit_holdsWhole(limits: HTTPParserLimits, fits: String, exceeds: String, error: HTTPParseError) {
        #expect(drive(HTTPRequestParser(limits: limits), pieces: Splits.whole(bytes(fits))).error == nil)
        #expect(drive(HTTPRequestParser(limits: limits), pieces: Splits.whole(bytes(exceeds))).error == error)
    }

    /// A section cut short, or ended by a bare LF, is not taken whole.
    @Test func anUnfinishedOrBadlyEndedSection_isNotTakenWhole() {
        let limits = HTTPParserLimits.requests
        for text in ["A: 1\r\nB: 2\r\n", "A: 1\r\nB: 2\r\n\r", "A: 1\r\nB: 2", "A: 1\nB: 2\r\n\r\n", "A: 1\r\n\n", " A: 1\r\n\r\n", "A : 1\r\n\r\n"] {
            let input = bytes(text)
            let taken = input.withUnsafeBufferPointer { HTTPFieldSectionReader.readWhole($0, limits: limits) }
            #expect(taken == nil, "\(text.debugDescription)")
        }
        let input = bytes("A: 1\r\nB: 2\r\n\r\nbody")
        let taken = input.withUnsafeBufferPointer { HTTPFieldSectionReader.readWhole($0, limits: limits) }
        #expect(taken?.used == 14)
        #expect(taken?.0["b"] == "2")
    }
}
