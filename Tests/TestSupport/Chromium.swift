import ApipodKit
import Foundation
import Glibc
import Synchronization

/// Headless Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`):
/// the browser reads commands from its fd 3 and writes replies and events to its fd 4, each
/// message one JSON object ended by a NUL byte. No WebSocket, no driver, no library.
///
/// Flags, all needed in a container: `--headless=new` (no display), `--no-sandbox` (the
/// sandbox needs user namespaces a container does not give), `--disable-gpu`, and a fresh
/// `--user-data-dir` per browser so tests share no profile, cookie or storage.
///
/// Replies are matched to commands by id; events (replies without an id) are kept in arrival
/// order for the test to inspect. The state is owned by `state`'s lock; the reader thread and
/// the test's tasks meet only there.
public final class Chromium: Sendable {
    public static let executable = "/usr/bin/chromium"

    /// One DevTools event: its method, the session (page) it came from, its parameters.
    public struct Event: Sendable {
        public let method: String
        public let session: String?
        public let params: JSONValue
    }

    public enum Failure: Error, CustomStringConvertible {
        case cannotStart(String)
        case protocolError(method: String, message: String)
        case gone
        case timedOut(String)

        public var description: String {
            switch self {
            case .cannotStart(let reason): "chromium could not start: \(reason)"
            case .protocolError(let method, let message): "\(method): \(message)"
            case .gone: "chromium closed its pipe"
            case .timedOut(let what): "timed out: \(what)"
            }
        }
    }

    private struct State {
        var nextID = 0
        var waiting: [Int: CheckedContinuation<JSONValue, any Error>] = [:]
        var events: [Event] = []
        var gone = false
        var stopped = false
    }

    public let pid: pid_t
    private let commands: Int32
    private let replies: Int32
    private let profile = TemporaryDirectory()
    private let state = Mutex(State())

    /// Whether the Debian package is installed; under `CI=true` its absence is a failure
    /// (`.ci/run` installs it), elsewhere the browser tests are skipped.
    public static var isInstalled: Bool { access(executable, X_OK) == 0 }

    public init() throws {
        var toBrowser: [Int32] = [0, 0], fromBrowser: [Int32] = [0, 0]
        guard pipe(&toBrowser) == 0, pipe(&fromBrowser) == 0 else {
            throw Failure.cannotStart("pipe: errno \(errno)")
        }
        // Every end close-on-exec, so no other process a test starts inherits one; the browser's
        // ends are numbered above 4, so that placing them on 3 and 4 is always a real dup2, which
        // clears close-on-exec: the wrapper script and the binary it execs both inherit them.
        let browserReads = fcntl(toBrowser[0], F_DUPFD_CLOEXEC, 10), browserWrites = fcntl(fromBrowser[1], F_DUPFD_CLOEXEC, 10)
        Glibc.close(toBrowser[0])
        Glibc.close(fromBrowser[1])
        commands = toBrowser[1]
        replies = fromBrowser[0]
        _ = fcntl(commands, F_SETFD, FD_CLOEXEC)
        _ = fcntl(replies, F_SETFD, FD_CLOEXEC)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, browserReads, 3)
        posix_spawn_file_actions_adddup2(&actions, browserWrites, 4)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        // D-Bus complaints and the like: kept beside the profile for a failing test to read.
        posix_spawn_file_actions_addopen(&actions, 2, profile.file("stderr.log"), O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let arguments = [
            Self.executable, "--headless=new", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
            "--user-data-dir=\(profile.file("profile"))", "--no-first-run", "--no-default-browser-check", "about:blank",
        ]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var child: pid_t = 0
        let spawned = posix_spawn(&child, Self.executable, &actions, nil, &argv, environ)
        Glibc.close(browserReads)
        Glibc.close(browserWrites)
        guard spawned == 0 else {
            Glibc.close(commands)
            Glibc.close(replies)
            throw Failure.cannotStart("posix_spawn: \(String(cString: strerror(spawned)))")
        }
        pid = child
        let thread = Thread { [self] in readReplies() }
        thread.name = "chromium-pipe"
        thread.start()
    }

    /// Sends a command and waits for its reply's `result`; a protocol error throws. A browser that
    /// does not answer within 30 s (it always answers at once) fails the command rather than the run.
    public func send(_ method: String, _ params: [(String, JSONOutput)] = [], session: String? = nil) async throws -> JSONValue {
        try await withCheckedThrowingContinuation { continuation in
            let id: Int? = state.withLock { state in
                if state.gone { return nil }
                state.nextID += 1
                state.waiting[state.nextID] = continuation
                return state.nextID
            }
            guard let id else { return continuation.resume(throwing: Failure.gone) }
            var members: [(String, JSONOutput)] = [("id", .integer(Int64(id))), ("method", .string(method)), ("params", .object(params))]
            if let session { members.append(("sessionId", .string(session))) }
            let bytes = Array(JSONOutput.object(members).rendered().utf8) + [0]
            guard writeAll(bytes) else { return finish(id, with: .failure(Failure.gone)) }
            Task { [self] in
                try? await Task.sleep(for: .seconds(30))
                finish(id, with: .failure(Failure.timedOut("no reply to \(method)")))
            }
        }
    }

    /// Every event received so far, in order.
    public var events: [Event] { state.withLock { $0.events } }

    /// Opens a tab on `url` with the domains a test listens to enabled before the page loads.
    public func open(_ url: String) async throws -> BrowserPage {
        let target = try await send("Target.createTarget", [("url", .string("about:blank"))])
        guard case .string(let targetID)? = target["targetId"] else { throw Failure.protocolError(method: "Target.createTarget", message: "no targetId") }
        let attached = try await send("Target.attachToTarget", [("targetId", .string(targetID)), ("flatten", .bool(true))])
        guard case .string(let session)? = attached["sessionId"] else { throw Failure.protocolError(method: "Target.attachToTarget", message: "no sessionId") }
        let page = BrowserPage(browser: self, session: session)
        for domain in ["Page", "Runtime", "Log", "Network"] { _ = try await page.send("\(domain).enable") }
        _ = try await page.send("Page.navigate", [("url", .string(url))])
        return page
    }

    /// Asks the browser to close, then ends it by its pid if it has not within five seconds.
    /// Only the first call does anything.
    public func stop() async {
        guard state.withLock({ state in defer { state.stopped = true }; return !state.stopped }) else { return }
        _ = try? await send("Browser.close")
        var reaped = false
        for _ in 0..<100 {
            if waitpid(pid, nil, WNOHANG) == pid {
                reaped = true
                break
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        if !reaped {
            kill(pid, SIGKILL)
            waitpid(pid, nil, 0)
        }
        Glibc.close(commands)
    }

    private func writeAll(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(commands, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return false }
                offset += written
            }
            return true
        }
    }

    private func finish(_ id: Int, with result: Result<JSONValue, any Error>) {
        state.withLock { $0.waiting.removeValue(forKey: id) }?.resume(with: result)
    }

    /// The reader thread: splits the stream at NULs and hands each message to its waiter or to
    /// the event list, until the browser closes its end.
    private func readReplies() {
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(replies, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            pending += chunk[..<count]
            while let end = pending.firstIndex(of: 0) {
                deliver(Array(pending[..<end]))
                pending.removeSubrange(...end)
            }
        }
        Glibc.close(replies)
        let waiters = state.withLock { state in
            state.gone = true
            defer { state.waiting = [:] }
            return Array(state.waiting.values)
        }
        for waiter in waiters { waiter.resume(throwing: Failure.gone) }
    }

    private func deliver(_ message: [UInt8]) {
        guard let value = try? JSONValue.parse(message) else { return }
        if case .number(let id)? = value["id"] {
            if case .object(let error)? = value["error"], case .string(let text)? = error["message"] {
                finish(Int(id), with: .failure(Failure.protocolError(method: "command \(Int(id))", message: text)))
            } else {
                finish(Int(id), with: .success(value["result"] ?? .object([:])))
            }
        } else if case .string(let method)? = value["method"] {
            var session: String?
            if case .string(let id)? = value["sessionId"] { session = id }
            let event = Event(method: method, session: session, params: value["params"] ?? .object([:]))
            state.withLock { $0.events.append(event) }
        }
    }
}

extension JSONValue {
    /// The member `name` of an object; nil for a missing member or a value that is not an object.
    public subscript(name: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members[name]
    }

    public var stringValue: String? {
        guard case .string(let value) = self else { return nil }
        return value
    }

    public var numberValue: Double? {
        guard case .number(let value) = self else { return nil }
        return value
    }

    public var boolValue: Bool? {
        guard case .bool(let value) = self else { return nil }
        return value
    }
}
