/// JSON to write, with object members in the order given, so `--json` output and API
/// responses read the same every time (Foundation's encoder offers sorted or unspecified order).
public indirect enum JSONOutput: Sendable, Equatable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONOutput])
    case object([(String, JSONOutput)])

    public static func == (lhs: JSONOutput, rhs: JSONOutput) -> Bool {
        lhs.rendered() == rhs.rendered()
    }

    /// Compact by default; `pretty` indents by two spaces.
    public func rendered(pretty: Bool = false) -> String {
        var out = ""
        write(into: &out, pretty: pretty, depth: 0)
        return out
    }

    private func write(into out: inout String, pretty: Bool, depth: Int) {
        let newline = pretty ? "\n" + String(repeating: "  ", count: depth + 1) : ""
        let closing = pretty ? "\n" + String(repeating: "  ", count: depth) : ""
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .integer(let value): out += String(value)
        case .number(let value):
            out += value.isFinite ? (value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)) : "null"
        case .string(let value): Self.writeString(value, into: &out)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (index, item) in items.enumerated() {
                out += (index == 0 ? "" : ",") + newline
                item.write(into: &out, pretty: pretty, depth: depth + 1)
            }
            out += closing + "]"
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            out += "{"
            for (index, (key, value)) in members.enumerated() {
                out += (index == 0 ? "" : ",") + newline
                Self.writeString(key, into: &out)
                out += pretty ? ": " : ":"
                value.write(into: &out, pretty: pretty, depth: depth + 1)
            }
            out += closing + "}"
        }
    }

    private static func writeString(_ value: String, into out: inout String) {
        out += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let control where control.value < 0x20 || control.value == 0x7f:
                let hex = String(control.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}

extension KeyRecord {
    /// The record as the CLI's `--json` and the admin API show it; never the key. `limits` are
    /// the key's own, `effective_limits` what is enforced (its own, else its tier's; null: none).
    public func json(at now: Timestamp) -> JSONOutput {
        .object([
            ("id", .integer(id)),
            ("name", .string(name)),
            ("tier", .string(tier)),
            ("prefix", .string(displayPrefix)),
            ("status", .string(status(at: now).rawValue)),
            ("created_at", .string(createdAt.rfc3339)),
            ("expires_at", expiresAt.map { .string($0.rfc3339) } ?? .null),
            ("last_used_at", lastUsedAt.map { .string($0.rfc3339) } ?? .null),
            ("limits", limits.json),
            ("effective_limits", effectiveLimits.json),
        ])
    }
}
