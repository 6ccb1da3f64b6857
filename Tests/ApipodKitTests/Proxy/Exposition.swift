import Foundation
import Testing

/// A scraped Prometheus text exposition, parsed the way a scraper reads it: samples with their
/// labels unescaped, and the names that have `# TYPE` lines.
struct Exposition {
    struct Sample {
        let name: String
        let labels: [String: String]
        let value: Double
    }

    let text: String
    let samples: [Sample]
    let types: [String: String]

    init(_ text: String) {
        self.text = text
        var samples: [Sample] = []
        var types: [String: String] = [:]
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                types[String(parts[2])] = String(parts[3])
                continue
            }
            if line.hasPrefix("#") { continue }
            var name = ""
            var labels: [String: String] = [:]
            var rest = Substring(line)
            if let brace = line.firstIndex(of: "{") {
                name = String(line[..<brace])
                rest = line[line.index(after: brace)...]
                while rest.first != "}" {
                    let equals = rest.firstIndex(of: "=")!
                    let label = String(rest[..<equals]).trimmingCharacters(in: [","])
                    var value = ""
                    var index = rest.index(equals, offsetBy: 2)
                    while rest[index] != "\"" {
                        if rest[index] == "\\" {
                            index = rest.index(after: index)
                            value.append(rest[index] == "n" ? "\n" : rest[index])
                        } else {
                            value.append(rest[index])
                        }
                        index = rest.index(after: index)
                    }
                    labels[label] = value
                    rest = rest[rest.index(after: index)...]
                    if rest.first == "," { rest = rest.dropFirst() }
                }
                rest = rest.dropFirst()
            } else {
                let space = line.firstIndex(of: " ")!
                name = String(line[..<space])
                rest = line[space...]
            }
            samples.append(Sample(name: name, labels: labels, value: Double(rest.trimmingCharacters(in: .whitespaces))!))
        }
        self.samples = samples
        self.types = types
    }

    /// The value of the one sample with this name and exactly these labels; nil when there is none.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    func samples(named name: String) -> [Sample] { samples.filter { $0.name == name } }

    /// `promtool check metrics` on the text, when promtool is installed; under `CI=true` a
    /// missing promtool is a failure (CI installs it: `.ci/run`), elsewhere a skip.
    static func checkWithPromtool(_ text: String) throws {
        let path = "/usr/bin/promtool"
        guard FileManager.default.isExecutableFile(atPath: path) else {
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                Issue.record("promtool is missing (apt-get install prometheus); CI must check the exposition")
            }
            return
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["check", "metrics"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let report = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "promtool check metrics: \(report)")
        #expect(report.isEmpty, "promtool check metrics found problems: \(report)")
    }
}
