import ApipodKit

/// What a command gets to work with: the parsed words, the environment and the console.
/// Commands stay thin: they read their options here and call into ApipodKit.
struct CommandContext {
    let invocation: Invocation
    let environment: [String: String]
    let console: Console

    var spec: CommandSpec { CommandTable.root.descendant(at: invocation.path)! }

    /// The configuration as `serve` sees it, with this command's flags on top. A setting's
    /// flag given an empty value (`--db "$UNSET"`) is a usage error: read as "not set", it
    /// would skip the environment and `.env` and fall back to the default.
    func settings() throws -> Settings {
        var flags: [SettingName: (flag: String, value: String)] = [:]
        for option in spec.options where option.setting != nil || option.long == "env-file" {
            guard let value = invocation.value(option.long) else { continue }
            if value.isEmpty {
                throw ParseError.invalidValue(
                    value: value, option: option.spelling, path: invocation.path,
                    expected: "it must not be empty; leave the option out to use the environment, .env or the default")
            }
            if let setting = option.setting { flags[setting] = (option.spelling, value) }
        }
        return try Settings(flags: flags, environment: environment, envFilePath: invocation.value("env-file"))
    }

    /// The key database, made first only when `opening` allows (see `StoreOpening` for which
    /// commands may); a file open to other users gets one warning line.
    func openStore(_ opening: StoreOpening) throws -> KeyStore {
        let store = try KeyStore(path: settings().databasePath, opening: opening)
        if let looseMode = store.looseMode { console.err("apipodctl: warning: \(looseMode)\n") }
        return store
    }

    /// A whole-number option within `range`, or nil when not given.
    func integer<Number: FixedWidthInteger>(_ long: String, in range: ClosedRange<Number>) throws(ParseError) -> Number? {
        guard let text = invocation.value(long) else { return nil }
        guard let number = Number(text), range.contains(number) else {
            let option = spec.allOptions.first { $0.long == long }
            let spelled = option?.short.map { "-\($0)" } ?? "--\(long)"
            throw .invalidValue(value: text, option: spelled, path: invocation.path,
                                expected: "expected a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }
}
