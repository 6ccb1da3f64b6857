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
/// one atomic load while nothing cools (`latestUntil` is in the past). Recording an answer that
/// is a success for both the model and its provider takes no lock either while every entry is
/// settled (`unsettled` is zero: none has a failure streak or a cooldown to end): the request's
/// loop finds both entries in its own cache (`BoardEntries`) and counts the attempt in their
/// atomics. Anything else — a failure, a success that ends a streak, a name the loop has not
/// met — takes the lock.
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

    /// One provider's or model's row. The counts and the last status are atomics, so a success
    /// can be counted without the lock; everything else is owned by the board's mutex.
    final class Entry: @unchecked Sendable {
        // @unchecked: the `var`s are touched only under the board's mutex.
        let attempts = Atomic<Int>(0)
        /// 0 before any answer.
        let lastStatus = Atomic<Int>(0)
        var provider: String?
        var until: Int64 = 0
        var lastError: String?
        var failures = 0
        /// Failures since the last success, for the doubling.
        var streak = 0

        init(provider: String? = nil) {
            self.provider = provider
        }

        /// Whether a success would change nothing but the counts.
        var isSettled: Bool { streak == 0 && until == 0 }

        /// Counts an answered attempt; all a success changes while the entry is settled, so it
        /// needs no lock.
        func countAnswer(status: Int) {
            attempts.add(1, ordering: .relaxed)
            lastStatus.store(status, ordering: .relaxed)
        }

        func succeed(status: Int) {
            countAnswer(status: status)
            until = 0
            streak = 0
        }

        /// A failure that is not this entry's own (its provider's): counted, not cooled.
        func count(status: Int?, error: String) {
            attempts.add(1, ordering: .relaxed)
            failures += 1
            if let status { lastStatus.store(status, ordering: .relaxed) }
            lastError = error
        }

        func fail(status: Int?, error: String?, retryAfter: Int64?, now: Int64) {
            attempts.add(1, ordering: .relaxed)
            failures += 1
            lastStatus.store(status ?? 0, ordering: .relaxed)
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
    /// How many entries are not settled (a failure streak or a cooldown a success must end);
    /// changed only under the lock. While it is zero a success is counted without the lock.
    private let unsettled = Atomic<Int>(0)
    /// Each loop's cache of the entries its requests met; empty without loops (then every
    /// record takes the lock).
    private let caches: PerLoop<BoardEntries>
    /// Milliseconds since the epoch; injectable so tests can move time.
    private let clock: @Sendable () -> Int64

    public init(clock: @escaping @Sendable () -> Int64 = UpstreamBoard.wallClockMilliseconds, loops: [EventLoop] = []) {
        self.clock = clock
        caches = PerLoop(loops) { BoardEntries() }
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
                if let entry = state.models[model.name] {
                    entry.provider = model.provider
                } else if state.models.count < Self.modelCapacity {
                    state.models[model.name] = Entry(provider: model.provider)
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
    /// - Parameter loop: the calling thread's loop, whose entry cache may spare the lock; nil
    ///   (tests, or work off the loops) always takes it.
    public func record(model: String, provider: String, _ outcome: Outcome, on loop: EventLoop? = nil) {
        if let loop, !caches.shards.isEmpty, case .status(let status, _) = outcome, Self.settlesBoth(status),
           unsettled.load(ordering: .acquiring) == 0 {
            let cache = caches.on(loop)
            if let (modelEntry, providerEntry) = cache.entries(model: model, provider: provider) {
                modelEntry?.countAnswer(status: status)
                providerEntry.countAnswer(status: status)
                return
            }
            let found = recordLocked(model: model, provider: provider, outcome)
            cache.remember(model: model, provider: provider, found.model, found.provider)
            return
        }
        recordLocked(model: model, provider: provider, outcome)
    }

    /// A status after which both the model and its provider succeed: below 500, not a 429.
    private static func settlesBoth(_ status: Int) -> Bool {
        status < 500 && status != 429
    }

    @discardableResult
    private func recordLocked(model: String, provider: String, _ outcome: Outcome) -> (model: Entry?, provider: Entry) {
        let now = clock()
        var wait: Int64?
        if case .status(_, let retryAfter?) = outcome { wait = RetryAfter.delay(retryAfter, nowMilliseconds: now) }
        return state.withLock { state in
            let providerEntry = state.providers[provider] ?? Entry()
            state.providers[provider] = providerEntry
            var settledChange = 0
            let providerWasSettled = providerEntry.isSettled
            let providerUntil = Self.update(provider: providerEntry, outcome, wait: wait, now: now)
            settledChange += Self.change(providerWasSettled, providerEntry.isSettled)
            var modelEntry = state.models[model]
            if modelEntry == nil, state.models.count < Self.modelCapacity {
                modelEntry = Entry()
                state.models[model] = modelEntry
            }
            var modelUntil: Int64 = 0
            if let modelEntry {
                let modelWasSettled = modelEntry.isSettled
                modelUntil = Self.update(model: modelEntry, provider: provider, outcome, wait: wait, now: now)
                settledChange += Self.change(modelWasSettled, modelEntry.isSettled)
            }
            if settledChange != 0 { unsettled.add(settledChange, ordering: .releasing) }
            let latest = max(providerUntil, modelUntil)
            if latest > latestUntil.load(ordering: .relaxed) { latestUntil.store(latest, ordering: .relaxed) }
            return (modelEntry, providerEntry)
        }
    }

    /// +1 when an entry became unsettled, -1 when it settled, else 0.
    private static func change(_ wasSettled: Bool, _ isSettled: Bool) -> Int {
        wasSettled == isSettled ? 0 : (isSettled ? -1 : 1)
    }

    /// A provider fails on anything that says it is unwell: no connection, no head in time, a
    /// broken answer, a 5xx other than 529. A rate limit or any other answer shows it is up.
    private static func update(provider entry: Entry, _ outcome: Outcome, wait: Int64?, now: Int64) -> Int64 {
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
    private static func update(model entry: Entry, provider: String, _ outcome: Outcome, wait: Int64?, now: Int64) -> Int64 {
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
                    let lastStatus = entry.lastStatus.load(ordering: .relaxed)
                    return Row(
                        name: name, provider: entry.provider, coolingUntil: entry.until > now ? entry.until : nil,
                        lastStatus: lastStatus == 0 ? nil : lastStatus, lastError: entry.lastError,
                        attempts: entry.attempts.load(ordering: .relaxed), failures: entry.failures)
                }
            }
            return (rows(state.providers), rows(state.models))
        }
    }
}

/// One loop's cache of the board's entries its requests met (see `UpstreamBoard`): a model's
/// entry with the provider it was recorded for, and the providers'. Only that loop's thread
/// touches it. Entries are never removed from the board, so a cached one stays valid.
final class BoardEntries: @unchecked Sendable {
    // @unchecked: confined to the owning loop's thread (`PerLoop`). Each access is one
    // dictionary call that reaches nothing else here, so the runtime's exclusivity check is off.
    @exclusivity(unchecked) private var models: [String: (provider: String, entry: UpstreamBoard.Entry?)] = [:]
    @exclusivity(unchecked) private var providers: [String: UpstreamBoard.Entry] = [:]

    /// Both entries when this loop has met the pair (a model beyond the board's capacity has
    /// none), nil when it has not: the caller then records under the lock and remembers.
    func entries(model: String, provider: String) -> (UpstreamBoard.Entry?, UpstreamBoard.Entry)? {
        guard let cached = models[model], cached.provider == provider, let providerEntry = providers[provider] else { return nil }
        return (cached.entry, providerEntry)
    }

    func remember(model: String, provider: String, _ modelEntry: UpstreamBoard.Entry?, _ providerEntry: UpstreamBoard.Entry) {
        // Bounded like the board: names clients invent beyond its capacity are not kept.
        if models.count < UpstreamBoard.modelCapacity || models[model] != nil { models[model] = (provider, modelEntry) }
        providers[provider] = providerEntry
    }
}
