import ApipodKit
import Glibc

/// Where a command's output goes. The real process writes to file descriptors 1 and 2;
/// tests pass closures that collect the text. A failed write to standard output is an error
/// (exit 74): output a script captures, such as a new key, must not be lost in silence.
/// Standard error stays unchecked, since there is nowhere left to report its failure.
struct Console: Sendable {
    var out: @Sendable (String) throws(OutputError) -> Void
    var err: @Sendable (String) -> Void
    var outputIsTerminal: Bool

    static let standard = Console(
        out: { text throws(OutputError) in
            if let failure = writeAll(STDOUT_FILENO, text) { throw OutputError(errno: failure) }
        },
        err: { text in _ = writeAll(STDERR_FILENO, text) },
        outputIsTerminal: isatty(STDOUT_FILENO) == 1
    )

    /// Writes all of `text`; the errno of a failed write, or nil.
    private static func writeAll(_ fd: Int32, _ text: String) -> Int32? {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            bytes = bytes.dropFirst(written)
        }
        return nil
    }
}

/// Standard output could not be written: a full disk, a closed descriptor, a reader gone.
struct OutputError: UserFacingError {
    let errno: Int32
    var exitStatus: ExitStatus { .ioError }
    var description: String { "cannot write to standard output: \(String(cString: strerror(errno)))" }
}
