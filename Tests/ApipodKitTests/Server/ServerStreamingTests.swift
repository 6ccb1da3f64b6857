import Synchronization
import Testing
@testable import ApipodKit

/// How far a client has read, shared between the test and its server's handler.
final class ReadProgress: Sendable {
    /// Body bytes the client has received so far.
    let bodyBytes = Atomic<Int>(0)
    /// Pieces the handler saw reach the client before it wrote the next.
    let piecesSeen = Atomic<Int>(0)
}

extension ServerTests {
/// Responses written piece by piece: each piece leaves at once, framed for the request.
@Suite struct StreamingTests {
    static let pieces = ["first ", "second ", "third"]

    /// Writes `pieces` one by one; after each, waits until the client has received it before
    /// writing the next, so the test shows that no piece waited for the one after it.
    static func gatedPieces(head: HTTPResponseHead, progress: ReadProgress) -> @Sendable (ServerRequest, ResponseWriter) async throws -> Void {
        { _, response in
            try await response.start(head)
            var sent = 0
            for piece in pieces {
                try await response.write(Array(piece.utf8))
                sent += piece.utf8.count
                if try await eventually({ progress.bodyBytes.load(ordering: .relaxed) >= sent }) {
                    progress.piecesSeen.add(1, ordering: .relaxed)
                }
            }
        }
    }

    @Test func aStreamWithoutLength_IsChunked_AndEachPieceArrivesBeforeTheNextIsWritten() async throws {
        let progress = ReadProgress()
        let server = try TestServer(Self.gatedPieces(head: HTTPResponseHead(status: 200), progress: progress))
        let connection = try await server.connect()
        try await connection.write("GET /stream HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try #require(try await connection.readResponse { progress.bodyBytes.store($0, ordering: .relaxed) })
        #expect(response.head.headers["transfer-encoding"] == "chunked")
        #expect(response.pieces.map { String(decoding: $0, as: UTF8.self) } == Self.pieces)
        #expect(progress.piecesSeen.load(ordering: .relaxed) == Self.pieces.count)
        let wire = String(decoding: connection.received, as: UTF8.self)
        #expect(wire.hasSuffix("\r\n\r\n6\r\nfirst \r\n7\r\nsecond \r\n5\r\nthird\r\n0\r\n\r\n"))
        await server.stop()
    }

    @Test func aStreamWithContentLength_IsSentRaw() async throws {
        let progress = ReadProgress()
        var head = HTTPResponseHead(status: 200)
        head.headers.add(name: "Content-Length", value: String(Self.pieces.joined().utf8.count))
        let server = try TestServer(Self.gatedPieces(head: head, progress: progress))
        let connection = try await server.connect()
        try await connection.write("GET /stream HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try #require(try await connection.readResponse { progress.bodyBytes.store($0, ordering: .relaxed) })
        #expect(response.head.headers["transfer-encoding"] == nil)
        #expect(response.text == Self.pieces.joined())
        // The body ends with its last byte, so the handler may note the last piece after that.
        #expect(try await eventually { progress.piecesSeen.load(ordering: .relaxed) == Self.pieces.count })
        #expect(String(decoding: connection.received, as: UTF8.self).hasSuffix("\r\n\r\n" + Self.pieces.joined()))
        await server.stop()
    }

    /// A held-back head leaves with the first piece, whether the piece is smaller or larger
    /// than the room the caller reserved for it, and the next request is served after it.
    @Test(arguments: [(estimate: 0, piece: 5), (estimate: 5, piece: 5), (estimate: 3, piece: 100_000), (estimate: 1_000_000, piece: 40)])
    func aHeldHead_LeavesWithTheFirstPiece(estimate: Int, piece: Int) async throws {
        let body = (0..<piece).map { UInt8(ascii: "a") + UInt8($0 % 26) }
        let server = try TestServer { _, response in
            var head = HTTPResponseHead(status: 200)
            head.headers.add(name: "Content-Length", value: String(body.count))
            response.startHoldingHead(head, firstPieceBytes: estimate)
            try await response.write(body)
        }
        let connection = try await server.connect()
        for _ in 0..<2 {
            try await connection.write("GET /held HTTP/1.1\r\nHost: t\r\n\r\n")
            let response = try #require(try await connection.readResponse())
            #expect(response.head.status == 200)
            #expect(response.body == body)
        }
        await server.stop()
    }

    /// Without a Content-Length the held head and its first piece are chunked like any other.
    @Test func aHeldHead_WithoutLength_IsChunked() async throws {
        let server = try TestServer { _, response in
            response.startHoldingHead(HTTPResponseHead(status: 200), firstPieceBytes: 2)
            try await response.write(Array("first ".utf8))
            try await response.write(Array("second".utf8))
        }
        let connection = try await server.connect()
        try await connection.write("GET /held HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try #require(try await connection.readResponse())
        #expect(response.text == "first second")
        #expect(String(decoding: connection.received, as: UTF8.self).hasSuffix("\r\n\r\n6\r\nfirst \r\n6\r\nsecond\r\n0\r\n\r\n"))
        await server.stop()
    }

    /// `flush()` writes a held-back head at once: the client has it while the handler still
    /// waits to write the first piece (the handler waits for the test to have seen the head).
    @Test func aHeldHead_IsWrittenByFlush_BeforeAnyPiece() async throws {
        let progress = ReadProgress()
        let server = try TestServer { _, response in
            response.startHoldingHead(HTTPResponseHead(status: 200), firstPieceBytes: 0)
            try await response.flush()
            if try await eventually({ progress.bodyBytes.load(ordering: .relaxed) > 0 }) {
                progress.piecesSeen.add(1, ordering: .relaxed)
            }
            try await response.write(Array("late".utf8))
        }
        let connection = try await server.connect()
        try await connection.write("GET /held HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try await connection.readUntil("\r\n\r\n"))
        progress.bodyBytes.store(1, ordering: .relaxed)
        let response = try #require(try await connection.readResponse())
        #expect(response.text == "late")
        #expect(progress.piecesSeen.load(ordering: .relaxed) == 1, "the head did not arrive before the first piece was written")
        await server.stop()
    }

    /// A held-back head with no piece after it leaves at `finish()`, with the chunked
    /// terminator when it has no length, and the connection serves the next request.
    @Test(arguments: [true, false])
    func aHeldHead_WithNoPiece_IsSentByFinish(declaresLength: Bool) async throws {
        let server = try TestServer { _, response in
            var head = HTTPResponseHead(status: 200)
            if declaresLength { head.headers.add(name: "Content-Length", value: "0") }
            response.startHoldingHead(head, firstPieceBytes: 0)
        }
        let connection = try await server.connect()
        for _ in 0..<2 {
            try await connection.write("GET /held HTTP/1.1\r\nHost: t\r\n\r\n")
            let response = try #require(try await connection.readResponse())
            #expect(response.head.status == 200)
            #expect(response.body.isEmpty)
            #expect(response.head.headers["transfer-encoding"] == (declaresLength ? nil : "chunked"))
        }
        #expect(String(decoding: connection.received, as: UTF8.self).hasSuffix(declaresLength ? "\r\n\r\n" : "\r\n\r\n0\r\n\r\n"))
        await server.stop()
    }

    @Test func aStreamToAnHTTP10Client_RunsUntilTheConnectionCloses() async throws {
        let progress = ReadProgress()
        let server = try TestServer(Self.gatedPieces(head: HTTPResponseHead(status: 200), progress: progress))
        let connection = try await server.connect()
        try await connection.write("GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        let response = try #require(try await connection.readResponse { progress.bodyBytes.store($0, ordering: .relaxed) })
        #expect(response.head.headers["transfer-encoding"] == nil)
        #expect(response.head.headers["connection"] == "close")
        #expect(response.text == Self.pieces.joined())
        #expect(connection.closedByServer)
        await server.stop()
    }

    @Test func aResponseToHEAD_HasNoBody_WhetherSentWholeOrStreamed() async throws {
        let server = try TestServer { request, response in
            if request.head.target == "/whole" {
                try await sendText("hello", response)
            } else {
                try await response.start(HTTPResponseHead(status: 200))
                try await response.write(Array("hello".utf8))
            }
        }
        let connection = try await server.connect()
        for target in ["/whole", "/streamed"] {
            try await connection.write("HEAD \(target) HTTP/1.1\r\nHost: t\r\n\r\n")
            let head = try #require(try await connection.readResponse(to: "HEAD"))
            #expect(head.body.isEmpty)
            // Had any body byte been sent, it would be read as the start of the next response.
            try await connection.write("GET /whole HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try #require(try await connection.readResponse()).text == "hello")
        }
        let wholeHead = String(decoding: connection.received, as: UTF8.self).split(separator: "\r\n\r\n")[0]
        #expect(wholeHead.contains("Content-Length: 5"))
        #expect(server.connectionsUsed == 1)
        await server.stop()
    }

    @Test(arguments: [204, 304])
    func aBodylessStatus_IsSentWithoutBodyOrLength(status: Int) async throws {
        let server = try TestServer { request, response in
            if request.head.target == "/bodyless" {
                try await response.send(HTTPResponseHead(status: status), body: Array("not for the wire".utf8))
            } else {
                try await sendText("next", response)
            }
        }
        let connection = try await server.connect()
        try await connection.write("GET /bodyless HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try #require(try await connection.readResponse())
        #expect(response.status == status)
        #expect(response.head.headers["content-length"] == nil)
        try await connection.write("GET /next HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try #require(try await connection.readResponse()).text == "next")
        await server.stop()
    }
}
}
