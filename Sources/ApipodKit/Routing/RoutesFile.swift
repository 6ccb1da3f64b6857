import Glibc

/// Reads the optional routes file: aliases with weighted targets, merged over the built-in
/// rule (an alias of the same name replaces it). Its shape:
///
///     { "aliases": { "cursor-pro-sonnet": { "targets": [
///         { "model": "claude-sonnet-4-5", "weight": 20 },
///         { "model": "gemini-3-flash", "weight": 80 } ] } } }
///
/// Unknown fields are errors, so a misspelt `"wieght"` cannot silently do nothing. A weight is a
/// number above 0 and at most `WeightedTarget.maximumWeight`; only the ratios matter. Alias and
/// model names compare as Swift strings: an NFC and an NFD spelling are one name, so a file
/// that gives both has given the name twice, and a request may use either (`JSONParser`).
/// Loading takes time in proportion to the file's size.
public enum RoutesFile {
    public static func load(path: String) throws(RoutesFileError) -> RoutingTable {
        let bytes: [UInt8]
        do { bytes = try readFile(path) } catch { throw .unreadable(path: path, reason: error.reason) }
        return try parse(bytes, path: path)
    }

    public static func parse(_ bytes: [UInt8], path: String) throws(RoutesFileError) -> RoutingTable {
        let document: JSONValue
        do { document = try JSONValue.parse(bytes) } catch { throw .invalid(path: path, field: nil, problem: error.description) }
        do {
            let root = try object(document, at: "")
            try rejectUnknown(root, allowed: ["aliases"], at: "")
            guard let aliasesValue = root["aliases"] else {
                throw Problem(field: "aliases", text: "is missing; the file must have an \"aliases\" object")
            }
            let aliasObjects = try object(aliasesValue, at: "aliases")
            let allNames = Set(aliasObjects.keys)
            var aliases: [RouteAlias] = []
            for name in aliasObjects.keys.sorted() {
                aliases.append(try alias(named: name, aliasObjects[name]!, allNames: allNames))
            }
            return RoutingTable.builtIn.merging(RoutingTable(aliases: aliases))
        } catch let problem as Problem {
            throw .invalid(path: path, field: problem.field, problem: problem.text)
        } catch {
            throw .invalid(path: path, field: nil, problem: "\(error)")
        }
    }

    private static func alias(named name: String, _ value: JSONValue, allNames: Set<String>) throws -> RouteAlias {
        let field = "aliases.\(name)"
        if name.isEmpty { throw Problem(field: field, text: "an alias name must not be empty") }
        let body = try object(value, at: field)
        try rejectUnknown(body, allowed: ["targets"], at: field)
        guard case .array(let items)? = body["targets"] else {
            throw Problem(field: "\(field).targets", text: "must be an array of {\"model\", \"weight\"} objects")
        }
        if items.isEmpty { throw Problem(field: "\(field).targets", text: "must name at least one target") }
        var targets: [WeightedTarget] = []
        var seen: Set<String> = []
        for (index, item) in items.enumerated() {
            let at = "\(field).targets[\(index)]"
            let target = try object(item, at: at)
            try rejectUnknown(target, allowed: ["model", "weight"], at: at)
            guard case .string(let model)? = target["model"], !model.isEmpty else {
                throw Problem(field: "\(at).model", text: "must be a non-empty string")
            }
            if allNames.contains(model) || model == name {
                throw Problem(field: "\(at).model", text: "'\(model)' is itself an alias; targets must be real models")
            }
            guard seen.insert(model).inserted else {
                throw Problem(field: "\(at).model", text: "'\(model)' is listed twice")
            }
            guard case .number(let weight)? = target["weight"], weight.isFinite, weight > 0 else {
                let got = target["weight"].map { $0.kindName } ?? "nothing"
                throw Problem(field: "\(at).weight", text: "must be a positive number, got \(got)")
            }
            guard weight <= WeightedTarget.maximumWeight else {
                throw Problem(field: "\(at).weight", text: "must be at most \(Int(WeightedTarget.maximumWeight)); only the ratios between weights matter")
            }
            targets.append(WeightedTarget(model: model, weight: weight))
        }
        guard let alias = RouteAlias(name: name, targets: targets) else {
            throw Problem(field: "\(field).targets", text: "has weights too far apart: a target would never be chosen")
        }
        return alias
    }

    private struct Problem: Error {
        let field: String
        let text: String
    }

    private static func object(_ value: JSONValue, at field: String) throws -> [String: JSONValue] {
        guard case .object(let members) = value else {
            throw Problem(field: field.isEmpty ? "(top level)" : field, text: "must be an object, got \(value.kindName)")
        }
        return members
    }

    private static func rejectUnknown(_ members: [String: JSONValue], allowed: [String], at field: String) throws {
        for key in members.keys.sorted() where !allowed.contains(key) {
            let path = field.isEmpty ? key : "\(field).\(key)"
            let hint = Suggestion.closest(to: key, among: allowed).map { "; did you mean '\($0)'?" } ?? ""
            throw Problem(field: path, text: "unknown field\(hint)")
        }
    }
}

/// Why the routes file could not be used; `serve` and `route simulate` exit with 78.
public enum RoutesFileError: UserFacingError, Equatable {
    case unreadable(path: String, reason: String)
    case invalid(path: String, field: String?, problem: String)

    public var exitStatus: ExitStatus { .configuration }

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            "cannot read the routes file '\(path)': \(reason)"
        case .invalid(let path, let field?, let problem):
            "routes file '\(path)': \(field) \(problem)"
        case .invalid(let path, nil, let problem):
            "routes file '\(path)': \(problem)"
        }
    }
}
