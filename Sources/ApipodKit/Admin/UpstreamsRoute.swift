/// `GET /admin/upstreams` (and seed 003's `/admin/fallback`, the same answer): every provider
/// and model on the board, `ok` or `cooling` until when, with the last status and error and
/// the counts of attempts and failures.
enum UpstreamsRoute {
    static func json(_ board: UpstreamBoard) -> JSONOutput {
        let rows = board.rows()
        return .object([
            ("providers", .array(rows.providers.map { row(name: $0, isModel: false) })),
            ("models", .array(rows.models.map { row(name: $0, isModel: true) })),
        ])
    }

    private static func row(name row: UpstreamBoard.Row, isModel: Bool) -> JSONOutput {
        var fields: [(String, JSONOutput)] = [("name", .string(row.name))]
        if isModel { fields.append(("provider", row.provider.map { .string($0) } ?? .null)) }
        fields += [
            ("state", .string(row.coolingUntil == nil ? "ok" : "cooling")),
            // Rounded up to the second, so `until` is never before the cooldown really ends.
            ("until", row.coolingUntil.map { .string(Timestamp(secondsSinceEpoch: ($0 + 999) / 1000).rfc3339) } ?? .null),
            ("last_status", row.lastStatus.map { .integer(Int64($0)) } ?? .null),
            ("last_error", row.lastError.map { .string($0) } ?? .null),
            ("attempts", .integer(Int64(row.attempts))),
            ("failures", .integer(Int64(row.failures))),
        ]
        return .object(fields)
    }
}
