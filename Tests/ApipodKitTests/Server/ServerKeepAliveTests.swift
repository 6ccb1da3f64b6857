import Testing
@testable import ApipodKit

extension ServerTests {
/// Persistent connections (RFC 9112 §9.3) and pipelining: which requests share a connection,
/// and when the server ends one.
@Suite struct KeepAliveTests {
    /// Answers with the request's target, and the client port the server saw.
    static func echoTarget(_ request: ServerRequest, _ response: ResponseWriter) async throws {
        try await sendText(request.head.target, response, headers: [("X-Peer", String(request.remoteAddress?.port ?? 0))])
    }

    @Test func severalRequestsOnOneConnection_AreAnsweredOnIt() async throws {
        let server = try TestServer(Self.echoTarget)
        let connection = try await server.connect()
        for index in 0..<3 {
            try await connection.write("GET /\(index) HTTP/1.1\r\nHost: t\r\n\r\n")
            let response = try #require(try await connection.readResponse())
            #expect(response.text == "/\(index)")
            #expect(response.head.headers["x-peer"] == String(connection.localPort))
            #expect(response.head.headers["connection"] == nil)
        }
        #expect(server.connectionsUsed == 1)
        #expect(server.server.connectionCount == 1)
        await server.stop()
    }

    @Test func connectionClose_EndsTheConnectionAfterTheResponse() async throws {
        let server = try TestServer(Self.echoTarget)
        let connection = try await server.connect()
        try await connection.write("GET /only HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        let response = try #require(try await connection.readResponse())
        #expect(response.text == "/only")
        #expect(response.head.headers["connection"] == "close")
        #expect(try await connection.readToEnd().isEmpty)
        await server.stop()
    }

    @Test func http10WithoutKeepAlive_EndsTheConnectionAfterTheResponse() async throws {
        let server = try TestServer(Self.echoTarget)
        let connection = try await server.connect()
        try await connection.write("GET /old HTTP/1.0\r\n\r\n")
        let response = try #require(try await connection.readResponse())
        #expect(response.text == "/old")
        #expect(response.head.headers["connection"] == "close")
        #expect(try await connection.readToEnd().isEmpty)
        await server.stop()
    }

    @Test func http10WithKeepAlive_KeepsTheConnectionOpen() async throws {
        let server = try TestServer(Self.echoTarget)
        let connection = try await server.connect()
        for index in 0..<2 {
            try await connection.write("GET /\(index) HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            let response = try #require(try await connection.readResponse())
            #expect(response.text == "/\(index)")
            #expect(response.head.headers["connection"] == "keep-alive")
        }
        #expect(server.connectionsUsed == 1)
        await server.stop()
    }

    @Test func aHandlersConnectionClose_EndsTheConnection() async throws {
        let server = try TestServer { _, response in
            try await sendText("bye", response, headers: [("Connection", "close")])
        }
        let connection = try await server.connect()
        try await connection.write("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try #require(try await connection.readResponse())
        #expect(response.head.headers["connection"] == "close")
        #expect(try await connection.readToEnd().isEmpty)
        await server.stop()
    }

    @Test func pipelinedRequestsInOneWrite_AreAnsweredInOrder() async throws {
        let server = try TestServer(Self.echoTarget)
        let connection = try await server.connect()
        try await connection.write("GET /first HTTP/1.1\r\nHost: t\r\n\r\nGET /second HTTP/1.1\r\nHost: t\r\n\r\n")
        let first = try #require(try await connection.readResponse())
        let second = try #require(try await connection.readResponse())
        #expect([first.text, second.text] == ["/first", "/second"])
        #expect(server.connectionsUsed == 1)
        await server.stop()
    }

    @Test func aPipelinedRequestAfterABody_IsReadFromWhereTheBodyEnds() async throws {
        let server = try TestServer { request, response in
            let body = try await request.collectBody()
            try await sendText(request.head.target + ":" + String(decoding: body, as: UTF8.self), response)
        }
        let connection = try await server.connect()
        try await connection.write(
            "POST /a HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello"
                + "POST /b HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
                + "GET /c HTTP/1.1\r\nHost: t\r\n\r\n")
        var texts: [String] = []
        for _ in 0..<3 { texts.append(try #require(try await connection.readResponse()).text) }
        #expect(texts == ["/a:hello", "/b:abc", "/c:"])
        await server.stop()
    }
}
}
