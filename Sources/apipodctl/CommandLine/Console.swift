import Glibc

/// Where a command's output goes. The real process writes to file descriptors 1 and 2;
/// tests pass closures that collect the text.
struct Console: Sendable {
    var out: @Sendable (String) -> Void
    var err: @Sendable (String) -> Void
    var outputIsTerminal: Bool

    static let standard = Console(
        out: { text in writeAll(STDOUT_FILENO, text) },
        err: { text in writeAll(STDERR_FILENO, text) },
        outputIsTerminal: isatty(STDOUT_FILENO) == 1
    )

    private static func writeAll(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            bytes = bytes.dropFirst(written)
        }
    }
}
