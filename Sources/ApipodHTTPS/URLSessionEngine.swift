import Foundation
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The part of the `https://` transport that needs Foundation: a URLSession and its data
/// delegate. It lives in its own shared library, `libApipodHTTPS.so`, so that only a `serve`
/// with an `https://` upstream loads Foundation, ICU and libcurl; every other command starts
/// without them. ApipodKit's `URLSessionClient` drives it through the C entry points in
/// `HTTPSEntryPoints.swift`; no Swift type of ApipodKit crosses, so none is ever copied here.
///
/// Every delegate call runs on the session's serial queue and is handed on, as bytes and C
/// strings, to the three callbacks the engine was opened with, with the context the caller
/// gave the task when it started it. `contexts` is protected by its mutex.
final class URLSessionEngine: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let callbacks: HTTPSCallbacks
    private var session: URLSession!
    private let contexts = Mutex<[Int: Context]>([:])

    /// The caller's pointer for one task, passed back untouched (the caller keeps what it
    /// points to alive until the finish callback).
    private struct Context: @unchecked Sendable {
        let pointer: UnsafeMutableRawPointer
    }

    init(responseHeadTimeout: Double, callbacks: HTTPSCallbacks) {
        self.callbacks = callbacks
        super.init()
        let settings = URLSessionConfiguration.ephemeral
        settings.httpCookieStorage = nil
        settings.httpShouldSetCookies = false
        settings.urlCache = nil
        settings.requestCachePolicy = .reloadIgnoringLocalCacheData
        settings.httpMaximumConnectionsPerHost = 64
        settings.timeoutIntervalForRequest = responseHeadTimeout
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        session = URLSession(configuration: settings, delegate: self, delegateQueue: queue)
    }

    /// A task for the request, not yet running; nil when the URL cannot be formed.
    /// `headers` holds `Name: value` lines separated by newlines.
    func makeTask(method: String, url: String, headers: String, body: UnsafeBufferPointer<UInt8>) -> URLSessionDataTask? {
        guard let url = URL(string: url) else { return nil }
        var request = URLRequest(url: url)
        request.httpMethod = method
        for line in headers.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let value = line[line.index(after: colon)...].drop(while: { $0 == " " })
            request.addValue(String(value), forHTTPHeaderField: String(line[..<colon]))
        }
        if body.count > 0 { request.httpBody = Data(buffer: body) }
        return session.dataTask(with: request)
    }

    /// Runs the task; the callbacks receive `context` until the finish callback, the last.
    func start(_ task: URLSessionDataTask, context: UnsafeMutableRawPointer) {
        contexts.withLock { $0[task.taskIdentifier] = Context(pointer: context) }
        task.resume()
    }

    /// Lets the running tasks finish, then drops the session's hold on this delegate.
    func close() {
        session.finishTasksAndInvalidate()
    }

    // MARK: URLSessionDataDelegate (on the session's serial delegate queue)

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        if let http = response as? HTTPURLResponse, let context = context(dataTask) {
            var lines = ""
            for (name, value) in http.allHeaderFields {
                guard let name = name as? String, let value = value as? String else { continue }
                // libcurl has already decoded the body, so its coding and length no longer apply.
                if ["content-encoding", "content-length", "transfer-encoding", "connection"].contains(name.lowercased()) { continue }
                lines += "\(name): \(value)\n"
            }
            callbacks.head(context, http.statusCode, lines)
        }
        completionHandler(.allow)
    }

    /// Never follows a redirect: the 3xx is the answer, relayed to the client as the `http://`
    /// client relays it. Following would send the request's headers, the upstream's key among
    /// them, to wherever the upstream points, and drop a POST's body on the way (301-303).
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard let context = context(dataTask) else { return }
        data.withUnsafeBytes { bytes in
            let bytes = bytes.bindMemory(to: UInt8.self)
            callbacks.data(context, bytes.baseAddress!, bytes.count)
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        guard let context = contexts.withLock({ $0.removeValue(forKey: task.taskIdentifier)?.pointer }) else { return }
        let (outcome, message) = error.map(Self.classify) ?? (.success, "")
        callbacks.finish(context, outcome.rawValue, message)
    }

    private func context(_ task: URLSessionTask) -> UnsafeMutableRawPointer? {
        contexts.withLock { $0[task.taskIdentifier]?.pointer }
    }

    private static func classify(_ error: any Error) -> (HTTPSOutcome, String) {
        let code = (error as? URLError)?.code
        let outcome: HTTPSOutcome = switch code {
        case .timedOut?: .timedOut
        case .cannotConnectToHost?, .cannotFindHost?, .dnsLookupFailed?, .secureConnectionFailed?,
             .serverCertificateUntrusted?, .serverCertificateHasBadDate?, .serverCertificateNotYetValid?,
             .serverCertificateHasUnknownRoot?, .notConnectedToInternet?, .networkConnectionLost?:
            .unreachable
        default: .badResponse
        }
        return (outcome, error.localizedDescription)
    }
}
