import Glibc

/// The standard `process_*` series, read from `/proc` at each scrape (never on a request's
/// path): CPU time, resident memory, open descriptors and start time, as the Prometheus
/// client libraries define them.
struct ProcessStats: Sendable, Equatable {
    var cpuSeconds: Double
    var residentBytes: Int
    var openFDs: Int
    /// Seconds since the Unix epoch.
    var startTime: Double

    /// Reads this process's figures; nil when `/proc` is not there (a sandbox without it).
    static func current() -> ProcessStats? {
        guard let stat = try? readFile("/proc/self/stat"), let system = try? readFile("/proc/stat"),
              let fields = StatFields(parsing: stat), let bootTime = bootTime(inProcStat: system)
        else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return ProcessStats(
            cpuSeconds: Double(fields.userTicks + fields.systemTicks) / ticks,
            residentBytes: fields.residentPages * sysconf(Int32(_SC_PAGESIZE)),
            openFDs: countOpenFDs(),
            startTime: Double(bootTime) + Double(fields.startTicks) / ticks)
    }

    /// The fields of `/proc/self/stat` we need (proc(5)): utime (14), stime (15), starttime (22,
    /// clock ticks after boot) and rss (24, pages). They are counted after the `)` that ends the
    /// command name, which may itself hold spaces and parentheses.
    struct StatFields: Equatable {
        let userTicks: Int
        let systemTicks: Int
        let startTicks: Int
        let residentPages: Int

        init?(parsing bytes: [UInt8]) {
            guard let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { return nil }
            // Field 3 (state) is the first after the name.
            let fields = bytes[(close + 1)...].split(separator: UInt8(ascii: " "))
            func field(_ number: Int) -> Int? {
                let index = number - 3
                guard index < fields.count else { return nil }
                return Int(String(decoding: fields[index], as: UTF8.self).trimmingASCIIWhitespace())
            }
            guard let user = field(14), let system = field(15), let start = field(22), let rss = field(24) else { return nil }
            userTicks = user
            systemTicks = system
            startTicks = start
            residentPages = rss
        }
    }

    /// The `btime` line of `/proc/stat`: when the machine booted, in seconds since the epoch.
    static func bootTime(inProcStat bytes: [UInt8]) -> Int? {
        for line in bytes.split(separator: UInt8(ascii: "\n")) where line.starts(with: "btime ".utf8) {
            return Int(String(decoding: line.dropFirst(6), as: UTF8.self).trimmingASCIIWhitespace())
        }
        return nil
    }

    /// Entries of `/proc/self/fd`, less the one `opendir` itself holds while counting.
    private static func countOpenFDs() -> Int {
        guard let directory = opendir("/proc/self/fd") else { return 0 }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            let isDot = withUnsafeBytes(of: entry.pointee.d_name) { $0.first == UInt8(ascii: ".") }
            if !isDot { count += 1 }
        }
        return max(0, count - 1)
    }
}
