import Dispatch
import Glibc

/// `apipodctl serve` from start to stop: open the key database, start the event loops, the
/// upstream client and the server, report where everything is (to systemd too, when it runs us
/// as a `Type=notify` unit, with watchdog pings while every loop turns), then wait for SIGTERM or
/// SIGINT and drain: stop accepting, let responses in flight finish for up to the grace period,
/// write pending last-use times, exit 0. SIGHUP re-reads the routing rules (`reload`).
public enum ProxyService {
    /// How long in-flight responses may continue after SIGTERM; systemd waits 90 s by default.
    public static let shutdownGrace: Duration = .seconds(30)

    /// - Parameter reload: reads the configuration again (the routes file, `.env`) for SIGHUP;
    ///   nil ignores SIGHUP.
    public static func run(
        _ configuration: ServerConfiguration, logger: LineLogger = LineLogger(), reload: (() throws -> ServerConfiguration)? = nil
    ) throws -> ExitStatus {
        // Blocked before any thread starts, so every thread inherits the mask and sigwait below
        // is the only place the signals are taken.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGHUP)
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
        while received == SIGHUP {
            reloadRules(running, reload, log: log, notifier: notifier)
            sigwait(&signals, &received)
        }
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
        let rules: RulesSlot
        let board: UpstreamBoard
        let usage: UsageRecorder
        /// Set by `run` when systemd asked for watchdog pings; stopped before the loops are.
        var watchdog: SystemdWatchdog?

        /// Replaces the routing rules with `configuration`'s (SIGHUP). Requests in flight keep
        /// the rules they started with. Returns the lines to log about the new rules.
        public func reload(_ configuration: ServerConfiguration) throws -> [String] {
            let new = try ProxyService.rules(configuration, previous: rules.current, group: group)
            ProxyService.register(new.table, on: board)
            rules.replace(with: new)
            return ProxyService.describe(configuration)
        }

        public func stop(grace: Duration) async {
            await server.shutdown(grace: grace)
            // Every request has ended and left its record: all of them are written now.
            await usage.stop()
            await watchdog?.stop()
            await authenticator.stop()
            group.shutdown()
        }
    }

    public static func start(_ configuration: ServerConfiguration, logger: LineLogger, loops: Int = EventLoopGroup.coreCount) throws -> Running {
        let log = ServeLog(logger: logger, format: configuration.logFormat)
        let reader = try KeyStoreWorker(path: configuration.databasePath, opening: .mayCreate, label: "read")
        let writer = try KeyStoreWorker(path: configuration.databasePath, opening: .mayCreate, label: "write")
        if let looseMode = reader.looseMode { log.note("warning: \(looseMode)") }
        let authenticator = KeyAuthenticator(reader: reader, writer: writer, limiters: KeyLimiters(clock: .system)) { error in
            log.note("key database: \(error.description)")
        }
        // The day's tokens so far, so a restart does not hand every key a second daily quota.
        let today = Timestamp.now()
        authenticator.limiters.seedDailyTotals(try writer.performBlocking { store throws(StorageError) in try store.tokensByKey(onUTCDay: today) }, day: today)
        authenticator.start()
        let group = try EventLoopGroup(count: loops)
        let upstream = configuration.upstream
        let rules: RulesSlot
        do {
            rules = RulesSlot(try Self.rules(configuration, previous: nil, group: group), loops: group.loops)
        } catch {
            group.shutdown()
            throw error
        }
        let board = UpstreamBoard(loops: group.loops)
        register(rules.current.table, on: board)
        let metrics = configuration.metricsEnabled ? ProxyMetrics(loops: group.loops) : nil
        let forwarder = Forwarder(
            authenticator: authenticator, rules: rules, dice: RoutingDice(), board: board, metrics: metrics, loops: group.loops)
        let admin = configuration.adminSecret.map { AdminRoutes(secret: $0, writer: writer, authenticator: authenticator, board: board, live: metrics?.live) }
        // Answers are priced by the rules of the moment: a reload's new prices apply from its next batch.
        let usage = UsageRecorder(loops: group.loops, writer: writer, pricing: { [rules] model, input, output in
            rules.current.table.price(of: model)?.cost(inputTokens: input, outputTokens: output)
        }) { error in
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
        for line in describe(configuration) { log.note(line) }
        return Running(server: server, group: group, authenticator: authenticator, rules: rules, board: board, usage: usage)
    }

    static func percent(_ share: Double) -> String {
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
