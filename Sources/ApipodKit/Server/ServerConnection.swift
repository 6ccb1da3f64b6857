/// One accepted client connection on one event loop: read a head, run the handler, repeat while
/// the connection may be kept alive.
///
/// A task serves it while it has requests to serve (`run`); between requests, when nothing more
/// has arrived, the loop watches it instead and no task waits (`onNextRequest` starts the next
/// one). Everything here belongs to whichever of the two has it, never both at once.
final class ServerConnection {
    let socket: Socket
    let timeouts: ServerTimeouts
    let record: ConnectionRecord
    /// The request parser; the current `ServerRequest` pulls its body through it. Only what
    /// serves the connection touches it, each time in one call that reaches nothing else that
    /// could (`next()`, `append` from inside a read): the runtime's exclusivity check could never
    /// fire, and at about eleven accesses a request it cost some 1,300 instructions of the
    /// engine's 15.4k (`Benchmarks/instructions.sh`), so it is switched off.
    @exclusivity(unchecked) var parser: HTTPRequestParser
    /// Set when the response cannot be followed by another on this connection.
    @exclusivity(unchecked) var mustClose = false
    /// The request asked for `100 Continue` and has had neither it, nor a final response, nor
    /// any byte of its body yet. Set and read in single statements by whoever serves the
    /// connection, so the runtime's exclusivity check is off.
    @exclusivity(unchecked) var continuePending = false
    /// When the first bytes of the head being read (or last read) were in hand, for
    /// `ServerRequest.receivedAt`. Set by `readHead` alone.
    @exclusivity(unchecked) private(set) var headArrival = Deadline(uptimeNanoseconds: 0)
    private var peerFinished = false
    /// The peer's host, for `ServerRequest.remoteHost`.
    private(set) lazy var remoteHost: String? = socket.peerAddress?.host
    /// Called by the loop on its thread when the watched connection may have its next request
    /// (success), or is closed, timed out or cancelled (failure). Set by the server; `close()`
    /// clears it, which ends the cycle through the closure.
    var onNextRequest: ((Result<Void, any Error>) -> Void)?

    init(socket: Socket, limits: HTTPParserLimits, timeouts: ServerTimeouts, record: ConnectionRecord) {
        self.socket = socket
        self.timeouts = timeouts
        self.record = record
        self.parser = HTTPRequestParser(limits: limits)
    }

    func close() {
        socket.close()
        onNextRequest = nil
        record.activity.withLock { $0 = .closed }
    }

    /// Serves requests while they keep coming. Returns true when none is left to read for now:
    /// the loop then watches the connection (`onNextRequest`); false when it must be closed.
    /// - Parameter firstBurst: the connection was just accepted, so its first request head has
    ///   the head timeout; later bursts start because bytes arrived.
    func run(handler: some HTTPHandler, firstBurst: Bool) async -> Bool {
        // Queued when shutdown began: its watch, no longer armed, could not be cancelled.
        if !firstBurst && record.isDraining { return false }
        var isFirst = firstBurst
        while !mustClose {
            let head: HTTPRequestHead
            do {
                guard let next = try await readHead(waitingUpTo: isFirst ? timeouts.requestHead : timeouts.idle)
                else { return false }
                head = next
            } catch let error as HTTPParseError {
                await sendError(status: error.status, reason: error.reason, handler: handler)
                return false
            } catch is RequestHeadTimeout {
                await sendError(status: 408, reason: "the request head took too long", handler: handler)
                return false
            } catch {
                return false
            }
            isFirst = false
            guard record.beginRequest() else { return false }
            let response = ResponseWriter(requestHead: head, connection: self)
            let request = ServerRequest(head: consume head, connection: self)
            do {
                try await handler.handle(request, response)
                if !response.isFinished { try await response.finish() }
            } catch {
                if !response.headSent {
                    let parseError = error as? HTTPParseError
                    mustClose = true
                    await sendError(status: parseError?.status ?? 500, reason: parseError?.reason ?? "internal error", handler: handler)
                }
                return false
            }
            if mustClose || !response.requestKeepsAlive { return false }
            if !request.bodyFullyRead, !request.discardArrivedBody() { return false }
            if !record.endRequest() { return false }
            if parser.bufferedByteCount == 0 && !peerFinished {
                guard let watched = watchForNextRequest() else { return false }
                if watched { return true }
            }
        }
        return false
    }

    /// Hands the connection to the loop's watch until its next request: true when armed, false
    /// when bytes are already there to read on, nil when it cannot be watched (closed, or the
    /// loop is stopping). The loop's readiness flag may be stale (bytes that came while a
    /// handler waited elsewhere and were read since), so a flagged socket is read once first:
    /// on EAGAIN the watch is armed after all, instead of a task waiting out the idle timeout.
    private func watchForNextRequest() -> Bool? {
        guard let onNextRequest else { return nil }
        do {
            var armed = try socket.watchReadable(deadline: .after(timeouts.idle), onNextRequest)
            if armed == nil {
                if try fillNow() != nil { return false }
                armed = try socket.watchReadable(deadline: .after(timeouts.idle), onNextRequest)
            }
            guard let id = armed else { return false }
            record.activity.withLock { $0 = .watched(socket.loop, id) }
            // A shutdown that began meanwhile found the task, not the watch, to cancel.
            if record.isDraining { socket.loop.cancelWatch(id) }
            return true
        } catch {
            return nil
        }
    }

    /// Reads until a request head is complete. Nil when the client closed between requests or
    /// stayed silent for `idle`; once a byte of the head has arrived, the whole head must arrive
    /// within the head timeout, or `RequestHeadTimeout` is thrown. Bytes count, not buffered
    /// ones: the parser consumes each complete line, so a head sent a line at a time may leave
    /// nothing buffered between reads.
    /// Never inlined: in `run`'s frame its locals would sit beside the handler's, a larger frame
    /// for every request (measured with a task per connection: about 1 KB more per idle one).
    @inline(never)
    private func readHead(waitingUpTo idle: Timeout) async throws -> HTTPRequestHead? {
        var deadline = Deadline.after(idle)
        var headStarted = false
        // A pipelined request may have arrived, in part, with the previous one.
        var received = parser.bufferedByteCount
        if received > 0 { headArrival = .now }
        while true {
            if let event = try parser.next() {
                guard case .head(let head) = consume event else { continue }
                return head
            }
            if peerFinished { return nil }
            if !headStarted && received > 0 {
                headStarted = true
                deadline = .after(timeouts.requestHead)
            }
            do {
                let count = try await fill(deadline: deadline)
                if received == 0 && count > 0 { headArrival = .now }
                received += count
            } catch let error as SocketError {
                if case .timedOut = error, headStarted { throw RequestHeadTimeout() }
                return nil
            }
        }
    }

    /// The client sent its end of stream: the parser is told, which then ends or fails the
    /// message it was reading.
    private func peerEnded() {
        peerFinished = true
        parser.finish()
    }

    /// Reads once from the socket into the parser if anything is there (or the peer has
    /// finished): the count, or nil when nothing is.
    private func fillNow() throws -> Int? {
        let buffer = ScratchBuffer.forCurrentThread()
        guard let count = try socket.tryRead(into: buffer) else { return nil }
        parser.append(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        if count == 0 { peerEnded() }
        return count
    }

    /// Reads once from the socket into the parser, waiting until `deadline` if nothing is there;
    /// returns the byte count. At end of stream tells the parser so, which then ends or fails
    /// the message.
    @discardableResult
    func fill(deadline: Deadline) async throws -> Int {
        let count = try await socket.readSome(deadline: deadline) { parser.append($0) }
        if count == 0 { peerEnded() }
        return count
    }

    /// Receives up to `limit` bytes onto the end of `bytes`, around the parser, waiting until
    /// `deadline`; at end of stream the parser is told, which then fails the body as truncated.
    /// The bytes land in the array's spare capacity, never zeroed first, so memory is touched
    /// only where bytes arrived. Returns the byte count.
    func receive(appendingTo bytes: inout [UInt8], upTo limit: Int, deadline: Deadline) async throws -> Int {
        while true {
            var count: Int?
            try bytes.append(addingCapacity: limit) { (span: inout OutputSpan<UInt8>) throws(SocketError) in
                try span.withUnsafeMutableBufferPointer { buffer, initialized throws(SocketError) in
                    count = try socket.tryRead(into: UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[initialized...])))
                    initialized += count ?? 0
                }
            }
            if let count {
                if count == 0 { peerEnded() }
                return count
            }
            try await socket.waitReadable(deadline: deadline)
        }
    }

    /// Whether the request being answered has body bytes the handler has not taken and that
    /// have not all arrived: true for a request refused before its body was read, unless the
    /// body came whole with the head. The response then closes the connection: the rest could
    /// only be drained at the client's pace, which a refused client would choose. Looks ahead
    /// on a copy of the parser, so whatever the handler still reads is left in place.
    var unreadBodyIsStillComing: Bool {
        // No body, or the handler took it to its end: the parser has dropped its framing.
        guard parser.framing != nil else { return false }
        var lookahead = parser
        while true {
            guard let event = try? lookahead.next() else { return true }
            if case .end = event { return false }
        }
    }

    /// Writes all of `bytes`. Inlined, so that the usual case, a send buffer with room, runs in
    /// the caller's frame with no async call below it.
    @inline(__always)
    func write(_ bytes: [UInt8]) async throws {
        let sent = try socket.sendNow(bytes[...])
        if sent < bytes.count { try await socket.write(bytes[sent...], stall: timeouts.writeStall) }
    }

    private func sendError(status: Int, reason: String, handler: some HTTPHandler) async {
        let (contentType, body) = handler.errorBody(status: status, reason: reason)
        var head = HTTPResponseHead(status: status)
        head.headers.add(name: "Content-Type", value: contentType)
        head.headers.add(name: "Content-Length", value: String(body.count))
        head.headers.add(name: "Connection", value: "close")
        var bytes = head.serialized()
        bytes += body
        try? await write(bytes)
    }
}

@available(*, unavailable)
extension ServerConnection: Sendable {}

/// A request head began but did not end within `requestHeadTimeout`: answered 408.
private struct RequestHeadTimeout: Error {}
