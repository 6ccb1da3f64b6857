// The heap the limiter state of KEYS keys takes, measured with glibc's mallinfo2 around making
// it: the key id → limiter table and one KeyLimiter per key, each used once (an rpm slot, a
// concurrency slot taken and given back, tokens counted). Built and run by
// Benchmarks/limiter-memory.sh against the release build of ApipodKit.
import ApipodKit
import Glibc

let keys = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 10_000
let clock = LimitClock { LimitTime(monotonicNanoseconds: 1_000_000_000_000, wallSeconds: 1_796_601_600) }
let limits = KeyLimits(rpm: 600, concurrency: 4, dailyTokens: 1_000_000)

/// Bytes allocated: small blocks plus the large ones malloc takes from mmap (a big table's storage).
func heapInUse() -> Int {
    let info = mallinfo2()
    return Int(info.uordblks + info.hblkhd)
}

let before = heapInUse()
let table = KeyLimiters(clock: clock)
for id in 1...Int64(keys) {
    let limiter = table.limiter(forKey: id)
    let permit = try table.admit(limits, to: limiter)
    permit.release()
    table.addTokens(1234, keyID: id)
}
let after = heapInUse()
let bytes = after - before
print("limiter state of \(table.count) keys with limits: \(bytes) bytes in use on the heap, \(bytes / keys) a key")
