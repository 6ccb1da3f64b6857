import FoundationEssentials

/// A parsed JSON document, for input that must be validated field by field with errors that
/// name the field (`aliases.x.targets[1].weight`), which `Decodable` models cannot report well.
public enum JSONValue: Sendable, Equatable, Decodable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Parses `bytes`; the error's text is the parser's own, with its line and column.
    public static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch let DecodingError.dataCorrupted(context) {
            let underlying = (context.underlyingError as? CustomDebugStringConvertible)?.debugDescription
            throw JSONSyntaxError(message: underlying ?? context.debugDescription)
        } catch {
            throw JSONSyntaxError(message: "\(error)")
        }
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
    public let message: String
    public var description: String { "not valid JSON: \(message)" }
}
