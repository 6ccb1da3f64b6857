import Dispatch

/// Runs one `KeyStore` on its own serial queue, so SQLite's blocking calls (a busy lock held by
/// `apipodctl keys …` in another process, a slow disk) never run on an event loop thread.
/// The server keeps two: one for reads (lookups and change polling) and one for writes, so a
/// lookup never queues behind a slow write.
public final class KeyStoreWorker: Sendable {
    /// The store, touched only by blocks running on `queue`.
    private let box: StoreBox
    private let queue: DispatchQueue

    private final class StoreBox: @unchecked Sendable {
        // Confined to the worker's serial queue: every access happens inside `queue.async`.
        let store: KeyStore
        init(_ store: KeyStore) { self.store = store }
    }

    /// Set when the database file is open to users other than its owner.
    public let looseMode: LooseDatabaseMode?

    /// Opens the store on the calling thread (before serving, so errors stop startup).
    public init(path: String, opening: StoreOpening, label: String) throws(StorageError) {
        let store = try KeyStore(path: path, opening: opening)
        looseMode = store.looseMode
        box = StoreBox(store)
        queue = DispatchQueue(label: "apipodctl.storage.\(label)")
    }

    /// Runs `body` with the store on the worker's queue and returns its result.
    public func perform<Result: Sendable>(
        _ body: @escaping @Sendable (KeyStore) throws(StorageError) -> Result
    ) async throws(StorageError) -> Result {
        let outcome: Swift.Result<Result, StorageError> = await withUnsafeContinuation { continuation in
            queue.async { [box] in
                do throws(StorageError) {
                    continuation.resume(returning: .success(try body(box.store)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try outcome.get()
    }

    /// Runs `body` on the worker's queue and blocks the caller until it is done: for start-up,
    /// before anything is served, never from an event loop or a task.
    public func performBlocking<Result>(_ body: (KeyStore) throws(StorageError) -> Result) throws(StorageError) -> Result {
        let outcome: Swift.Result<Result, StorageError> = queue.sync {
            do throws(StorageError) { return .success(try body(box.store)) } catch { return .failure(error) }
        }
        return try outcome.get()
    }

    /// Queues `body` on the worker's queue without waiting for it.
    public func run(_ body: @escaping @Sendable (KeyStore) -> Void) {
        queue.async { [box] in body(box.store) }
    }

    /// Calls `body` on the worker's queue every `interval` until the returned timer is cancelled.
    public func every(milliseconds interval: Int, _ body: @escaping @Sendable (KeyStore) -> Void) -> RepeatingTimer {
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + .milliseconds(interval), repeating: .milliseconds(interval), leeway: .milliseconds(interval / 10))
        timer.setEventHandler { [box] in body(box.store) }
        timer.resume()
        return RepeatingTimer(timer)
    }
}

/// A running `KeyStoreWorker.every` timer. Holding it keeps the timer alive (a released
/// dispatch source silently stops firing); `cancel()` stops it.
public final class RepeatingTimer: @unchecked Sendable {
    // Dispatch sources are thread-safe; the reference itself never changes.
    private let source: DispatchSourceTimer

    init(_ source: DispatchSourceTimer) {
        self.source = source
    }

    public func cancel() {
        source.cancel()
    }
}
