/// Changes to a few places of a request body, applied without touching any other byte: the
/// routed model, the usage option. Built by the proxy from ranges the body scan found.
struct BodySplice {
    struct Edit {
        let range: Range<Int>
        let bytes: [UInt8]
    }

    /// In increasing order, none overlapping.
    private(set) var edits: [Edit] = []

    var isEmpty: Bool { edits.isEmpty }

    /// Adds an edit; edits may come in any order but must not overlap.
    mutating func add(_ range: Range<Int>, _ bytes: [UInt8]) {
        let position = edits.firstIndex { $0.range.lowerBound >= range.upperBound } ?? edits.endIndex
        edits.insert(Edit(range: range, bytes: bytes), at: position)
    }

    /// The edited body in one array.
    func applied(to body: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(body.count + edits.reduce(0) { $0 + $1.bytes.count - $1.range.count })
        for run in runs(of: body) { out.append(contentsOf: run) }
        return out
    }

    /// The edited body as runs to send one after the other: the untouched bytes are not copied.
    func runs(of body: [UInt8]) -> [ArraySlice<UInt8>] {
        var runs: [ArraySlice<UInt8>] = []
        runs.reserveCapacity(edits.count * 2 + 1)
        var position = 0
        for edit in edits {
            runs.append(body[position..<edit.range.lowerBound])
            runs.append(edit.bytes[...])
            position = edit.range.upperBound
        }
        runs.append(body[position...])
        return runs
    }
}
