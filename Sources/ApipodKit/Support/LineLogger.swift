import Dispatch
import Glibc
import Synchronization

/// Writes log lines to a file descriptor (stderr under systemd) without ever blocking the
/// caller: lines are appended to a buffer and a background queue writes them out, so a slow
/// journal cannot stall an event loop. The queue is woken at most once per `batchDelay` (a
/// wake per line cost a thread switch per request, a sixth of the proxy's CPU in a profile).
/// If the output stays stuck and the buffer passes its limit, new lines are dropped and the
/// number dropped is reported once writing resumes.
public final class LineLogger: Sendable {
    private struct State {
        var buffer: [UInt8] = []
        var flushScheduled = false
        var dropped = 0
    }

    private let fd: Int32
    private let queue = DispatchQueue(label: "apipodctl.log")
    /// Protected by its mutex; written by any thread, drained by `queue`.
    private let state = Mutex(State())
    public static let bufferLimit = 4 << 20
    public static let batchDelay: DispatchTimeInterval = .milliseconds(25)

    public init(fd: Int32 = STDERR_FILENO) {
        self.fd = fd
    }

    /// Queues one line (a newline is added).
    public func log(_ line: String) {
        log(utf8: Array(line.utf8))
    }

    /// Queues one line given as UTF-8 bytes (a newline is added).
    public func log(utf8 line: [UInt8]) {
        let shouldSchedule = state.withLock { state -> Bool in
            guard state.buffer.count < Self.bufferLimit else {
                state.dropped += 1
                return false
            }
            state.buffer.append(contentsOf: line)
            state.buffer.append(UInt8(ascii: "\n"))
            defer { state.flushScheduled = true }
            return !state.flushScheduled
        }
        if shouldSchedule { queue.asyncAfter(deadline: .now() + Self.batchDelay) { self.drain() } }
    }

    /// Waits until every line queued so far is written.
    public func flush() {
        queue.sync { drain() }
    }

    private func drain() {
        while true {
            // While this loop runs, `flushScheduled` stays true so loggers do not schedule another.
            let (bytes, dropped) = state.withLock { state -> ([UInt8], Int) in
                let taken = (state.buffer, state.dropped)
                state.buffer = []
                state.dropped = 0
                if taken.0.isEmpty { state.flushScheduled = false }
                return taken
            }
            if dropped > 0 { write(Array("(\(dropped) log lines dropped: output was blocked)\n".utf8)) }
            if bytes.isEmpty { return }
            write(bytes)
        }
    }

    private func write(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += written
        }
    }
}
