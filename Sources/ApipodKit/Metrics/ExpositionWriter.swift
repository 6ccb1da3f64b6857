/// Writes the Prometheus text exposition format 0.0.4: `# HELP` and `# TYPE` lines, then one
/// `name{label="value",…} number` line a sample. Label values are escaped as the format asks
/// (backslash, double quote and line feed), HELP text likewise (backslash and line feed).
struct ExpositionWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 16 * 1024) {
        bytes.reserveCapacity(capacity)
    }

    mutating func family(_ name: String, _ type: String, help: String) {
        add("# HELP "); add(name); add(" ")
        for byte in help.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): add("\\\\")
            case UInt8(ascii: "\n"): add("\\n")
            default: bytes.append(byte)
            }
        }
        add("\n# TYPE "); add(name); add(" "); add(type); add("\n")
    }

    mutating func sample(_ name: String, _ labels: KeyValuePairs<String, String> = [:], _ value: String) {
        add(name)
        if !labels.isEmpty {
            add("{")
            for (index, (label, text)) in labels.enumerated() {
                if index > 0 { add(",") }
                add(label); add("=\"")
                appendEscaped(text)
                add("\"")
            }
            add("}")
        }
        add(" "); add(value); add("\n")
    }

    mutating func sample(_ name: String, _ labels: KeyValuePairs<String, String> = [:], _ value: UInt64) {
        sample(name, labels, String(value))
    }

    /// A histogram's cumulative `_bucket` lines, then `_sum` (in seconds) and `_count`.
    mutating func histogram(_ name: String, _ histogram: LatencyHistogram) {
        var cumulative: UInt64 = 0
        for (index, label) in histogram.buckets.labels.enumerated() {
            cumulative &+= histogram.counts[index]
            sample(name + "_bucket", ["le": label], cumulative)
        }
        cumulative &+= histogram.counts[histogram.counts.count - 1]
        sample(name + "_bucket", ["le": "+Inf"], cumulative)
        sample(name + "_sum", [:], Self.number(Double(histogram.sumNanoseconds) / 1e9))
        sample(name + "_count", [:], cumulative)
    }

    /// A float as Prometheus reads it (Go's `ParseFloat`: `1e-05` and `0.25` both parse).
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    private mutating func appendEscaped(_ text: String) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): add("\\\\")
            case UInt8(ascii: "\""): add("\\\"")
            case UInt8(ascii: "\n"): add("\\n")
            default: bytes.append(byte)
            }
        }
    }

    private mutating func add(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }
}
