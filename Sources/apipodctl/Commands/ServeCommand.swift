import ApipodKit

/// `serve`: validate the configuration, then run the proxy until SIGTERM or SIGINT; SIGHUP
/// reads the configuration again for its routing rules.
enum ServeCommand {
    static func run(_ context: CommandContext) throws -> ExitStatus {
        let configuration = try ServerConfiguration(settings: context.settings())
        return try ProxyService.run(configuration) { try ServerConfiguration(settings: context.settings()) }
    }
}
