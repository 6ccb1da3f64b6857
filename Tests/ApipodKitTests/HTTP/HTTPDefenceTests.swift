@testable import ApipodKit
import Testing

/// One bad input, the error it must raise and the status a server answers with.
struct Defence: CustomTestStringConvertible, Sendable {
    let name: String
    let text: String
    let error: HTTPParseError
    let status: Int
    var limits = HTTPParserLimits.requests
    var testDescription: String { name }
}

private let host = "Host: h\r\n"

/// RFC 9112's defences against malformed and ambiguous requests, one case each.
@Suite struct HTTPRequestDefenceTests {
    static let defences: [Defence] = [
        Defence(name: "three empty lines before the request line (§2.2)",
                text: "\r\n\r\n\r\nGET / HTTP/1.1\r\n\(host)\r\n", error: .tooManyLeadingEmptyLines, status: 400),
        Defence(name: "bare LF ending the request line (§2.2)",
                text: "GET / HTTP/1.1\n\(host)\r\n", error: .bareLineFeed, status: 400),
        Defence(name: "bare LF ending a header line (§2.2)",
                text: "GET / HTTP/1.1\r\nHost: h\n\r\n", error: .bareLineFeed, status: 400),
        Defence(name: "bare LF as the empty line (§2.2)",
                text: "GET / HTTP/1.1\r\n\(host)\n", error: .bareLineFeed, status: 400),
        Defence(name: "request line over the limit, never ended (§3)",
                text: "GET /" + String(repeating: "a", count: 9000), error: .startLineTooLong, status: 414),
        Defence(name: "request line with one space (§3)",
                text: "GET HTTP/1.1\r\n\(host)\r\n", error: .invalidRequestLine, status: 400),
        Defence(name: "method that is not a token (§3.1)",
                text: "G(T / HTTP/1.1\r\n\(host)\r\n", error: .invalidRequestLine, status: 400),
        Defence(name: "space inside the request target (§3.2)",
                text: "GET /a b HTTP/1.1\r\n\(host)\r\n", error: .invalidRequestTarget, status: 400),
        Defence(name: "double space before the target (§3)",
                text: "GET  / HTTP/1.1\r\n\(host)\r\n", error: .invalidRequestTarget, status: 400),
        Defence(name: "control byte in the request target (§3.2)",
                text: "GET /a\u{1}b HTTP/1.1\r\n\(host)\r\n", error: .invalidRequestTarget, status: 400),
        Defence(name: "bare CR in the request line (§2.2)",
                text: "GET /a\rb HTTP/1.1\r\n\(host)\r\n", error: .invalidRequestTarget, status: 400),
        Defence(name: "lowercase version (§2.3)",
                text: "GET / http/1.1\r\n\(host)\r\n", error: .invalidVersion, status: 400),
        Defence(name: "version with two minor digits (§2.3)",
                text: "GET / HTTP/1.10\r\n\(host)\r\n", error: .invalidVersion, status: 400),
        Defence(name: "HTTP/2.0 (RFC 9110 §15.6.6)",
                text: "GET / HTTP/2.0\r\n\(host)\r\n", error: .unsupportedVersion, status: 505),
        Defence(name: "HTTP/0.9 (RFC 9110 §15.6.6)",
                text: "GET / HTTP/0.9\r\n\(host)\r\n", error: .unsupportedVersion, status: 505),
        Defence(name: "obs-fold continuation line (§5.2)",
                text: "GET / HTTP/1.1\r\n\(host)X-A: 1\r\n  folded\r\n\r\n", error: .obsoleteLineFolding, status: 400),
        Defence(name: "whitespace before the first header (§2.2)",
                text: "GET / HTTP/1.1\r\n \(host)\r\n", error: .obsoleteLineFolding, status: 400),
        Defence(name: "whitespace between name and colon (§5.1)",
                text: "GET / HTTP/1.1\r\nHost : h\r\n\r\n", error: .whitespaceBeforeColon, status: 400),
        Defence(name: "header name that is not a token (§5.1)",
                text: "GET / HTTP/1.1\r\n\(host)X(A): 1\r\n\r\n", error: .invalidHeaderName, status: 400),
        Defence(name: "empty header name (§5.1)",
                text: "GET / HTTP/1.1\r\n\(host): 1\r\n\r\n", error: .invalidHeaderName, status: 400),
        Defence(name: "header line without a colon (§5)",
                text: "GET / HTTP/1.1\r\n\(host)NoColon\r\n\r\n", error: .invalidHeaderName, status: 400),
        Defence(name: "NUL in a header value (RFC 9110 §5.5)",
                text: "GET / HTTP/1.1\r\n\(host)X-A: a\u{0}b\r\n\r\n", error: .invalidHeaderValue, status: 400),
        Defence(name: "bare CR in a header value (§2.2)",
                text: "GET / HTTP/1.1\r\n\(host)X-A: a\rb\r\n\r\n", error: .invalidHeaderValue, status: 400),
        Defence(name: "DEL in a header value (RFC 9110 §5.5)",
                text: "GET / HTTP/1.1\r\n\(host)X-A: \u{7f}\r\n\r\n", error: .invalidHeaderValue, status: 400),
        Defence(name: "header section over 32 KiB",
                text: "GET / HTTP/1.1\r\n\(host)X-Big: \(String(repeating: "b", count: 33 * 1024))\r\n\r\n",
                error: .headerSectionTooLarge, status: 431),
        Defence(name: "101 header fields",
                text: "GET / HTTP/1.1\r\n\(host)" + String(repeating: "X-A: 1\r\n", count: 100) + "\r\n",
                error: .tooManyHeaderFields, status: 431),
        Defence(name: "HTTP/1.1 without Host (§3.2)",
                text: "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", error: .missingHost, status: 400),
        Defence(name: "two Host fields (§3.2)",
                text: "GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", error: .multipleHosts, status: 400),
        Defence(name: "Content-Length with Transfer-Encoding (§6.1)",
                text: "POST / HTTP/1.1\r\n\(host)Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                error: .contentLengthWithTransferEncoding, status: 400),
        Defence(name: "negative Content-Length (§6.3)",
                text: "POST / HTTP/1.1\r\n\(host)Content-Length: -1\r\n\r\n", error: .invalidContentLength, status: 400),
        Defence(name: "Content-Length with a plus sign (§6.3)",
                text: "POST / HTTP/1.1\r\n\(host)Content-Length: +5\r\n\r\n", error: .invalidContentLength, status: 400),
        Defence(name: "non-digit Content-Length (§6.3)",
                text: "POST / HTTP/1.1\r\n\(host)Content-Length: 1a\r\n\r\n", error: .invalidContentLength, status: 400),
        Defence(name: "empty Content-Length (§6.3)",
                text: "POST / HTTP/1.1\r\n\(host)Content-Length: \r\n\r\n", error: .invalidContentLength, status: 400),
        Defence(name: "Content-Length list with an empty element (§6.3)",
                text: "POST / HTTP/1.1\r\n\(host)Content-Length: 5,\r\n\r\n", error: .invalidContentLength, status: 400),
        Defence(name: "overflowing Content-Length (§6.3)",
                text: "POST / HTTP/1.1\r\n\(host)Content-Length: 99999999999999999999\r\n\r\n",
                error: .invalidContentLength, status: 400),
        Defence(name: "two different Content-Length fields (§6.3)",
                text: "POST / HTTP/1.1\r\n\(host)Content-Length: 5\r\nContent-Length: 6\r\n\r\n",
                error: .conflictingContentLengths, status: 400),
        Defence(name: "Content-Length list of different values (§6.3)",
                text: "POST / HTTP/1.1\r\n\(host)Content-Length: 5, 6\r\n\r\n", error: .conflictingContentLengths, status: 400),
        Defence(name: "chunked not the final coding (§6.3)",
                text: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked, gzip\r\n\r\n",
                error: .invalidTransferEncoding, status: 400),
        Defence(name: "a lone coding other than chunked (§6.3)",
                text: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: gzip\r\n\r\n", error: .invalidTransferEncoding, status: 400),
        Defence(name: "chunked applied twice (§6.1)",
                text: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
                error: .invalidTransferEncoding, status: 400),
        Defence(name: "empty Transfer-Encoding (§6.1)",
                text: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: \r\n\r\n", error: .invalidTransferEncoding, status: 400),
        Defence(name: "a coding other than chunked before it (§6.1)",
                text: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: gzip, chunked\r\n\r\n",
                error: .unsupportedTransferCoding, status: 501),
        Defence(name: "Transfer-Encoding in HTTP/1.0 (§6.1)",
                text: "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", error: .transferEncodingInHTTP10, status: 400),
        Defence(name: "Content-Length over 10 MiB, refused before the body (§6.3)",
                text: "POST / HTTP/1.1\r\n\(host)Content-Length: 10485761\r\n\r\n", error: .bodyTooLarge, status: 413),
        Defence(name: "chunked body over the limit",
                text: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n9\r\n123456789\r\n0\r\n\r\n",
                error: .bodyTooLarge, status: 413, limits: HTTPParserLimits(maxBodyBytes: 16)),
        Defence(name: "chunk extension past the chunk line limit (§7.1.1)",
                text: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n1;\(String(repeating: "e", count: 5000))\r\n",
                error: .chunkLineTooLong, status: 400),
        Defence(name: "non-hex chunk size (§7.1)",
                text: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\nxy\r\n", error: .invalidChunkSize, status: 400),
        Defence(name: "chunk size followed by junk (§7.1)",
                text: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n1g\r\n", error: .invalidChunkSize, status: 400),
        Defence(name: "empty chunk size (§7.1)",
                text: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n\r\n", error: .invalidChunkSize, status: 400),
        Defence(name: "negative chunk size (§7.1)",
                text: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n-1\r\n", error: .invalidChunkSize, status: 400),
        Defence(name: "overflowing chunk size (§7.1)",
                text: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n8000000000000000\r\n",
                error: .invalidChunkSize, status: 400),
        Defence(name: "control byte in a chunk extension (§7.1.1)",
                text: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n1;a=\u{1}\r\n", error: .invalidChunkSize, status: 400),
        Defence(name: "chunk data not followed by CRLF (§7.1)",
                text: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n5\r\nhelloX\r\n0\r\n\r\n",
                error: .missingChunkTerminator, status: 400),
        Defence(name: "chunk data followed by CR and no LF (§7.1)",
                text: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n5\r\nhello\rX0\r\n\r\n",
                error: .missingChunkTerminator, status: 400),
        Defence(name: "trailer with obs-fold (§7.1.2)",
                text: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n0\r\nX-T: 1\r\n folded\r\n\r\n",
                error: .obsoleteLineFolding, status: 400),
        Defence(name: "trailers past the field count limit (§7.1.2)",
                text: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n0\r\n" + String(repeating: "X-T: 1\r\n", count: 101),
                error: .tooManyHeaderFields, status: 431),
        Defence(name: "end of input inside the head",
                text: "GET / HTTP/1.1\r\nHost: h\r\n", error: .truncatedMessage, status: 400),
        Defence(name: "end of input inside a Content-Length body",
                text: "POST / HTTP/1.1\r\n\(host)Content-Length: 10\r\n\r\nhello", error: .truncatedMessage, status: 400),
        Defence(name: "end of input inside a chunked body",
                text: "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", error: .truncatedMessage, status: 400),
    ]

    @Test(arguments: defences)
    func badRequest_isRefused(defence: Defence) {
        let outcome = parseRequests(defence.text, limits: defence.limits)
        #expect(outcome.error == defence.error)
        #expect(outcome.error?.status == defence.status)
    }

    @Test func limits_holdWhateverTheSplit() {
        for defence in Self.defences {
            let input = bytes(defence.text)
            let outcome = drive(HTTPRequestParser(limits: defence.limits), pieces: Splits.byteByByte(input))
            #expect(outcome.error == defence.error, "\(defence.name)")
        }
    }

    @Test func aHeaderLineThatNeverEnds_isRefusedOnceOverTheLimit() throws {
        var parser = HTTPRequestParser(limits: HTTPParserLimits(maxHeaderBytes: 64))
        parser.append(bytes("GET / HTTP/1.1\r\nX-A: " + String(repeating: "a", count: 59) + "\r"))
        #expect(try parser.next() == nil)
        parser.append(bytes("a"))
        #expect(throws: HTTPParseError.headerSectionTooLarge) { try parser.next() }
    }

    @Test func everyErrorHasAReason() {
        for defence in Self.defences {
            #expect(!defence.error.reason.isEmpty)
            #expect(defence.error.description.hasPrefix("\(defence.status) "))
        }
    }
}

/// Defences of the response parser, which reads what an upstream sends.
@Suite struct HTTPResponseDefenceTests {
    @Test(arguments: [
        ("HTTP/1.1 2000 OK\r\n\r\n", HTTPParseError.invalidStatusLine),
        ("HTTP/1.1 20 OK\r\n\r\n", .invalidStatusLine),
        ("HTTP/1.1 099 Low\r\n\r\n", .invalidStatusLine),
        ("HTTP/1.1 600 High\r\n\r\n", .invalidStatusLine),
        ("HTTP/1.1 200 O\u{1}K\r\n\r\n", .invalidStatusLine),
        ("HTTP/1.1  200 OK\r\n\r\n", .invalidStatusLine),
        ("HTTP/1.1 200OK\r\n\r\n", .invalidStatusLine),
        ("HTTP/3.0 200 OK\r\n\r\n", .unsupportedVersion),
        ("HTTP/1.1 200 OK\n\r\n", .bareLineFeed),
        ("HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n", .conflictingContentLengths),
        ("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", .invalidContentLength),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", .unsupportedTransferCoding),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", .unsupportedTransferCoding),
        ("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", .transferEncodingInHTTP10),
        ("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhi", .truncatedMessage),
        ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n", .upgradeNotSupported),
    ])
    func badResponse_isRefused(text: String, error: HTTPParseError) {
        #expect(parseResponses(text).error == error)
    }

    @Test func responseLimits_areTheRequestOnesWithoutABodyLimit() {
        #expect(HTTPParserLimits.responses.maxBodyBytes == .max)
        #expect(HTTPParserLimits.responses.maxHeaderBytes == HTTPParserLimits.requests.maxHeaderBytes)
    }

    @Test func upgradeAndStatusErrors_mapTo502() {
        #expect(HTTPParseError.upgradeNotSupported.status == 502)
        #expect(HTTPParseError.invalidStatusLine.status == 502)
        #expect(HTTPParseError.unsolicitedResponse.status == 502)
    }

    @Test func responseWithoutARequest_isRefused() {
        let outcome = parseResponses(ResponseFixture.contentLength.text + ResponseFixture.contentLength.text, methods: ["POST"])
        #expect(outcome.heads.count == 1)
        #expect(outcome.error == .unsolicitedResponse)
    }

    @Test func closeDelimitedBody_overTheLimit_isRefusedAtTheLimit() {
        let outcome = parseResponses("HTTP/1.1 200 OK\r\n\r\n0123456789", limits: HTTPParserLimits(maxBodyBytes: 8))
        #expect(outcome.bodies.isEmpty)
        #expect(outcome.events.last == .body(bytes("01234567")[...]))
        #expect(outcome.error == .bodyTooLarge)
    }

    @Test func declaredLength_overTheLimit_isRefusedUpFront() {
        let outcome = parseResponses("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n", limits: HTTPParserLimits(maxBodyBytes: 8))
        #expect(outcome.events.isEmpty)
        #expect(outcome.error == .bodyTooLarge)
    }
}
