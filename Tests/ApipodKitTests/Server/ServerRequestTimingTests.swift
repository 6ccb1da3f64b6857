import Synchronization
import Testing
@testable import ApipodKit

extension ServerTests {
/// `ServerRequest.receivedAt`, where a request's time starts: when its head's first bytes came,
/// not when the head was complete, and for each request on a connection its own.
@Suite struct RequestTimingTests {
    /// When each request's head began to arrive, and when its handler ran, in order.
    final class Timings: Sendable {
        let entries = Mutex<[(arrival: UInt64, handled: UInt64)]>([])
    }

    static func server(_ timings: Timings) throws -> TestServer {
        try TestServer { request, response in
            let now = Deadline.now.uptimeNanoseconds
            let arrival = request.receivedAt.uptimeNanoseconds
            // Kept before the answer goes, so the test never reads them too early.
            timings.entries.withLock { $0.append((arrival, now)) }
            try await sendText("ok", response)
        }
    }

    /// The second part goes 100 ms after the first, and the request must count from before it.
    /// Should the loop not even have read the first part by then, that round proves nothing
    /// and another is tried; timed from the head's end, every round fails.
    @Test func aHeadSentInTwoParts_IsTimedFromItsFirstPart() async throws {
        let timings = Timings()
        let server = try Self.server(timings)
        var timedFromTheFirstPart = false
        for round in 0..<5 where !timedFromTheFirstPart {
            let connection = try await server.connect()
            try await connection.write("GET /\(round) HTTP/1.1\r\n")
            try await Task.sleep(for: .milliseconds(100))
            let secondPart = Deadline.now.uptimeNanoseconds
            try await connection.write("Host: t\r\n\r\n")
            #expect(try #require(try await connection.readResponse()).text == "ok")
            let entry = try #require(timings.entries.withLock { $0.last })
            timedFromTheFirstPart = entry.arrival < secondPart
        }
        #expect(timedFromTheFirstPart, "the request was timed from its head's end")
        await server.stop()
    }

    @Test func eachRequestOnAConnection_IsTimedFromItsOwnHead() async throws {
        let timings = Timings()
        let server = try Self.server(timings)
        let connection = try await server.connect()
        for index in 0..<2 {
            try await connection.write("GET /\(index) HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try #require(try await connection.readResponse()).text == "ok")
        }
        let entries = timings.entries.withLock { $0 }
        try #require(entries.count == 2)
        // The second head was sent after the first answer arrived, so after its handler ran.
        #expect(entries[1].arrival > entries[0].handled)
        await server.stop()
    }
}
}
