/// Removes from an OpenAI chat stream the one chunk the proxy asked for and the client did not:
/// the usage-only event (`data: {…"choices":[],…"usage":{…}}` and its blank line) that
/// `stream_options.include_usage` makes the upstream send last. Every other byte is relayed as it
/// arrives, so the client sees exactly the stream it would have had without the option.
///
/// Nothing can be known about an event before its `choices` member, so bytes are held back only
/// while they could still be the start of that event: from an event's first byte until its
/// `data:` prefix fails, its `choices` holds something, or its JSON closes without being
/// usage-only. An event read whole within one piece (nearly all of them) is never held past that
/// piece. The usage event itself is held to its blank line and dropped; after it, the filter
/// passes everything. An event still undecided after `holdLimit` bytes is released and passed.
///
/// A value type owned by the request that relays the stream. Pieces go through `filter`, the
/// end of the stream through `finish`.
public struct UsageChunkFilter {
    /// Held bytes beyond which an event is given up on and relayed (the usage chunk is a few
    /// hundred bytes).
    public static let holdLimit = 8192

    /// What to write for one piece: `released` (bytes held from earlier pieces) first, then the
    /// piece's bytes in `first`, then in `second` (two runs when the dropped event sat between them).
    public struct Output {
        public var released: [UInt8] = []
        public var first: Range<Int>
        public var second: Range<Int>
    }

    private enum Phase: Equatable {
        /// At an event's start, `matched` bytes of `data:` read.
        case prefix(matched: Int)
        /// After `data:`, before the JSON's `{`.
        case space
        /// Inside the data's JSON, undecided.
        case json
        /// The JSON closed and is usage-only: held until the blank line, then dropped.
        case usageEvent
        /// Decided: not the usage event; passed to its end.
        case passing
        /// The usage event was dropped: nothing more to do.
        case done
    }

    /// What the JSON's next bytes mean at the top level.
    private enum Expect: Equatable {
        case nothing
        case colon(isChoices: Bool)
        case value(isChoices: Bool)
        /// After `"choices":[`: a `]` makes the array empty.
        case firstChoice
    }

    private enum Action {
        case none, release, drop, eventEnded
    }

    private var phase = Phase.prefix(matched: 0)
    private var held: [UInt8] = []
    private var atLineStart = true
    // The top-level JSON scan of the current event.
    private var depth = 0
    private var inString = false
    private var escaped = false
    /// The name being read at depth one, packed (up to eight bytes), and its length.
    private var name: UInt64 = 0
    private var nameLength = 0
    private var expect = Expect.nothing
    private var emptyChoices = false
    private var usageObject = false

    public init() {}

    /// True once the usage event has been dropped.
    public var hasDropped: Bool { phase == .done }

    public mutating func filter(_ piece: ArraySlice<UInt8>) -> Output {
        var output = Output(first: piece.startIndex..<piece.startIndex, second: piece.endIndex..<piece.endIndex)
        if phase == .done {
            output.first = piece.indices
            return output
        }
        let runStart = piece.startIndex
        var holdStart: Int? = isHolding ? piece.startIndex : nil
        func emit(_ range: Range<Int>) {
            guard !range.isEmpty else { return }
            if output.first.isEmpty { output.first = range } else { output.second = range }
        }
        var index = piece.startIndex
        while index < piece.endIndex {
            let action = step(piece[index])
            index += 1
            switch action {
            case .none: break
            case .release:
                if !held.isEmpty { output.released = held; held = [] }
                holdStart = nil
            case .drop:
                emit(runStart..<(holdStart ?? runStart))
                held = []
                emit(index..<piece.endIndex)
                return output
            case .eventEnded:
                // An event still held at its end was not the usage event.
                if !held.isEmpty { output.released = held; held = [] }
                holdStart = index
            }
        }
        guard let start = holdStart else {
            emit(runStart..<piece.endIndex)
            return output
        }
        let carried = start == piece.startIndex ? held.count : 0
        if carried + (piece.endIndex - start) > Self.holdLimit {
            // Undecided for too long: relayed after all, and passed to its end.
            phase = .passing
            if !held.isEmpty { output.released = held; held = [] }
            emit(runStart..<piece.endIndex)
            return output
        }
        emit(runStart..<start)
        held.append(contentsOf: piece[start...])
        return output
    }

    /// At the stream's end: the bytes still held, to write last (none when they were the usage event).
    public mutating func finish() -> [UInt8] {
        defer { held = [] }
        if phase == .usageEvent {
            phase = .done
            return []
        }
        return held
    }

    private var isHolding: Bool {
        switch phase {
        case .prefix, .space, .json, .usageEvent: true
        case .passing, .done: false
        }
    }

    private mutating func step(_ byte: UInt8) -> Action {
        var blankLine = false
        switch byte {
        case UInt8(ascii: "\n"):
            blankLine = atLineStart
            atLineStart = true
        case UInt8(ascii: "\r"): break
        default: atLineStart = false
        }
        if blankLine {
            let wasUsage = phase == .usageEvent
            startEvent()
            if wasUsage {
                phase = .done
                return .drop
            }
            return .eventEnded
        }
        switch phase {
        case .prefix(let matched):
            guard byte == Self.dataPrefix[matched] else { return release() }
            phase = matched + 1 == Self.dataPrefix.count ? .space : .prefix(matched: matched + 1)
        case .space:
            if byte == UInt8(ascii: " ") { break }
            guard byte == UInt8(ascii: "{") else { return release() }
            phase = .json
            depth = 1
        case .json:
            return jsonByte(byte)
        case .usageEvent, .passing, .done:
            break
        }
        return .none
    }

    /// A new event begins after a blank line.
    private mutating func startEvent() {
        phase = .prefix(matched: 0)
        depth = 0
        inString = false
        escaped = false
        expect = .nothing
        emptyChoices = false
        usageObject = false
    }

    private mutating func release() -> Action {
        phase = .passing
        return .release
    }

    private mutating func jsonByte(_ byte: UInt8) -> Action {
        if inString {
            if escaped {
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
                nameLength = 9
            } else if byte == UInt8(ascii: "\"") {
                inString = false
                if depth == 1 && expect == .nothing {
                    if nameLength == 7 && name == Self.choicesName { expect = .colon(isChoices: true) }
                    if nameLength == 5 && name == Self.usageName { expect = .colon(isChoices: false) }
                }
            } else if nameLength < 8 {
                name = name << 8 | UInt64(byte)
                nameLength += 1
            } else {
                nameLength = 9
            }
            return .none
        }
        switch byte {
        case 0x20, 0x09, 0x0a, 0x0d:
            return .none
        case UInt8(ascii: ":"):
            if case .colon(let isChoices) = expect { expect = .value(isChoices: isChoices) } else { expect = .nothing }
            return .none
        case UInt8(ascii: "]") where expect == .firstChoice:
            emptyChoices = true
            depth -= 1
            expect = .nothing
            return .none
        default:
            break
        }
        switch expect {
        case .value(isChoices: true):
            guard byte == UInt8(ascii: "[") else { return release() }
            depth += 1
            expect = .firstChoice
            return .none
        case .firstChoice:
            return release()
        case .value(isChoices: false):
            usageObject = byte == UInt8(ascii: "{")
        case .nothing, .colon:
            break
        }
        expect = .nothing
        switch byte {
        case UInt8(ascii: "\""):
            inString = true
            name = 0
            nameLength = 0
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            depth += 1
        case UInt8(ascii: "}"), UInt8(ascii: "]"):
            depth -= 1
            if depth == 0 {
                guard emptyChoices && usageObject else { return release() }
                phase = .usageEvent
            }
        default:
            break
        }
        return .none
    }

    private static let dataPrefix: [UInt8] = Array("data:".utf8)
    private static let choicesName = packed("choices")
    private static let usageName = packed("usage")

    private static func packed(_ text: StaticString) -> UInt64 {
        var value: UInt64 = 0
        for offset in 0..<text.utf8CodeUnitCount { value = value << 8 | UInt64(text.utf8Start[offset]) }
        return value
    }
}
