import Glibc
import Synchronization
import TestSupport
import Testing
@testable import ApipodKit

/// What a streaming mock upstream did, shared between its loop and the test.
final class StreamProgress: Sendable {
    let sent = Atomic<Int>(0)
    let finished = Atomic<Bool>(false)
    let failed = Atomic<Bool>(false)
    /// Pieces the test's client has received, for an upstream that waits for each.
    let received = Atomic<Int>(0)
}

@Suite(.serialized)
struct ProxyStreamingTests {
    /// With `awaitingReceipt`, the upstream sends a piece only once the client has received
    /// the one before (or ten seconds in all have passed, a hang-guard a healthy run never reaches):
    /// a proxy that held pieces back would make it finish before the client saw the first,
    /// however slowly the machine runs.
    static func streamingUpstream(
        events: Int, interval: Duration, progress: StreamProgress, awaitingReceipt: Bool = false
    ) -> MockUpstream.Behaviour {
        { _, response in
            var head = HTTPResponseHead(status: 200)
            head.headers.add(name: "Content-Type", value: "text/event-stream")
            try await response.start(head)
            do {
                let giveUp = ContinuousClock.now + .seconds(10)
                for index in 0..<events {
                    // Counted before the write, so a client that reads this on arrival sees it.
                    progress.sent.store(index + 1, ordering: .relaxed)
                    try await response.write(Array("data: {\"n\":\(index)}\n\n".utf8))
                    try await Task.sleep(for: interval)
                    while awaitingReceipt, progress.received.load(ordering: .relaxed) <= index, ContinuousClock.now < giveUp {
                        try await Task.sleep(for: .milliseconds(2))
                    }
                }
                progress.finished.store(true, ordering: .relaxed)
            } catch {
                progress.failed.store(true, ordering: .relaxed)
                throw error
            }
        }
    }

    @Test func piecesReachTheClientOneByOneAsTheyAreSent() async throws {
        let progress = StreamProgress()
        let harness = try ProxyHarness(
            Self.streamingUpstream(events: 5, interval: .milliseconds(100), progress: progress, awaitingReceipt: true))
        var sentWhenFirstArrived = -1
        var finishedWhenFirstArrived = true
        let response = try await harness.client.send(
            "POST", "/v1/chat/completions", headers: [harness.bearer],
            body: Array(#"{"model":"cursor-pro-sonnet","stream":true}"#.utf8)
        ) { count, _ in
            if count == 1 {
                sentWhenFirstArrived = progress.sent.load(ordering: .relaxed)
                finishedWhenFirstArrived = progress.finished.load(ordering: .relaxed)
            }
            progress.received.store(count, ordering: .relaxed)
            return true
        }
        #expect(response.status == 200)
        #expect(response.headers["cache-control"] == "no-cache")
        #expect(response.headers["x-accel-buffering"] == "no")
        #expect(response.headers["transfer-encoding"] == "chunked")
        #expect(!finishedWhenFirstArrived, "the first piece must arrive before the upstream has finished")
        #expect(sentWhenFirstArrived == 1, "the upstream sends the second piece only after the first arrived")
        #expect(response.pieces.map { String(decoding: $0.bytes, as: UTF8.self) } == (0..<5).map { "data: {\"n\":\($0)}\n\n" })
        #expect(zip(response.pieces, response.pieces.dropFirst()).allSatisfy { $0.at <= $1.at })
        await harness.stop()
    }

    /// The upstream sends its head and then nothing until the client has that head (or five
    /// seconds have passed, a hang guard a healthy run never reaches, inside the client's own ten):
    /// a proxy that held the head back until the first piece would show the client nothing while
    /// the first token is slow.
    @Test func aStreamsHeadReachesTheClientBeforeItsFirstPiece() async throws {
        let progress = StreamProgress()
        let harness = try ProxyHarness { _, response in
            var head = HTTPResponseHead(status: 200)
            head.headers.add(name: "Content-Type", value: "text/event-stream")
            try await response.start(head)
            let giveUp = ContinuousClock.now + .seconds(5)
            while progress.received.load(ordering: .relaxed) == 0, ContinuousClock.now < giveUp {
                try await Task.sleep(for: .milliseconds(2))
            }
            progress.sent.store(1, ordering: .relaxed)
            try await response.write(Array("data: {}\n\n".utf8))
        }
        let connection = try await harness.connect()
        try await connection.write(harness.rawChat(#"{"model":"m","stream":true}"#))
        #expect(try await connection.readUntil("\r\n\r\n"))
        let sentBeforeTheHead = progress.sent.load(ordering: .relaxed)
        progress.received.store(1, ordering: .relaxed)
        let response = try #require(try await connection.readResponse(to: "POST"))
        #expect(String(decoding: connection.received, as: UTF8.self).hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(sentBeforeTheHead == 0, "the head must reach the client before the upstream sends any piece")
        #expect(response.text == "data: {}\n\n")
        await harness.stop()
    }

    @Test func aClientThatHangsUpCancelsTheUpstreamRequest() async throws {
        let progress = StreamProgress()
        let harness = try ProxyHarness(Self.streamingUpstream(events: 200, interval: .milliseconds(20), progress: progress))
        let response = try await harness.client.send(
            "POST", "/v1/chat/completions", headers: [harness.bearer], body: Array(#"{"model":"m","stream":true}"#.utf8)
        ) { count, _ in count < 2 }
        #expect(response.pieces.count == 2)
        // Polls until the upstream's writes fail; bounded so a regression fails instead of hanging.
        for _ in 0..<500 where !progress.failed.load(ordering: .relaxed) && !progress.finished.load(ordering: .relaxed) {
            try await Task.sleep(for: .milliseconds(10))
        }
        let failed = progress.failed.load(ordering: .relaxed)
        let sent = progress.sent.load(ordering: .relaxed)
        #expect(failed, "the upstream request must be cut when the client leaves")
        #expect(sent < 200)
        await harness.stop()
    }

    /// After the head, HTTP/1.1 can only say "this answer is broken" by closing early: without
    /// the closing chunk (or short of the declared length) the client cannot mistake the half
    /// answer for a whole one.
    @Test(arguments: [false, true])
    func anUpstreamThatBreaksOffMidStreamEndsTheClientsStream(declaresLength: Bool) async throws {
        let harness = try ProxyHarness { _, response in
            var head = HTTPResponseHead(status: 200)
            if declaresLength { head.headers.add(name: "Content-Length", value: "100") }
            try await response.start(head)
            try await response.write(Array("only part".utf8))
            throw CancellationError()
        }
        let connection = try await harness.connect()
        try await connection.write(harness.rawChat(#"{"model":"m"}"#))
        await #expect(throws: HTTPParseError.truncatedMessage) {
            _ = try await connection.readResponse(to: "POST")
        }
        let received = String(decoding: connection.received, as: UTF8.self)
        #expect(received.contains(declaresLength ? "\r\nContent-Length: 100\r\n" : "\r\nTransfer-Encoding: chunked\r\n"))
        #expect(received.hasSuffix(declaresLength ? "\r\n\r\nonly part" : "\r\n9\r\nonly part\r\n"), "cut short after the piece")
        #expect(connection.closedByServer)
        await harness.stop()
    }

    @Test func drainingLetsAStreamInFlightFinish() async throws {
        let progress = StreamProgress()
        let harness = try ProxyHarness(Self.streamingUpstream(events: 5, interval: .milliseconds(100), progress: progress))
        let client = harness.client
        let bearer = harness.bearer
        async let response = client.send("POST", "/v1/chat/completions", headers: [bearer], body: Array(#"{"model":"m","stream":true}"#.utf8))
        while progress.sent.load(ordering: .relaxed) == 0 { try await Task.sleep(for: .milliseconds(5)) }
        await harness.running.stop(grace: .seconds(10))
        let finished = try await response
        #expect(finished.pieces.count == 5)
        await harness.upstream.stop()
        harness.clientGroup.shutdown()
    }
}
