@testable import ApipodKit
import Testing

/// A parser must give the same messages however the network cut the bytes: whole, in two
/// pieces at every point, and one byte at a time.
@Suite struct HTTPSplitTests {
    @Test(arguments: RequestFixture.all)
    func request_sameEventsWhateverTheSplit(fixture: RequestFixture) {
        let input = bytes(fixture.text)
        let whole = drive(HTTPRequestParser(), pieces: Splits.whole(input))
        #expect(whole.error == nil)
        #expect(drive(HTTPRequestParser(), pieces: Splits.byteByByte(input)) == whole)
        for point in 0...input.count {
            #expect(drive(HTTPRequestParser(), pieces: Splits.at(point, input)) == whole, "split at \(point)")
        }
    }

    @Test(arguments: ResponseFixture.all)
    func response_sameEventsWhateverTheSplit(fixture: ResponseFixture) {
        let input = bytes(fixture.text)
        let parser = HTTPResponseParser(expecting: fixture.methods)
        let whole = drive(parser, pieces: Splits.whole(input))
        #expect(whole.error == nil)
        #expect(whole.events.last == .end)
        #expect(drive(parser, pieces: Splits.byteByByte(input)) == whole)
        for point in 0...input.count {
            #expect(drive(parser, pieces: Splits.at(point, input)) == whole, "split at \(point)")
        }
    }
}
