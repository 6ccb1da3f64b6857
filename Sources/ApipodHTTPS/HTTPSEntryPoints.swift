#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

// The C entry points of libApipodHTTPS.so, which ApipodKit's `HTTPSLibrary` finds with dlsym.
// Only C types cross: pointers, integers, C strings and C function pointers. A Swift type
// shared by both sides would need ApipodKit in this library too, and a second copy of its
// types (SwiftPM links every target a dynamic library depends on into it). The `v1` in each
// name is the contract's version: a library built from other sources fails to load by name
// instead of calling with the wrong arguments. `HTTPSLibrary.swift` declares the same types.

/// Called once per response, with its status and `Name: value` lines separated by newlines.
public typealias HeadCallback = @convention(c) (_ context: UnsafeMutableRawPointer, _ status: Int, _ headers: UnsafePointer<CChar>) -> Void
/// Called for every piece of the body, in order.
public typealias DataCallback = @convention(c) (_ context: UnsafeMutableRawPointer, _ bytes: UnsafePointer<UInt8>, _ count: Int) -> Void
/// Called last, exactly once per started task, with an `HTTPSOutcome` and a message.
public typealias FinishCallback = @convention(c) (_ context: UnsafeMutableRawPointer, _ outcome: Int32, _ message: UnsafePointer<CChar>) -> Void

struct HTTPSCallbacks {
    let head: HeadCallback
    let data: DataCallback
    let finish: FinishCallback

    func head(_ context: UnsafeMutableRawPointer, _ status: Int, _ headers: String) {
        headers.withCString { head(context, status, $0) }
    }

    func finish(_ context: UnsafeMutableRawPointer, _ outcome: Int32, _ message: String) {
        message.withCString { finish(context, outcome, $0) }
    }
}

/// How a task ended; the numbers are the contract.
enum HTTPSOutcome: Int32 {
    case success = 0
    case unreachable = 1
    case timedOut = 2
    case badResponse = 3
}

/// Opens an engine (a URLSession with its delegate); the caller owns it until `close`.
@_cdecl("apipod_https_v1_open")
public func apipodHTTPSOpen(
    _ responseHeadTimeout: Double, _ head: HeadCallback, _ data: DataCallback, _ finish: FinishCallback
) -> UnsafeMutableRawPointer {
    let engine = URLSessionEngine(responseHeadTimeout: responseHeadTimeout, callbacks: HTTPSCallbacks(head: head, data: data, finish: finish))
    return Unmanaged.passRetained(engine).toOpaque()
}

/// Lets the engine's running tasks finish, then releases it.
@_cdecl("apipod_https_v1_close")
public func apipodHTTPSClose(_ engine: UnsafeMutableRawPointer) {
    Unmanaged<URLSessionEngine>.fromOpaque(engine).takeRetainedValue().close()
}

/// A task for one request, not yet running (the caller owns it until action 3 releases it);
/// nil when no URL can be formed from `url`.
@_cdecl("apipod_https_v1_task")
public func apipodHTTPSTask(
    _ engine: UnsafeMutableRawPointer, _ method: UnsafePointer<CChar>, _ url: UnsafePointer<CChar>,
    _ headers: UnsafePointer<CChar>, _ body: UnsafePointer<UInt8>?, _ bodyCount: Int
) -> UnsafeMutableRawPointer? {
    let engine = Unmanaged<URLSessionEngine>.fromOpaque(engine).takeUnretainedValue()
    let task = engine.makeTask(
        method: String(cString: method), url: String(cString: url), headers: String(cString: headers),
        body: UnsafeBufferPointer(start: body, count: bodyCount))
    return task.map { Unmanaged.passRetained($0).toOpaque() }
}

/// Runs a task; the callbacks receive `context` from now on, until the finish callback.
@_cdecl("apipod_https_v1_start")
public func apipodHTTPSStart(_ engine: UnsafeMutableRawPointer, _ task: UnsafeMutableRawPointer, _ context: UnsafeMutableRawPointer) {
    let engine = Unmanaged<URLSessionEngine>.fromOpaque(engine).takeUnretainedValue()
    engine.start(Unmanaged<URLSessionDataTask>.fromOpaque(task).takeUnretainedValue(), context: context)
}

/// 0 suspends a task, 1 resumes it, 2 cancels it, 3 releases the caller's hold on it.
@_cdecl("apipod_https_v1_control")
public func apipodHTTPSControl(_ task: UnsafeMutableRawPointer, _ action: Int32) {
    let handle = Unmanaged<URLSessionDataTask>.fromOpaque(task)
    switch action {
    case 0: handle.takeUnretainedValue().suspend()
    case 1: handle.takeUnretainedValue().resume()
    case 2: handle.takeUnretainedValue().cancel()
    default: handle.release()
    }
}
