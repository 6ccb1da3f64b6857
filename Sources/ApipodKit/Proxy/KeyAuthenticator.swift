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
public final class KeyAuthenticator: Sendable {
    private let reader: KeyStoreWorker
    private let writer: KeyStoreWorker
    public let limiters: KeyLimiters
    /// Protected by its mutex; emptied on any database change, and when it reaches `cacheLimit`
    /// (so a client spraying random keys cannot grow it without bound).
    private let cache = Mutex(Cache())
    /// Protected by its mutex: key id → latest use, waiting to be written.
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
            let batch = self.pendingUse.withLock { pending in
                defer { pending.removeAll(keepingCapacity: true) }
                return pending
            }
            do throws(StorageError) { try store.recordUse(batch) } catch { self.onError(error) }
        }
        timers.withLock { $0 = [poll, flush] }
    }

    /// Stops the timers and writes the last-use times still pending.
    public func stop() async {
        for timer in timers.withLock({ $0 }) { timer.cancel() }
        let batch = pendingUse.withLock { pending in
            defer { pending.removeAll() }
            return pending
        }
        do { try await writer.perform { store throws(StorageError) in try store.recordUse(batch) } } catch { onError(error) }
    }

    /// Forgets every cached answer; the next lookups go to the database.
    public func invalidate() {
        cache.withLock { cache in
            cache.entries.removeAll(keepingCapacity: true)
            cache.generation &+= 1
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
    public func authenticate(_ presented: Substring, now: Timestamp = .now()) async -> (result: AuthenticationResult, key: AuthenticatedKey?) {
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
                if cache.entries.count >= Self.cacheLimit { cache.entries.removeAll(keepingCapacity: true) }
                cache.entries[digest] = .some(key)
            }
        }
        guard let key else { return (.unknown, nil) }
        let result = AuthenticationResult(record: key.record, at: now)
        if case .valid = result {
            pendingUse.withLock { $0[key.record.id] = now }
        }
        return (result, key)
    }
}

/// A key's record as read, its effective limits worked out once, and its limiter: what the
/// cache holds and a request uses. A class, so a lookup hands out one reference instead of
/// copying the record and its limits through the cache, the lookup and the request.
public final class AuthenticatedKey: Sendable {
    public let record: KeyRecord
    public let limits: KeyLimits
    public let limiter: KeyLimiter

    init(record: KeyRecord, limiter: KeyLimiter) {
        self.record = record
        self.limits = record.effectiveLimits
        self.limiter = limiter
    }
}
