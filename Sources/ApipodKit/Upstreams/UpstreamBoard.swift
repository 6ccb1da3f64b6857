import Glibc
import Synchronization

/// The live state of every provider and model (SPEC §8, cooling down): which are skipped for a
/// while and until when, with the last status and error and counts of attempts and failures,
/// for the candidate order and for `GET /admin/upstreams`.
///
/// A model cools after a 429 or 529 (it is rate-limited; its provider still serves others); a
/// provider cools after it could not be reached, gave no head in time, broke off, or answered
/// another 5xx. The cooldown is the upstream's `Retry-After` when it sent one (at most
/// `longestRetryAfter`), otherwise `firstCooldown` doubling with each further failure up to
/// `longestCooldown`; one success ends it and resets the doubling.
///
/// Shared by every event loop; its state is owned by its mutex. A check on the request path is
/// one atomic load while nothing cools (`latestUntil` is in the past), so the lock is taken
/// only to record an attempt's outcome or when something does cool.
public final class UpstreamBoard: Sendable {
    public static let firstCooldown: Int64 = 5_000
    public static let longestCooldown: Int64 = 300_000
    public static let longestRetryAfter: Int64 = 600_000
    /// Models beyond this many (clients may name any) are not tracked: a flood of invented names
    /// cannot grow the board. Configured models are registered first and always fit.
    public static let modelCapacity = 1024

    /// How one attempt ended, as the board judges it.
    public enum Outcome: Sendable, Equatable {
        /// A response head; `retryAfter` is its `Retry-After` field, if any.
        case status(Int, retryAfter: String?)
        case unreachable(String)
        case timeout(String)
        case broken(String)
    }

    /// One provider's or model's row, as `/admin/upstreams` shows it.
    public struct Row: Sendable, Equatable {
        public let name: String
        /// The model's provider; nil for a provider's own row.
        public let provider: String?
        /// Milliseconds since the epoch; nil when not cooling.
        public let coolingUntil: Int64?
        public let lastStatus: Int?
        public let lastError: String?
        public let attempts: Int
        public let failures: Int
    }

    private struct Entry {
        var provider: String?
        var until: Int64 = 0
        var lastStatus: Int?
        var lastError: String?
        var attempts = 0
        var failures = 0
        /// Failures since the last success, for the doubling.
        var streak = 0

        mutating func succeed(status: Int) {
            attempts += 1
            lastStatus = status
            until = 0
            streak = 0
        }

        /// A failure that is not this entry's own (its provider's): counted, not cooled.
        mutating func count(status: Int?, error: String) {
            attempts += 1
            failures += 1
            if let status { lastStatus = status }
            lastError = error
        }

        mutating func fail(status: Int?, error: String?, retryAfter: Int64?, now: Int64) {
            attempts += 1
            failures += 1
            lastStatus = status
            lastError = error
            streak += 1
            let doubled = UpstreamBoard.firstCooldown << Int64(min(streak - 1, 16))
            let wait = retryAfter.map { min($0, UpstreamBoard.longestRetryAfter) } ?? min(doubled, UpstreamBoard.longestCooldown)
            until = max(until, now + wait)
        }
    }

    private struct State {
        var providers: [String: Entry] = [:]
        var models: [String: Entry] = [:]
    }

    private let state = Mutex(State())
    /// The latest cooldown end ever set, in milliseconds; while the clock is past it nothing
    /// cools and a check needs no lock.
    private let latestUntil = Atomic<Int64>(0)
    /// Milliseconds since the epoch; injectable so tests can move time.
    private let clock: @Sendable () -> Int64

    public init(clock: @escaping @Sendable () -> Int64 = UpstreamBoard.wallClockMilliseconds) {
        self.clock = clock
    }

    public static let wallClockMilliseconds: @Sendable () -> Int64 = {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }

    /// Makes the configured providers and models show on the board before any request.
    public func register(providers: [String], models: [(name: String, provider: String)]) {
        state.withLock { state in
            for name in providers where state.providers[name] == nil { state.providers[name] = Entry() }
            for model in models {
                if state.models[model.name] == nil, state.models.count < Self.modelCapacity {
                    state.models[model.name] = Entry(provider: model.provider)
                } else {
                    state.models[model.name]?.provider = model.provider
                }
            }
        }
    }

    /// Whether anything may be cooling now; when not, no candidate needs to be asked about
    /// (`coolingUntil` would say nil for each).
    public var mayBeCooling: Bool {
        let latest = latestUntil.load(ordering: .relaxed)
        return latest > 0 && clock() < latest
    }

    /// When the model, or its provider, stops cooling (milliseconds since the epoch), or nil
    /// when it may be tried now.
    public func coolingUntil(model: String, provider: String) -> Int64? {
        let latest = latestUntil.load(ordering: .relaxed)
        // Nothing has ever cooled: not even the clock is read.
        guard latest > 0 else { return nil }
        let now = clock()
        guard now < latest else { return nil }
        let until = state.withLock { state in
            max(state.models[model]?.until ?? 0, state.providers[provider]?.until ?? 0)
        }
        return until > now ? until : nil
    }

    /// Records how an attempt at `model` on `provider` ended.
    public func record(model: String, provider: String, _ outcome: Outcome) {
        let now = clock()
        var wait: Int64?
        if case .status(_, let retryAfter?) = outcome { wait = RetryAfter.delay(retryAfter, nowMilliseconds: now) }
        state.withLock { state in
            // Each entry changed in place: one lookup, no copy out and back.
            let providerUntil = Self.update(provider: &state.providers[provider, default: Entry()], outcome, wait: wait, now: now)
            var modelUntil: Int64 = 0
            if state.models[model] != nil || state.models.count < Self.modelCapacity {
                modelUntil = Self.update(model: &state.models[model, default: Entry()], provider: provider, outcome, wait: wait, now: now)
            }
            let latest = max(providerUntil, modelUntil)
            if latest > latestUntil.load(ordering: .relaxed) { latestUntil.store(latest, ordering: .relaxed) }
        }
    }

    /// A provider fails on anything that says it is unwell: no connection, no head in time, a
    /// broken answer, a 5xx other than 529. A rate limit or any other answer shows it is up.
    private static func update(provider entry: inout Entry, _ outcome: Outcome, wait: Int64?, now: Int64) -> Int64 {
        switch outcome {
        case .status(let status, _) where status >= 500 && status != 529:
            entry.fail(status: status, error: "HTTP \(status)", retryAfter: wait, now: now)
        case .status(let status, _):
            entry.succeed(status: status)
        case .unreachable(let error), .timeout(let error), .broken(let error):
            entry.fail(status: nil, error: error, retryAfter: nil, now: now)
        }
        return entry.until
    }

    /// A model cools only on its own rate limit (429, 529); a failure of its provider is counted
    /// against it but cools the provider instead.
    private static func update(model entry: inout Entry, provider: String, _ outcome: Outcome, wait: Int64?, now: Int64) -> Int64 {
        entry.provider = provider
        switch outcome {
        case .status(let status, _) where status == 429 || status == 529:
            entry.fail(status: status, error: "HTTP \(status)", retryAfter: wait, now: now)
        case .status(let status, _) where status >= 500:
            entry.count(status: status, error: "HTTP \(status)")
        case .status(let status, _):
            entry.succeed(status: status)
        case .unreachable(let error), .timeout(let error), .broken(let error):
            entry.count(status: nil, error: error)
        }
        return entry.until
    }

    /// Every provider and model, each sorted by name, as of now.
    public func rows() -> (providers: [Row], models: [Row]) {
        let now = clock()
        return state.withLock { state in
            func rows(_ entries: [String: Entry]) -> [Row] {
                entries.keys.sorted().map { name in
                    let entry = entries[name]!
                    return Row(
                        name: name, provider: entry.provider, coolingUntil: entry.until > now ? entry.until : nil,
                        lastStatus: entry.lastStatus, lastError: entry.lastError, attempts: entry.attempts, failures: entry.failures)
                }
            }
            return (rows(state.providers), rows(state.models))
        }
    }
}
