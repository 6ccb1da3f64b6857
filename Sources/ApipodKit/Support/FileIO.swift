import Glibc

/// A failed file operation with the system's reason, e.g. "No such file or directory".
public struct FileError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let errno: Int32

    public var reason: String { String(cString: strerror(errno)) }
    public var description: String { "\(path): \(reason)" }
}

/// Reads a whole (small) file: configuration, routes, fixtures.
public func readFile(_ path: String) throws(FileError) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw FileError(path: path, errno: errno) }
    defer { close(fd) }
    var contents: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 64 * 1024)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0 {
            if errno == EINTR { continue }
            throw FileError(path: path, errno: errno)
        }
        if count == 0 { return contents }
        contents.append(contentsOf: chunk[0..<count])
    }
}
