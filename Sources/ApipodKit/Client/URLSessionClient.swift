import CSystem
import Glibc

/// The `https://` upstream transport: URLSession, the toolchain's only TLS, driven by its data
/// delegate so the body still streams piece by piece (`URLSession.bytes` does not exist on Linux).
/// URLSession itself runs in `libApipodHTTPS.so` (`HTTPSLibrary`), loaded only for this
/// transport; this side is Foundation-free.
///
/// Each exchange has an eventfd that the delegate signals whenever something arrives, so the
/// waiting task sleeps on its event loop like any socket wait, and still aborts at once when its
/// client hangs up. Past `suspendAbove` buffered bytes the data task is suspended until the
/// client has taken them: a slow client slows the upstream here too.
public final class URLSessionClient: UpstreamTransport, @unchecked Sendable {
    // Nothing here changes after init; the engine is the library's, which serialises its own
    // work on the session's delegate queue.
    private let base: String
    private let configuration: HTTPClientConfiguration
    private let library: HTTPSLibrary
    private let engine: UnsafeMutableRawPointer
    static let suspendAbove = 1 << 20

    /// - Throws: `HTTPSLibraryError` when `libApipodHTTPS.so` cannot be loaded.
    public convenience init(upstream: UpstreamURL, configuration: HTTPClientConfiguration) throws(HTTPSLibraryError) {
        self.init(upstream: upstream, configuration: configuration, library: try HTTPSLibrary.shared())
    }

    init(upstream: UpstreamURL, configuration: HTTPClientConfiguration, library: HTTPSLibrary) {
        base = "\(upstream.scheme.rawValue)://\(upstream.authority)"
        self.configuration = configuration
        self.library = library
        let (seconds, attoseconds) = configuration.responseHeadTimeout.components
        engine = library.open(Double(seconds) + Double(attoseconds) / 1e18, { context, status, headers in
            URLSessionExchange.from(context).deliver(head: HTTPResponseHead(status: status, headers: parseHeaderLines(headers)))
        }, { context, bytes, count in
            URLSessionExchange.from(context).deliver(data: Array(UnsafeBufferPointer(start: bytes, count: count)))
        }, { context, outcome, message in
            // The last call for this context: the hold `request` gave the library ends here.
            let exchange = Unmanaged<URLSessionExchange>.fromOpaque(context).takeRetainedValue()
            exchange.finish(error: clientError(outcome: outcome, message: String(cString: message)))
        })
    }

    deinit {
        library.close(engine)
    }

    public func request(_ head: HTTPRequestHead, body: RequestBody, on loop: EventLoop, watching client: Socket?) async throws -> any UpstreamAnswer {
        var lines = ""
        for (name, value) in head.headers where !Self.managedByURLSession.contains(name.lowercased()) {
            lines += "\(name): \(value)\n"
        }
        let descriptor = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard descriptor >= 0 else { throw HTTPClientError.unreachable("eventfd: \(String(cString: strerror(errno)))") }
        let signal = try Socket(adopting: descriptor, on: loop)
        let bytes = body.count > 0 ? body.joined : []
        let handle = bytes.withUnsafeBufferPointer { body in
            library.task(engine, head.method, base + head.target, lines, body.baseAddress, body.count)
        }
        guard let handle else {
            signal.close()
            throw HTTPClientError.badResponse("cannot form a URL from the target")
        }
        // From here on the exchange owns the task and releases it when it goes.
        let exchange = URLSessionExchange(task: HTTPSTask(handle: handle, library: library), descriptor: descriptor)
        library.start(engine, handle, Unmanaged.passRetained(exchange).toOpaque())
        let answer = URLSessionAnswer(exchange: exchange, signal: signal, configuration: configuration)
        try await answer.waitForHead(watching: client)
        return answer
    }

    /// Headers URLSession writes itself (and libcurl's content decoding needs its own Accept-Encoding).
    private static let managedByURLSession: Set<String> = ["host", "content-length", "connection", "accept-encoding", "transfer-encoding"]
}

/// `Name: value` lines separated by newlines, as the library hands a response's headers over.
private func parseHeaderLines(_ text: UnsafePointer<CChar>) -> HTTPHeaders {
    var headers = HTTPHeaders()
    for line in String(cString: text).split(separator: "\n") {
        guard let colon = line.firstIndex(of: ":") else { continue }
        headers.add(name: String(line[..<colon]), value: String(line[line.index(after: colon)...].drop(while: { $0 == " " })))
    }
    return headers
}

/// How the library reports a task's end (its `HTTPSOutcome` numbers), as the client's error.
private func clientError(outcome: Int32, message: String) -> HTTPClientError? {
    switch outcome {
    case 0: nil
    case 1: .unreachable(message)
    case 2: .responseTimeout(message)
    default: .badResponse(message)
    }
}

/// A URLSession data task inside the library, held until this value's owner releases it.
struct HTTPSTask: @unchecked Sendable {
    // URLSessionTask's suspend, resume and cancel may be called from any thread.
    let handle: UnsafeMutableRawPointer
    let library: HTTPSLibrary

    func suspend() { library.control(handle, 0) }
    func resume() { library.control(handle, 1) }
    func cancel() { library.control(handle, 2) }
    func release() { library.control(handle, 3) }
}
