import Glibc
import Synchronization

/// What the URLSession delegate has received for one request and the waiting task has not
/// yet taken. Written on the delegate queue, read by the request's task; protected by its mutex.
/// The library holds it (through an unmanaged reference) from the task's start to its finish.
final class URLSessionExchange: @unchecked Sendable {
    // `task` and `descriptor` never change; `state` is protected by its mutex, and the
    // descriptor is signalled only while `state.open` (so never after the task closed it).
    let task: HTTPSTask
    private let descriptor: Int32
    private let state = Mutex(State())

    struct State {
        var head: HTTPResponseHead?
        var pieces: [[UInt8]] = []
        var buffered = 0
        var suspended = false
        var outcome: HTTPClientError??
        var open = true
    }

    enum Next {
        case piece([UInt8])
        case end
        case failed(HTTPClientError)
        case nothingYet
    }

    init(task: HTTPSTask, descriptor: Int32) {
        self.task = task
        self.descriptor = descriptor
    }

    deinit {
        task.release()
    }

    /// The exchange a library callback's context names (the library still holds it).
    static func from(_ context: UnsafeMutableRawPointer) -> URLSessionExchange {
        Unmanaged<URLSessionExchange>.fromOpaque(context).takeUnretainedValue()
    }

    func deliver(head: HTTPResponseHead) {
        update { $0.head = head }
    }

    func deliver(data: [UInt8]) {
        let suspend = update { state -> Bool in
            state.pieces.append(data)
            state.buffered += data.count
            guard !state.suspended, state.buffered > URLSessionClient.suspendAbove else { return false }
            state.suspended = true
            return true
        }
        if suspend { task.suspend() }
    }

    func finish(error: HTTPClientError?) {
        update { $0.outcome = .some(error) }
    }

    var head: HTTPResponseHead? { state.withLock { $0.head } }

    /// The size of the oldest piece not yet taken; 0 when none is waiting.
    var firstPieceByteCount: Int { state.withLock { $0.pieces.first?.count ?? 0 } }

    /// Whether the exchange failed before a head arrived, and how.
    var failureBeforeHead: HTTPClientError? {
        state.withLock { state in
            guard state.head == nil, case .some(.some(let error)) = state.outcome else { return nil }
            return error
        }
    }

    var endedWithoutHead: Bool {
        state.withLock { $0.head == nil && $0.outcome != nil }
    }

    func take() -> Next {
        let (next, resume) = state.withLock { state -> (Next, Bool) in
            if !state.pieces.isEmpty {
                let piece = state.pieces.removeFirst()
                state.buffered -= piece.count
                let resume = state.suspended && state.buffered <= URLSessionClient.suspendAbove / 2
                if resume { state.suspended = false }
                return (.piece(piece), resume)
            }
            switch state.outcome {
            case .some(.none): return (.end, false)
            case .some(.some(let error)): return (.failed(error), false)
            case .none: return (.nothingYet, false)
            }
        }
        if resume { task.resume() }
        return next
    }

    /// Stops signalling and cancels the request if it is still running.
    func close() {
        let running = state.withLock { state -> Bool in
            state.open = false
            return state.outcome == nil
        }
        if running { task.cancel() }
    }

    /// Applies a change and wakes the waiting task.
    @discardableResult
    private func update<Result>(_ change: (inout State) -> Result) -> Result {
        state.withLock { state in
            let result = change(&state)
            if state.open {
                var one: UInt64 = 1
                _ = Glibc.write(descriptor, &one, 8)
            }
            return result
        }
    }
}

/// The `UpstreamAnswer` of a URLSession exchange.
final class URLSessionAnswer: UpstreamAnswer {
    private let exchange: URLSessionExchange
    private let signal: Socket
    private let configuration: HTTPClientConfiguration
    private(set) var head = HTTPResponseHead(status: 502)
    let isStreamed = true
    var bufferedBodyByteCount: Int { exchange.firstPieceByteCount }
    /// The delegate hands over whole pieces, so any buffered byte is one.
    var hasPieceReady: Bool { exchange.firstPieceByteCount > 0 }
    private(set) var isComplete = false

    init(exchange: URLSessionExchange, signal: Socket, configuration: HTTPClientConfiguration) {
        self.exchange = exchange
        self.signal = signal
        self.configuration = configuration
    }

    deinit {
        close()
    }

    func waitForHead(watching client: Socket?) async throws {
        let deadline = Deadline.after(configuration.responseHeadTimeout)
        while true {
            if let head = exchange.head {
                self.head = head
                return
            }
            if let failure = exchange.failureBeforeHead { throw failure }
            if exchange.endedWithoutHead { throw HTTPClientError.badResponse("the upstream sent no response") }
            try await wait(deadline: deadline, watching: client, timeout: .responseTimeout("no response head in time"))
        }
    }

    func nextPiece(watching client: Socket?) async throws -> ArraySlice<UInt8>? {
        while true {
            switch exchange.take() {
            case .piece(let bytes): return bytes[...]
            case .end:
                isComplete = true
                return nil
            case .failed(let error): throw error
            case .nothingYet:
                try await wait(deadline: .after(configuration.bodyIdleTimeout), watching: client, timeout: .badResponse("the upstream went silent"))
            }
        }
    }

    func close() {
        exchange.close()
        signal.close()
    }

    private func wait(deadline: Deadline, watching client: Socket?, timeout: HTTPClientError) async throws {
        do {
            try await signal.waitReadable(deadline: deadline, abortingOnHangupOf: client)
            // read(2), not the socket's own reads: recv on an eventfd fails (ENOTSOCK).
            var counter: UInt64 = 0
            _ = Glibc.read(signal.fileDescriptor, &counter, 8)
        } catch let error as SocketError {
            close()
            if case .timedOut = error { throw timeout }
            throw error
        }
    }
}
