/// The operator's dashboard (SPEC §12): one page, its script, its styles and its icon, compiled
/// into the binary (`DashboardHTML`, `DashboardScript`, `DashboardStyles`) and served without
/// the secret, because a page that holds nothing cannot leak anything. Everything it shows
/// comes from the JSON admin API, which still wants `x-admin-secret` on every call.
///
/// Script and styles are separate same-origin responses rather than inline, so the policy
/// can say `'self'` and nothing else: no hash to keep in step with the text, no `unsafe-inline`.
enum DashboardPage {
    struct Asset: Sendable {
        let contentType: String
        let body: [UInt8]
    }

    /// Nothing but this server's own files and API: no inline script or style, no other origin,
    /// no framing (clickjacking), no `<base>` rewriting, no form posting anywhere.
    static let contentSecurityPolicy = [
        "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self'", "connect-src 'self'",
        "frame-ancestors 'none'", "base-uri 'none'", "form-action 'none'",
    ].joined(separator: "; ")

    static let assets: [String: Asset] = [
        "/admin/": Asset(contentType: "text/html; charset=utf-8", body: Array(DashboardHTML.text.utf8)),
        "/admin/app.js": Asset(contentType: "text/javascript; charset=utf-8", body: Array(DashboardScript.text.utf8)),
        "/admin/app.css": Asset(contentType: "text/css; charset=utf-8", body: Array(DashboardStyles.text.utf8)),
        "/admin/favicon.svg": Asset(contentType: "image/svg+xml", body: Array(DashboardHTML.icon.utf8)),
    ]

    /// What a browser that asks for the dashboard reads when the admin API is off.
    static let offMessage = """
        The dashboard is off because the admin API is off. To turn it on, set ADMIN_SECRET (16 characters \
        or more) in the environment or the .env file, restart apipodctl serve, and open /admin/ again.

        """

    /// Answers a `GET` for the page or one of its files, and `/admin` with a redirect to `/admin/`
    /// (the page's relative links need the slash); false for any other request, which is the API's.
    static func answer(_ request: ServerRequest, path: String, _ response: ResponseWriter, _ entry: inout RequestLogEntry) async throws -> Bool {
        guard request.head.method == "GET" else { return false }
        if path == "/admin" {
            var head = HTTPResponseHead(status: 308)
            head.headers.add(name: "Location", value: "/admin/")
            head.headers.add(name: "Cache-Control", value: "no-store")
            try await response.send(head)
            entry.status = 308
            return true
        }
        guard let asset = assets[path] else { return false }
        try await send(asset, status: 200, response, &entry)
        return true
    }

    /// Answers a `GET` for the page while the admin API is off: 404 and how to turn it on, as
    /// text a browser shows; false for anything else, which gets the API's JSON error.
    static func answerOff(_ request: ServerRequest, path: String, _ response: ResponseWriter, _ entry: inout RequestLogEntry) async throws -> Bool {
        guard request.head.method == "GET", path == "/admin" || path == "/admin/" else { return false }
        try await send(Asset(contentType: "text/plain; charset=utf-8", body: Array(offMessage.utf8)), status: 404, response, &entry)
        return true
    }

    private static func send(_ asset: Asset, status: Int, _ response: ResponseWriter, _ entry: inout RequestLogEntry) async throws {
        var head = HTTPResponseHead(status: status)
        head.headers.add(name: "Content-Type", value: asset.contentType)
        head.headers.add(name: "Content-Security-Policy", value: contentSecurityPolicy)
        head.headers.add(name: "X-Content-Type-Options", value: "nosniff")
        head.headers.add(name: "Referrer-Policy", value: "no-referrer")
        // The page changes with the binary; a cached copy would outlive an upgrade.
        head.headers.add(name: "Cache-Control", value: "no-store")
        try await response.send(head, body: asset.body)
        entry.status = status
        entry.bytesOut = asset.body.count
    }
}
