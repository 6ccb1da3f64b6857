/// The rules of RFC 9112 §6 that decide where a body ends. They are where request smuggling
/// lives, so every ambiguity is refused rather than resolved.
extension HTTPBodyFraming {
    /// The framing of a request a server received.
    init(request head: borrowing HTTPRequestHead, limits: HTTPParserLimits) throws(HTTPParseError) {
        // RFC 9112 §3.2: an HTTP/1.1 request carries exactly one Host, and no request two.
        let hosts = head.headers.count(named: "host")
        if hosts > 1 { throw .multipleHosts }
        if hosts == 0 && head.version == .http1_1 { throw .missingHost }

        if head.headers.firstIndex(named: "transfer-encoding") != nil {
            // RFC 9112 §6.1: a server may reject a request with both, and must not trust it.
            if head.headers.firstIndex(named: "content-length") != nil { throw .contentLengthWithTransferEncoding }
            self = try Self.chunked(head.headers, version: head.version, isRequest: true)
        } else if let length = try Self.contentLength(head.headers) {
            // RFC 9112 §6.3 (5): a declared length beyond the limit is refused before any byte.
            if length > limits.maxBodyBytes { throw .bodyTooLarge }
            self = .contentLength(length)
        } else {
            // RFC 9112 §6.3 (6): a request with neither field has no body.
            self = .none
        }
    }

    /// The framing of a final (non-1xx) response; `toHEAD` when it answers a HEAD request.
    init(response head: borrowing HTTPResponseHead, toHEAD: Bool, limits: HTTPParserLimits) throws(HTTPParseError) {
        // RFC 9112 §6.3 (1): no body after HEAD, 204 or 304, whatever the fields say.
        if toHEAD || head.status == 204 || head.status == 304 {
            self = .none
        } else if head.headers.firstIndex(named: "transfer-encoding") != nil {
            // RFC 9112 §6.3 (3): Transfer-Encoding overrides a Content-Length in a response.
            self = try Self.chunked(head.headers, version: head.version, isRequest: false)
        } else if let length = try Self.contentLength(head.headers) {
            if length > limits.maxBodyBytes { throw .bodyTooLarge }
            self = .contentLength(length)
        } else {
            // RFC 9112 §6.3 (8): otherwise the body ends when the server closes.
            self = .untilClose
        }
    }

    /// Checks that Transfer-Encoding is exactly `chunked`, the one coding we decode.
    private static func chunked(
        _ headers: HTTPHeaders, version: HTTPVersion, isRequest: Bool
    ) throws(HTTPParseError) -> HTTPBodyFraming {
        // RFC 9112 §6.1: Transfer-Encoding in HTTP/1.0 means the framing is faulty.
        if version == .http1_0 { throw .transferEncodingInHTTP10 }
        var codings = 0
        var chunkedCount = 0
        var lastIsChunked = false
        var hasOther = false
        for index in headers.indices where headers.nameMatches(at: index, "transfer-encoding") {
            headers.withField(at: index) { _, value in
                HTTPSyntax.forEachListElement(in: value) { coding in
                    guard !coding.isEmpty else { return }
                    codings += 1
                    lastIsChunked = HTTPSyntax.equalsIgnoringCase(coding, "chunked".utf8)
                    if lastIsChunked { chunkedCount += 1 } else { hasOther = true }
                }
            }
        }
        if codings == 0 { throw .invalidTransferEncoding }
        // RFC 9112 §6.3 (4): in a request, chunked must be the final coding, or the length is unknowable.
        if isRequest && !lastIsChunked { throw .invalidTransferEncoding }
        // RFC 9112 §6.1: a coding we do not understand is answered 501.
        if hasOther { throw .unsupportedTransferCoding }
        // RFC 9112 §6.1: chunked is never applied more than once.
        if chunkedCount > 1 { throw .invalidTransferEncoding }
        return .chunked
    }

    /// RFC 9112 §6.3 (5): the Content-Length, nil when absent. Repeated fields and lists are
    /// accepted only when every value is the same; a sign, a non-digit, an empty element or an
    /// overflow is an error.
    static func contentLength(_ headers: HTTPHeaders) throws(HTTPParseError) -> Int? {
        var length: Int?
        for index in headers.indices where headers.nameMatches(at: index, "content-length") {
            try headers.withField(at: index) { (_, value) throws(HTTPParseError) in
                try HTTPSyntax.forEachListElement(in: value) { (element) throws(HTTPParseError) in
                    let value = try parseDecimal(element)
                    if let length, length != value { throw .conflictingContentLengths }
                    length = value
                }
            }
        }
        return length
    }

    private static func parseDecimal(_ digits: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> Int {
        guard !digits.isEmpty else { throw .invalidContentLength }
        var value = 0
        for byte in digits {
            guard HTTPSyntax.isDigit(byte) else { throw .invalidContentLength }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int(byte &- UInt8(ascii: "0")))
            if overflow1 || overflow2 { throw .invalidContentLength }
            value = sum
        }
        return value
    }
}
