import Glibc

/// `libApipodHTTPS.so`, the URLSession half of the `https://` transport, opened on demand.
///
/// URLSession drags Foundation, ICU and libcurl with its TLS, Kerberos and LDAP into a process
/// (some 35 shared libraries, 10 ms of start-up): kept in a library of its own that `serve` opens
/// only when its upstream is `https://`, no admin command and no `http://` proxy loads them.
/// The library sits next to the executable (where `swift build` puts it, and where an install
/// copies it). Its entry points take and give only C types (`HTTPSEntryPoints.swift` in
/// `Sources/ApipodHTTPS` declares the same signatures), so ApipodKit stays in the executable
/// alone and no type of it exists twice in the process. The same boundary lets the executable
/// carry its own copy of the Swift runtime (`-static-stdlib`) while the library loads
/// `libswiftCore.so`: no Swift value crosses from one runtime to the other.
///
/// Loaded once per process (`shared`); the function pointers never change, so any thread may use them.
struct HTTPSLibrary: Sendable {
    typealias Head = @convention(c) (_ context: UnsafeMutableRawPointer, _ status: Int, _ headers: UnsafePointer<CChar>) -> Void
    typealias Data = @convention(c) (_ context: UnsafeMutableRawPointer, _ bytes: UnsafePointer<UInt8>, _ count: Int) -> Void
    typealias Finish = @convention(c) (_ context: UnsafeMutableRawPointer, _ outcome: Int32, _ message: UnsafePointer<CChar>) -> Void

    let open: @convention(c) (_ responseHeadTimeout: Double, Head, Data, Finish) -> UnsafeMutableRawPointer
    let close: @convention(c) (_ engine: UnsafeMutableRawPointer) -> Void
    let task: @convention(c) (
        _ engine: UnsafeMutableRawPointer, _ method: UnsafePointer<CChar>, _ url: UnsafePointer<CChar>,
        _ headers: UnsafePointer<CChar>, _ body: UnsafePointer<UInt8>?, _ bodyCount: Int
    ) -> UnsafeMutableRawPointer?
    let start: @convention(c) (_ engine: UnsafeMutableRawPointer, _ task: UnsafeMutableRawPointer, _ context: UnsafeMutableRawPointer) -> Void
    let control: @convention(c) (_ task: UnsafeMutableRawPointer, _ action: Int32) -> Void

    /// The file name the library is looked up under, next to the executable.
    static let fileName = "libApipodHTTPS.so"

    /// The library next to this process's executable, opened at the first call.
    static func shared() throws(HTTPSLibraryError) -> HTTPSLibrary {
        try loaded.get()
    }

    private static let loaded: Result<HTTPSLibrary, HTTPSLibraryError> = Result { () throws(HTTPSLibraryError) in
        guard let directory = executableDirectory() else {
            throw HTTPSLibraryError(path: "/proc/self/exe", reason: "cannot tell which folder the executable is in")
        }
        return try HTTPSLibrary(path: directory + "/" + fileName)
    }

    init(path: String) throws(HTTPSLibraryError) {
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            throw HTTPSLibraryError(path: path, reason: Self.lastError())
        }
        func symbol<Function>(_ name: String, as type: Function.Type) throws(HTTPSLibraryError) -> Function {
            guard let address = dlsym(handle, name) else { throw HTTPSLibraryError(path: path, reason: Self.lastError()) }
            return unsafeBitCast(address, to: type)
        }
        open = try symbol("apipod_https_v1_open", as: type(of: open))
        close = try symbol("apipod_https_v1_close", as: type(of: close))
        task = try symbol("apipod_https_v1_task", as: type(of: task))
        start = try symbol("apipod_https_v1_start", as: type(of: start))
        control = try symbol("apipod_https_v1_control", as: type(of: control))
    }

    /// The folder of `/proc/self/exe`: the real file, whatever link or relative path started it.
    /// Nil without /proc: never the working directory, where anyone could have put a library.
    private static func executableDirectory() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        let path = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard path.hasPrefix("/"), let slash = path.lastIndex(of: "/") else { return nil }
        return slash == path.startIndex ? "" : String(path[..<slash])
    }

    private static func lastError() -> String {
        dlerror().map { String(cString: $0) } ?? "unknown error"
    }
}

/// `serve` has an `https://` upstream and `libApipodHTTPS.so` cannot be loaded (exit 69).
public struct HTTPSLibraryError: UserFacingError, Equatable {
    public let path: String
    public let reason: String

    public var exitStatus: ExitStatus { .unavailable }

    public var description: String {
        "an https:// upstream needs \(HTTPSLibrary.fileName) next to the apipodctl binary, and \(path) cannot be loaded (\(reason)); "
            + "install it beside the binary, or use an http:// upstream"
    }
}
