import Glibc
import Synchronization

/// Answers "may this key be used now?" for every proxied request, from memory when it can.
///
/// It owns the key cache. Entries map a key's digest to its record (or to "unknown"); expiry is
/// judged per request from the record, so only a change in the database can make an entry wrong.
/// A timer on the read worker polls SQLite's `PRAGMA data_version` every 250 ms and empties the
/// cache when another connection (the CLI, or this server's own writer) has committed, so a key
/// created, disabled, enabled or given new limits anywhere takes effect within a second.
/// Last-use times are collected in memory and written by the write worker once a second,
/// behind the requests.
///
/// A cached entry carries the key's `KeyLimiter` (from `limiters`, fetched when the record is
/// loaded), so a request finds its limit state in the entry it already looked up; the limiter
/// outlives the entry, and a reloaded record gets the same one.
///
/// In front of the cache, each event loop may keep a `KeyMemo`: the keys its requests presented,
/// by their text, valid for one `generation` of the cache. A repeated key is then found without
/// hashing it (SHA-256 was 4 % of a proxied request's instructions) and without the cache's
/// lock, which all loops share. A use is marked in the entry itself (`AuthenticatedKey.lastUse`,
/// an atomic); the once-a-second flush collects the marks from the cached entries, and an
/// invalidation collects them before it empties the cache.
public final class KeyAuthenticator: Sendable {
    private let reader: KeyStoreWorker
    private let writer: KeyStoreWorker
    public let limiters: KeyLimiters
    /// Protected by its mutex; emptied on any database change, and when it reaches `cacheLimit`
    /// (so a client spraying random keys cannot grow it without bound).
    private let cache = Mutex(Cache())
    /// The cache's generation, readable without its lock: a memo filled under another
    /// generation is emptied before it is read. Changed only under the cache's lock.
    private let generation = Atomic<UInt64>(0)
    /// Protected by its mutex: key id → latest use, collected from entries the cache dropped
    /// (and from a use marked while an invalidation ran), waiting to be written.
    private let pendingUse = Mutex<[Int64: Timestamp]>([:])
    /// Protected by its mutex: the polling and flushing timers while started.
    private let timers: Mutex<[RepeatingTimer]> = Mutex([])
    private let onError: @Sendable (StorageError) -> Void

    public static let cacheLimit = 10_000
    public static let pollMilliseconds = 250

    public init(
        reader: KeyStoreWorker, writer: KeyStoreWorker, limiters: KeyLimiters,
        onError: @escaping @Sendable (StorageError) -> Void
    ) {
        self.reader = reader
        self.writer = writer
        self.limiters = limiters
        self.onError = onError
    }

    /// Starts polling for changes and flushing last-use times.
    public func start() {
        let lastVersion = Mutex<Int64?>(nil)
        let poll = reader.every(milliseconds: Self.pollMilliseconds) { [weak self] store in
            guard let self else { return }
            do throws(StorageError) {
                let version = try store.dataVersion()
                let changed = lastVersion.withLock { last in
                    defer { last = version }
                    return last != nil && last != version
                }
                if changed { self.invalidate() }
            } catch {
                self.onError(error)
            }
        }
        let flush = writer.every(milliseconds: 1000) { [weak self] store in
            guard let self else { return }
            let batch = self.takeUses()
            do throws(StorageError) { try store.recordUse(batch) } catch { self.onError(error) }
        }
        timers.withLock { $0 = [poll, flush] }
    }

    /// Stops the timers and writes the last-use times still pending.
    public func stop() async {
        for timer in timers.withLock({ $0 }) { timer.cancel() }
        let batch = takeUses()
        do { try await writer.perform { store throws(StorageError) in try store.recordUse(batch) } } catch { onError(error) }
    }

    /// Forgets every cached answer; the next lookups go to the database.
    public func invalidate() {
        cache.withLock { emptyCache(&$0) }
    }

    /// Starts a new generation, so no memo hands out a dropped entry again, and only then
    /// collects the entries' marked uses: a use marked before the change is collected here, one
    /// marked after it is seen by `markUse` and kept in `pendingUse` there.
    private func emptyCache(_ cache: inout Cache) {
        cache.generation &+= 1
        generation.store(cache.generation, ordering: .sequentiallyConsistent)
        let dropped = Self.takeUses(of: cache)
        cache.entries.removeAll(keepingCapacity: true)
        if !dropped.isEmpty { pendingUse.withLock { $0.merge(dropped) { max($0, $1) } } }
    }

    /// The uses marked since the last call, by key: the cached entries' and the dropped ones'.
    private func takeUses() -> [Int64: Timestamp] {
        var batch = cache.withLock { Self.takeUses(of: $0) }
        let pending = pendingUse.withLock { pending in
            defer { pending.removeAll(keepingCapacity: true) }
            return pending
        }
        batch.merge(pending) { max($0, $1) }
        return batch
    }

    /// The uses marked in the cached entries, by key id; the marks are taken (reset).
    private static func takeUses(of cache: Cache) -> [Int64: Timestamp] {
        var marked: [Int64: Timestamp] = [:]
        for case let key? in cache.entries.values {
            if let use = key.takeUse() { marked[key.record.id] = use }
        }
        return marked
    }

    /// Marks a use of `key`, found in generation `seen`. When the generation has moved on
    /// meanwhile, the entry may have been dropped with its marks already collected: the use is
    /// kept in `pendingUse` too, so it is written either way.
    private func markUse(_ key: AuthenticatedKey, at now: Timestamp, seen: UInt64) {
        key.markUse(now)
        if generation.load(ordering: .sequentiallyConsistent) != seen {
            pendingUse.withLock { $0[key.record.id] = max($0[key.record.id] ?? now, now) }
        }
    }

    /// The cached answers, and a count of invalidations: a lookup that read the database
    /// before an invalidation must not put what it read back after it (a key disabled through
    /// the admin API would otherwise pass until the next `data_version` poll).
    private struct Cache {
        var entries: [SHA256.Digest: AuthenticatedKey?] = [:]
        var generation: UInt64 = 0
    }

    /// The verdict for a presented key at `now`, and the key's cache entry when it is known.
    /// Storage errors are reported and treated as "unknown": refusing a request is safer than
    /// letting one through unchecked.
    /// - Parameter memo: the calling loop's memo, consulted first and filled with a known key.
    public func authenticate(
        _ presented: Substring, memo: KeyMemo? = nil, now: Timestamp = .now()
    ) async -> (result: AuthenticationResult, key: AuthenticatedKey?) {
        let seen = self.generation.load(ordering: .sequentiallyConsistent)
        if let memo, let key = memo.key(presented, generation: seen) {
            return verdict(key, at: now, seen: seen)
        }
        guard APIKey.isPlausible(presented) else { return (.unknown, nil) }
        let digest = SHA256.digest(presented.utf8)
        let key: AuthenticatedKey?
        let (cached, generation) = cache.withLock { ($0.entries[digest], $0.generation) }
        if let cached {
            key = cached
        } else {
            let record: KeyRecord?
            do {
                record = try await reader.perform { store throws(StorageError) in try store.key(digest: digest.bytes) }
            } catch {
                onError(error)
                return (.unknown, nil)
            }
            key = record.map { AuthenticatedKey(record: $0, limiter: limiters.limiter(forKey: $0.id)) }
            cache.withLock { cache in
                guard cache.generation == generation else { return }
                if cache.entries.count >= Self.cacheLimit { emptyCache(&cache) }
                cache.entries[digest] = .some(key)
            }
        }
        guard let key else { return (.unknown, nil) }
        // Remembered only under the generation it was read in: a lookup that raced an
        // invalidation leaves the memo alone, as it leaves the cache.
        if generation == seen { memo?.remember(presented, key, generation: seen) }
        return verdict(key, at: now, seen: seen)
    }

    private func verdict(_ key: AuthenticatedKey, at now: Timestamp, seen: UInt64) -> (result: AuthenticationResult, key: AuthenticatedKey?) {
        let result = AuthenticationResult(record: key.record, at: now)
        if case .valid = result { markUse(key, at: now, seen: seen) }
        return (result, key)
    }
}

/// One event loop's memo of the keys its requests presented (see `KeyAuthenticator`): the
/// text as presented → the cache's entry. Only known keys are kept, at most `limit`, so random
/// keys cannot grow it; it is emptied when the cache's generation changes. The text is kept
/// in memory as long as the entry: the price of not hashing every request's key; the database
/// still holds only digests.
public final class KeyMemo: @unchecked Sendable {
    // @unchecked: confined to the owning loop's thread (`PerLoop`). Each access to `entries`
    // is one dictionary call that reaches nothing else here, so the runtime's exclusivity
    // check is off.
    private var generation: UInt64 = 0
    @exclusivity(unchecked) private var entries: [PresentedKey: AuthenticatedKey] = [:]
    static let limit = 1024

    /// A key's text compared and hashed as bytes: Swift's `String` equality is Unicode's
    /// canonical equivalence, under which `\u{212A}` (Kelvin sign) equals `K`, and a key must
    /// match exactly.
    private struct PresentedKey: Hashable {
        let text: Substring

        static func == (left: PresentedKey, right: PresentedKey) -> Bool {
            guard left.text.utf8.count == right.text.utf8.count else { return false }
            let compared = left.text.utf8.withContiguousStorageIfAvailable { leftBytes in
                right.text.utf8.withContiguousStorageIfAvailable { rightBytes in
                    memcmp(leftBytes.baseAddress!, rightBytes.baseAddress!, leftBytes.count) == 0
                }
            }
            return (compared ?? nil) ?? left.text.utf8.elementsEqual(right.text.utf8)
        }

        func hash(into hasher: inout Hasher) {
            let contiguous = text.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
                hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
                return true
            }
            if contiguous == nil { Array(text.utf8).withUnsafeBytes { hasher.combine(bytes: $0) } }
        }
    }

    public init() {}

    func key(_ presented: Substring, generation current: UInt64) -> AuthenticatedKey? {
        guard generation == current else {
            if !entries.isEmpty { entries.removeAll(keepingCapacity: true) }
            generation = current
            return nil
        }
        return entries[PresentedKey(text: presented)]
    }

    func remember(_ presented: Substring, _ key: AuthenticatedKey, generation current: UInt64) {
        guard generation == current else { return }
        if entries.count >= Self.limit { entries.removeAll(keepingCapacity: true) }
        // A copy of the text alone, not of the request head the substring points into.
        entries[PresentedKey(text: Substring(String(presented)))] = key
    }
}

/// A key's record as read, its effective limits worked out once, and its limiter: what the
/// cache holds and a request uses. A class, so a lookup hands out one reference instead of
/// copying the record and its limits through the cache, the lookup and the request.
public final class AuthenticatedKey: Sendable {
    public let record: KeyRecord
    public let limits: KeyLimits
    public let limiter: KeyLimiter
    /// The latest use not yet collected for writing, in seconds since the epoch; 0 when none.
    private let lastUse = Atomic<Int64>(0)

    init(record: KeyRecord, limiter: KeyLimiter) {
        self.record = record
        self.limits = record.effectiveLimits
        self.limiter = limiter
    }

    /// A plain store: last use is kept to the second, and two loops marking at once may leave
    /// the earlier of two neighbouring seconds.
    func markUse(_ time: Timestamp) {
        lastUse.store(time.secondsSinceEpoch, ordering: .sequentiallyConsistent)
    }

    func takeUse() -> Timestamp? {
        let seconds = lastUse.exchange(0, ordering: .sequentiallyConsistent)
        return seconds == 0 ? nil : Timestamp(secondsSinceEpoch: seconds)
    }
}
