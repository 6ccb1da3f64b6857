/// A parsed JSON document, for input that must be validated field by field with errors that
/// name the field (`aliases.x.targets[1].weight`), which `Decodable` models cannot report well.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses `bytes`; an error says what is wrong and at which line and column.
    public static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        try JSONParser.parse(bytes)
    }

    /// A name for the kind of value, for messages such as "expected a number, got a string".
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

public struct JSONSyntaxError: Error, Equatable, CustomStringConvertible {
    public let problem: String
    /// Where the fault is: a byte offset from 0, and the line and column from 1.
    public let offset: Int
    public let line: Int
    public let column: Int

    public var description: String { "not valid JSON: \(problem) at line \(line), column \(column)" }
}
