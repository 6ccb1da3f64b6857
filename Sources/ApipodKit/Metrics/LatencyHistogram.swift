/// A Prometheus histogram of durations with fixed buckets, kept in whole nanoseconds so an
/// observation is a few integer compares and adds. Per-bucket counts are not cumulative
/// here; the exposition makes them so.
struct LatencyHistogram: Sendable {
    /// Upper bounds, ascending: nanoseconds to compare with and the `le` label to print.
    struct Buckets: Sendable {
        let nanoseconds: [Int64]
        let labels: [String]

        /// From the bounds as their label text (`"0.005"`), which is what the exposition prints.
        init(_ labels: [String]) {
            self.labels = labels
            nanoseconds = labels.map { Int64((Double($0)! * 1e9).rounded()) }
        }

        /// Whole requests, from a health check to a long stream.
        static let requestDuration = Buckets([
            "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5",
            "1", "2.5", "5", "10", "30", "60", "120", "300",
        ])

        /// What the proxy adds: tens of microseconds when all is well, so the buckets are finest
        /// there (with 50 µs as the first bound, a p50 of 40 µs read as 27).
        static let proxyOverhead = Buckets([
            "0.00001", "0.00002", "0.00003", "0.00004", "0.00005", "0.000075", "0.0001", "0.00015",
            "0.0002", "0.0005", "0.001", "0.002", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "1",
        ])
    }

    let buckets: Buckets
    /// counts[i] observations fell in bucket i (above bucket i-1); the last is above every bound.
    private(set) var counts: [UInt64]
    private(set) var sumNanoseconds: Int64 = 0

    init(_ buckets: Buckets) {
        self.buckets = buckets
        counts = Array(repeating: 0, count: buckets.nanoseconds.count + 1)
    }

    var count: UInt64 { counts.reduce(0, +) }

    mutating func observe(nanoseconds: Int64) {
        let value = max(0, nanoseconds)
        var index = 0
        let bounds = buckets.nanoseconds
        while index < bounds.count && value > bounds[index] { index += 1 }
        counts[index] &+= 1
        sumNanoseconds &+= value
    }

    /// Adds another loop's histogram of the same buckets (at scrape).
    mutating func add(_ other: LatencyHistogram) {
        for index in counts.indices { counts[index] &+= other.counts[index] }
        sumNanoseconds &+= other.sumNanoseconds
    }
}
