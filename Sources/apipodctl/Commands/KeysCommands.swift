import ApipodKit
import Glibc

/// `keys create | list | limit | disable | enable`.
enum KeysCommands {
    static func create(_ context: CommandContext) throws -> ExitStatus {
        let invocation = context.invocation
        var lifetime: KeyLifetime?
        if let text = invocation.value("expires-in") {
            do {
                lifetime = try KeyLifetime(parsing: text)
            } catch {
                throw ParseError.invalidValue(value: text, option: "--expires-in", path: invocation.path, expected: error.description)
            }
        }
        let limits = KeyLimits.none.applying(try LimitOptions.change(context, clearable: false))
        let store = try context.openStore(.mayCreate)
        let key = try APIKey.generate()
        let record = try store.insert(
            key, name: invocation.value("name") ?? "", tier: invocation.value("tier") ?? defaultTier, lifetime: lifetime,
            limits: limits)
        // A reader that has gone must show up as EPIPE, not end the process with the key stored.
        signal(SIGPIPE, SIG_IGN)
        let text: String
        if invocation.flag("json") {
            var members: [(String, JSONOutput)] = [("api_key", .string(key.text))]
            if case .object(let rest) = record.json(at: record.createdAt) { members += rest }
            text = JSONOutput.object(members).rendered(pretty: true) + "\n"
        } else {
            text = key.text + "\n"
        }
        do {
            try context.console.out(text)
        } catch {
            // Nobody has the key: an active key stored anyway could only be found by guessing.
            try store.deleteKey(id: record.id)
            throw KeyNotShown(output: error)
        }
        if !invocation.flag("json") {
            let expiry = record.expiresAt.map { "expires \($0.rfc3339)" } ?? "never expires"
            context.console.err(
                "created key \(record.id) for '\(record.name)' (tier \(record.tier), \(expiry)). "
                    + "This is the only time the key is shown.\n")
        }
        return .success
    }

    static func list(_ context: CommandContext) throws -> ExitStatus {
        let store = try context.openStore(.mustExist)
        let now = Timestamp.now()
        let showAll = context.invocation.flag("all")
        let records = try store.listKeys().filter { showAll || $0.status(at: now) == .active }
        if context.invocation.flag("json") {
            try context.console.out(JSONOutput.array(records.map { $0.json(at: now) }).rendered(pretty: true) + "\n")
            return .success
        }
        if records.isEmpty {
            context.console.err(showAll ? "no keys yet; create one with 'apipodctl keys create --name NAME'\n"
                                        : "no active keys; 'apipodctl keys list --all' shows the others\n")
            return .success
        }
        let header = ["ID", "NAME", "TIER", "PREFIX", "STATUS", "CREATED", "EXPIRES", "LAST USED", "RPM", "CONCURRENCY", "TOKENS/DAY"]
        let rows = records.map { record in
            [
                String(record.id), record.name, record.tier, record.displayPrefix + "…",
                record.status(at: now).rawValue, record.createdAt.shortUTC,
                record.expiresAt?.shortUTC ?? "never", record.lastUsedAt?.shortUTC ?? "never",
            ] + LimitKind.allCases.map { LimitOptions.effectiveCell(record, $0) }
        }
        var text = TextTable(header: header, rows: rows, rightAligned: [8, 9, 10]).rendered()
        if records.contains(where: { record in LimitKind.allCases.contains { record.limits[$0] == nil && record.tierLimits[$0] != nil } }) {
            text += "* from the key's tier (apipodctl tiers list); - no limit\n"
        }
        try context.console.out(text)
        return .success
    }

    /// `keys limit ID|PREFIX [--rpm N|none] …`: changes the limits given, prints the result.
    static func limit(_ context: CommandContext) throws -> ExitStatus {
        let change = try LimitOptions.change(context, clearable: true)
        let store = try context.openStore(.mustExist)
        let updated = try store.updateLimits(change, id: store.resolve(context.invocation.arguments[0]).id)
        let verb = change.isEmpty ? "has" : "now has"
        try context.console.out(
            "key \(updated.id) (\(updated.displayPrefix)…, \(updated.name.escapedForTerminal)) \(verb) \(LimitOptions.summary(updated))\n")
        return .success
    }

    static func setActive(_ active: Bool, _ context: CommandContext) throws -> ExitStatus {
        let store = try context.openStore(.mustExist)
        let record = try store.resolve(context.invocation.arguments[0])
        let verb = active ? "enabled" : "disabled"
        if record.isActive == active {
            try context.console.out("key \(record.id) (\(record.displayPrefix)…, \(record.name.escapedForTerminal)) was already \(verb)\n")
            return .success
        }
        let updated = try store.setActive(active, id: record.id)
        var note = ""
        if active, updated.status(at: .now()) == .expired { note = "; it has expired, so requests are still refused" }
        try context.console.out("\(verb) key \(updated.id) (\(updated.displayPrefix)…, \(updated.name.escapedForTerminal))\(note)\n")
        return .success
    }
}

/// `keys create` could not print the key it made, and deleted it again.
private struct KeyNotShown: UserFacingError {
    let output: OutputError
    var exitStatus: ExitStatus { output.exitStatus }
    var description: String { "\(output.description); the new key was deleted, so none was created" }
}
