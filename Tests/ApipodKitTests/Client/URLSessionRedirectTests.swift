import Testing
@testable import ApipodKit

extension ClientTests {
/// The `https://` transport (URLSession) with its delegate, run against plain `http://` test
/// servers: URLSession on Linux trusts only the system's certificates, so no test here can
/// serve TLS, but the redirect decision is the delegate's and the same for either scheme.
@Suite struct URLSessionRedirectTests {
    /// A redirect is the upstream's answer to relay: following it would carry the request's
    /// headers, the upstream key among them, to wherever the upstream points.
    @Test(arguments: [301, 302, 307, 308])
    func aRedirect_IsRelayedAndNeverFollowed(status: Int) async throws {
        let elsewhere = try TestServer { _, response in try await sendText("elsewhere", response) }
        let upstream = try TestServer { _, response in
            var head = HTTPResponseHead(status: status)
            head.headers.add(name: "Location", value: "http://127.0.0.1:\(elsewhere.port)/stolen")
            try await response.send(head, body: Array("moved".utf8))
        }
        let transport = try URLSessionClient(
            upstream: try UpstreamURL(parsing: "http://127.0.0.1:\(upstream.port)"),
            configuration: HTTPClientConfiguration(host: "127.0.0.1", port: upstream.port))
        let loop = upstream.clientLoop
        let (answered, location, body) = try await Task(executorPreference: loop) {
            let head = HTTPRequestHead(method: "POST", target: "/v1/messages", headers: ["Host": "127.0.0.1", "x-api-key": "upstream-secret"])
            let answer = try await transport.request(head, body: .bytes(Array("{}".utf8)), on: loop, watching: nil)
            var body: [UInt8] = []
            while let piece = try await answer.nextPiece(watching: nil) { body += piece }
            return (answer.head.status, answer.head.headers["location"], body)
        }.value
        #expect(answered == status)
        #expect(location == "http://127.0.0.1:\(elsewhere.port)/stolen")
        #expect(body == Array("moved".utf8))
        #expect(elsewhere.requestPeers.isEmpty)
        await upstream.stop()
        await elsewhere.stop()
    }
}
}
