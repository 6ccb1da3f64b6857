import Dispatch
import Glibc
import Synchronization

/// Pings systemd's watchdog (`WATCHDOG=1`) only while every event loop still turns.
///
/// Each loop beats from a task of its own, four times a ping interval, and a ping goes out only
/// when every loop has beaten since the one before. A loop wedged by a blocking call or a spin
/// stops the pings, so systemd restarts the service after `WatchdogSec=`; pings from a healthy
/// side thread alone would have hidden it.
public final class SystemdWatchdog: Sendable {
    /// One loop's beat count: written by that loop's task, read by the checking timer.
    private final class Beat: Sendable {
        let count = Atomic<UInt64>(0)
    }

    private let beats: [Beat]
    private let tasks: [Task<Void, Never>]
    private let timer: RepeatingTimer

    /// Half of `$WATCHDOG_USEC`, as systemd asks, when the watchdog is on for this process
    /// (`$WATCHDOG_PID`, when set, must name it); nil otherwise.
    public static func intervalFromEnvironment() -> Duration? {
        if let pid = getenv("WATCHDOG_PID").flatMap({ Int32(String(cString: $0)) }), pid != getpid() { return nil }
        guard let text = getenv("WATCHDOG_USEC").map({ String(cString: $0) }), let microseconds = Int64(text), microseconds > 0
        else { return nil }
        return .microseconds(microseconds / 2)
    }

    /// Starts beating on every loop of `loops` and checking every `interval`.
    public init(notifier: SystemdNotifier, loops: [EventLoop], interval: Duration) {
        let beats = loops.map { _ in Beat() }
        self.beats = beats
        tasks = zip(loops, beats).map { loop, beat in
            Task(executorPreference: loop) {
                while !Task.isCancelled {
                    beat.count.add(1, ordering: .relaxed)
                    do { try await loop.sleep(for: interval / 4) } catch { return }
                }
            }
        }
        // Touched only by the timer's handler, which dispatch never runs twice at once.
        let seen = Mutex<[UInt64]>(beats.map { _ in 0 })
        let source = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "apipodctl.watchdog"))
        let nanoseconds = Int(interval.components.seconds * 1_000_000_000 + interval.components.attoseconds / 1_000_000_000)
        source.schedule(deadline: .now() + .nanoseconds(nanoseconds), repeating: .nanoseconds(nanoseconds))
        source.setEventHandler {
            let now = beats.map { $0.count.load(ordering: .relaxed) }
            let everyLoopTurned = seen.withLock { seen in
                defer { seen = now }
                return zip(now, seen).allSatisfy { $0 > $1 }
            }
            if everyLoopTurned { notifier.send("WATCHDOG=1") }
        }
        source.resume()
        timer = RepeatingTimer(source)
    }

    /// Stops the pings and waits for the loops' beating tasks to end, so none is left waiting
    /// on a loop that shuts down after this.
    public func stop() async {
        timer.cancel()
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
    }
}
