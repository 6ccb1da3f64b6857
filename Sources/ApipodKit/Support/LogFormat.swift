/// How `serve` writes its log: lines for people (the default), or one JSON object a line for
/// journald and jq (`LOG_FORMAT=json`), with the same fields either way.
public enum LogFormat: String, Sendable, CaseIterable {
    case text
    case json
}
