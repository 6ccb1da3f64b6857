import Foundation

/// Runs the built `apipodctl` as a separate process, the way an operator does, in a scratch
/// folder with a controlled environment (no inherited ./.env or DATABASE_PATH).
struct BinaryRunner {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static let binary: String = {
        // Tests run from the build folder, next to the executable (`swift test` and
        // `swift build --build-tests` build it; the test targets import ApipodCLI, not it).
        let testBundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let sibling = testBundle.appendingPathComponent("apipodctl").path
        if FileManager.default.isExecutableFile(atPath: sibling) { return sibling }
        return testBundle.deletingLastPathComponent().appendingPathComponent("apipodctl").path
    }()

    let directory: URL
    var environment: [String: String]
    /// The file-creation mask the command runs under (set by a shell that then execs it), or
    /// nil to inherit the test process's.
    var umask: String?

    init() {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("apipodctl-cli-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        environment = ["PATH": "/usr/bin:/bin", "DATABASE_PATH": directory.appendingPathComponent("keys.db").path]
    }

    var databasePath: String { environment["DATABASE_PATH"]! }

    /// - Parameter standardOutput: where the command's stdout goes instead of a pipe read
    ///   into `Result.stdout` (say `/dev/full`, to see how a failed write is handled).
    func run(_ arguments: String..., input: String? = nil, standardOutput: FileHandle? = nil) throws -> Result {
        try run(arguments, input: input, standardOutput: standardOutput)
    }

    func run(_ arguments: [String], input: String? = nil, standardOutput: FileHandle? = nil) throws -> Result {
        let process = makeProcess(arguments)
        let out = Pipe(), err = Pipe()
        process.standardOutput = standardOutput ?? out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let outData = standardOutput == nil ? out.fileHandleForReading.readDataToEndOfFile() : Data()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    /// The command as a process, not yet started, with this runner's environment and umask.
    func makeProcess(_ arguments: [String]) -> Process {
        let process = Process()
        if let umask {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "umask \(umask) && exec \"$0\" \"$@\"", Self.binary] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: Self.binary)
            process.arguments = arguments
        }
        process.environment = environment
        process.currentDirectoryURL = directory
        return process
    }

    func write(_ name: String, _ contents: String) throws {
        try contents.write(to: directory.appendingPathComponent(name), atomically: false, encoding: .utf8)
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}
