import Glibc
import TestSupport
import Testing
@testable import ApipodKit

struct KeyAuthenticatorTests {
    let scratch = TemporaryDirectory()

    func makeAuthenticator(_ path: String) throws -> KeyAuthenticator {
        KeyAuthenticator(
            reader: try KeyStoreWorker(path: path, opening: .mayCreate, label: "read"),
            writer: try KeyStoreWorker(path: path, opening: .mayCreate, label: "write"),
            onError: { Issue.record("storage error: \($0)") })
    }

    @Test func aKeyDisabledByAnotherConnectionIsRefusedSoon() async throws {
        let path = scratch.file("keys.db")
        let cli = try KeyStore(path: path, opening: .mayCreate)
        let key = try APIKey.generate()
        let record = try cli.insert(key, name: "alice", lifetime: nil)
        let authenticator = try makeAuthenticator(path)
        authenticator.start()

        #expect(await authenticator.authenticate(Substring(key.text)) == .valid(record))
        #expect(await authenticator.authenticate(Substring(key.text)) == .valid(record), "second answer from the cache")

        try cli.setActive(false, id: record.id)
        // The poll interval is 250 ms; the loop only guards against a hang on a very slow machine.
        var refused = false
        for _ in 0..<400 where !refused {
            if case .disabled = await authenticator.authenticate(Substring(key.text)) { refused = true } else { usleep(25_000) }
        }
        #expect(refused, "the disable never took effect")
        await authenticator.stop()
    }

    @Test func unknownAndMalformedKeysAreRefused() async throws {
        let authenticator = try makeAuthenticator(scratch.file("keys.db"))
        #expect(await authenticator.authenticate(Substring(try APIKey.generate().text)) == .unknown)
        #expect(await authenticator.authenticate("Bearer nonsense") == .unknown)
        #expect(await authenticator.authenticate("") == .unknown)
    }

    @Test func expiryIsJudgedPerRequestNotCached() async throws {
        let path = scratch.file("keys.db")
        let key = try APIKey.generate()
        let created = Timestamp(secondsSinceEpoch: 2_000_000_000)
        let record = try KeyStore(path: path, opening: .mayCreate).insert(key, name: "a", lifetime: KeyLifetime(seconds: 60), now: created)
        let authenticator = try makeAuthenticator(path)
        #expect(await authenticator.authenticate(Substring(key.text), now: created) == .valid(record))
        #expect(await authenticator.authenticate(Substring(key.text), now: created.adding(seconds: 60)) == .expired(record))
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
}
