/// The `Retry-After` field (RFC 9110 §10.2.3): a number of seconds, or an HTTP date
/// (`Sun, 06 Nov 1994 08:49:37 GMT`, the IMF-fixdate every server sends today).
enum RetryAfter {
    /// How many milliseconds from `nowMilliseconds` the field asks for; nil when it is neither
    /// form. A date in the past is 0.
    static func delay(_ value: String, nowMilliseconds: Int64) -> Int64? {
        let text = value.trimmingASCIIWhitespace()
        if !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
            // More digits than fit are a long wait, which the caller's cap cuts anyway.
            return (Int64(text) ?? Int64.max / 1000) * 1000
        }
        guard let seconds = httpDateSeconds(text) else { return nil }
        return max(0, seconds * 1000 - nowMilliseconds)
    }

    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Seconds since the epoch of an IMF-fixdate: `Day, DD Mon YYYY HH:MM:SS GMT`.
    static func httpDateSeconds(_ text: String) -> Int64? {
        let words = text.split(separator: " ")
        guard words.count == 6, words[0].hasSuffix(","), words[5] == "GMT",
              let day = Int64(words[1]), let month = months.firstIndex(of: String(words[2])), let year = Int64(words[3])
        else { return nil }
        let clock = words[4].split(separator: ":")
        guard clock.count == 3, let hour = Int64(clock[0]), let minute = Int64(clock[1]), let second = Int64(clock[2]),
              (1...31).contains(day), (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)
        else { return nil }
        let days = Timestamp.days(fromCivil: year, Int64(month + 1), day)
        return days * 86_400 + hour * 3600 + minute * 60 + second
    }
}
