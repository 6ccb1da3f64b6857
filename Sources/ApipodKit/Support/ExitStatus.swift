/// The process exit codes of `apipodctl`, from BSD's sysexits so scripts and systemd can tell
/// a typo (64) from bad data (65), a busy port (69), a disk problem (74) and bad settings (78).
public enum ExitStatus: Int32, Sendable {
    case success = 0
    case failure = 1
    case usage = 64
    case dataError = 65
    case unavailable = 69
    case software = 70
    case ioError = 74
    case configuration = 78
}

/// An error a person will read: its description is one line saying what went wrong and,
/// where it can, how to fix it; `exitStatus` is what the process exits with.
public protocol UserFacingError: Error, CustomStringConvertible {
    var exitStatus: ExitStatus { get }
}
