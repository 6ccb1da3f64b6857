import Glibc
import Synchronization
import TestSupport
import Testing
@testable import ApipodKit

@Suite(.serialized)
struct SystemdTests {
    @Test func notificationsReachAPathSocketAndAnAbstractOne() async throws {
        let scratch = TemporaryDirectory()
        for socket in [NotifySocket(path: scratch.file("notify")), NotifySocket()] {
            let notifier = try #require(SystemdNotifier(socket: socket.name))
            notifier.send("READY=1\nSTATUS=listening")
            notifier.send("STOPPING=1")
            let messages = try await socket.waitFor { $0 == "STOPPING=1" }
            #expect(messages == ["READY=1\nSTATUS=listening", "STOPPING=1"], "\(socket.name)")
        }
    }

    @Test func aNameSystemdWouldNotGiveMakesNoNotifier() {
        #expect(SystemdNotifier(socket: "") == nil)
        #expect(SystemdNotifier(socket: "relative/path") == nil)
        #expect(SystemdNotifier(socket: "/" + String(repeating: "x", count: 200)) == nil)
    }

    @Test func aSocketNobodyListensOnIsNoError() throws {
        let scratch = TemporaryDirectory()
        let notifier = try #require(SystemdNotifier(socket: scratch.file("nobody")))
        notifier.send("READY=1")
    }

    /// The pings stop while one loop is blocked and start again once it turns. The loop is held
    /// until the test lets it go, so a slow machine only sends fewer pings, never more.
    @Test func watchdogPingsStopWhileALoopIsBlocked() async throws {
        let socket = NotifySocket()
        let notifier = try #require(SystemdNotifier(socket: socket.name))
        let group = try EventLoopGroup(count: 2)
        let watchdog = SystemdWatchdog(notifier: notifier, loops: group.loops, interval: .milliseconds(100))

        #expect(try await socket.waitFor { $0 == "WATCHDOG=1" }.contains("WATCHDOG=1"), "pings while both loops turn")

        let blocked = Atomic<Bool>(false), release = Atomic<Bool>(false)
        let blocker = Task(executorPreference: group.loops[1]) {
            blocked.store(true, ordering: .relaxed)
            let giveUp = ContinuousClock.now + .seconds(20)
            while !release.load(ordering: .relaxed) && ContinuousClock.now < giveUp { usleep(1000) }
        }
        while !blocked.load(ordering: .relaxed) { try await Task.sleep(for: .milliseconds(5)) }
        // A check already under way may still count a beat from before the block.
        try await Task.sleep(for: .milliseconds(150))
        _ = socket.received()
        try await Task.sleep(for: .seconds(1))
        let whileBlocked = socket.received().filter { $0 == "WATCHDOG=1" }.count
        #expect(whileBlocked <= 1, "about ten checks ran while the loop was blocked; \(whileBlocked) pinged")

        release.store(true, ordering: .relaxed)
        await blocker.value
        #expect(try await socket.waitFor { $0 == "WATCHDOG=1" }.contains("WATCHDOG=1"), "pings again once the loop turns")
        await watchdog.stop()
        group.shutdown()
    }
}
