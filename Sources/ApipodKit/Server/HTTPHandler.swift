/// What a server does with each request. It runs on the connection's own task and event loop,
/// so it reads straight-line: read the body, do the work, write the response.
public protocol HTTPHandler: Sendable {
    /// Answers `request` through `response`. Returning without finishing the response finishes
    /// it; throwing before the head was sent becomes a 500 (or the parse error's status), and
    /// throwing after it ends the connection, which is all HTTP/1.1 allows.
    func handle(_ request: ServerRequest, _ response: ResponseWriter) async throws

    /// The body and content type of an error the server answers by itself (a malformed request,
    /// a header section too large) before any handler runs.
    func errorBody(status: Int, reason: String) -> (contentType: String, body: [UInt8])
}

extension HTTPHandler {
    public func errorBody(status: Int, reason: String) -> (contentType: String, body: [UInt8]) {
        ("text/plain; charset=utf-8", Array("\(status) \(HTTPResponseHead.reasonPhrase(for: status)): \(reason)\n".utf8))
    }
}
