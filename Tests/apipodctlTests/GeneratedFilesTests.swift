import Glibc
import Testing
@testable import ApipodCLI

/// The committed man page and completion scripts must equal what the command table generates.
/// To regenerate after changing the table: `APIPODCTL_UPDATE_GENERATED=1 swift test --filter GeneratedFiles`.
struct GeneratedFilesTests {
    static let packageRoot: String = {
        var path = #filePath
        for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return path
    }()

    static var updating: Bool { getenv("APIPODCTL_UPDATE_GENERATED") != nil }

    func check(_ relativePath: String, equals generated: String) throws {
        let path = Self.packageRoot + "/" + relativePath
        if Self.updating {
            let file = fopen(path, "w")
            try #require(file != nil, "cannot write \(path)")
            fputs(generated, file)
            fclose(file)
        }
        let committed = String(decoding: try readCommitted(path), as: UTF8.self)
        #expect(committed == generated, "\(relativePath) is out of date: run APIPODCTL_UPDATE_GENERATED=1 swift test --filter GeneratedFiles")
    }

    private func readCommitted(_ path: String) throws -> [UInt8] {
        guard let file = fopen(path, "r") else { throw CommittedFileMissing(path: path) }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        while case let byte = fgetc(file), byte != EOF { bytes.append(UInt8(byte)) }
        return bytes
    }

    @Test func manPage() throws {
        try check("man/apipodctl.1", equals: ManPageWriter(root: CommandTable.root).render())
    }

    @Test(arguments: CompletionWriter.Shell.allCases)
    func completionScript(shell: CompletionWriter.Shell) throws {
        try check("completions/\(shell.fileName)", equals: CompletionWriter(root: CommandTable.root).render(shell))
    }

    @Test func manPageDocumentsEveryCommandOptionAndVariable() {
        let page = ManPageWriter(root: CommandTable.root).render()
        for (path, command) in CommandTable.root.walk() where command.subcommands.isEmpty && !path.isEmpty {
            #expect(page.contains(".SS " + path.joined(separator: " ")))
            for option in command.allOptions {
                #expect(page.contains(option.spelling.replacing("-", with: "\\-")))
            }
        }
        for (name, _) in CommandTable.environment { #expect(page.contains(".B \(name.rawValue)")) }
    }
}

struct CommittedFileMissing: Error, CustomStringConvertible {
    let path: String
    var description: String { "\(path) is missing: run APIPODCTL_UPDATE_GENERATED=1 swift test --filter GeneratedFiles" }
}
