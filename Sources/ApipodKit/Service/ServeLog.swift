/// `serve`'s own lines — start-up, shutdown, storage and accept errors — in the configured
/// format, beside the request lines: `apipodctl serve: …` for people, or
/// `{"time":…,"message":…}` under `LOG_FORMAT=json`, so a JSON log holds nothing but JSON.
public struct ServeLog: Sendable {
    let logger: LineLogger
    let format: LogFormat
    private let clock = LogClock()

    public init(logger: LineLogger, format: LogFormat) {
        self.logger = logger
        self.format = format
    }

    public func note(_ message: String) {
        switch format {
        case .text:
            logger.log("apipodctl serve: " + message)
        case .json:
            var line = Array(#"{"time":"#.utf8)
            LogText.appendJSON(clock.rfc3339Now(), to: &line, limit: 64)
            line.append(contentsOf: #","message":"#.utf8)
            LogText.appendJSON(message, to: &line, limit: 4096)
            line.append(UInt8(ascii: "}"))
            logger.log(utf8: line)
        }
    }

    public func flush() {
        logger.flush()
    }
}
