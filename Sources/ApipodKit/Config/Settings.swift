import Glibc

/// The variables apipodctl reads, by the original service's names.
public enum SettingName: String, Sendable, CaseIterable {
    case upstreamURL = "ANTIGRAVITY_URL"
    case upstreamKey = "ANTIGRAVITY_KEY"
    case adminSecret = "ADMIN_SECRET"
    case port = "PORT"
    case databasePath = "DATABASE_PATH"
    case host = "HOST"
    case routesPath = "ROUTES_FILE"
    case logFormat = "LOG_FORMAT"
    case metrics = "METRICS"

    public var defaultValue: String? {
        switch self {
        case .upstreamURL: "http://127.0.0.1:8080"
        case .port: "8081"
        case .databasePath: "./data/proxy.db"
        case .host: "0.0.0.0"
        case .logFormat: "text"
        case .metrics: "on"
        case .upstreamKey, .adminSecret, .routesPath: nil
        }
    }

    /// Secrets are never printed, not even in an error about themselves.
    public var isSecret: Bool { self == .upstreamKey || self == .adminSecret }
}

/// Every setting resolved by precedence — command-line flag, then environment variable,
/// then the `.env` file (`./.env`, or `--env-file`), then the default — with where each
/// value came from. Every command builds one, so the CLI and `serve` agree on the database.
public struct Settings: Sendable {
    public struct Resolved: Sendable, Equatable {
        public let value: String
        public let origin: SettingOrigin
    }

    private let values: [SettingName: Resolved]
    /// For variables the routes file names (`key_env`): the environment, then the `.env` file.
    private let environment: [String: String]
    private let envFile: EnvFile?

    /// - Parameters:
    ///   - flags: values given on the command line, with the flag's spelling for messages.
    ///   - environment: the process environment.
    ///   - envFilePath: `--env-file`; when nil, `./.env` is read if it exists.
    public init(
        flags: [SettingName: (flag: String, value: String)] = [:],
        environment: [String: String],
        envFilePath: String? = nil
    ) throws(ConfigurationError) {
        let envFile = try Self.loadEnvFile(explicitPath: envFilePath)
        var values: [SettingName: Resolved] = [:]
        for name in SettingName.allCases {
            if let given = flags[name] {
                values[name] = Resolved(value: given.value, origin: .flag(given.flag))
            } else if let value = environment[name.rawValue] {
                values[name] = Resolved(value: value, origin: .environment)
            } else if let envFile, let entry = envFile.entries[name.rawValue] {
                values[name] = Resolved(value: entry.value, origin: .envFile(path: envFile.path, line: entry.line))
            } else if let value = name.defaultValue {
                values[name] = Resolved(value: value, origin: .defaultValue)
            }
            if let resolved = values[name] { try Self.refuseControlCharacters(in: resolved, of: name) }
        }
        self.values = values
        self.environment = environment
        self.envFile = envFile
    }

    /// A variable that is not one of `SettingName` (a provider's `key_env`), by the same
    /// precedence minus flags: the environment, then the `.env` file. Nil when unset or empty.
    public func variable(_ name: String) -> String? {
        let value = environment[name] ?? envFile?.entries[name]?.value
        return value?.isEmpty == false ? value : nil
    }

    /// The value of `name`, unless it is unset or empty (an empty variable means "not set").
    public subscript(_ name: SettingName) -> Resolved? {
        guard let resolved = values[name], !resolved.value.isEmpty else { return nil }
        return resolved
    }

    /// Where the key database lives; every command needs it.
    public var databasePath: String {
        self[.databasePath]?.value ?? SettingName.databasePath.defaultValue!
    }

    /// The routing rules: the built-in ones, plus the routes file when one is configured.
    public func routingTable() throws(ConfigurationError) -> RoutingTable {
        guard let path = self[.routesPath] else { return .builtIn }
        do {
            return try RoutesFile.load(path: path.value)
        } catch {
            throw .invalid(setting: SettingName.routesPath.rawValue, origin: path.origin, problem: "is unusable: \(error.description)")
        }
    }

    /// Every setting ends up in a header, a path or an address, where a CR or LF would end a
    /// header early or name another file. Refused, naming the character but never the value,
    /// which may be a secret.
    private static func refuseControlCharacters(in resolved: Resolved, of name: SettingName) throws(ConfigurationError) {
        guard let control = resolved.value.unicodeScalars.first(where: { $0.properties.generalCategory == .control }) else { return }
        let code = String(control.value, radix: 16, uppercase: true)
        throw .invalid(
            setting: name.rawValue, origin: resolved.origin,
            problem: "contains a control character (U+\(String(repeating: "0", count: max(0, 4 - code.count)) + code)); remove it")
    }

    private static func loadEnvFile(explicitPath: String?) throws(ConfigurationError) -> EnvFile? {
        let path = explicitPath ?? "./.env"
        let bytes: [UInt8]
        do {
            bytes = try readFile(path)
        } catch {
            if explicitPath == nil && error.errno == ENOENT { return nil }
            throw .unreadableEnvFile(path: path, reason: error.reason)
        }
        return try EnvFile(path: path, contents: String(decoding: bytes, as: UTF8.self))
    }
}
