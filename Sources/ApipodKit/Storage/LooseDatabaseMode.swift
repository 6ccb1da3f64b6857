import Glibc

/// An existing key database that users other than its owner may read or write (a file made
/// before apipodctl made them private, or copied with a wide umask). It holds key digests, so
/// this is worth one warning line on start; the mode is the operator's to change, not ours.
public struct LooseDatabaseMode: Sendable, Equatable, CustomStringConvertible {
    public let path: String
    /// The permission bits, `0o644` for example.
    public let mode: mode_t

    /// The warning for the file at `path`, or nil when only its owner has access (or it cannot
    /// be examined, in which case opening it reports the problem).
    static func check(path: String) -> LooseDatabaseMode? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let mode = info.st_mode & 0o777
        return mode & 0o077 == 0 ? nil : LooseDatabaseMode(path: path, mode: mode)
    }

    public var description: String {
        let octal = String(mode, radix: 8)
        let shown = String(repeating: "0", count: max(0, 4 - octal.count)) + octal
        return "key database '\(path)' is open to other users (mode \(shown)); make it private with: chmod 600 \(path.shellQuoted)"
    }
}
