/// Why the codec refused a message. There is one case per defence, so a server can log exactly
/// what it stopped and answer with `status`. Parsing stops at the first error and stays
/// stopped: after a framing error the rest of the byte stream cannot be trusted (RFC 9112 §11.2).
public enum HTTPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    case tooManyLeadingEmptyLines
    case bareLineFeed
    case startLineTooLong
    case invalidRequestLine
    case invalidRequestTarget
    case invalidVersion
    case unsupportedVersion
    case invalidStatusLine
    case obsoleteLineFolding
    case whitespaceBeforeColon
    case invalidHeaderName
    case invalidHeaderValue
    case headerSectionTooLarge
    case tooManyHeaderFields
    case missingHost
    case multipleHosts
    case contentLengthWithTransferEncoding
    case invalidContentLength
    case conflictingContentLengths
    case invalidTransferEncoding
    case unsupportedTransferCoding
    case transferEncodingInHTTP10
    case bodyTooLarge
    case chunkLineTooLong
    case invalidChunkSize
    case missingChunkTerminator
    case truncatedMessage
    case upgradeNotSupported
    case unsolicitedResponse

    /// The status a server answers a request that failed this way. A response that fails is
    /// the upstream's fault; a proxy answers its client 502 for any of them, and the cases only
    /// a response can cause say so here.
    public var status: Int {
        switch self {
        case .startLineTooLong: 414
        case .headerSectionTooLarge, .tooManyHeaderFields: 431
        case .bodyTooLarge: 413
        case .unsupportedTransferCoding: 501
        case .unsupportedVersion: 505
        case .invalidStatusLine, .upgradeNotSupported, .unsolicitedResponse: 502
        default: 400
        }
    }

    /// A short sentence for logs and error bodies; it never quotes the offending bytes.
    public var reason: String {
        switch self {
        case .tooManyLeadingEmptyLines: "too many empty lines before the start line"
        case .bareLineFeed: "line ends in LF without CR"
        case .startLineTooLong: "start line too long"
        case .invalidRequestLine: "malformed request line"
        case .invalidRequestTarget: "request target has a space, a control or a non-ASCII byte"
        case .invalidVersion: "malformed HTTP version"
        case .unsupportedVersion: "only HTTP/1.0 and HTTP/1.1 are supported"
        case .invalidStatusLine: "malformed status line"
        case .obsoleteLineFolding: "header line folding is not allowed"
        case .whitespaceBeforeColon: "whitespace between header name and colon"
        case .invalidHeaderName: "malformed header name"
        case .invalidHeaderValue: "header value has a control character"
        case .headerSectionTooLarge: "header section too large"
        case .tooManyHeaderFields: "too many header fields"
        case .missingHost: "HTTP/1.1 request without Host"
        case .multipleHosts: "more than one Host"
        case .contentLengthWithTransferEncoding: "both Content-Length and Transfer-Encoding"
        case .invalidContentLength: "malformed Content-Length"
        case .conflictingContentLengths: "Content-Length values differ"
        case .invalidTransferEncoding: "Transfer-Encoding must end in a single chunked"
        case .unsupportedTransferCoding: "only the chunked transfer coding is supported"
        case .transferEncodingInHTTP10: "Transfer-Encoding in an HTTP/1.0 message"
        case .bodyTooLarge: "body too large"
        case .chunkLineTooLong: "chunk size line too long"
        case .invalidChunkSize: "malformed chunk size"
        case .missingChunkTerminator: "chunk data not followed by CRLF"
        case .truncatedMessage: "connection closed in the middle of a message"
        case .upgradeNotSupported: "protocol upgrades are not supported"
        case .unsolicitedResponse: "response without a request"
        }
    }

    public var description: String { "\(status) \(reason)" }
}
