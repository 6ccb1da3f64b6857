/// Everything `serve` needs, validated up front so a mistake stops the program at start with a
/// message naming the setting (exit 78), rather than failing on the first request.
public struct ServerConfiguration: Sendable {
    public var host: String
    /// 0 picks a free port (tests read it back from the server).
    public var port: Int
    public var upstream: UpstreamURL
    /// Sent upstream as `x-api-key`; nil when the upstream needs none.
    public var upstreamKey: String?
    /// Enables the admin routes; nil turns them off.
    public var adminSecret: String?
    public var databasePath: String
    public var routing: RoutingTable
    /// The keys of the routes file's providers, by provider name, and a warning for each
    /// `key_env` that is unset.
    public var providerKeys = ProviderKeys(.builtIn) { _ in nil }
    /// The largest request body accepted (413 above it); the model rewrite holds the body.
    public var maxBodyBytes = 10 << 20
    /// How long the upstream may take to send its response head (504 after it).
    public var upstreamResponseTimeout: Duration = .seconds(600)
    public var logFormat: LogFormat = .text
    /// `GET /metrics` and the counting behind it; `METRICS=off` turns both off.
    public var metricsEnabled = true

    /// A configuration given in code, without the validation `init(settings:)` applies.
    public init(
        host: String = "127.0.0.1", port: Int = 0, upstream: UpstreamURL, upstreamKey: String? = nil,
        adminSecret: String? = nil, databasePath: String, routing: RoutingTable = .builtIn
    ) {
        self.host = host
        self.port = port
        self.upstream = upstream
        self.upstreamKey = upstreamKey
        self.adminSecret = adminSecret
        self.databasePath = databasePath
        self.routing = routing
    }

    /// The shortest admin secret accepted, from the original service.
    public static let minimumAdminSecretLength = 16

    public init(settings: Settings) throws(ConfigurationError) {
        let hostSetting = settings[.host] ?? Settings.Resolved(value: SettingName.host.defaultValue!, origin: .defaultValue)
        let hostValue = hostSetting.value.trimmingASCIIWhitespace()
        if hostValue.isEmpty || hostValue.contains(where: { $0 == " " || $0 == "/" }) {
            throw .invalid(setting: "HOST", origin: hostSetting.origin, problem: "'\(hostValue)' is not an address or host name")
        }
        host = hostValue

        let portSetting = settings[.port] ?? Settings.Resolved(value: SettingName.port.defaultValue!, origin: .defaultValue)
        guard let port = Int(portSetting.value.trimmingASCIIWhitespace()), (1...65535).contains(port) else {
            throw .invalid(setting: "PORT", origin: portSetting.origin, problem: "'\(portSetting.value)' is not a port number (1–65535)")
        }
        self.port = port

        let upstreamSetting = settings[.upstreamURL] ?? Settings.Resolved(value: SettingName.upstreamURL.defaultValue!, origin: .defaultValue)
        do {
            upstream = try UpstreamURL(parsing: upstreamSetting.value.trimmingASCIIWhitespace())
        } catch {
            throw .invalid(setting: "ANTIGRAVITY_URL", origin: upstreamSetting.origin, problem: "'\(UpstreamURL.redacted(upstreamSetting.value))' \(error.problem)")
        }

        upstreamKey = settings[.upstreamKey]?.value
        if let secret = settings[.adminSecret] {
            guard secret.value.count >= Self.minimumAdminSecretLength else {
                throw .invalid(
                    setting: "ADMIN_SECRET", origin: secret.origin,
                    problem: "is \(secret.value.count) characters long; it must have at least \(Self.minimumAdminSecretLength) (or be unset to turn the admin routes off)")
            }
            adminSecret = secret.value
        } else {
            adminSecret = nil
        }
        if let formatSetting = settings[.logFormat] {
            guard let format = LogFormat(rawValue: formatSetting.value.trimmingASCIIWhitespace()) else {
                throw .invalid(setting: "LOG_FORMAT", origin: formatSetting.origin, problem: "'\(formatSetting.value)' is not a log format: text or json")
            }
            logFormat = format
        }
        if let metricsSetting = settings[.metrics] {
            switch metricsSetting.value.trimmingASCIIWhitespace() {
            case "on": metricsEnabled = true
            case "off": metricsEnabled = false
            default:
                throw .invalid(setting: "METRICS", origin: metricsSetting.origin, problem: "'\(metricsSetting.value)' is not on or off")
            }
        }
        databasePath = settings.databasePath
        routing = try settings.routingTable()
        providerKeys = ProviderKeys(routing, lookup: settings.variable)
    }
}
