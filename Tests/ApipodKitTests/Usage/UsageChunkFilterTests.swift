import Testing
@testable import ApipodKit

/// The usage-only chunk leaves the stream and nothing else does, however the stream is split.
struct UsageChunkFilterTests {
    static let content = """
        data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"Hi \\"choices\\":[]"}}]}

        data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}


        """
    static let usageEvent = """
        data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}


        """
    static let done = "data: [DONE]\n\n"

    /// Runs `stream` through a filter split at `splits` and returns what the client would get.
    static func relayed(_ stream: [UInt8], splits: [Int]) -> [UInt8] {
        var filter = UsageChunkFilter()
        var out: [UInt8] = []
        var start = 0
        for end in splits + [stream.count] {
            let piece = stream[start..<end]
            let output = filter.filter(piece)
            out += output.released
            out += piece[output.first]
            out += piece[output.second]
            start = end
        }
        return out + filter.finish()
    }

    static let streams: [(name: String, upstream: String, client: String)] = [
        ("usage last", content + usageEvent + done, content + done),
        ("crlf", (content + usageEvent + done).replacingOccurrences(of: "\n", with: "\r\n"),
         (content + done).replacingOccurrences(of: "\n", with: "\r\n")),
        ("no usage chunk", content + done, content + done),
        ("empty choices without usage passes (Azure's prompt filter chunk)",
         "data: {\"id\":\"\",\"choices\":[],\"prompt_filter_results\":[]}\n\n" + content + usageEvent + done,
         "data: {\"id\":\"\",\"choices\":[],\"prompt_filter_results\":[]}\n\n" + content + done),
        ("usage before choices, spaces", content + "data: {\"usage\": {\"prompt_tokens\": 1}, \"choices\": [ ]}\n\n" + done, content + done),
        ("only the first is dropped", usageEvent + usageEvent, usageEvent),
        ("comments and an unfinished tail pass", ": keep-alive\n\n" + usageEvent + "data: {\"choices\":[", ": keep-alive\n\ndata: {\"choices\":["),
        ("a usage chunk at the very end without its blank line", content + "data: {\"choices\":[],\"usage\":{}}", content),
    ]

    @Test(arguments: 0..<streams.count)
    func everySplitGivesTheClientTheStreamWithoutTheChunk(_ index: Int) {
        let example = Self.streams[index]
        let upstream = Array(example.upstream.utf8)
        let expected = Array(example.client.utf8)
        #expect(Self.relayed(upstream, splits: []) == expected, "\(example.name), whole")
        for split in 0...upstream.count {
            #expect(Self.relayed(upstream, splits: [split]) == expected, "\(example.name), split at \(split)")
        }
        for split in stride(from: 0, through: upstream.count, by: 7) {
            for second in stride(from: split, through: upstream.count, by: 13) {
                #expect(Self.relayed(upstream, splits: [split, second]) == expected, "\(example.name), split at \(split) and \(second)")
            }
        }
        #expect(Self.relayed(upstream, splits: Array(1..<upstream.count)) == expected, "\(example.name), one byte at a time")
    }

    /// Only an event's undecided start is held: up to its `choices`, a piece is held back
    /// (it could be the usage chunk); once `choices` holds an element, everything up to there
    /// goes out with that same piece.
    @Test func anEventIsHeldOnlyUntilItsChoicesDecide() {
        let event = Array(Self.content.utf8)
        let choices = event.indices.first { event[$0...].starts(with: "\"choices\":[{".utf8) }!
        var filter = UsageChunkFilter()
        let held = filter.filter(event[..<choices])
        #expect(held.released.isEmpty && held.first.isEmpty && held.second.isEmpty)
        let rest = event[choices...]
        let released = filter.filter(rest)
        #expect(released.released == Array(event[..<choices]))
        #expect(rest[released.first] == rest)

        var decided = UsageChunkFilter()
        let upToElement = event[..<(choices + 12)]
        let output = decided.filter(upToElement)
        #expect(output.released.isEmpty && upToElement[output.first] == upToElement)
    }

    @Test func anEventLongerThanTheLimitIsRelayed() {
        let long = "data: {\"id\":\"" + String(repeating: "x", count: UsageChunkFilter.holdLimit) + "\",\"choices\":[],\"usage\":{}}\n\n"
        let bytes = Array(long.utf8)
        #expect(Self.relayed(bytes, splits: [10, 5000, bytes.count - 20]) == bytes)
    }
}
