import Glibc

/// How a server listens and how long each phase of a connection may take. The timeouts are per
/// phase, never per response: a streamed response may last as long as it keeps moving.
public struct HTTPServerConfiguration: Sendable {
    public var host: String
    public var port: UInt16
    public var limits: HTTPParserLimits
    /// From a connection's first byte of a request head to its last (slowloris defence).
    public var requestHeadTimeout: Duration
    /// How long a keep-alive connection may sit between requests.
    public var idleTimeout: Duration
    /// How long a single read of the request body may wait for bytes.
    public var bodyReadTimeout: Duration
    /// The slowest a request body may arrive, in bytes a second, once it has had
    /// `bodyReadTimeout` from its first read as grace: by then plus one second for every
    /// `minimumBodyRate` bytes received, the body must be complete or the read fails as timed
    /// out. Zero requires no rate. The per-read timeout alone let a client that sends a byte
    /// just before each one hold a connection for as long as its body lasted (10 MB: years).
    public var minimumBodyRate: Int
    /// How long a single write may wait for a client that does not read.
    public var writeStallTimeout: Duration
    /// The most connections open at once. At the cap the server stops accepting, so new
    /// connections wait in the listen backlog until one closes (as nginx's
    /// `worker_connections`), instead of taking the descriptors upstream connections need.
    public var maxConnections: Int

    public init(
        host: String, port: UInt16, limits: HTTPParserLimits = .requests,
        requestHeadTimeout: Duration = .seconds(30), idleTimeout: Duration = .seconds(75),
        bodyReadTimeout: Duration = .seconds(60), minimumBodyRate: Int = 1024,
        writeStallTimeout: Duration = .seconds(300), maxConnections: Int = HTTPServerConfiguration.defaultMaxConnections
    ) {
        self.host = host
        self.port = port
        self.limits = limits
        self.requestHeadTimeout = requestHeadTimeout
        self.idleTimeout = idleTimeout
        self.bodyReadTimeout = bodyReadTimeout
        self.minimumBodyRate = minimumBodyRate
        self.writeStallTimeout = writeStallTimeout
        self.maxConnections = maxConnections
    }

    /// Half the descriptors the process may open (the soft `RLIMIT_NOFILE`) after
    /// `reservedDescriptors`: each proxied request may hold an upstream connection beside its
    /// client's. At least 16, for a process that may open very few.
    public static var defaultMaxConnections: Int {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 16 }
        return max(16, (Int(clamping: limit.rlim_cur) - reservedDescriptors) / 2)
    }

    /// Descriptors kept for everything but connections: standard streams, the loops' epoll and
    /// wake-up descriptors, the listener, SQLite's files, logs.
    static let reservedDescriptors = 64
}

/// The configuration's phase timeouts as the loops apply them, converted once per server instead
/// of at every wait (see `Timeout`).
struct ServerTimeouts: Sendable {
    let requestHead: Timeout
    let idle: Timeout
    let bodyRead: Timeout
    let writeStall: Timeout
    /// Nanoseconds of reading each body byte earns past the grace; nil when no rate is required.
    let bodyByteAllowance: UInt64?

    init(_ configuration: HTTPServerConfiguration) {
        requestHead = Timeout(configuration.requestHeadTimeout)
        idle = Timeout(configuration.idleTimeout)
        bodyRead = Timeout(configuration.bodyReadTimeout)
        writeStall = Timeout(configuration.writeStallTimeout)
        bodyByteAllowance = configuration.minimumBodyRate > 0 ? 1_000_000_000 / UInt64(configuration.minimumBodyRate) : nil
    }

    /// The latest a body may still wait for bytes with `received` of them in, its grace having
    /// ended (or ending) at `graceEnd`.
    func bodyRateDeadline(graceEnd: Deadline, received: Int) -> Deadline {
        guard let bodyByteAllowance else { return .never }
        let earned = UInt64(received).multipliedReportingOverflow(by: bodyByteAllowance)
        let end = graceEnd.uptimeNanoseconds.addingReportingOverflow(earned.partialValue)
        return earned.overflow || end.overflow ? .never : Deadline(uptimeNanoseconds: end.partialValue)
    }
}
