import Glibc

/// SPEC §10 on a request's path: right after authentication, the key's effective limits are
/// checked against its limiter (atomics shared by every loop, no lock), and a refusal becomes a
/// 429 in the caller's dialect before anything is read from the client's body or sent upstream.
extension Forwarder {
    /// The request's permit, which the caller releases in a `defer`; or a 429 `APIError`, with
    /// the limit noted in `entry` for the log and `apipod_rate_limited_total`.
    @inline(never)
    func admit(_ key: AuthenticatedKey, _ entry: inout RequestLogEntry) throws(APIError) -> LimitPermit {
        do {
            return try authenticator.limiters.admit(key.limits, to: key.limiter)
        } catch {
            entry.rateLimited = error.reason
            throw APIError(refusal: error)
        }
    }
}

extension APIError {
    /// A limit's refusal as the SDKs expect it: 429, OpenAI's `rate_limit_exceeded` or
    /// `insufficient_quota` (Anthropic's `rate_limit_error`), `Retry-After` in whole seconds
    /// rounded up, and OpenAI's `x-ratelimit-*-requests` fields when the key has an rpm limit.
    /// A daily quota is also marked `x-should-retry: false`, which both SDKs obey: retrying
    /// cannot help before midnight UTC, hours past their longest wait.
    init(refusal: LimitRefusal) {
        var headers = HTTPHeaders()
        headers.add(name: "Retry-After", value: String(refusal.retryAfterSeconds))
        if let requests = refusal.requests {
            headers.add(name: "x-ratelimit-limit-requests", value: String(requests.limit))
            headers.add(name: "x-ratelimit-remaining-requests", value: String(requests.remaining))
            headers.add(name: "x-ratelimit-reset-requests", value: Self.goDuration(nanoseconds: requests.resetNanoseconds))
        }
        let wait = Self.goDuration(nanoseconds: refusal.retryAfterNanoseconds)
        switch refusal.reason {
        case .rpm:
            self.init(.rateLimited, "rate limit reached: this key may make \(refusal.limit) requests per minute; try again in \(wait)", headers: headers)
        case .concurrency:
            self.init(.rateLimited, "concurrency limit reached: this key may have \(refusal.limit) requests in progress at once; "
                + "try again when one has finished", headers: headers)
        case .dailyTokens:
            headers.add(name: "x-should-retry", value: "false")
            self.init(.quotaExceeded, "daily token quota reached: this key has used \(refusal.tokensToday ?? refusal.limit) of its "
                + "\(refusal.limit) tokens for today (UTC); it resets at 00:00 UTC, in \(wait)", headers: headers)
        }
    }

    /// A duration as OpenAI's headers write it (Go's notation), rounded up to the millisecond:
    /// `20ms`, `1s`, `1.5s`, `6m0s`, `1h2m3s`.
    static func goDuration(nanoseconds: Int64) -> String {
        let milliseconds = max(0, (nanoseconds + 999_999) / 1_000_000)
        if milliseconds < 1000 { return "\(milliseconds)ms" }
        let hours = milliseconds / 3_600_000
        let minutes = milliseconds / 60_000 % 60
        let seconds = milliseconds / 1000 % 60
        var fraction = String(milliseconds % 1000)
        var text = hours > 0 ? "\(hours)h\(minutes)m" : minutes > 0 ? "\(minutes)m" : ""
        text += String(seconds)
        if fraction != "0" {
            fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
            while fraction.hasSuffix("0") { fraction.removeLast() }
            text += "." + fraction
        }
        return text + "s"
    }
}

extension LimitClock {
    /// The system's monotonic and wall clocks (two vDSO calls, only for keys with limits).
    static let system = LimitClock {
        var wall = timespec()
        clock_gettime(CLOCK_REALTIME, &wall)
        return LimitTime(monotonicNanoseconds: Int64(bitPattern: Deadline.now.uptimeNanoseconds), wallSeconds: Int64(wall.tv_sec))
    }
}
