import Synchronization

/// The wall-clock time for log lines, formatted once per second instead of once per request.
final class LogClock: Sendable {
    /// Protected by its mutex: the last second formatted and its text.
    private let cache = Mutex<(second: Int64, text: String)>((-1, ""))

    func rfc3339Now() -> String {
        let now = Timestamp.now()
        return cache.withLock { cache in
            if cache.second != now.secondsSinceEpoch {
                cache = (now.secondsSinceEpoch, now.rfc3339)
            }
            return cache.text
        }
    }
}
