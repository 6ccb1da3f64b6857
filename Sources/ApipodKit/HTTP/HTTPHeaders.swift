/// A header section as it was received: order, duplicates and the spelling of names are kept,
/// because a proxy must pass on what it does not understand unchanged (RFC 9110 §5.3), and
/// lookups ignore case because field names do (RFC 9110 §5.1).
public struct HTTPHeaders: Sendable, Equatable, RandomAccessCollection, ExpressibleByDictionaryLiteral {
    public typealias Element = (name: String, value: String)

    private var fields: [Element]

    public init() {
        fields = []
    }

    public init(_ fields: [Element]) {
        self.fields = fields
    }

    /// A literal keeps its order and may repeat a name, unlike a `Dictionary`.
    public init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { (name: $0.0, value: $0.1) }
    }

    public var startIndex: Int { fields.startIndex }
    public var endIndex: Int { fields.endIndex }
    public subscript(position: Int) -> Element { fields[position] }

    /// The first value of the field `name`.
    public subscript(name: String) -> String? {
        fields.first { Self.matches($0.name, name) }?.value
    }

    /// Every value of the field `name`, in the order received.
    public func values(named name: String) -> [String] {
        fields.compactMap { Self.matches($0.name, name) ? $0.value : nil }
    }

    public func contains(_ name: String) -> Bool {
        fields.contains { Self.matches($0.name, name) }
    }

    /// How many field lines are named `name`.
    public func count(named name: String) -> Int {
        fields.reduce(0) { Self.matches($1.name, name) ? $0 + 1 : $0 }
    }

    public mutating func reserveCapacity(_ count: Int) {
        fields.reserveCapacity(count)
    }

    public mutating func add(name: String, value: String) {
        fields.append((name: name, value: value))
    }

    /// Removes every field named `name` and says how many there were.
    @discardableResult
    public mutating func remove(named name: String) -> Int {
        let before = fields.count
        fields.removeAll { Self.matches($0.name, name) }
        return before - fields.count
    }

    /// Removes every field whose name satisfies `shouldRemove` and says how many there were.
    @discardableResult
    public mutating func remove(where shouldRemove: (String) -> Bool) -> Int {
        let before = fields.count
        fields.removeAll { shouldRemove($0.name) }
        return before - fields.count
    }

    /// Sets `name` to the single value `value`, in the place of its first occurrence, so that
    /// rewriting a header does not reorder the section.
    public mutating func replaceOrAdd(name: String, value: String) {
        guard let first = fields.firstIndex(where: { Self.matches($0.name, name) }) else {
            return add(name: name, value: value)
        }
        fields[first] = (name: name, value: value)
        var index = fields.index(after: first)
        while index < fields.endIndex {
            if Self.matches(fields[index].name, name) { fields.remove(at: index) } else { index += 1 }
        }
    }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.elementsEqual(rhs.fields) { $0.name == $1.name && $0.value == $1.value }
    }

    private static func matches(_ fieldName: String, _ name: String) -> Bool {
        HTTPSyntax.equalsIgnoringCase(fieldName.utf8, name.utf8)
    }
}

extension HTTPHeaders {
    /// Whether any element of the comma-separated field `name` equals `token`, ignoring case
    /// (RFC 9110 §7.6.1 for `Connection`).
    func containsToken(_ token: String, inField name: String) -> Bool {
        for field in fields where Self.matches(field.name, name) {
            var found = false
            HTTPSyntax.forEachListElement(in: field.value) { element in
                found = found || HTTPSyntax.equalsIgnoringCase(element, token.utf8)
            }
            if found { return true }
        }
        return false
    }

    /// RFC 9112 §9.3: whether the connection stays open after a message of `version` with
    /// these headers. `close` always ends it; HTTP/1.1 persists by default; HTTP/1.0 only
    /// when it asks for `keep-alive`.
    func keepsConnectionAlive(for version: HTTPVersion) -> Bool {
        if containsToken("close", inField: "connection") { return false }
        if version == .http1_1 { return true }
        return version == .http1_0 && containsToken("keep-alive", inField: "connection")
    }
}
