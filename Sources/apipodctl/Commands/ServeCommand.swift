import ApipodKit

/// `serve`: validates the configuration and the database, then runs the proxy.
enum ServeCommand {
    static func run(_ context: CommandContext) throws -> ExitStatus {
        let configuration = try ServerConfiguration(settings: context.settings())
        _ = try KeyStore(path: configuration.databasePath)
        context.console.err("apipodctl: serve is not available in this build yet: the HTTP engine is still being written\n")
        return .unavailable
    }
}
