@testable import ApipodKit
import Testing

/// Thousands of damaged fixtures, reproducible from a fixed seed: the parser must neither crash
/// nor spin on any of them, and must reach the same verdict however the bytes were split.
@Suite struct HTTPMutationTests {
    /// Bytes that matter to the grammar, so that mutations reach the parser's decisions more
    /// often than random bytes would.
    private static let interestingBytes = bytes("\r\n :;,0123456789aAfF\t-+\"") + [0, 0x7f, 0x80, 0xff]

    private static let tightLimits = HTTPParserLimits(
        maxStartLineBytes: 40, maxHeaderBytes: 120, maxHeaderCount: 4, maxBodyBytes: 24, maxChunkLineBytes: 12
    )

    @Test func mutatedRequests_parseOrThrow_identicallyWhateverTheSplit() {
        var random = SeededRandom(seed: 0x4854_5450)
        for round in 0..<3000 {
            let input = Self.mutate(bytes(RequestFixture.all[round % RequestFixture.all.count].text), &random)
            let limits = round % 3 == 0 ? Self.tightLimits : .requests
            let whole = drive(HTTPRequestParser(limits: limits), pieces: Splits.whole(input))
            let point = Int.random(in: 0...input.count, using: &random)
            #expect(drive(HTTPRequestParser(limits: limits), pieces: Splits.at(point, input)) == whole, "round \(round)")
            if round % 10 == 0 {
                #expect(drive(HTTPRequestParser(limits: limits), pieces: Splits.byteByByte(input)) == whole, "round \(round)")
            }
        }
    }

    @Test func mutatedResponses_parseOrThrow_identicallyWhateverTheSplit() {
        var random = SeededRandom(seed: 0x5245_5350)
        for round in 0..<3000 {
            let fixture = ResponseFixture.all[round % ResponseFixture.all.count]
            let input = Self.mutate(bytes(fixture.text), &random)
            let limits = round % 3 == 0 ? Self.tightLimits : .responses
            let parser = HTTPResponseParser(expecting: fixture.methods, limits: limits)
            let whole = drive(parser, pieces: Splits.whole(input))
            let point = Int.random(in: 0...input.count, using: &random)
            #expect(drive(parser, pieces: Splits.at(point, input)) == whole, "round \(round)")
            if round % 10 == 0 {
                #expect(drive(parser, pieces: Splits.byteByByte(input)) == whole, "round \(round)")
            }
        }
    }

    /// One to four flips, insertions or deletions at random places.
    private static func mutate(_ input: [UInt8], _ random: inout SeededRandom) -> [UInt8] {
        var input = input
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let byte = Bool.random(using: &random)
                ? interestingBytes.randomElement(using: &random)!
                : UInt8.random(in: 0...255, using: &random)
            switch Int.random(in: 0..<3, using: &random) {
            case 0 where !input.isEmpty: input[Int.random(in: input.indices, using: &random)] = byte
            case 1: input.insert(byte, at: Int.random(in: 0...input.count, using: &random))
            case _ where !input.isEmpty: input.remove(at: Int.random(in: input.indices, using: &random))
            default: input.append(byte)
            }
        }
        return input
    }
}
