import Dispatch
import Glibc

/// `apipodctl serve` from start to stop: open the key database, start the event loops, the
/// upstream client and the server, report where everything is (to systemd too, when it runs us
/// as a `Type=notify` unit, with watchdog pings while every loop turns), then wait for SIGTERM or
/// SIGINT and drain: stop accepting, let responses in flight finish for up to the grace period,
/// write pending last-use times, exit 0.
public enum ProxyService {
    /// How long in-flight responses may continue after SIGTERM; systemd waits 90 s by default.
    public static let shutdownGrace: Duration = .seconds(30)

    public static func run(_ configuration: ServerConfiguration, logger: LineLogger = LineLogger()) throws -> ExitStatus {
        // Blocked before any thread starts, so every thread inherits the mask and sigwait below
        // is the only place the signals are taken.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGINT)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        ignoreBrokenPipeSignal()

        let log = ServeLog(logger: logger, format: configuration.logFormat)
        var running = try start(configuration, logger: logger)
        let notifier = SystemdNotifier.fromEnvironment()
        if let notifier {
            if let interval = SystemdWatchdog.intervalFromEnvironment() {
                running.watchdog = SystemdWatchdog(notifier: notifier, loops: running.group.loops, interval: interval)
            }
            notifier.send("READY=1\nMAINPID=\(getpid())\nSTATUS=listening on http://\(running.server.localAddress), upstream \(configuration.upstream)")
        }
        var received: Int32 = 0
        sigwait(&signals, &received)
        let draining = "draining \(running.server.connectionCount) connection(s) for up to \(shutdownGrace)"
        notifier?.send("STOPPING=1\nSTATUS=\(draining)")
        log.note("\(received == SIGTERM ? "SIGTERM" : "SIGINT") received; \(draining)")

        let done = DispatchSemaphore(value: 0)
        Task.detached {
            await running.stop(grace: shutdownGrace)
            done.signal()
        }
        done.wait()
        log.note("stopped")
        log.flush()
        return .success
    }

    /// Everything `serve` runs, started; `stop` drains and ends it. Tests use it directly.
    public struct Running: Sendable {
        public let server: HTTPServer
        let group: EventLoopGroup
        let authenticator: KeyAuthenticator
        let usage: UsageRecorder
        /// Set by `run` when systemd asked for watchdog pings; stopped before the loops are.
        var watchdog: SystemdWatchdog?

        public func stop(grace: Duration) async {
            await server.shutdown(grace: grace)
            // Every request has ended and left its record: all of them are written now.
            await usage.stop()
            await watchdog?.stop()
            await authenticator.stop()
            group.shutdown()
        }
    }

    /// - Parameter pricing: prices answers for the usage records (nil: every cost is 0).
    public static func start(
        _ configuration: ServerConfiguration, logger: LineLogger, loops: Int = EventLoopGroup.coreCount, pricing: UsagePricing? = nil
    ) throws -> Running {
        let log = ServeLog(logger: logger, format: configuration.logFormat)
        let reader = try KeyStoreWorker(path: configuration.databasePath, opening: .mayCreate, label: "read")
        let writer = try KeyStoreWorker(path: configuration.databasePath, opening: .mayCreate, label: "write")
        if let looseMode = reader.looseMode { log.note("warning: \(looseMode)") }
        let authenticator = KeyAuthenticator(reader: reader, writer: writer) { error in
            log.note("key database: \(error.description)")
        }
        authenticator.start()
        let group = try EventLoopGroup(count: loops)
        let upstream = configuration.upstream
        let clientConfiguration = HTTPClientConfiguration(
            host: upstream.host, port: UInt16(upstream.port), responseHeadTimeout: configuration.upstreamResponseTimeout)
        let transport: any UpstreamTransport = switch upstream.scheme {
        case .http: HTTPClient(configuration: clientConfiguration, group: group)
        case .https: URLSessionClient(upstream: upstream, configuration: clientConfiguration)
        }
        let metrics = configuration.metricsEnabled ? ProxyMetrics(loops: group.loops) : nil
        let forwarder = Forwarder(
            authenticator: authenticator, routing: configuration.routing, dice: RoutingDice(), transport: transport,
            upstream: upstream, upstreamKey: configuration.upstreamKey, metrics: metrics)
        let admin = configuration.adminSecret.map { AdminRoutes(secret: $0, writer: writer, authenticator: authenticator) }
        let usage = UsageRecorder(loops: group.loops, writer: writer, pricing: pricing) { error in
            log.note("usage database: \(error.description)")
        }
        let handler = ProxyHandler(
            forwarder: forwarder, admin: admin, logger: logger, format: configuration.logFormat, metrics: metrics, usage: usage)
        let server: HTTPServer
        do {
            server = try HTTPServer(
                configuration: HTTPServerConfiguration(
                    host: configuration.host, port: UInt16(configuration.port),
                    limits: HTTPParserLimits(maxBodyBytes: configuration.maxBodyBytes)),
                group: group, handler: handler,
                onAcceptError: { log.note("accept: \($0.description)") })
        } catch {
            group.shutdown()
            throw ServeError.cannotListen(host: configuration.host, port: configuration.port, reason: error)
        }
        metrics?.countOpenConnections { [server] in server.connectionCount }
        usage.start()
        log.note("listening on http://\(server.localAddress)")
        log.note("upstream \(upstream) (\(configuration.upstreamKey == nil ? "no upstream key" : "upstream key set"))")
        log.note("key database \(configuration.databasePath); admin API \(admin == nil ? "off (no ADMIN_SECRET)" : "on")")
        for name in configuration.routing.aliasNames {
            let alias = configuration.routing.aliases[name]!
            let split = zip(alias.targets, alias.expectedShares).map { "\($0.model) \(percent($1))" }.joined(separator: ", ")
            log.note("route \(name) -> \(split)")
        }
        return Running(server: server, group: group, authenticator: authenticator, usage: usage)
    }

    private static func percent(_ share: Double) -> String {
        let tenths = Int((share * 1000).rounded())
        return tenths % 10 == 0 ? "\(tenths / 10) %" : "\(tenths / 10).\(tenths % 10) %"
    }
}

/// Why `serve` could not start listening (exit 69).
public enum ServeError: UserFacingError {
    case cannotListen(host: String, port: Int, reason: SocketError)

    public var exitStatus: ExitStatus { .unavailable }

    public var description: String {
        switch self {
        case .cannotListen(let host, let port, let reason):
            "cannot listen on \(host):\(port): \(reason.description)"
        }
    }
}
