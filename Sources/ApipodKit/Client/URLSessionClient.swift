import CSystem
import Foundation
import Glibc
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The `https://` upstream transport: URLSession, the toolchain's only TLS, driven by its data
/// delegate so the body still streams piece by piece (`URLSession.bytes` does not exist on Linux).
///
/// Each exchange has an eventfd that the delegate signals whenever something arrives, so the
/// waiting task sleeps on its event loop like any socket wait, and still aborts at once when its
/// client hangs up. Past `suspendAbove` buffered bytes the data task is suspended until the
/// client has taken them: a slow client slows the upstream here too.
public final class URLSessionClient: NSObject, UpstreamTransport, URLSessionDataDelegate, @unchecked Sendable {
    // The session and base URL never change after init; `exchanges` is protected by its mutex.
    private let base: String
    private let configuration: HTTPClientConfiguration
    private var session: URLSession!
    private let exchanges = Mutex<[Int: URLSessionExchange]>([:])
    static let suspendAbove = 1 << 20

    public init(upstream: UpstreamURL, configuration: HTTPClientConfiguration) {
        base = "\(upstream.scheme.rawValue)://\(upstream.authority)"
        self.configuration = configuration
        super.init()
        let settings = URLSessionConfiguration.ephemeral
        settings.httpCookieStorage = nil
        settings.httpShouldSetCookies = false
        settings.urlCache = nil
        settings.requestCachePolicy = .reloadIgnoringLocalCacheData
        settings.httpMaximumConnectionsPerHost = 64
        settings.timeoutIntervalForRequest = Self.seconds(configuration.responseHeadTimeout)
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        session = URLSession(configuration: settings, delegate: self, delegateQueue: queue)
    }

    public func request(_ head: HTTPRequestHead, body: RequestBody, on loop: EventLoop, watching client: Socket?) async throws -> any UpstreamAnswer {
        guard let url = URL(string: base + head.target) else { throw HTTPClientError.badResponse("cannot form a URL from the target") }
        var request = URLRequest(url: url)
        request.httpMethod = head.method
        for (name, value) in head.headers where !Self.managedByURLSession.contains(name.lowercased()) {
            request.addValue(value, forHTTPHeaderField: name)
        }
        if body.count > 0 { request.httpBody = Data(body.joined) }

        let descriptor = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard descriptor >= 0 else { throw HTTPClientError.unreachable("eventfd: \(String(cString: strerror(errno)))") }
        let signal = try Socket(adopting: descriptor, on: loop)
        let task = session.dataTask(with: request)
        let exchange = URLSessionExchange(task: task, descriptor: descriptor)
        exchanges.withLock { $0[task.taskIdentifier] = exchange }
        task.resume()
        let answer = URLSessionAnswer(exchange: exchange, signal: signal, configuration: configuration)
        try await answer.waitForHead(watching: client)
        return answer
    }

    // MARK: URLSessionDataDelegate (on the session's serial delegate queue)

    public func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        if let http = response as? HTTPURLResponse {
            var headers = HTTPHeaders()
            for (name, value) in http.allHeaderFields {
                guard let name = name as? String, let value = value as? String else { continue }
                // libcurl has already decoded the body, so its coding and length no longer apply.
                if ["content-encoding", "content-length", "transfer-encoding", "connection"].contains(name.lowercased()) { continue }
                headers.add(name: name, value: value)
            }
            exchange(dataTask)?.deliver(head: HTTPResponseHead(status: http.statusCode, headers: headers))
        }
        completionHandler(.allow)
    }

    /// Never follows a redirect: the 3xx is the answer, relayed to the client as the `http://`
    /// client relays it. Following would send the request's headers, the upstream's key among
    /// them, to wherever the upstream points, and drop a POST's body on the way (301-303).
    public func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }

    public func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        exchange(dataTask)?.deliver(data: [UInt8](data))
    }

    public func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        let exchange = exchanges.withLock { $0.removeValue(forKey: task.taskIdentifier) }
        exchange?.finish(error: error.map(Self.classify))
    }

    private func exchange(_ task: URLSessionTask) -> URLSessionExchange? {
        exchanges.withLock { $0[task.taskIdentifier] }
    }

    private static func classify(_ error: any Error) -> HTTPClientError {
        let code = (error as? URLError)?.code
        switch code {
        case .timedOut?: return .responseTimeout(error.localizedDescription)
        case .cannotConnectToHost?, .cannotFindHost?, .dnsLookupFailed?, .secureConnectionFailed?,
             .serverCertificateUntrusted?, .serverCertificateHasBadDate?, .serverCertificateNotYetValid?,
             .serverCertificateHasUnknownRoot?, .notConnectedToInternet?, .networkConnectionLost?:
            return .unreachable(error.localizedDescription)
        default: return .badResponse(error.localizedDescription)
        }
    }

    /// Headers URLSession writes itself (and libcurl's content decoding needs its own Accept-Encoding).
    private static let managedByURLSession: Set<String> = ["host", "content-length", "connection", "accept-encoding", "transfer-encoding"]

    private static func seconds(_ duration: Duration) -> TimeInterval {
        let (seconds, attoseconds) = duration.components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
