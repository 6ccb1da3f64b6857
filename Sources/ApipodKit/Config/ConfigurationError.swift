/// A setting that stops the program before it starts (exit 78). The message names the
/// setting and where its value came from, and never repeats a secret's value.
public enum ConfigurationError: UserFacingError, Equatable {
    case invalid(setting: String, origin: SettingOrigin, problem: String)
    case unreadableEnvFile(path: String, reason: String)
    case envFileSyntax(path: String, line: Int, problem: String)

    public var exitStatus: ExitStatus { .configuration }

    public var description: String {
        switch self {
        case .invalid(let setting, let origin, let problem):
            "bad configuration: \(origin.describe(setting)) \(problem)"
        case .unreadableEnvFile(let path, let reason):
            "cannot read the environment file '\(path)': \(reason)"
        case .envFileSyntax(let path, let line, let problem):
            "environment file '\(path)', line \(line): \(problem)"
        }
    }
}

/// Where a setting's value came from, so an error can point at the right place to fix it.
public enum SettingOrigin: Sendable, Equatable {
    case flag(String)
    case environment
    case envFile(path: String, line: Int)
    case defaultValue

    func describe(_ setting: String) -> String {
        switch self {
        case .flag(let flag): "\(flag) (\(setting))"
        case .environment: "\(setting) (from the environment)"
        case .envFile(let path, let line): "\(setting) (from \(path), line \(line))"
        case .defaultValue: "\(setting) (default)"
        }
    }
}
