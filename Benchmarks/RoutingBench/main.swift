import ApipodKit
import Glibc

/// Nanoseconds per routing decision, for `Benchmarks/routing.sh`: the plain weighted draw
/// `serve` makes for an alias (`RoutingTable.route`, name lookup included), and a sticky
/// session's choice (`SessionRanking.best`) and whole failover order (`SessionRanking.ranking`)
/// over 2 and 4 targets. Session ids are 4,096 distinct UUID-shaped strings, as Claude Code sends,
/// taken in turn. Each figure is the median of ROUNDS rounds of DECISIONS decisions, timed in
/// the thread's CPU time, so that time spent waiting for a core on a busy machine is not counted.
/// Usage: apipod-routing-bench [DECISIONS] [ROUNDS]
let arguments = CommandLine.arguments
let decisions = arguments.count > 1 ? Int(arguments[1]) ?? 1_000_000 : 1_000_000
let rounds = arguments.count > 2 ? Int(arguments[2]) ?? 7 : 7

var random = SeededRandom(seed: 2026)
let hexDigits = Array("0123456789abcdef")
let sessions: [String] = (0..<4096).map { _ in
    let words = [random.next(), random.next()]
    var text = ""
    for position in 0..<32 {
        if [8, 12, 16, 20].contains(position) { text += "-" }
        let shift = UInt64(60 - 4 * (position % 16))
        text.append(hexDigits[Int((words[position / 16] >> shift) & 0xf)])
    }
    return text
}
let two = [WeightedTarget(model: "claude-sonnet-4-5", weight: 20), WeightedTarget(model: "gemini-3-flash", weight: 80)]
let four = two + [WeightedTarget(model: "gemini-3-pro", weight: 30), WeightedTarget(model: "deepseek-chat", weight: 10)]

/// The median over `rounds` of the nanoseconds per call of `body`, which returns something
/// derived from its work so that none of it can be optimised away.
func measure(_ name: String, _ body: (Int) -> Int) {
    var perDecision: [Double] = []
    var checksum = 0
    for _ in 0..<rounds {
        let start = threadCPUNanoseconds()
        for index in 0..<decisions { checksum &+= body(index) }
        let nanoseconds = Double(threadCPUNanoseconds() - start)
        perDecision.append(nanoseconds / Double(decisions))
    }
    perDecision.sort()
    let median = perDecision[perDecision.count / 2]
    let text = String(Double(Int(median * 10)) / 10)
    print("\(name.padding(to: 44)) \(text.leftPadded(to: 7)) ns/decision (CPU)   (checksum \(checksum & 0xffff))")
}

func threadCPUNanoseconds() -> Int {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return time.tv_sec * 1_000_000_000 + time.tv_nsec
}

extension String {
    func padding(to width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
    func leftPadded(to width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}

print("\(decisions) decisions per round, median of \(rounds) rounds")
let table = RoutingTable.builtIn
measure("weighted draw (route cursor-pro-sonnet)") { _ in table.route("cursor-pro-sonnet", using: &random).routed.utf8.count }
measure("sticky best, 2 targets") { SessionRanking.best(session: sessions[$0 & 4095], targets: two)!.model.utf8.count }
measure("sticky ranking, 2 targets") { SessionRanking.ranking(session: sessions[$0 & 4095], targets: two)[0].model.utf8.count }
measure("sticky best, 4 targets") { SessionRanking.best(session: sessions[$0 & 4095], targets: four)!.model.utf8.count }
measure("sticky ranking, 4 targets") { SessionRanking.ranking(session: sessions[$0 & 4095], targets: four)[0].model.utf8.count }
