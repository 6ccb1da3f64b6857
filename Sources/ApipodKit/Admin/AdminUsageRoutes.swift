/// `GET /admin/usage` (the same filters and JSON as `apipodctl usage --json`) and
/// `GET /admin/usage/daily?days=N` (seed 002/003's daily view, by model), read through the
/// write worker like the other admin routes. Times are UTC.
struct AdminUsageRoutes: Sendable {
    let writer: KeyStoreWorker

    /// Answers `parts` (`usage` or `usage/daily`) with its JSON.
    func answer(_ parts: [Substring], query: [String: String], now: Timestamp) async throws -> JSONOutput {
        if parts.count == 3, parts[2] == "daily" {
            let text = query["days"] ?? "30"
            guard let days = Int64(text), (1...UsageTable.retentionDays).contains(days) else {
                throw APIError(.badRequest, "days must be a whole number from 1 to \(UsageTable.retentionDays), not '\(text)'")
            }
            let today = UsageDay.start(of: now.secondsSinceEpoch)
            let request = UsageQuery(since: today - (days - 1) * 86_400, until: today + 86_400, groupings: [.day, .model])
            let report = try await read(request, key: nil)
            return UsageDailyReport(dayModelRows: report.rows).json
        }
        guard parts.count == 2 else { throw APIError(.notFound, "no admin route GET /\(parts.joined(separator: "/"))") }
        var request: UsageQuery
        do {
            request = try UsageQuery.parse(by: query["by"], since: query["since"], until: query["until"], now: now.secondsSinceEpoch)
        } catch {
            throw APIError(.badRequest, "\(error.field) '\(error.value)' is not valid: expected \(error.expected)")
        }
        request.model = query["model"]
        return try await read(request, key: query["key"]).json
    }

    private func read(_ request: UsageQuery, key: String?) async throws -> UsageReport {
        do {
            return try await writer.perform { store throws(StorageError) in
                var request = request
                if let key { request.keyID = try store.resolve(key).id }
                return try store.usage(request)
            }
        } catch {
            switch error {
            case .keyNotFound, .ambiguousKeyReference, .unusableKeyReference, .incompleteKeyReference:
                throw APIError(.badRequest, error.description)
            default:
                throw error
            }
        }
    }

    /// The query string's parameters, percent-decoded (`+` is a space, as forms write it); the
    /// first of a name given twice wins.
    static func parameters(of target: String) -> [String: String] {
        guard let mark = target.firstIndex(of: "?") else { return [:] }
        var parameters: [String: String] = [:]
        for pair in target[target.index(after: mark)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = decode(parts[0])
            if parameters[name] == nil { parameters[name] = parts.count > 1 ? decode(parts[1]) : "" }
        }
        return parameters
    }

    private static func decode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = text.utf8[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), utf8.count >= 2,
                      let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
