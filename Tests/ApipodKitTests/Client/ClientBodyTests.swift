import Testing
@testable import ApipodKit

extension ClientTests {
/// Response bodies pulled with `nextPiece`, whatever their framing, byte for byte.
@Suite struct BodyTests {
    static let body = testBytes(1 << 20, seed: 42)

    @Test func aContentLengthBody_ArrivesIntact() async throws {
        let upstream = try TestServer { _, response in try await response.send(HTTPResponseHead(status: 200), body: Self.body) }
        let client = try TestHTTPClient(port: upstream.port)
        let (framing, body, counted) = try await client.run { client, loop in
            let response = try await client.send(request("GET", "/"), body: [], on: loop)
            let body = try await response.readBody()
            return (response.framing, body, response.bodyBytesRead)
        }
        #expect(framing == .contentLength(Self.body.count))
        #expect(body == Self.body)
        #expect(counted == Self.body.count)
        client.stop()
        await upstream.stop()
    }

    @Test func aChunkedBody_ArrivesIntact() async throws {
        let upstream = try TestServer { _, response in
            try await response.start(HTTPResponseHead(status: 200))
            var offset = 0
            var size = 1
            while offset < Self.body.count {
                let end = min(offset + size, Self.body.count)
                try await response.write(Self.body[offset..<end])
                offset = end
                size = size * 5 % 40_009 + 1
            }
        }
        let client = try TestHTTPClient(port: upstream.port)
        let (framing, body) = try await client.run { client, loop in
            let response = try await client.send(request("GET", "/"), body: [], on: loop)
            return (response.framing, try await response.readBody())
        }
        #expect(framing == .chunked)
        #expect(body == Self.body)
        client.stop()
        await upstream.stop()
    }

    @Test func aBodyThatRunsUntilClose_ArrivesIntact() async throws {
        let upstream = try ScriptedUpstream { listener, log in
            let connection = try await ScriptedConnection(acceptingOn: listener, log: log)
            _ = try await connection.nextRequest(log: log)
            try await connection.send(Array("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n".utf8) + Self.body)
            connection.close()
        }
        let client = try TestHTTPClient(port: upstream.port)
        let (framing, body) = try await client.run { client, loop in
            let response = try await client.send(request("GET", "/"), body: [], on: loop)
            return (response.framing, try await response.readBody())
        }
        #expect(framing == .untilClose)
        #expect(body == Self.body)
        client.stop()
        await upstream.stop()
    }

    @Test func bodylessResponses_EndAtOnce_AndKeepTheConnection() async throws {
        let upstream = try TestServer { request, response in
            try await response.send(HTTPResponseHead(status: request.head.target == "/none" ? 204 : 200), body: Array("body".utf8))
        }
        let client = try TestHTTPClient(port: upstream.port)
        #expect(try await client.fetch("/", method: "HEAD").body.isEmpty)
        #expect(try await client.fetch("/none").body.isEmpty)
        #expect(try await client.fetch("/").body == Array("body".utf8))
        #expect(upstream.connectionsUsed == 1)
        client.stop()
        await upstream.stop()
    }
}
}
