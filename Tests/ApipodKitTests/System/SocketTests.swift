import Glibc
import Testing
@testable import ApipodKit

extension SystemTests {
    @Suite struct SocketTests {
        @Test func acceptAndConnect_OverLoopbackOnAnEphemeralPort() async throws {
            try await withLoops(2) { group in
                let listener = try Socket.listen(host: "127.0.0.1", port: 0, on: group.loops[0])
                let address = try listener.localAddress
                #expect(address.host == "127.0.0.1")
                #expect(address.port != 0)
                let server = Task(executorPreference: group.loops[0]) { () -> String in
                    let connection = try await listener.accept(assigningTo: group.loops[1])
                    #expect(connection.loop === group.loops[1])
                    // The accepted connection moves to a task on its own loop.
                    return try await Task(executorPreference: connection.loop) {
                        let request = try await connection.readToEnd()
                        try await connection.writeText("pong to \(request)")
                        connection.close()
                        return "\(connection.peerAddress?.host ?? "?")"
                    }.value
                }
                let reply = try await Task(executorPreference: group.loops[0]) {
                    let client = try await Socket.connect(
                        host: "127.0.0.1", port: address.port, deadline: hangGuard(), on: group.loops[0])
                    #expect(client.peerAddress == address)
                    try await client.writeText("ping")
                    try client.shutdownWrite()
                    return try await client.readToEnd()
                }.value
                #expect(reply == "pong to ping")
                #expect(try await server.value == "127.0.0.1")
            }
        }

        @Test func connectingToAPortNobodyListensOn_IsRefused() async throws {
            try await withLoops { group in
                // A bound socket that does not listen holds the port, so nothing else can.
                let holder = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                defer { close(holder) }
                let any = SocketAddress(numericHost: "127.0.0.1", port: 0)!
                #expect(any.withSockAddr { bind(holder, $0, $1) } == 0)
                var bound = sockaddr_in()
                var length = socklen_t(MemoryLayout<sockaddr_in>.size)
                _ = withUnsafeMutablePointer(to: &bound) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(holder, $0, &length) }
                }
                let port = UInt16(bigEndian: bound.sin_port)
                let outcome = await Task(executorPreference: group.loops[0]) { () -> String in
                    do {
                        _ = try await Socket.connect(host: "127.0.0.1", port: port, deadline: hangGuard(), on: group.loops[0])
                        return "connected"
                    } catch SocketError.connectionRefused(let operation) {
                        return operation
                    } catch {
                        return "\(error)"
                    }
                }.value
                #expect(outcome == "connect 127.0.0.1:\(port)")
            }
        }

        @Test func listeningOnABusyPort_IsAddressInUse() async throws {
            try await withLoops { group in
                let first = try Socket.listen(host: "127.0.0.1", port: 0, on: group.loops[0])
                let port = try first.localAddress.port
                #expect(throws: SocketError.addressInUse(operation: "bind 127.0.0.1:\(port)")) {
                    _ = try Socket.listen(host: "127.0.0.1", port: port, on: group.loops[0])
                }
            }
        }

        @Test func listeningOnLocalhost_PrefersIPv4() async throws {
            try await withLoops { group in
                let listener = try Socket.listen(host: "localhost", port: 0, on: group.loops[0])
                #expect(try listener.localAddress.host == "127.0.0.1")
            }
        }

        @Test(.enabled(if: SocketTests.hasIPv6Loopback))
        func acceptAndConnect_OverIPv6Loopback() async throws {
            try await withLoops { group in
                let loop = group.loops[0]
                let listener = try Socket.listen(host: "::1", port: 0, on: loop)
                let port = try listener.localAddress.port
                let server = Task(executorPreference: loop) {
                    let connection = try await listener.accept()
                    try await connection.writeText("over IPv6")
                }
                let text = try await Task(executorPreference: loop) {
                    let client = try await Socket.connect(host: "[::1]", port: port, deadline: hangGuard(), on: loop)
                    return try await client.readText()
                }.value
                try await server.value
                #expect(text == "over IPv6")
            }
        }

        @Test func aReadPastItsDeadline_ThrowsTimedOut() async throws {
            try await withLoops { group in
                let loop = group.loops[0]
                let (mine, peer) = try makeDescriptorPair()
                defer { close(peer) }
                let outcome = await Task(executorPreference: loop) { () -> String in
                    do {
                        _ = try await Socket(adopting: mine, on: loop).readText(deadline: .after(.milliseconds(20)))
                        return "read returned"
                    } catch SocketError.timedOut(let operation) {
                        return operation
                    } catch {
                        return "\(error)"
                    }
                }.value
                #expect(outcome == "read from fd \(mine)")
            }
        }

        /// Several megabytes through small socket buffers to a reader that yields between reads:
        /// the writer suspends whenever the buffer is full and still delivers every byte in order.
        @Test func aLargeWriteToASlowReader_Completes() async throws {
            try await withLoops(2) { group in
                let (writerFD, readerFD) = try makeDescriptorPair()
                var small: Int32 = 16 * 1024
                setsockopt(writerFD, SOL_SOCKET, SO_SNDBUF, &small, socklen_t(MemoryLayout<Int32>.size))
                setsockopt(readerFD, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
                let total = 4 * 1024 * 1024
                let writer = Task(executorPreference: group.loops[0]) {
                    let socket = try Socket(adopting: writerFD, on: group.loops[0])
                    let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: total, alignment: 1)
                    defer { bytes.deallocate() }
                    for index in 0..<total { bytes[index] = UInt8(truncatingIfNeeded: index % 251) }
                    try await socket.write(UnsafeRawBufferPointer(bytes), deadline: hangGuard())
                    socket.close()
                }
                let (count, inOrder) = try await Task(executorPreference: group.loops[1]) { () -> (Int, Bool) in
                    let socket = try Socket(adopting: readerFD, on: group.loops[1])
                    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1024, alignment: 1)
                    defer { buffer.deallocate() }
                    var count = 0
                    var inOrder = true
                    while true {
                        let read = try await socket.read(into: buffer, deadline: hangGuard())
                        if read == 0 { return (count, inOrder) }
                        for offset in 0..<read where buffer[offset] != UInt8(truncatingIfNeeded: (count + offset) % 251) {
                            inOrder = false
                        }
                        count += read
                        await Task.yield()
                    }
                }.value
                try await writer.value
                #expect(count == total)
                #expect(inOrder)
            }
        }

        @Test func writingToAClosedPeer_IsConnectionReset() async throws {
            try await withLoops { group in
                let loop = group.loops[0]
                let (mine, peer) = try makeDescriptorPair()
                close(peer)
                await #expect(throws: SocketError.connectionReset(operation: "write to fd \(mine)")) {
                    try await Task(executorPreference: loop) {
                        try await Socket(adopting: mine, on: loop).writeText("nobody listens")
                    }.value
                }
            }
        }

        @Test func addresses_ParseAndPrint() throws {
            #expect(SocketAddress(numericHost: "127.0.0.1", port: 8080)?.description == "127.0.0.1:8080")
            #expect(SocketAddress(numericHost: "::1", port: 443)?.description == "[::1]:443")
            #expect(SocketAddress(numericHost: "[::1]", port: 443) == SocketAddress(numericHost: "::1", port: 443))
            #expect(SocketAddress(numericHost: "localhost", port: 80) == nil)
            #expect(SocketAddress(numericHost: "256.0.0.1", port: 80) == nil)
            let localhost = try SocketAddress.resolve(host: "localhost", port: 8081)
            #expect(localhost.contains(SocketAddress(numericHost: "127.0.0.1", port: 8081)!))
            #expect(throws: SocketError.self) { try SocketAddress.resolve(host: "no-such-host.invalid", port: 1) }
        }

        @Test func errors_NameTheOperationAndTheReason() {
            #expect(SocketError(operation: "connect 127.0.0.1:9", errno: ECONNREFUSED) == .connectionRefused(operation: "connect 127.0.0.1:9"))
            #expect(SocketError(operation: "bind 0.0.0.0:80", errno: EADDRINUSE).description == "bind 0.0.0.0:80: address already in use")
            #expect(SocketError(operation: "read from fd 7", errno: EPIPE) == .connectionReset(operation: "read from fd 7"))
            #expect(SocketError.failed(operation: "socket", errno: EMFILE).description == "socket: Too many open files (errno 24)")
        }

        static let hasIPv6Loopback: Bool = {
            let fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { return false }
            defer { close(fd) }
            return SocketAddress(numericHost: "::1", port: 0)!.withSockAddr { bind(fd, $0, $1) } == 0
        }()
    }
}
