import Testing
@testable import ApipodKit

struct MetricsTests {
    @Test func theRegistryAdmitsUpToItsCapacityThenFoldsIntoOther() {
        let registry = ModelLabelRegistry(capacity: 2)
        var first = ModelLabelCache(capacity: 2), second = ModelLabelCache(capacity: 2)
        let a = first.index(of: "a", in: registry)
        #expect(second.index(of: "a", in: registry) == a, "every loop gets the same index for a name")
        let b = second.index(of: "b", in: registry)
        #expect(first.index(of: "c", in: registry) == ModelLabelRegistry.other)
        #expect(first.index(of: "b", in: registry) == b, "a full registry still knows the names it admitted")
        #expect(first.index(of: nil, in: registry) == ModelLabelRegistry.none)
        #expect(registry.names == ["", "other", "a", "b"])
    }

    @Test(arguments: ["apk_abc", "my apk_key", String(repeating: "m", count: 129)])
    func namesThatMayCarryAKeyOrAreTooLongAreOther(name: String) {
        let registry = ModelLabelRegistry()
        var cache = ModelLabelCache(capacity: 100)
        #expect(cache.index(of: name, in: registry) == ModelLabelRegistry.other)
        #expect(registry.names == ["", "other"])
    }

    @Test func histogramBucketsIncludeTheirUpperBound() {
        var histogram = LatencyHistogram(.proxyOverhead)
        histogram.observe(nanoseconds: 10_000)
        histogram.observe(nanoseconds: 10_001)
        histogram.observe(nanoseconds: 5_000_000_000)
        #expect(histogram.counts[0] == 1)
        #expect(histogram.counts[1] == 1)
        #expect(histogram.counts.last == 1)
        #expect(histogram.count == 3)
    }

    @Test func labelValuesAreEscapedAsTheFormatAsks() {
        var writer = ExpositionWriter()
        writer.sample("x_total", ["model": "a\"b\\c\nd"], 2)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == "x_total{model=\"a\\\"b\\\\c\\nd\"} 2\n")
    }

    @Test func procStatFieldsAreCountedAfterTheCommandName() {
        let line = "4242 (a) b (c) S 1 4242 4242 0 -1 4194560 500 0 0 0 250 75 0 0 20 0 3 0 123456 1000000 2048 18446744073709551615\n"
        let fields = ProcessStats.StatFields(parsing: Array(line.utf8))
        #expect(fields?.userTicks == 250)
        #expect(fields?.systemTicks == 75)
        #expect(fields?.startTicks == 123456)
        #expect(fields?.residentPages == 2048)
        #expect(ProcessStats.bootTime(inProcStat: Array("cpu 1 2\nbtime 1700000000\nprocesses 9\n".utf8)) == 1_700_000_000)
    }

    @Test func theCountTableKeepsEveryKeyAsItGrows() {
        var table = CountTable()
        for key in 0..<1000 as Range<UInt64> { table.add(key << 32 | key, key) }
        table.add(0)
        let entries = Dictionary(uniqueKeysWithValues: table.entries.map { ($0.key, $0.count) })
        #expect(entries.count == 1000)
        #expect(entries[0] == 1)
        #expect((1..<1000 as Range<UInt64>).allSatisfy { entries[$0 << 32 | $0] == $0 })
    }
}
