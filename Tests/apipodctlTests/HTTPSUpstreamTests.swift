import Foundation
import Glibc
import TestSupport
import Testing
@testable import ApipodKit

/// `serve` loads `libApipodHTTPS.so` (URLSession, Foundation, libcurl) only for an `https://`
/// upstream: an `http://` proxy maps none of it; an `https://` one streams through it; a
/// missing library is a clear exit 69.
///
/// The TLS upstream is Python's `ssl` module with a certificate `openssl req` makes for the
/// test. libcurl trusts only the CA bundle under `/etc/ssl/certs`, so the `serve` child runs in
/// its own mount namespace (`unshare`) where that folder holds the test's certificate alone;
/// nothing outside the child sees the change.
@Suite(.serialized)
struct HTTPSUpstreamTests {
    @Test func anHTTPUpstreamLoadsNoFoundation() async throws {
        let cli = BinaryRunner()
        defer { cli.remove() }
        let upstream = try MockUpstream()
        let serve = try ServeProcessTests.Serve(cli: cli, upstreamPort: upstream.port)
        let group = try EventLoopGroup(count: 1)
        try await serve.waitUntilReady(client: TestClient(loop: group.loops[0], port: serve.port))

        let maps = try memoryMaps(of: serve.process.processIdentifier)
        #expect(maps.contains("libsqlite3"), "the maps were read")
        // The Swift runtime is linked into the executable (-static-stdlib), so not even
        // libswiftCore is mapped.
        for library in ["libswiftCore", "libFoundation", "libcurl", "libApipodHTTPS", "libssl"] {
            #expect(!maps.contains(library), "an http:// proxy maps \(library)")
        }
        let process = serve.process
        process.terminate()
        try await offThePool { process.waitUntilExit() }
        await upstream.stop()
        group.shutdown()
    }

    @Test func anHTTPSUpstreamStreamsThroughTheLoadedLibrary() async throws {
        let cli = BinaryRunner()
        defer { cli.remove() }
        let directory = cli.directory
        let upstream = try await offThePool { try TLSUpstream(in: directory) }
        defer { upstream.stop() }
        let key = try await offThePool { try cli.run("keys", "create", "--name", "tls") }.stdout.trimmingCharacters(in: .newlines)
        let port = try ServeProcessTests.freePort()
        let serve = Process()
        serve.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        serve.arguments = [
            "--user", "--map-root-user", "--mount", "/bin/sh", "-c",
            #"mount --bind "$0" /etc/ssl/certs && exec "$@""#, upstream.trustedFolder,
            BinaryRunner.binary, "serve", "--host", "127.0.0.1", "--port", String(port),
            "--upstream", "https://127.0.0.1:\(upstream.port)", "--upstream-key", "upstream-secret",
        ]
        serve.environment = cli.environment
        serve.currentDirectoryURL = cli.directory
        let log = Pipe()
        serve.standardError = log
        serve.standardOutput = FileHandle.nullDevice
        try serve.run()
        defer { if serve.isRunning { serve.terminate() } }
        let group = try EventLoopGroup(count: 1)
        let client = TestClient(loop: group.loops[0], port: port)
        for _ in 0..<200 where (try? await client.send("GET", "/health"))?.status != 200 {
            try await Task.sleep(for: .milliseconds(25))
        }

        let response = try await client.send(
            "POST", "/v1/chat/completions", headers: [("Authorization", "Bearer \(key)")],
            body: Array(#"{"model":"m","stream":true}"#.utf8))
        #expect(response.status == 200)
        #expect(response.headers["content-type"] == "text/event-stream")
        #expect(response.text == "data: 0\n\ndata: 1\n\ndata: 2\n\n")
        #expect(response.pieces.count >= 2, "the body arrives in pieces, not at the end")
        #expect(upstream.requests() == ["POST /v1/chat/completions upstream-secret"])

        // unshare and its shell exec into serve, so the process started is serve itself.
        let maps = try memoryMaps(of: serve.processIdentifier)
        #expect(maps.contains("libApipodHTTPS.so"))
        #expect(maps.contains("libFoundationNetworking"))
        serve.terminate()
        try await offThePool { serve.waitUntilExit() }
        #expect(serve.terminationStatus == 0, "\(String(decoding: log.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))")
        group.shutdown()
    }

    @Test func anHTTPSUpstreamWithoutTheLibraryExits69() async throws {
        let cli = BinaryRunner()
        defer { cli.remove() }
        let lonely = cli.directory.appendingPathComponent("apipodctl").path
        let arguments = ["serve", "--host", "127.0.0.1", "--port", String(try ServeProcessTests.freePort()), "--upstream", "https://127.0.0.1:9"]
        let environment = cli.environment
        let (status, stderr) = try await offThePool {
            try copyExecutable(BinaryRunner.binary, to: lonely)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: lonely)
            process.arguments = arguments
            process.environment = environment
            let err = Pipe()
            process.standardError = err
            process.standardOutput = FileHandle.nullDevice
            try runDespiteTextFileBusy(process)
            let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, stderr)
        }
        #expect(status == 69)
        #expect(stderr.contains("an https:// upstream needs libApipodHTTPS.so next to the apipodctl binary"))
        #expect(stderr.contains("\(cli.directory.path)/libApipodHTTPS.so cannot be loaded"))
        #expect(stderr.split(separator: "\n").count == 1, "one line: \(stderr)")
    }
}

/// Runs blocking work (a child process to its end, a file copy) on a thread of its own: the
/// cooperative pool has one thread per core, two here, and the tests running beside need them.
func offThePool<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}

/// Why the TLS upstream could not be set up.
struct TLSUpstreamError: Error, CustomStringConvertible {
    let description: String
}

/// The files a process has mapped, read whole (a `/proc` file reports no size to read up to).
func memoryMaps(of pid: Int32) throws -> String {
    let file = try #require(FileHandle(forReadingAtPath: "/proc/\(pid)/maps"))
    defer { try? file.close() }
    return String(decoding: try file.readToEnd() ?? Data(), as: UTF8.self)
}

/// A TLS upstream in Python (the toolchain has no TLS server): answers any POST with three
/// server-sent events, flushed one by one, and records each request's method, path and x-api-key.
final class TLSUpstream: @unchecked Sendable {
    // Every property is set once in init; `process` is only signalled and waited for.
    let port: Int
    /// A folder holding only `ca-certificates.crt`, the upstream's self-signed certificate.
    let trustedFolder: String
    private let process: Process
    private let log: String

    init(in directory: URL) throws {
        trustedFolder = directory.appendingPathComponent("certs").path
        try FileManager.default.createDirectory(atPath: trustedFolder, withIntermediateDirectories: true)
        let key = directory.appendingPathComponent("upstream.key").path
        let certificate = trustedFolder + "/ca-certificates.crt"
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", certificate,
        ]
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        guard openssl.terminationStatus == 0 else { throw TLSUpstreamError(description: "openssl req failed") }

        log = directory.appendingPathComponent("upstream.log").path
        let script = directory.appendingPathComponent("tls_upstream.py").path
        try Self.script.write(toFile: script, atomically: false, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, certificate, key, log]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let line = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
        guard let port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw TLSUpstreamError(description: "the upstream printed no port: \(line)")
        }
        self.port = port
    }

    func requests() -> [String] {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// SIGKILL: the test process blocks SIGTERM in threads its children may inherit the mask of.
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    private static let script = #"""
    import http.server, ssl, sys, time
    certificate, key, log = sys.argv[1:4]
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with open(log, "a") as f:
                f.write(f"{self.command} {self.path} {self.headers.get('x-api-key')}\n")
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for index in range(3):
                event = f"data: {index}\n\n".encode()
                self.wfile.write(b"%x\r\n%s\r\n" % (len(event), event))
                self.wfile.flush()
                time.sleep(0.05)
            self.wfile.write(b"0\r\n\r\n")
        def log_message(self, *args):
            pass
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    server.serve_forever()
    """#
}

/// Puts the executable at `destination`: a hard link when both are on one file system (no
/// descriptor is ever open for writing), else a copy through a descriptor no child process can
/// inherit (`O_CLOEXEC`): a copy another test's fork inherited open for writing could not be
/// run ("Text file busy").
private func copyExecutable(_ source: String, to destination: String) throws {
    if link(source, destination) == 0 { return }
    let bytes = try Data(contentsOf: URL(fileURLWithPath: source))
    let fd = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o755)
    guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    defer { close(fd) }
    try bytes.withUnsafeBytes { buffer in
        var offset = 0
        while offset < buffer.count {
            let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            guard written > 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            offset += written
        }
    }
}

/// `process.run()`, tried again while the executable is busy: between another thread's fork and
/// its exec, the child briefly holds every descriptor, even close-on-exec ones.
private func runDespiteTextFileBusy(_ process: Process) throws {
    for attempt in 1... {
        do {
            return try process.run()
        } catch let error as NSError where attempt < 50 && (error.userInfo[NSUnderlyingErrorKey] as? NSError)?.code == Int(ETXTBSY) {
            usleep(20_000)
        }
    }
}

