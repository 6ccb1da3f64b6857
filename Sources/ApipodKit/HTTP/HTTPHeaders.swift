/// A header section as it was received: order, duplicates and the spelling of names are kept,
/// because a proxy must pass on what it does not understand unchanged (RFC 9110 §5.3), and
/// lookups ignore case because field names do (RFC 9110 §5.1).
///
/// Why bytes: every field is kept as its wire line (`name: value` CRLF) in one array, with a
/// table of where each line's name and value lie. A proxy reads, filters and writes a dozen
/// fields per message; on bytes that is a few copies of contiguous memory and the values go out
/// exactly as they came in, where a pair of `String`s per field cost an allocation for every
/// longer value and reference counting on every copy of the head. Strings are made only when
/// a caller asks for one.
public struct HTTPHeaders: Sendable, Equatable, RandomAccessCollection, ExpressibleByDictionaryLiteral {
    public typealias Element = (name: String, value: String)

    /// Where one field lies in `lines`: its name up to `nameEnd`, then ": ", then its value up
    /// to `valueEnd`, then CRLF.
    struct Span: Sendable {
        var start: Int32
        var nameEnd: Int32
        var valueEnd: Int32

        var name: Range<Int> { Int(start)..<Int(nameEnd) }
        var value: Range<Int> { Int(nameEnd) + 2..<Int(valueEnd) }
        var line: Range<Int> { Int(start)..<Int(valueEnd) + 2 }
    }

    /// The fields' lines in the order they were added. A removed or replaced field leaves its
    /// bytes behind; `remove` rebuilds the array once most of it is such leftovers.
    private var lines: [UInt8] = []
    private var spans: [Span] = []
    /// The bytes of the live fields' lines: what `serialize` writes, less the final CRLF.
    private var liveByteCount = 0

    public init() {}

    public init(_ fields: [Element]) {
        spans.reserveCapacity(fields.count)
        for field in fields { add(name: field.name, value: field.value) }
    }

    /// A literal keeps its order and may repeat a name, unlike a `Dictionary`.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements.map { (name: $0.0, value: $0.1) })
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { spans.count }
    public subscript(position: Int) -> Element { (name(at: position), value(at: position)) }

    /// The first value of the field `name`.
    public subscript(name: String) -> String? {
        var name = name
        return name.withUTF8 { firstIndex(named: $0) }.map(value(at:))
    }

    /// Every value of the field `name`, in the order received.
    public func values(named name: String) -> [String] {
        var name = name
        return name.withUTF8 { name in indices.compactMap { nameMatches(at: $0, name) ? value(at: $0) : nil } }
    }

    public func contains(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { firstIndex(named: $0) } != nil
    }

    /// How many field lines are named `name`.
    public func count(named name: String) -> Int {
        var name = name
        return name.withUTF8 { name in indices.reduce(0) { nameMatches(at: $1, name) ? $0 + 1 : $0 } }
    }

    /// The fields a section built one by one has room for before its arrays grow.
    private static var initialFieldRoom: Int { 4 }

    /// Makes room for `count` fields of about `bytesPerField` bytes each, so building a section
    /// of known size allocates once.
    public mutating func reserveCapacity(_ count: Int, bytesPerField: Int = 32) {
        spans.reserveCapacity(count)
        lines.reserveCapacity(count * bytesPerField)
    }

    public mutating func add(name: String, value: String) {
        var name = name
        var value = value
        name.withUTF8 { name in value.withUTF8 { value in appendLine(name: name, value: value) } }
    }

    /// Removes every field named `name` and says how many there were.
    @discardableResult
    public mutating func remove(named name: String) -> Int {
        removeFields { $0.count == name.utf8.count && HTTPSyntax.equalsIgnoringCase($0, name.utf8) }
    }

    /// Removes every field whose name satisfies `shouldRemove` and says how many there were.
    @discardableResult
    public mutating func remove(where shouldRemove: (String) -> Bool) -> Int {
        removeFields { shouldRemove(String(decoding: $0, as: UTF8.self)) }
    }

    /// Sets `name` to the single value `value`, in the place of its first occurrence, so that
    /// rewriting a header does not reorder the section.
    public mutating func replaceOrAdd(name: String, value: String) {
        var value = value
        value.withUTF8 { replaceOrAdd(name: name, valueBytes: $0) }
    }

    /// `replaceOrAdd(name:value:)` with `value` in decimal, written without making a `String`
    /// (a Content-Length on every response).
    mutating func replaceOrAdd(name: String, decimal value: Int) {
        HTTPSyntax.withDecimal(value) { replaceOrAdd(name: name, valueBytes: $0) }
    }

    private mutating func replaceOrAdd(name: String, valueBytes value: UnsafeBufferPointer<UInt8>) {
        var name = name
        name.withUTF8 { name in replaceOrAdd(nameBytes: name, value: value) }
    }

    private mutating func replaceOrAdd(nameBytes name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) {
        guard let first = firstIndex(named: name) else { return appendLine(name: name, value: value) }
        var later = first + 1
        while later < spans.count {
            if nameMatches(at: later, name) {
                liveByteCount -= spans[later].line.count
                spans.remove(at: later)
            } else {
                later += 1
            }
        }
        liveByteCount -= spans[first].line.count
        appendLine(name: name, value: value)
        spans[first] = spans.removeLast()
    }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        guard lhs.spans.count == rhs.spans.count else { return false }
        return lhs.lines.withUnsafeBufferPointer { left in
            rhs.lines.withUnsafeBufferPointer { right in
                zip(lhs.spans, rhs.spans).allSatisfy { l, r in
                    left[l.name].elementsEqual(right[r.name]) && left[l.value].elementsEqual(right[r.value])
                }
            }
        }
    }
}

// MARK: - Bytes, for the codec and the proxy

extension HTTPHeaders {
    func name(at index: Int) -> String {
        lines.withUnsafeBufferPointer { String(decoding: $0[spans[index].name], as: UTF8.self) }
    }

    func value(at index: Int) -> String {
        lines.withUnsafeBufferPointer { String(decoding: $0[spans[index].value], as: UTF8.self) }
    }

    /// Calls `body` with the bytes of field `index`'s name and value, valid only inside it.
    func withField<Result, Failure: Error>(
        at index: Int, _ body: (_ name: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        let span = spans[index]
        return try lines.withUnsafeBufferPointer { (all) throws(Failure) -> Result in
            try body(UnsafeBufferPointer(rebasing: all[span.name]), UnsafeBufferPointer(rebasing: all[span.value]))
        }
    }

    /// Whether field `index` is named `name`, ignoring case. The lengths, known without a scan,
    /// rule out most pairs.
    func nameMatches(at index: Int, _ name: UnsafeBufferPointer<UInt8>) -> Bool {
        let range = spans[index].name
        guard range.count == name.count else { return false }
        return lines.withUnsafeBufferPointer { HTTPSyntax.equalsIgnoringCase(UnsafeBufferPointer(rebasing: $0[range]), name) }
    }

    func nameMatches(at index: Int, _ name: StaticString) -> Bool {
        // The length first: most fields are ruled out without a call.
        guard spans[index].name.count == name.utf8CodeUnitCount else { return false }
        return name.withUTF8Buffer { nameMatches(at: index, $0) }
    }

    func firstIndex(named name: UnsafeBufferPointer<UInt8>) -> Int? {
        indices.first { nameMatches(at: $0, name) }
    }

    func firstIndex(named name: StaticString) -> Int? {
        name.withUTF8Buffer { firstIndex(named: $0) }
    }

    /// The next field named `name` after field `index`, if any.
    func index(named name: StaticString, after index: Int) -> Int? {
        name.withUTF8Buffer { name in indices[(index + 1)...].first { nameMatches(at: $0, name) } }
    }

    /// The fields of a received section whose every line is already in the form `serialize`
    /// writes (`name: value` CRLF, the value without surrounding whitespace): `lines` are taken
    /// in one copy, and `spans` say where each field lies in them. How the parser keeps a
    /// section that arrived whole (`HTTPFieldSectionReader.readWhole`).
    init(receivedLines lines: UnsafeBufferPointer<UInt8>, spans: UnsafeBufferPointer<Span>) {
        self.lines = Array(lines)
        self.spans = Array(spans)
        liveByteCount = lines.count
    }

    /// Appends a field from raw bytes, as the parser does, with no String made.
    mutating func add(name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) {
        appendLine(name: name, value: value)
    }

    /// Appends field `index` of `other` byte for byte: how a proxy passes a field on.
    mutating func append(fieldAt index: Int, of other: HTTPHeaders) {
        let span = other.spans[index]
        let shift = Int32(lines.count) - span.start
        other.lines.withUnsafeBufferPointer { lines.append(contentsOf: UnsafeBufferPointer(rebasing: $0[span.line])) }
        spans.append(Span(start: span.start + shift, nameEnd: span.nameEnd + shift, valueEnd: span.valueEnd + shift))
        liveByteCount += span.line.count
    }

    /// Whether any element of the comma-separated field `name` equals `token`, ignoring case
    /// (RFC 9110 §7.6.1 for `Connection`).
    func containsToken(_ token: some Collection<UInt8>, inField name: StaticString) -> Bool {
        indices.contains { index in
            guard nameMatches(at: index, name) else { return false }
            var found = false
            withField(at: index) { _, value in
                HTTPSyntax.forEachListElement(in: value) { element in
                    found = found || HTTPSyntax.equalsIgnoringCase(element, token)
                }
            }
            return found
        }
    }

    /// RFC 9112 §9.3: whether the connection stays open after a message of `version` with
    /// these headers. `close` always ends it; HTTP/1.1 persists by default; HTTP/1.0 only
    /// when it asks for `keep-alive`.
    func keepsConnectionAlive(for version: HTTPVersion) -> Bool {
        if containsToken("close".utf8, inField: "connection") { return false }
        if version == .http1_1 { return true }
        return version == .http1_0 && containsToken("keep-alive".utf8, inField: "connection")
    }

    /// The size of the header lines and the final empty line, to reserve in one step.
    var serializedByteCount: Int { liveByteCount + 2 }

    /// RFC 9112 §5: `field-name ":" SP field-value CRLF` for each field, then the empty line.
    /// Lines that lie back to back (all of them, unless fields were removed) go in one copy.
    func serialize(into bytes: inout [UInt8]) {
        bytes.appendAssembled(count: serializedByteCount) { serialize(to: &$0) }
    }

    /// `serialize(into:)` through a cursor with room for `serializedByteCount` bytes, so a head
    /// is assembled whole and appended in one copy.
    func serialize(to cursor: inout ByteCursor) {
        lines.withUnsafeBufferPointer { all in
            var run = 0..<0
            for span in spans {
                let line = span.line
                if line.lowerBound == run.upperBound {
                    run = run.lowerBound..<line.upperBound
                } else {
                    cursor.write(UnsafeBufferPointer(rebasing: all[run]))
                    run = line
                }
            }
            cursor.write(UnsafeBufferPointer(rebasing: all[run]))
        }
        cursor.write(HTTPSyntax.cr)
        cursor.write(HTTPSyntax.lf)
    }

    private mutating func appendLine(name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) {
        // A section built field by field (a response head, say) starts with room for a few, so
        // its arrays are allocated once rather than grown for each field.
        if spans.capacity == 0 { reserveCapacity(Self.initialFieldRoom, bytesPerField: 48) }
        let start = lines.count
        let nameEnd = start + name.count
        let valueEnd = nameEnd + 2 + value.count
        lines.appendAssembled(count: valueEnd + 2 - start) { line in
            line.write(name)
            line.write(HTTPSyntax.colon)
            line.write(HTTPSyntax.space)
            line.write(value)
            line.write(HTTPSyntax.cr)
            line.write(HTTPSyntax.lf)
        }
        spans.append(Span(start: Int32(start), nameEnd: Int32(nameEnd), valueEnd: Int32(valueEnd)))
        liveByteCount += lines.count - start
    }

    /// Drops the matching spans in place, keeping the order of the rest.
    private mutating func removeFields(where shouldRemove: (_ name: UnsafeBufferPointer<UInt8>) -> Bool) -> Int {
        var kept = 0
        lines.withUnsafeBufferPointer { all in
            for index in spans.indices {
                let span = spans[index]
                if shouldRemove(UnsafeBufferPointer(rebasing: all[span.name])) {
                    liveByteCount -= span.line.count
                } else {
                    if kept != index { spans[kept] = span }
                    kept += 1
                }
            }
        }
        let removed = spans.count - kept
        guard removed > 0 else { return 0 }
        spans.removeLast(removed)
        if lines.count > 2 * liveByteCount + 1024 { compact() }
        return removed
    }

    /// Rebuilds `lines` without the bytes of removed fields.
    private mutating func compact() {
        let old = self
        self = HTTPHeaders()
        reserveCapacity(old.spans.count, bytesPerField: 0)
        lines.reserveCapacity(old.liveByteCount)
        for index in old.indices { append(fieldAt: index, of: old) }
    }
}
