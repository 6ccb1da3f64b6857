import Glibc
import Testing
@testable import ApipodKit

extension ClientTests {
/// The per-loop keep-alive pool: which responses give their connection back, and how a
/// connection the upstream dropped is replaced without the caller noticing.
@Suite struct PoolTests {
    @Test func twoSequentialRequests_UseOneUpstreamConnection() async throws {
        let upstream = try TestServer { request, response in try await sendText("answer " + request.head.target, response) }
        let client = try TestHTTPClient(port: upstream.port)
        #expect(try await client.fetch("/a").body == Array("answer /a".utf8))
        #expect(try await client.fetch("/b").body == Array("answer /b".utf8))
        #expect(upstream.connectionsUsed == 1)
        client.stop()
        await upstream.stop()
    }

    /// The piece that completes a Content-Length body also completes the exchange: the caller
    /// can stop without another call, and the connection is already back in the pool.
    @Test func theLastPieceOfALengthFramedBody_CompletesTheResponse() async throws {
        let upstream = try TestServer { _, response in try await sendText("whole", response) }
        let client = try TestHTTPClient(port: upstream.port)
        let (piece, complete, reused) = try await client.run { client, loop in
            let response = try await client.send(request("GET", "/a"), body: [], on: loop)
            let piece = try await response.nextPiece()
            let complete = response.isComplete
            // Sent while the first response is still held: only a pooled connection serves it.
            let second = try await client.send(request("GET", "/b"), body: [], on: loop)
            _ = try await second.nextPiece()
            return (piece.map(Array.init), complete, try await response.nextPiece() == nil)
        }
        #expect(piece == Array("whole".utf8))
        #expect(complete)
        #expect(reused)
        #expect(upstream.connectionsUsed == 1)
        client.stop()
        await upstream.stop()
    }

    @Test func aResponseWithConnectionClose_IsNotPooled() async throws {
        let upstream = try TestServer { _, response in try await sendText("once", response, headers: [("Connection", "close")]) }
        let client = try TestHTTPClient(port: upstream.port)
        #expect(try await client.fetch("/a").body == Array("once".utf8))
        #expect(try await client.fetch("/b").body == Array("once".utf8))
        #expect(upstream.connectionsUsed == 2)
        client.stop()
        await upstream.stop()
    }

    @Test func aResponseClosedBeforeItsEnd_IsNotPooled() async throws {
        let upstream = try TestServer { request, response in
            try await response.send(HTTPResponseHead(status: 200), body: request.head.target == "/big" ? testBytes(1 << 20) : [])
        }
        let client = try TestHTTPClient(port: upstream.port)
        let afterClose = try await client.run { client, loop in
            let response = try await client.send(request("GET", "/big"), body: [], on: loop)
            _ = try await response.nextPiece()
            response.close()
            return try await response.nextPiece()
        }
        #expect(afterClose == nil)
        #expect(try await client.fetch("/small").status == 200)
        #expect(upstream.connectionsUsed == 2)
        client.stop()
        await upstream.stop()
    }

    @Test func aPooledConnectionTheUpstreamClosedWhileIdle_IsReplacedTransparently() async throws {
        let upstream = try TestServer(configure: { $0.idleTimeout = .milliseconds(100) }) { _, response in
            try await sendText("fresh", response)
        }
        let client = try TestHTTPClient(port: upstream.port)
        #expect(try await client.fetch("/a").body == Array("fresh".utf8))
        #expect(try await eventually { upstream.server.connectionCount == 0 })
        #expect(try await client.fetch("/b").body == Array("fresh".utf8))
        #expect(upstream.connectionsUsed == 2)
        client.stop()
        await upstream.stop()
    }

    /// Accepts a connection and answers its first request with "first": the connection the
    /// client then keeps in its pool.
    static func answerFirst(_ listener: Socket, _ log: ScriptLog) async throws -> ScriptedConnection {
        let connection = try await ScriptedConnection(acceptingOn: listener, log: log)
        _ = try await connection.nextRequest(log: log)
        try await connection.send("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst")
        return connection
    }

    /// Accepts a new connection, answers its request with "second" and holds it open.
    static func answerSecond(_ listener: Socket, _ log: ScriptLog) async throws {
        let connection = try await ScriptedConnection(acceptingOn: listener, log: log)
        _ = try await connection.nextRequest(log: log)
        try await connection.send("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecond")
        try await connection.holdUntilClosed()
    }

    @Test func aPooledConnectionClosedOnceTheRequestWasSent_IsRetriedOnANewOne() async throws {
        let upstream = try ScriptedUpstream { listener, log in
            let reused = try await Self.answerFirst(listener, log)
            // The second request comes on the pooled connection, which is dropped unanswered.
            _ = try await reused.nextRequest(log: log)
            reused.close()
            try await Self.answerSecond(listener, log)
        }
        let client = try TestHTTPClient(port: upstream.port)
        #expect(try await client.fetch("/1").body == Array("first".utf8))
        #expect(try await client.fetch("/2").body == Array("second".utf8))
        #expect(upstream.log.entries == ["accepted", "/1", "/2", "accepted", "/2"])
        client.stop()
        await upstream.stop()
    }

    /// The upstream read the whole POST, so it may have run it: sending it again could generate,
    /// and bill, twice. The exchange fails instead (the proxy answers 502).
    @Test func aPOSTAPooledConnectionReadWholeAndClosedUnanswered_IsNotSentAgain() async throws {
        let upstream = try ScriptedUpstream { listener, log in
            let reused = try await Self.answerFirst(listener, log)
            _ = try await reused.nextRequest(log: log)
            reused.close()
            // Where a retry would come: read and dropped too.
            let retry = try await ScriptedConnection(acceptingOn: listener, log: log)
            _ = try await retry.nextRequest(log: log)
            retry.close()
        }
        let client = try TestHTTPClient(port: upstream.port)
        #expect(try await client.fetch("/1").body == Array("first".utf8))
        let error = await #expect(throws: HTTPClientError.self) {
            _ = try await client.run { client, loop in
                try await client.send(request("POST", "/generate"), body: Array(#"{"prompt":"once"}"#.utf8), on: loop).head.status
            }
        }
        #expect(error?.isBadResponse == true)
        #expect(upstream.log.entries == ["accepted", "/1", "/generate"])
        client.stop()
        await upstream.stop()
    }

    /// A pooled connection the upstream reset before any of the POST went out (the reset came
    /// after the loop last looked, so the pool still took it): nothing can have run, so the
    /// POST goes out once, on a new connection.
    @Test func aPOSTOnAPooledConnectionResetBeforeItWasWritten_IsSentOnANewOne() async throws {
        let upstream = try ScriptedUpstream { listener, log in
            let reused = try await Self.answerFirst(listener, log)
            while !log.entries.contains("go") { try await Task.sleep(for: .milliseconds(5)) }
            reused.reset()
            log.note("reset")
            try await Self.answerSecond(listener, log)
        }
        let client = try TestHTTPClient(port: upstream.port)
        let log = upstream.log
        let body = try await client.run { client, loop in
            _ = try await client.send(request("GET", "/1"), body: [], on: loop).readBody()
            // Holds the client's loop until the reset has come, so the loop cannot see it first.
            log.note("go")
            let clock = ContinuousClock()
            let giveUp = clock.now.advanced(by: .seconds(5))
            while !log.entries.contains("reset") && clock.now < giveUp { usleep(1000) }
            return try await client.send(request("POST", "/2"), body: Array("{}".utf8), on: loop).readBody()
        }
        #expect(body == Array("second".utf8))
        #expect(upstream.log.entries == ["accepted", "/1", "go", "reset", "accepted", "/2"])
        client.stop()
        await upstream.stop()
    }

    @Test func aFreshConnectionClosedWithoutAnAnswer_FailsWithoutARetry() async throws {
        let upstream = try ScriptedUpstream { listener, log in
            let connection = try await ScriptedConnection(acceptingOn: listener, log: log)
            _ = try await connection.nextRequest(log: log)
            connection.close()
            _ = try await ScriptedConnection(acceptingOn: listener, log: log)
        }
        let client = try TestHTTPClient(port: upstream.port)
        let error = await #expect(throws: HTTPClientError.self) { _ = try await client.fetch("/once") }
        #expect(error?.isBadResponse == true)
        #expect(upstream.log.entries == ["accepted", "/once"])
        client.stop()
        await upstream.stop()
    }
}
}
