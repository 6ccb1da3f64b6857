import Glibc
import Synchronization
import Testing
@testable import ApipodKit

/// The tests of `Sources/ApipodKit/System` (run them with `swift test --filter System`).
/// The time limit is a hang-guard only: every test finishes in well under a second.
@Suite(.timeLimit(.minutes(1)))
enum SystemTests {}

/// A deadline no healthy run reaches: it only turns a hang into a failing test.
func hangGuard() -> Deadline {
    .after(.seconds(10))
}

/// Runs `body` with a fresh group of `count` loops and shuts it down afterwards, even on failure.
func withLoops<T>(_ count: Int = 1, _ body: (EventLoopGroup) async throws -> T) async throws -> T {
    let group = try EventLoopGroup(count: count)
    defer { group.shutdown() }
    return try await body(group)
}

/// Both ends of a non-blocking Unix stream pair, as raw descriptors the test owns.
func makeDescriptorPair() throws -> (Int32, Int32) {
    var fds: [Int32] = [-1, -1]
    let flags = Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue)
    guard socketpair(AF_UNIX, flags, 0, &fds) == 0 else {
        throw SocketError.failed(operation: "socketpair", errno: errno)
    }
    return (fds[0], fds[1])
}

/// Writes a short text to a raw descriptor (small enough never to block).
func writeText(_ text: String, to fd: Int32) {
    let written = Array(text.utf8).withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    #expect(written == text.utf8.count)
}

/// Suspends (on `loop`) until at least `count` waits are suspended there. It polls with
/// `Task.yield`, so it orders the test's steps without measuring time; it stops when the test
/// is cancelled (by its time limit), so a wait that never comes fails the test, not the run.
func waitUntilSuspended(_ count: Int, on loop: EventLoop) async throws {
    try await withTaskExecutorPreference(loop) {
        while loop.suspendedWaitCount < count {
            try Task.checkCancellation()
            await Task.yield()
        }
    }
}

/// The number of waits suspended on `loop` right now.
func suspendedWaits(on loop: EventLoop) async -> Int {
    await withTaskExecutorPreference(loop) { loop.suspendedWaitCount }
}

extension Socket {
    /// One read of up to `limit` bytes, as text.
    func readText(limit: Int = 1024, deadline: Deadline = hangGuard(), abortingOnHangupOf watched: Socket? = nil) async throws -> String {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: limit, alignment: 1)
        defer { buffer.deallocate() }
        let count = try await read(into: buffer, deadline: deadline, abortingOnHangupOf: watched)
        return String(decoding: UnsafeRawBufferPointer(rebasing: buffer[0..<count]), as: UTF8.self)
    }

    /// Reads until end of stream.
    func readToEnd(deadline: Deadline = hangGuard()) async throws -> String {
        var text = ""
        while true {
            let chunk = try await readText(deadline: deadline)
            if chunk.isEmpty { return text }
            text += chunk
        }
    }

    func writeText(_ text: String) async throws {
        let bytes = Array(text.utf8)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
        defer { buffer.deallocate() }
        buffer.copyBytes(from: bytes)
        try await write(UnsafeRawBufferPointer(buffer), deadline: hangGuard())
    }
}

/// Collects values from tasks on any thread, in the order they arrive.
final class Recorder: Sendable {
    private let storage = Mutex<[Int]>([])

    func append(_ value: Int) {
        storage.withLock { $0.append(value) }
    }

    var values: [Int] {
        storage.withLock { $0 }
    }
}
