@testable import ApipodKit
import Testing

/// The surface both parsers share, so one driver feeds either.
protocol PullParser {
    associatedtype Head: Sendable & Equatable
    mutating func append<Bytes: Collection<UInt8>>(_ bytes: Bytes)
    mutating func next() throws(HTTPParseError) -> HTTPParserEvent<Head>?
    mutating func finish()
}

extension HTTPRequestParser: PullParser {}
extension HTTPResponseParser: PullParser {}

/// What a parser made of an input: its events with adjacent body pieces merged (so the way the
/// bytes were split does not show), and the error that stopped it, if any.
struct ParseOutcome<Head: Sendable & Equatable>: Equatable {
    var events: [HTTPParserEvent<Head>] = []
    var error: HTTPParseError?

    var heads: [Head] {
        events.compactMap { if case .head(let head) = $0 { head } else { nil } }
    }

    /// The bodies of the messages, one string each, in order.
    var bodies: [String] {
        var bodies: [String] = []
        var current: [UInt8]?
        for event in events {
            switch event {
            case .head: current = []
            case .body(let bytes): current?.append(contentsOf: bytes)
            case .end: bodies.append(String(decoding: current ?? [], as: UTF8.self)); current = nil
            }
        }
        return bodies
    }

    mutating func record(_ event: HTTPParserEvent<Head>) {
        if case .body(let piece) = event, case .body(let earlier)? = events.last {
            events[events.count - 1] = .body(ArraySlice(earlier + piece))
        } else {
            events.append(event)
        }
    }
}

/// Feeds `pieces` to `parser` one after the other, draining events after each, then ends the
/// input. A parser that keeps yielding events without consuming input is reported rather than
/// left to spin, so no test can hang.
func drive<Parser: PullParser>(_ parser: Parser, pieces: [ArraySlice<UInt8>]) -> ParseOutcome<Parser.Head> {
    var parser = parser
    var outcome = ParseOutcome<Parser.Head>()
    var budget = 8 + 4 * pieces.reduce(0) { $0 + $1.count }
    func drain() -> Bool {
        do {
            while let event = try parser.next() {
                outcome.record(event)
                budget -= 1
                if budget < 0 {
                    Issue.record("the parser yields events without consuming input")
                    return false
                }
            }
            return true
        } catch {
            outcome.error = error
            #expect(throws: error) { try parser.next() }
            return false
        }
    }
    for piece in pieces {
        parser.append(piece)
        guard drain() else { return outcome }
    }
    parser.finish()
    _ = drain()
    return outcome
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

func parseRequests(_ text: String, limits: HTTPParserLimits = .requests) -> ParseOutcome<HTTPRequestHead> {
    drive(HTTPRequestParser(limits: limits), pieces: [bytes(text)[...]])
}

func parseResponses(
    _ text: String, methods: [String] = ["GET"], limits: HTTPParserLimits = .responses
) -> ParseOutcome<HTTPResponseHead> {
    drive(HTTPResponseParser(expecting: methods, limits: limits), pieces: [bytes(text)[...]])
}

extension HTTPResponseParser {
    init(expecting methods: [String], limits: HTTPParserLimits = .responses) {
        self.init(limits: limits)
        for method in methods { expectResponse(toMethod: method) }
    }
}

/// The ways to cut an input into pieces that every fixture is fed in.
enum Splits {
    static func whole(_ input: [UInt8]) -> [ArraySlice<UInt8>] { [input[...]] }

    static func at(_ point: Int, _ input: [UInt8]) -> [ArraySlice<UInt8>] {
        [input[..<point], input[point...]]
    }

    static func byteByByte(_ input: [UInt8]) -> [ArraySlice<UInt8>] {
        input.indices.map { input[$0...$0] }
    }
}
