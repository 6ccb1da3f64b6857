import Glibc

/// Reads the optional routes file: providers, models and aliases (SPEC §8), merged over the
/// built-in rule (an alias of the same name replaces it). Its shape:
///
///     { "providers": { "deepseek": { "url": "https://api.deepseek.com", "key_env": "DEEPSEEK_API_KEY", "auth": "bearer" } },
///       "models": { "deepseek-chat": { "provider": "deepseek", "upstream_model": "deepseek-v3",
///                                      "fallback": ["gemini-3-flash"], "price": { "input": 0.27, "output": 1.1 } } },
///       "aliases": { "cursor-pro-sonnet": {
///         "targets": [ { "model": "claude-sonnet-4-5", "weight": 20 }, { "model": "gemini-3-flash", "weight": 80 } ],
///         "fallback": [ "deepseek-chat" ] } } }
///
/// Every section is optional, but the file must have one. Unknown fields are errors, so a
/// misspelt `"wieght"` cannot silently do nothing; so is a key written into the file (it
/// belongs in the environment, named by `key_env`), and the message never repeats it. A weight
/// is a number above 0 and at most `WeightedTarget.maximumWeight`; only the ratios matter.
/// Aliases do not nest: a target or fallback that names an alias, the built-in one included,
/// is refused. Alias and model names compare as Swift strings: an NFC and an NFD spelling are
/// one name, so a file that gives both has given the name twice, and a request may use either
/// (`JSONParser`). Loading takes time in proportion to the file's size.
public enum RoutesFile {
    public static func load(path: String) throws(RoutesFileError) -> RoutingTable {
        let bytes: [UInt8]
        do { bytes = try readFile(path) } catch { throw .unreadable(path: path, reason: error.reason) }
        return try parse(bytes, path: path)
    }

    static let sections = ["providers", "models", "aliases"]

    public static func parse(_ bytes: [UInt8], path: String) throws(RoutesFileError) -> RoutingTable {
        let document: JSONValue
        do { document = try JSONValue.parse(bytes) } catch { throw .invalid(path: path, field: nil, problem: error.description) }
        do {
            let root = try object(document, at: "")
            try rejectUnknown(root, allowed: sections, at: "")
            guard sections.contains(where: { root[$0] != nil }) else {
                throw Problem(field: "aliases", text: "is missing; the file must have a \"providers\", \"models\" or \"aliases\" object")
            }
            let providerObjects = try root["providers"].map { try object($0, at: "providers") } ?? [:]
            let modelObjects = try root["models"].map { try object($0, at: "models") } ?? [:]
            let aliasObjects = try root["aliases"].map { try object($0, at: "aliases") } ?? [:]
            let aliasNames = Set(aliasObjects.keys).union(RoutingTable.builtIn.aliases.keys)
            var providers: [ProviderRoute] = []
            for name in providerObjects.keys.sorted() {
                providers.append(try provider(named: name, providerObjects[name]!))
            }
            let providerNames = Set(providers.map(\.name)).union([ProviderRoute.defaultName])
            var models: [ModelRoute] = []
            for name in modelObjects.keys.sorted() {
                models.append(try model(named: name, modelObjects[name]!, providers: providerNames, aliases: aliasNames))
            }
            var aliases: [RouteAlias] = []
            for name in aliasObjects.keys.sorted() {
                aliases.append(try alias(named: name, aliasObjects[name]!, allNames: aliasNames))
            }
            return RoutingTable.builtIn.merging(RoutingTable(aliases: aliases, providers: providers, models: models))
        } catch let problem as Problem {
            throw .invalid(path: path, field: problem.field, problem: problem.text)
        } catch {
            throw .invalid(path: path, field: nil, problem: "\(error)")
        }
    }

    /// Field names that would hold a key itself; refused with a pointer to `key_env`.
    static let literalKeyFields = ["key", "api_key", "apikey", "api-key", "token", "secret"]

    private static func provider(named name: String, _ value: JSONValue) throws -> ProviderRoute {
        let field = "providers.\(name)"
        if name.isEmpty { throw Problem(field: field, text: "a provider name must not be empty") }
        if name == ProviderRoute.defaultName {
            throw Problem(field: field, text: "is built in (ANTIGRAVITY_URL and ANTIGRAVITY_KEY); give this provider another name")
        }
        let body = try object(value, at: field)
        for key in body.keys.sorted() where literalKeyFields.contains(key.lowercased()) {
            // The value is a secret: named by its field only, never repeated.
            throw Problem(
                field: "\(field).\(key)",
                text: "must not hold a key: keys never go in the routes file; put it in an environment variable and name that variable in \"key_env\"")
        }
        try rejectUnknown(body, allowed: ["url", "auth", "key_env"], at: field)
        guard case .string(let text)? = body["url"] else {
            throw Problem(field: "\(field).url", text: "must be a string such as \"https://api.example.com\"")
        }
        let url: UpstreamURL
        do { url = try UpstreamURL(parsing: text) } catch {
            throw Problem(field: "\(field).url", text: "'\(UpstreamURL.redacted(text))' \(error.problem)")
        }
        var auth = ProviderRoute.Auth.xAPIKey
        if let authValue = body["auth"] {
            guard case .string(let text) = authValue, let parsed = ProviderRoute.Auth(rawValue: text) else {
                throw Problem(field: "\(field).auth", text: "must be \"x-api-key\" or \"bearer\"")
            }
            auth = parsed
        }
        var keyEnv: String?
        if let keyValue = body["key_env"] {
            guard case .string(let variable) = keyValue, isVariableName(variable) else {
                throw Problem(field: "\(field).key_env", text: "must be the name of an environment variable, such as \"DEEPSEEK_API_KEY\"")
            }
            keyEnv = variable
        }
        return ProviderRoute(name: name, url: url, auth: auth, keyEnv: keyEnv)
    }

    private static func model(named name: String, _ value: JSONValue, providers: Set<String>, aliases: Set<String>) throws -> ModelRoute {
        let field = "models.\(name)"
        if name.isEmpty { throw Problem(field: field, text: "a model name must not be empty") }
        if aliases.contains(name) { throw Problem(field: field, text: "'\(name)' is an alias; describe its targets under \"models\" instead") }
        let body = try object(value, at: field)
        try rejectUnknown(body, allowed: ["provider", "upstream_model", "fallback", "price"], at: field)
        var provider = ProviderRoute.defaultName
        if let providerValue = body["provider"] {
            guard case .string(let text) = providerValue, !text.isEmpty else {
                throw Problem(field: "\(field).provider", text: "must be a provider's name")
            }
            guard providers.contains(text) else {
                let hint = Suggestion.closest(to: text, among: providers.sorted()).map { "; did you mean '\($0)'?" } ?? ""
                throw Problem(field: "\(field).provider", text: "'\(text)' is not a provider: define it under \"providers\"\(hint)")
            }
            provider = text
        }
        var upstreamModel: String?
        if let upstreamValue = body["upstream_model"] {
            guard case .string(let text) = upstreamValue, !text.isEmpty else {
                throw Problem(field: "\(field).upstream_model", text: "must be a non-empty string")
            }
            upstreamModel = text
        }
        let fallback = try fallbackChain(body["fallback"], at: "\(field).fallback", owner: name, aliases: aliases)
        var price: ModelPrice?
        if let priceValue = body["price"] {
            let priceField = "\(field).price"
            let members = try object(priceValue, at: priceField)
            try rejectUnknown(members, allowed: ["input", "output"], at: priceField)
            func amount(_ key: String) throws -> Double {
                guard case .number(let number)? = members[key], number.isFinite, number >= 0 else {
                    throw Problem(field: "\(priceField).\(key)", text: "must be a number of US dollars per million tokens, 0 or more")
                }
                return number
            }
            price = ModelPrice(inputPerMillion: try amount("input"), outputPerMillion: try amount("output"))
        }
        return ModelRoute(name: name, provider: provider, upstreamModel: upstreamModel, fallback: fallback, price: price)
    }

    /// A `fallback` array: real model names, none an alias, none twice, not the owner itself.
    private static func fallbackChain(_ value: JSONValue?, at field: String, owner: String, aliases: Set<String>) throws -> [String] {
        guard let value else { return [] }
        guard case .array(let items) = value else { throw Problem(field: field, text: "must be an array of model names") }
        var chain: [String] = []
        for (index, item) in items.enumerated() {
            let at = "\(field)[\(index)]"
            guard case .string(let model) = item, !model.isEmpty else { throw Problem(field: at, text: "must be a non-empty string") }
            if aliases.contains(model) || model == owner {
                throw Problem(field: at, text: "'\(model)' is \(model == owner ? "the entry itself" : "an alias"); a fallback must be a real model (aliases do not nest)")
            }
            guard !chain.contains(model) else { throw Problem(field: at, text: "'\(model)' is listed twice") }
            chain.append(model)
        }
        return chain
    }

    /// A POSIX-style variable name: ASCII letters, digits and `_`, not starting with a digit.
    static func isVariableName(_ text: String) -> Bool {
        func isWordByte(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: "_") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
        }
        guard let first = text.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return false }
        return text.utf8.allSatisfy(isWordByte)
    }

    private static func alias(named name: String, _ value: JSONValue, allNames: Set<String>) throws -> RouteAlias {
        let field = "aliases.\(name)"
        if name.isEmpty { throw Problem(field: field, text: "an alias name must not be empty") }
        let body = try object(value, at: field)
        try rejectUnknown(body, allowed: ["targets", "fallback"], at: field)
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
        let fallback = try fallbackChain(body["fallback"], at: "\(field).fallback", owner: name, aliases: allNames)
        guard let alias = RouteAlias(name: name, targets: targets, fallback: fallback) else {
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
