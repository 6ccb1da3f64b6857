import TestSupport
import Testing
@testable import ApipodKit

/// Migration 003: a key's own limits, a tier's, and the effective ones read in one query.
struct KeyLimitsStoreTests {
    let scratch = TemporaryDirectory()

    func store() throws -> KeyStore {
        try KeyStore(path: scratch.file("keys.db"), opening: .mayCreate)
    }

    @Test func aKeysOwnLimitWinsOverItsTiersAndNoneMeansUnlimited() throws {
        let store = try store()
        let key = try store.insert(try APIKey.generate(), name: "a", tier: "free", lifetime: nil, limits: KeyLimits(rpm: 5))
        #expect(key.limits == KeyLimits(rpm: 5))
        #expect(key.effectiveLimits == KeyLimits(rpm: 5), "a tier without a row limits nothing")

        var tier = KeyLimitsChange()
        tier.set(.rpm, 50)
        tier.set(.dailyTokens, 1000)
        let free = try store.updateTierLimits(tier, tier: "free")
        #expect(free == TierRecord(name: "free", limits: KeyLimits(rpm: 50, dailyTokens: 1000), keyCount: 1))
        let reread = try #require(try store.key(id: key.id))
        #expect(reread.tierLimits == KeyLimits(rpm: 50, dailyTokens: 1000))
        #expect(reread.effectiveLimits == KeyLimits(rpm: 5, dailyTokens: 1000))

        var clear = KeyLimitsChange()
        clear.set(.rpm, nil)
        clear.set(.concurrency, 3)
        let changed = try store.updateLimits(clear, id: key.id)
        #expect(changed.limits == KeyLimits(concurrency: 3))
        #expect(changed.effectiveLimits == KeyLimits(rpm: 50, concurrency: 3, dailyTokens: 1000))
        #expect(try store.listKeys().map(\.effectiveLimits) == [changed.effectiveLimits])
    }

    @Test func onlyTheNamedFieldsChange() throws {
        let store = try store()
        let key = try store.insert(try APIKey.generate(), name: "a", lifetime: nil, limits: KeyLimits(rpm: 5, concurrency: 2, dailyTokens: 9))
        var change = KeyLimitsChange()
        change.set(.concurrency, 4)
        #expect(try store.updateLimits(change, id: key.id).limits == KeyLimits(rpm: 5, concurrency: 4, dailyTokens: 9))
        #expect(try store.updateLimits(KeyLimitsChange(), id: key.id).limits == KeyLimits(rpm: 5, concurrency: 4, dailyTokens: 9))
        var tier = KeyLimitsChange()
        tier.set(.concurrency, 1)
        _ = try store.updateTierLimits(tier, tier: "elite")
        var more = KeyLimitsChange()
        more.set(.rpm, 7)
        #expect(try store.updateTierLimits(more, tier: "elite").limits == KeyLimits(rpm: 7, concurrency: 1))
    }

    @Test func tiersListTheirKeysAndThoseOnlyKeysName() throws {
        let store = try store()
        _ = try store.insert(try APIKey.generate(), name: "a", lifetime: nil)
        _ = try store.insert(try APIKey.generate(), name: "b", lifetime: nil)
        _ = try store.insert(try APIKey.generate(), name: "c", tier: "free", lifetime: nil)
        var change = KeyLimitsChange()
        change.set(.rpm, 1)
        _ = try store.updateTierLimits(change, tier: "trial")
        #expect(try store.listTiers() == [
            TierRecord(name: "elite", limits: .none, keyCount: 2),
            TierRecord(name: "free", limits: .none, keyCount: 1),
            TierRecord(name: "trial", limits: KeyLimits(rpm: 1), keyCount: 0),
        ])
    }

    @Test(arguments: [(LimitKind.rpm, 0), (.concurrency, 0), (.dailyTokens, -1), (.rpm, 10_000_001), (.dailyTokens, 1_000_000_000_001)])
    func valuesTheLimiterCannotCountWithAreRefused(kind: LimitKind, value: Int) throws {
        let store = try store()
        let key = try store.insert(try APIKey.generate(), name: "a", lifetime: nil)
        var change = KeyLimitsChange()
        change.set(kind, value)
        #expect(throws: StorageError.self) { try store.updateLimits(change, id: key.id) }
        #expect(throws: StorageError.self) { try store.updateTierLimits(change, tier: "t") }
        #expect(throws: StorageError.self) {
            try store.insert(try APIKey.generate(), name: "b", lifetime: nil, limits: KeyLimits.none.applying(change))
        }
        #expect(try store.key(id: key.id)?.limits == KeyLimits.none)
    }
}
