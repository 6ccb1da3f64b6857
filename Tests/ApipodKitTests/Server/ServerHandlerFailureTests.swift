import Testing
@testable import ApipodKit

/// A handler's failure, thrown before anything was sent.
struct HandlerFailure: Error {}

extension ServerTests {
/// What a client sees when a handler fails or stops early: a 500 while nothing was sent, and
/// after the head a connection that ends, since HTTP/1.1 has no other way to say so.
@Suite struct HandlerFailureTests {
    @Test func aHandlerThatThrowsBeforeTheHead_Gets500AndTheConnectionCloses() async throws {
        let server = try TestServer { _, _ in throw HandlerFailure() }
        let connection = try await server.connect()
        try await connection.write("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try #require(try await connection.readResponse())
        #expect(response.status == 500)
        #expect(response.head.headers["connection"] == "close")
        #expect(try await connection.readToEnd().isEmpty)
        await server.stop()
    }

    @Test func aHandlerThatReturnsWithoutAnswering_Gets500() async throws {
        let server = try TestServer { request, response in
            if request.head.target == "/next" { try await sendText("next", response) }
        }
        let connection = try await server.connect()
        try await connection.write("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try #require(try await connection.readResponse()).status == 500)
        try await connection.write("GET /next HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try #require(try await connection.readResponse()).text == "next")
        await server.stop()
    }

    @Test func aChunkedStreamWhoseHandlerThrows_EndsWithoutItsLastChunk() async throws {
        let server = try TestServer { _, response in
            try await response.start(HTTPResponseHead(status: 200))
            try await response.write(Array("partial".utf8))
            throw HandlerFailure()
        }
        let connection = try await server.connect()
        try await connection.write("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        await #expect(throws: HTTPParseError.truncatedMessage) { _ = try await connection.readResponse() }
        #expect(String(decoding: connection.received, as: UTF8.self).hasSuffix("7\r\npartial\r\n"))
        await server.stop()
    }

    @Test func aStreamShorterThanItsContentLength_EndsTheConnection() async throws {
        let server = try TestServer { _, response in
            var head = HTTPResponseHead(status: 200)
            head.headers.add(name: "Content-Length", value: "100")
            try await response.start(head)
            try await response.write(Array("partial".utf8))
        }
        let connection = try await server.connect()
        try await connection.write("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        await #expect(throws: HTTPParseError.truncatedMessage) { _ = try await connection.readResponse() }
        #expect(String(decoding: connection.received, as: UTF8.self).hasSuffix("\r\n\r\npartial"))
        await server.stop()
    }
}
}
