import Glibc

/// A fresh folder under /tmp for one test's files. It is removed with its contents when the last
/// reference goes, so a suite that holds one as a property cleans up after every test, pass or fail.
public final class TemporaryDirectory: Sendable {
    public let path: String

    public init() {
        var template = Array("/tmp/apipodctl-test-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed: \(errno)")
        path = String(cString: made!)
    }

    public func file(_ name: String) -> String { path + "/" + name }

    public func write(_ name: String, _ contents: String) {
        let fd = open(file(name), O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        precondition(fd >= 0)
        _ = Array(contents.utf8).withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    deinit {
        _ = system("rm -rf '\(path)'")
    }
}
