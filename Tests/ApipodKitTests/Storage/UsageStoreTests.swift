import TestSupport
import Testing
@testable import ApipodKit

/// The usage tables: the daily roll-ups answer exactly what the hourly buckets answer, the
/// daily quota totals, and pruning after 400 days.
struct UsageStoreTests {
    static let day: Int64 = 1_796_601_600  // 2026-12-07T00:00:00Z

    static func store(_ scratch: TemporaryDirectory) throws -> KeyStore {
        let store = try KeyStore(path: scratch.file("usage.db"), opening: .mayCreate)
        var buckets = UsageBuckets()
        for index in 0..<300 {
            let time = day - 10 * 86_400 + Int64(index) * 2_800
            buckets.add(UsageRecord(
                keyID: Int64(1 + index % 4), requestedModel: nil, model: "model-\(index % 3)", status: index % 7 == 0 ? 502 : 200,
                tokens: TokenUsage(input: 100 + index, output: index, cached: index / 2), isError: index % 7 == 0, time: time),
                pricing: { model, input, _ in model == "model-0" ? Double(input) : nil })
        }
        try store.addUsage(buckets)
        return store
    }

    @Test func theRollUpsAgreeWithTheHourlyBuckets() throws {
        let scratch = TemporaryDirectory()
        let store = try Self.store(scratch)
        let since = Self.day - 10 * 86_400
        let until = Self.day + 86_400
        for groupings: [UsageGrouping] in [[.day], [.model], [.key], [.day, .model], [.key, .day]] {
            let whole = UsageQuery(since: since, until: until, groupings: groupings)
            #expect(KeyStore.table(for: whole).table != "usage_buckets", "\(groupings)")
            // One second off a whole day sends the same question to the hourly buckets.
            let hourly = UsageQuery(since: since, until: until - 1, groupings: groupings)
            #expect(KeyStore.table(for: hourly).table == "usage_buckets")
            #expect(try store.usage(whole) == store.usage(hourly), "\(groupings)")
        }
        var oneKey = UsageQuery(since: since, until: until, groupings: [.day])
        oneKey.keyID = 2
        #expect(KeyStore.table(for: oneKey).table == "usage_days_by_key")
        var hourlyKey = oneKey
        hourlyKey.until -= 1
        #expect(try store.usage(oneKey) == store.usage(hourlyKey))
        let all = try store.usage(UsageQuery(since: since, until: until, groupings: [.model]))
        #expect(all.totals.requests == 300)
        #expect(all.totals.errors == 43)
        let priced: Int = (0..<300).filter { $0 % 3 == 0 }.map { 100 + $0 }.reduce(0, +)
        let cost = all.rows.first { $0.model == "model-0" }?.totals.costUSD
        #expect(cost == Double(priced))
    }

    @Test func tokensByKeyAddsInputAndOutputOfOneUTCDay() throws {
        let scratch = TemporaryDirectory()
        let store = try Self.store(scratch)
        let report = try store.usage(UsageQuery(since: Self.day - 86_400, until: Self.day, groupings: [.key]))
        let expected = Dictionary(uniqueKeysWithValues: report.rows.map { ($0.keyID!, $0.totals.inputTokens + $0.totals.outputTokens) })
        #expect(try store.tokensByKey(onUTCDay: Timestamp(secondsSinceEpoch: Self.day - 3600)) == expected)
        #expect(!expected.isEmpty)
    }

    @Test func bucketsOlderThan400DaysArePruned() throws {
        let scratch = TemporaryDirectory()
        let store = try Self.store(scratch)
        let pruned = try store.pruneUsage(now: Timestamp(secondsSinceEpoch: Self.day + 395 * 86_400))
        #expect(pruned > 0)
        let left = try store.usage(UsageQuery(since: 0, until: Self.day + 86_400, groupings: [.day]))
        let leftByModel = try store.usage(UsageQuery(since: 0, until: Self.day + 86_400 * 2, groupings: [.day]))
        #expect(left.rows.allSatisfy { $0.time! >= Self.day - 5 * 86_400 })
        #expect(leftByModel.rows.allSatisfy { $0.time! >= Self.day - 5 * 86_400 })
        #expect(left.totals.requests < 300)
    }

    @Test func groupingsAndTimesParse() {
        #expect(UsageQuery.groupings(parsing: "day,model") == [.day, .model])
        #expect(UsageQuery.groupings(parsing: "hour, key") == [.hour, .key])
        #expect(UsageQuery.groupings(parsing: "day,hour") == nil)
        #expect(UsageQuery.groupings(parsing: "model,model") == nil)
        #expect(UsageQuery.groupings(parsing: "week") == nil)
        let now = Self.day + 5000
        #expect(UsageQuery.time(parsing: "7d", now: now) == Self.day - 6 * 86_400)
        #expect(UsageQuery.time(parsing: "24h", now: now) == now - 86_400)
        #expect(UsageQuery.time(parsing: "2026-12-01", now: now) == Self.day - 6 * 86_400)
        #expect(UsageQuery.time(parsing: "2026-12-07T01:00:00Z", now: now) == Self.day + 3600)
        #expect(UsageQuery.time(parsing: "yesterday", now: now) == nil)
    }
}
