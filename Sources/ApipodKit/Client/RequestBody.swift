/// A request body to send: one array, or consecutive runs of bytes sent one after the other.
/// Runs let a proxy that changes a few bytes of a large body (the routed model) send the
/// untouched bytes around its change from the buffer they arrived in, instead of copying a
/// megabyte to change twenty bytes.
public enum RequestBody: Sendable {
    case bytes([UInt8])
    case runs([ArraySlice<UInt8>])

    public static let empty = RequestBody.bytes([])

    public var count: Int {
        switch self {
        case .bytes(let bytes): bytes.count
        case .runs(let runs): runs.reduce(0) { $0 + $1.count }
        }
    }

    var runCount: Int {
        switch self {
        case .bytes: 1
        case .runs(let runs): runs.count
        }
    }

    func run(at index: Int) -> ArraySlice<UInt8> {
        switch self {
        case .bytes(let bytes): bytes[...]
        case .runs(let runs): runs[index]
        }
    }

    /// The body in one array (a copy when it is made of runs).
    public var joined: [UInt8] {
        switch self {
        case .bytes(let bytes): return bytes
        case .runs(let runs):
            var joined: [UInt8] = []
            joined.reserveCapacity(count)
            for run in runs { joined.append(contentsOf: run) }
            return joined
        }
    }
}
