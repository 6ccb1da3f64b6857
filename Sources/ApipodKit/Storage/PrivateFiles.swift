import Glibc

/// Makes the key database's folder and file private to their owner (0700 and 0600), whatever
/// the umask, with no moment at which either is open to anyone else.
///
/// Each is created with the private mode itself, never widened-then-narrowed: the umask can
/// only take bits away, so a new folder or file is never wider than asked for, and the chmod
/// that follows only restores owner bits a strict umask (say 0277) removed. Setting the umask
/// around the open instead would race with every other thread (the umask is per process), and
/// chmod after SQLite created the file would leave a window in which another user could open
/// it and keep the descriptor. SQLite then gives the `-wal`, `-shm` and `-journal` files it
/// makes the database file's own mode (its unix VFS copies it and fchmods them), so they are
/// 0600 too.
enum PrivateFiles {
    static let folderMode: mode_t = 0o700
    static let fileMode: mode_t = 0o600

    /// Creates the folders leading to `path` and the empty file at `path`, where missing; what
    /// already exists is left as it is.
    static func createDatabase(at path: String) throws(StorageError) {
        try createFolders(leadingTo: path)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, fileMode)
        if fd < 0 {
            if errno == EEXIST { return }
            throw .cannotOpen(path: path, reason: "cannot create it: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        if fchmod(fd, fileMode) != 0 {
            throw .cannotOpen(path: path, reason: "cannot make it private: \(String(cString: strerror(errno)))")
        }
    }

    private static func createFolders(leadingTo path: String) throws(StorageError) {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return }
        let folder = String(path[..<slash])
        var partial = folder.hasPrefix("/") ? "" : "."
        for component in folder.split(separator: "/") {
            partial += "/" + component
            if mkdir(partial, folderMode) == 0 {
                if chmod(partial, folderMode) != 0 {
                    throw .cannotOpen(path: path, reason: "cannot make folder '\(partial)' private: \(String(cString: strerror(errno)))")
                }
                continue
            }
            let reason = errno == EEXIST ? ENOTDIR : errno
            var info = stat()
            if reason == ENOTDIR, stat(partial, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { continue }
            throw .cannotOpen(path: path, reason: "cannot create folder '\(partial)': \(String(cString: strerror(reason)))")
        }
    }
}
