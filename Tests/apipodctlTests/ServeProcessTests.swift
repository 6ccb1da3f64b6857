import Foundation
import Glibc
import TestSupport
import Testing
@testable import ApipodKit

/// `apipodctl serve` as a separate process, as systemd runs it: keys managed by another
/// process take effect, and SIGTERM drains a stream in flight before exiting 0.
@Suite(.serialized)
struct ServeProcessTests {
    /// A free loopback port: bound, read back, released.
    static func freePort() throws -> UInt16 {
        let group = try EventLoopGroup(count: 1)
        defer { group.shutdown() }
        return try Socket.listen(host: "127.0.0.1", port: 0, on: group.loops[0]).localAddress.port
    }

    /// A `serve` child process; one that a failed test left running is stopped when it goes.
    final class Serve {
        let process: Process
        let port: UInt16
        let log: Pipe

        init(cli: BinaryRunner, upstreamPort: UInt16) throws {
            port = try ServeProcessTests.freePort()
            process = Process()
            process.executableURL = URL(fileURLWithPath: BinaryRunner.binary)
            process.arguments = ["serve", "--host", "127.0.0.1", "--port", String(port), "--upstream", "http://127.0.0.1:\(upstreamPort)"]
            process.environment = cli.environment
            process.currentDirectoryURL = cli.directory
            log = Pipe()
            process.standardError = log
            process.standardOutput = FileHandle.nullDevice
            try process.run()
        }

        deinit {
            if process.isRunning { process.terminate() }
        }

        /// Polls until the server answers /health (a hang guard, not a timing assertion).
        func waitUntilReady(client: TestClient) async throws {
            for _ in 0..<200 {
                if (try? await client.send("GET", "/health"))?.status == 200 { return }
                try await Task.sleep(for: .milliseconds(25))
            }
            Issue.record("serve never became ready")
        }
    }

    @Test func keysManagedByTheCLITakeEffectInARunningServer() async throws {
        let cli = BinaryRunner()
        defer { cli.remove() }
        let upstream = try MockUpstream()
        let group = try EventLoopGroup(count: 1)
        let key = try cli.run("keys", "create", "--name", "alice").stdout.trimmingCharacters(in: .newlines)
        let serve = try Serve(cli: cli, upstreamPort: upstream.port)
        let client = TestClient(loop: group.loops[0], port: serve.port)
        try await serve.waitUntilReady(client: client)

        let auth = [("Authorization", "Bearer \(key)")]
        #expect(try await client.send("POST", "/v1/chat/completions", headers: auth, body: Array(#"{"model":"m"}"#.utf8)).status == 200)
        #expect(try cli.run("keys", "disable", "1").status == 0)
        var status = 200
        for _ in 0..<200 where status == 200 {
            status = try await client.send("POST", "/v1/chat/completions", headers: auth, body: Array(#"{"model":"m"}"#.utf8)).status
            if status == 200 { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(status == 403)

        let second = try cli.run("keys", "create", "--name", "bob").stdout.trimmingCharacters(in: .newlines)
        #expect(try await client.send("POST", "/v1/chat/completions", headers: [("x-api-key", second)], body: Array(#"{"model":"m"}"#.utf8)).status == 200)

        serve.process.terminate()
        serve.process.waitUntilExit()
        #expect(serve.process.terminationStatus == 0)
        let log = String(decoding: serve.log.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(log.contains("listening on http://127.0.0.1:\(serve.port)"))
        #expect(!log.contains(key) && !log.contains(second), "the log never holds a key")
        await upstream.stop()
        group.shutdown()
    }

    /// `keys limit` and `tiers set` in another process reach a running server as key changes
    /// do: the next requests are judged by the new limits (within a second; the loop below only
    /// guards against a hang).
    @Test func limitsSetByTheCLIReachARunningServer() async throws {
        let cli = BinaryRunner()
        defer { cli.remove() }
        let upstream = try MockUpstream()
        let group = try EventLoopGroup(count: 1)
        let key = try cli.run("keys", "create", "--name", "alice").stdout.trimmingCharacters(in: .newlines)
        let serve = try Serve(cli: cli, upstreamPort: upstream.port)
        let client = TestClient(loop: group.loops[0], port: serve.port)
        try await serve.waitUntilReady(client: client)
        let auth = [("Authorization", "Bearer \(key)")]
        func statusUntil(not status: Int) async throws -> Int {
            var seen = status
            for _ in 0..<200 where seen == status {
                seen = try await client.send("POST", "/v1/chat/completions", headers: auth, body: Array(#"{"model":"m"}"#.utf8)).status
                if seen == status { try await Task.sleep(for: .milliseconds(20)) }
            }
            return seen
        }
        for _ in 0..<3 { #expect(try await client.send("POST", "/v1/chat/completions", headers: auth, body: Array(#"{"model":"m"}"#.utf8)).status == 200) }

        #expect(try cli.run("tiers", "set", "elite", "--rpm", "1").status == 0)
        #expect(try await statusUntil(not: 200) == 429, "the tier's limit never reached the server")
        #expect(try cli.run("keys", "limit", "1", "--rpm", "1000").status == 0)
        #expect(try await statusUntil(not: 429) == 200, "the key's own limit never reached the server")
        // The minute spent under the tier's 1 rpm leaves 1,000 rpm at one request per 60 ms, so
        // "rate_limit_exceeded" may answer first; the daily budget's refusal must follow.
        #expect(try cli.run("keys", "limit", "1", "--daily-tokens", "0").status == 0)
        var refusal = ""
        var status = 0
        for _ in 0..<200 where !refusal.contains("insufficient_quota") {
            let answer = try await client.send("POST", "/v1/chat/completions", headers: auth, body: Array(#"{"model":"m"}"#.utf8))
            (refusal, status) = (answer.text, answer.status)
            if !refusal.contains("insufficient_quota") { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(refusal.contains("insufficient_quota"), "the key's daily budget never reached the server")
        #expect(status == 429)

        serve.process.terminate()
        serve.process.waitUntilExit()
        await upstream.stop()
        group.shutdown()
    }

    @Test func sigtermLetsAStreamInFlightFinishThenExitsZero() async throws {
        let cli = BinaryRunner()
        defer { cli.remove() }
        let upstream = try MockUpstream { _, response in
            var head = HTTPResponseHead(status: 200)
            head.headers.add(name: "Content-Type", value: "text/event-stream")
            try await response.start(head)
            for index in 0..<6 {
                try await response.write(Array("data: \(index)\n\n".utf8))
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        let group = try EventLoopGroup(count: 1)
        let key = try cli.run("keys", "create", "--name", "streamer").stdout.trimmingCharacters(in: .newlines)
        let serve = try Serve(cli: cli, upstreamPort: upstream.port)
        let client = TestClient(loop: group.loops[0], port: serve.port)
        try await serve.waitUntilReady(client: client)

        let process = serve.process
        let response = try await client.send(
            "POST", "/v1/chat/completions", headers: [("Authorization", "Bearer \(key)")],
            body: Array(#"{"model":"m","stream":true}"#.utf8)
        ) { count, _ in
            if count == 1 { kill(process.processIdentifier, SIGTERM) }
            return true
        }
        #expect(response.pieces.count == 6, "the stream in flight must finish")
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let log = String(decoding: serve.log.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(log.contains("SIGTERM received"))
        #expect(log.contains("apipodctl serve: stopped"))
        await upstream.stop()
        group.shutdown()
    }

    /// As a `Type=notify` unit with `WatchdogSec=`: ready once listening, pings, then stopping.
    @Test func systemdIsToldReadyPingedAndStopping() async throws {
        var cli = BinaryRunner()
        defer { cli.remove() }
        let notify = NotifySocket()
        cli.environment["NOTIFY_SOCKET"] = notify.name
        cli.environment["WATCHDOG_USEC"] = "200000"
        let upstream = try MockUpstream()
        let serve = try Serve(cli: cli, upstreamPort: upstream.port)

        var messages = try await notify.waitFor { $0 == "WATCHDOG=1" }
        let ready = try #require(messages.first, "nothing reached the notification socket")
        #expect(ready.hasPrefix("READY=1\nMAINPID=\(serve.process.processIdentifier)\nSTATUS=listening on http://127.0.0.1:\(serve.port)"))
        #expect(messages.contains("WATCHDOG=1"))

        serve.process.terminate()
        serve.process.waitUntilExit()
        messages += notify.received()
        #expect(messages.contains { $0.hasPrefix("STOPPING=1\nSTATUS=draining") })
        #expect(serve.process.terminationStatus == 0)
        await upstream.stop()
    }

    /// SIGHUP re-reads the routes file: a good file's rules take over, with RELOADING=1 and
    /// READY=1 around it; a bad one is logged with its field and the running rules stay.
    @Test func sighupReloadsTheRoutesFileAndKeepsTheRulesWhenItIsBad() async throws {
        var cli = BinaryRunner()
        defer { cli.remove() }
        let notify = NotifySocket()
        let routes = cli.directory.appendingPathComponent("routes.json").path
        func writeRoutes(_ text: String) throws { try text.write(toFile: routes, atomically: true, encoding: .utf8) }
        try writeRoutes(#"{"aliases": {"swap": {"targets": [{"model": "first", "weight": 1}]}}}"#)
        cli.environment["ROUTES_FILE"] = routes
        cli.environment["NOTIFY_SOCKET"] = notify.name
        let key = try cli.run("keys", "create", "--name", "reloader").stdout.trimmingCharacters(in: .newlines)
        let upstream = try MockUpstream()
        let group = try EventLoopGroup(count: 1)
        let serve = try Serve(cli: cli, upstreamPort: upstream.port)
        let client = TestClient(loop: group.loops[0], port: serve.port)
        try await serve.waitUntilReady(client: client)
        func routed() async throws -> String {
            try await client.send(
                "POST", "/v1/chat/completions", headers: [("Authorization", "Bearer \(key)")], body: Array(#"{"model":"swap"}"#.utf8)
            ).text
        }
        #expect(try await routed() == #"{"model":"first"}"#)

        try writeRoutes(#"{"aliases": {"swap": {"targets": [{"model": "second", "weight": 1}]}}}"#)
        kill(serve.process.processIdentifier, SIGHUP)
        var messages = try await notify.waitFor { $0.hasPrefix("READY=1\nSTATUS=reloaded") }
        let reloading = try #require(messages.firstIndex { $0.hasPrefix("RELOADING=1\nMONOTONIC_USEC=") }, "\(messages)")
        let ready = try #require(messages.firstIndex { $0.hasPrefix("READY=1\nSTATUS=reloaded") })
        #expect(reloading < ready)
        #expect(try await routed() == #"{"model":"second"}"#)

        try writeRoutes(#"{"aliases": {"swap": {"targets": [{"model": "third", "wieght": 1}]}}}"#)
        kill(serve.process.processIdentifier, SIGHUP)
        messages = try await notify.waitFor { $0.hasPrefix("READY=1\nSTATUS=reload failed") }
        #expect(messages.contains { $0.hasPrefix("READY=1\nSTATUS=reload failed") })
        #expect(try await routed() == #"{"model":"second"}"#, "the running rules stay")

        serve.process.terminate()
        serve.process.waitUntilExit()
        #expect(serve.process.terminationStatus == 0)
        let log = String(decoding: serve.log.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(log.contains("SIGHUP received; reloaded the routing rules"))
        #expect(log.contains("route swap -> second 100 %"))
        #expect(log.contains("SIGHUP received; reload failed; the running rules stay"))
        #expect(log.contains("aliases.swap.targets[0].wieght unknown field"))
        await upstream.stop()
        group.shutdown()
    }

    @Test func aTakenPortExitsWith69() async throws {
        let cli = BinaryRunner()
        defer { cli.remove() }
        let group = try EventLoopGroup(count: 1)
        let holder = try Socket.listen(host: "127.0.0.1", port: 0, on: group.loops[0])
        let port = try holder.localAddress.port
        let result = try cli.run("serve", "--host", "127.0.0.1", "--port", String(port))
        #expect(result.status == 69)
        #expect(result.stderr.contains("cannot listen on 127.0.0.1:\(port)"))
        #expect(result.stderr.contains("address already in use"))
        holder.close()
        group.shutdown()
    }
}
