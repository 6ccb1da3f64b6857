import ApipodKit
import Glibc

/// A trivial `200 Hello, World!` server on ApipodKit's HTTP engine, for `Benchmarks/engine.sh`
/// to compare with nginx's `return 200`. Usage: apipod-hello PORT [LOOPS]
struct Hello: HTTPHandler {
    let body = Array("Hello, World!".utf8)

    func handle(_ request: ServerRequest, _ response: ResponseWriter) async throws {
        var head = HTTPResponseHead(status: 200)
        head.headers.add(name: "Content-Type", value: "text/plain")
        try await response.send(consume head, body: body)
    }
}

func serve() throws {
    let arguments = CommandLine.arguments
    let port = arguments.count > 1 ? UInt16(arguments[1]) ?? 8090 : 8090
    let loops = arguments.count > 2 ? Int(arguments[2]) ?? EventLoopGroup.coreCount : EventLoopGroup.coreCount
    ignoreBrokenPipeSignal()
    let group = try EventLoopGroup(count: loops)
    let server = try HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: port), group: group, handler: Hello())
    LineLogger().log("apipod-hello listening on \(server.localAddress) with \(loops) loops")
    while true { pause() }
}

do {
    try serve()
} catch {
    let logger = LineLogger()
    logger.log("apipod-hello: \(error)")
    logger.flush()
    exit(69)
}
