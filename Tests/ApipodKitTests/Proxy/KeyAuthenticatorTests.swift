import Dispatch
import Glibc
import Synchronization
import TestSupport
import Testing
@testable import ApipodKit

struct KeyAuthenticatorTests {
    let scratch = TemporaryDirectory()

    func makeAuthenticator(_ path: String) throws -> KeyAuthenticator {
        KeyAuthenticator(
            reader: try KeyStoreWorker(path: path, opening: .mayCreate, label: "read"),
            writer: try KeyStoreWorker(path: path, opening: .mayCreate, label: "write"),
            limiters: KeyLimiters(clock: .system), onError: { Issue.record("storage error: \($0)") })
    }

    @Test func aKeyDisabledByAnotherConnectionIsRefusedSoon() async throws {
        let path = scratch.file("keys.db")
        let cli = try KeyStore(path: path, opening: .mayCreate)
        let key = try APIKey.generate()
        let record = try cli.insert(key, name: "alice", lifetime: nil)
        let authenticator = try makeAuthenticator(path)
        authenticator.start()

        #expect(await authenticator.authenticate(Substring(key.text)).result == .valid(record))
        #expect(await authenticator.authenticate(Substring(key.text)).result == .valid(record), "second answer from the cache")

        try cli.setActive(false, id: record.id)
        // The poll interval is 250 ms; the loop only guards against a hang on a very slow machine.
        var refused = false
        for _ in 0..<400 where !refused {
            if case .disabled = await authenticator.authenticate(Substring(key.text)).result { refused = true } else { usleep(25_000) }
        }
        #expect(refused, "the disable never took effect")
        await authenticator.stop()
    }

    /// A lookup that read the database before an invalidation must not put what it read back
    /// after it. The steps are forced in order, none by timing: the lookup's read waits behind
    /// a job that holds the reader, and its task, once the read is done, cannot resume while its
    /// loop is held by a job the loop took only after the lookup had suspended.
    @Test func aLookupInFlightDoesNotUndoAnInvalidation() async throws {
        let path = scratch.file("keys.db")
        let cli = try KeyStore(path: path, opening: .mayCreate)
        let key = try APIKey.generate()
        let record = try cli.insert(key, name: "alice", lifetime: nil)
        let reader = try KeyStoreWorker(path: path, opening: .mustExist, label: "read")
        let authenticator = KeyAuthenticator(
            reader: reader, writer: try KeyStoreWorker(path: path, opening: .mustExist, label: "write"), limiters: KeyLimiters(clock: .system), onError: { Issue.record("storage error: \($0)") })
        let group = try EventLoopGroup(count: 1)
        // Only the reader's own queue ever blocks (on `readerFree`); the test's task polls, so it
        // never holds one of the few cooperative threads the rest of the suite needs.
        let readerFree = DispatchSemaphore(value: 0)
        let readerHeld = Atomic<Bool>(false), lookupStarted = Atomic<Bool>(false)
        let loopHeld = Atomic<Bool>(false), loopFree = Atomic<Bool>(false)

        let holdReader = Task {
            try await reader.perform { _ throws(StorageError) in
                readerHeld.store(true, ordering: .releasing)
                readerFree.wait()
            }
        }
        while !readerHeld.load(ordering: .acquiring) { try await Task.sleep(for: .milliseconds(1)) }
        let lookup = Task(executorPreference: group.loops[0]) {
            lookupStarted.store(true, ordering: .releasing)
            return await authenticator.authenticate(Substring(key.text)).result
        }
        while !lookupStarted.load(ordering: .acquiring) { try await Task.sleep(for: .milliseconds(1)) }
        // The loop runs the lookup on to its read before it takes this job.
        let holdLoop = Task(executorPreference: group.loops[0]) {
            loopHeld.store(true, ordering: .releasing)
            while !loopFree.load(ordering: .acquiring) { usleep(1000) }
        }
        while !loopHeld.load(ordering: .acquiring) { try await Task.sleep(for: .milliseconds(1)) }
        readerFree.signal()
        try await holdReader.value
        // The reader is serial: once this job has run, the lookup's read has too.
        try await reader.perform { _ throws(StorageError) in }
        try cli.setActive(false, id: record.id)
        authenticator.invalidate()
        loopFree.store(true, ordering: .releasing)
        await holdLoop.value
        #expect(await lookup.value == .valid(record), "the lookup read the key before it was disabled")
        #expect(await authenticator.authenticate(Substring(key.text)).result == .disabled(try #require(try cli.key(id: record.id))),
                "the invalidation stands: the stale record was not cached")
        group.shutdown()
    }

    @Test func unknownAndMalformedKeysAreRefused() async throws {
        let authenticator = try makeAuthenticator(scratch.file("keys.db"))
        #expect(await authenticator.authenticate(Substring(try APIKey.generate().text)).result == .unknown)
        #expect(await authenticator.authenticate("Bearer nonsense").result == .unknown)
        #expect(await authenticator.authenticate("").result == .unknown)
    }

    @Test func expiryIsJudgedPerRequestNotCached() async throws {
        let path = scratch.file("keys.db")
        let key = try APIKey.generate()
        let created = Timestamp(secondsSinceEpoch: 2_000_000_000)
        let record = try KeyStore(path: path, opening: .mayCreate).insert(key, name: "a", lifetime: KeyLifetime(seconds: 60), now: created)
        let authenticator = try makeAuthenticator(path)
        #expect(await authenticator.authenticate(Substring(key.text), now: created).result == .valid(record))
        #expect(await authenticator.authenticate(Substring(key.text), now: created.adding(seconds: 60)).result == .expired(record))
    }

    @Test func lastUseIsWrittenOnStop() async throws {
        let path = scratch.file("keys.db")
        let key = try APIKey.generate()
        let record = try KeyStore(path: path, opening: .mayCreate).insert(key, name: "a", lifetime: nil)
        let authenticator = try makeAuthenticator(path)
        authenticator.start()
        let usedAt = Timestamp(secondsSinceEpoch: Timestamp.now().secondsSinceEpoch + 5)
        _ = await authenticator.authenticate(Substring(key.text), now: usedAt)
        await authenticator.stop()
        #expect(try KeyStore(path: path, opening: .mayCreate).key(id: record.id)?.lastUsedAt == usedAt)
    }

    /// A change of limits in another connection reaches the cached record, and the reloaded
    /// record keeps the key's limiter: its state (the requests in flight, the day's tokens)
    /// must survive every refresh of the cache.
    @Test func limitsChangedElsewhereReachTheCacheAndTheLimiterSurvives() async throws {
        let path = scratch.file("keys.db")
        let cli = try KeyStore(path: path, opening: .mayCreate)
        let key = try APIKey.generate()
        let record = try cli.insert(key, name: "alice", lifetime: nil)
        let authenticator = try makeAuthenticator(path)
        authenticator.start()
        let (first, cached) = await authenticator.authenticate(Substring(key.text))
        let limiter = try #require(cached?.limiter)
        #expect(first == .valid(record))
        var change = KeyLimitsChange()
        change.set(.rpm, 7)
        try cli.updateLimits(change, id: record.id)
        var seen: KeyLimits?
        var sameLimiter = false
        for _ in 0..<400 where seen?.rpm != 7 {
            let (result, current) = await authenticator.authenticate(Substring(key.text))
            if case .valid(let reloaded) = result { seen = reloaded.effectiveLimits }
            sameLimiter = current?.limiter === limiter
            if seen?.rpm != 7 { usleep(25_000) }
        }
        #expect(seen == KeyLimits(rpm: 7), "the new limit never reached the cache")
        #expect(sameLimiter, "a reloaded record must keep the key's limiter")
        await authenticator.stop()
    }

    /// A loop's memo answers a repeated key, and an invalidation empties it: a key disabled
    /// after it was memoised is refused at the next request.
    @Test func theMemoAnswersARepeatedKeyUntilTheCacheIsInvalidated() async throws {
        let path = scratch.file("keys.db")
        let cli = try KeyStore(path: path, opening: .mayCreate)
        let key = try APIKey.generate()
        let record = try cli.insert(key, name: "alice", lifetime: nil)
        let authenticator = try makeAuthenticator(path)
        let memo = KeyMemo()
        let (first, entry) = await authenticator.authenticate(Substring(key.text), memo: memo)
        #expect(first == .valid(record))
        let (second, memoised) = await authenticator.authenticate(Substring(key.text), memo: memo)
        #expect(second == .valid(record))
        #expect(memoised === entry, "the second answer is the same entry, from the memo")

        try cli.setActive(false, id: record.id)
        authenticator.invalidate()
        let (third, _) = await authenticator.authenticate(Substring(key.text), memo: memo)
        guard case .disabled = third else { Issue.record("a disabled key passed through the memo: \(third)"); return }
        await authenticator.stop()
    }

    /// The memo compares bytes: a key with its `K` written as the Kelvin sign, which Swift's
    /// `String` equality takes for `K`, is not the key.
    @Test func theMemoDoesNotTakeACanonicallyEqualSpellingForTheKey() async throws {
        let path = scratch.file("keys.db")
        let cli = try KeyStore(path: path, opening: .mayCreate)
        var key = try APIKey.generate()
        while !key.text.contains("K") { key = try APIKey.generate() }
        _ = try cli.insert(key, name: "alice", lifetime: nil)
        let authenticator = try makeAuthenticator(path)
        let memo = KeyMemo()
        _ = await authenticator.authenticate(Substring(key.text), memo: memo)
        let kelvin = key.text.replacing("K", with: "\u{212A}")
        #expect(kelvin == key.text, "Swift's String equality takes the Kelvin sign for K")
        #expect(await authenticator.authenticate(Substring(kelvin), memo: memo).result == .unknown)
        await authenticator.stop()
    }

    /// Uses answered from the memo are written, also those marked before an invalidation
    /// emptied the cache.
    @Test func usesAnsweredFromTheMemoAreWritten() async throws {
        let path = scratch.file("keys.db")
        let cli = try KeyStore(path: path, opening: .mayCreate)
        let alice = try APIKey.generate(), bob = try APIKey.generate()
        let aliceRecord = try cli.insert(alice, name: "alice", lifetime: nil)
        let bobRecord = try cli.insert(bob, name: "bob", lifetime: nil)
        let authenticator = try makeAuthenticator(path)
        let memo = KeyMemo()
        let now = Timestamp(secondsSinceEpoch: 1_900_000_000)
        _ = await authenticator.authenticate(Substring(alice.text), memo: memo, now: now)
        _ = await authenticator.authenticate(Substring(alice.text), memo: memo, now: Timestamp(secondsSinceEpoch: now.secondsSinceEpoch + 5))
        _ = await authenticator.authenticate(Substring(bob.text), memo: memo, now: now)
        authenticator.invalidate()
        await authenticator.stop()
        #expect(try cli.key(id: aliceRecord.id)?.lastUsedAt == Timestamp(secondsSinceEpoch: now.secondsSinceEpoch + 5))
        #expect(try cli.key(id: bobRecord.id)?.lastUsedAt == now)
    }
}
