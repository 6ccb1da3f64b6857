import Synchronization

/// Takes every proxied request's usage record off the request path and into SQLite (SPEC §9).
///
/// A request appends its record to its own event loop's buffer (`UsageShard`): a plain array
/// append on memory only that loop's thread touches, no lock and no atomic. Once a second the
/// writer's timer (on the write worker's queue, never a loop) asks each loop, by a message
/// posted to it, to hand its buffer over; the loops put their batches into `handedOver` (a
/// mutex taken once per loop per second, never by a request), the last of them queues the write,
/// and the writer folds them into hourly buckets, prices them and upserts them in one
/// transaction. Nothing blocks a thread while the loops answer. So a crash loses at most
/// the last second's records, and `stop` (after the server has drained) writes everything left.
/// Buckets past the retention are pruned at start and once a day.
final class UsageRecorder: Sendable {
    private let shards: PerLoop<UsageShard>
    private let writer: KeyStoreWorker
    private let pricing: UsagePricing?
    private let onError: @Sendable (StorageError) -> Void
    /// Protected by its mutex: batches the loops handed over, not yet folded.
    private let handedOver = Mutex<[UsageRecord]>([])
    /// Protected by its mutex: the flushing timer while started.
    private let timer = Mutex<RepeatingTimer?>(nil)
    /// Confined to the writer's queue: buckets folded but not yet written (kept when a write
    /// fails, so the next tick tries again), and when buckets were last pruned.
    private let pending = WriterState()

    private final class WriterState: @unchecked Sendable {
        // Only touched inside blocks the write worker runs on its serial queue.
        var buckets = UsageBuckets()
        var lastPrune: Int64 = 0
    }

    static let flushMilliseconds = 1000

    init(loops: [EventLoop], writer: KeyStoreWorker, pricing: UsagePricing?, onError: @escaping @Sendable (StorageError) -> Void) {
        shards = PerLoop(loops) { UsageShard() }
        self.writer = writer
        self.pricing = pricing
        self.onError = onError
    }

    /// Keeps one finished request's record; called on `loop`'s own thread.
    func record(_ record: UsageRecord, on loop: EventLoop) {
        shards.on(loop).records.append(record)
    }

    /// Starts the once-a-second writes (the first prunes old buckets).
    func start() {
        let flush = writer.every(milliseconds: Self.flushMilliseconds) { [weak self] _ in
            guard let self else { return }
            gatherFromLoops { self.writer.run { store in self.write(store, now: Timestamp.now()) } }
        }
        timer.withLock { $0 = flush }
    }

    /// Stops the timer and writes every record still held. Call after the server has drained,
    /// while the loops still run.
    func stop() async {
        timer.withLock { $0?.cancel() }
        await withUnsafeContinuation { (written: UnsafeContinuation<Void, Never>) in
            gatherFromLoops {
                self.writer.run { store in
                    self.write(store, now: Timestamp.now())
                    written.resume()
                }
            }
        }
    }

    /// On the writer's queue: folds what the loops handed over and writes it.
    private func write(_ store: KeyStore, now: Timestamp) {
        let records = handedOver.withLock { records in
            defer { records.removeAll(keepingCapacity: true) }
            return records
        }
        for record in records { pending.buckets.add(record, pricing: pricing) }
        do throws(StorageError) {
            try store.addUsage(pending.buckets)
            pending.buckets = UsageBuckets()
            if now.secondsSinceEpoch - pending.lastPrune >= 86_400 {
                try store.pruneUsage(now: now)
                pending.lastPrune = now.secondsSinceEpoch
            }
        } catch {
            onError(error)
        }
    }

    /// Asks every loop, by a message posted to it, to hand its buffer over; the last loop to
    /// answer calls `then`. Nobody waits: a loop answers between two of its events.
    private func gatherFromLoops(then: @escaping @Sendable () -> Void) {
        let remaining = Countdown(shards.shards.count)
        for (loop, shard) in shards.shards {
            loop.post(.run { [self] in
                let records = shard.take()
                if !records.isEmpty { handedOver.withLock { $0.append(contentsOf: records) } }
                if remaining.arrive() { then() }
            })
        }
    }
}

/// Counts the loops still to answer a hand-over; the one that brings it to zero learns it.
private final class Countdown: Sendable {
    private let left: Atomic<Int>

    init(_ count: Int) {
        left = Atomic(count)
    }

    func arrive() -> Bool {
        left.subtract(1, ordering: .acquiringAndReleasing).newValue == 0
    }
}

/// One event loop's records since the last hand-over. Only that loop's thread touches it (see
/// `UsageRecorder`), so appending needs no lock.
final class UsageShard: @unchecked Sendable {
    // @unchecked: confined to the owning loop's thread. Each access is one append or one
    // hand-over, so the runtime's exclusivity check is off.
    @exclusivity(unchecked) var records: [UsageRecord] = []

    func take() -> [UsageRecord] {
        defer { records = [] }
        return records
    }
}

extension UsageRecord {
    /// The record of a finished request, or nil when it never passed the key check (nobody to
    /// count it for). A refusal (a limit, a bad body) and a client that hung up are errors too.
    init?(_ entry: RequestLogEntry, now: Timestamp = .now()) {
        guard let keyID = entry.keyID else { return nil }
        self.init(
            keyID: keyID, requestedModel: entry.requestedModel,
            model: entry.answeredModel ?? entry.routedModel ?? entry.requestedModel ?? "",
            status: entry.status, tokens: entry.tokens ?? TokenUsage(), isError: UsageRecord.isError(status: entry.status),
            time: now.secondsSinceEpoch)
    }
}
