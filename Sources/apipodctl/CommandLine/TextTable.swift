/// Left-aligned columns separated by two spaces, for `keys list` and `route simulate`.
/// Widths count characters, so names with accents or `…` line up. Cells are printed escaped
/// for the terminal (`String.escapedForTerminal`): they hold names from files and databases.
struct TextTable {
    let header: [String]
    let rows: [[String]]
    /// Columns to align right (numbers).
    var rightAligned: Set<Int> = []

    func rendered() -> String {
        let all = ([header] + rows).map { $0.map(\.escapedForTerminal) }
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                if rightAligned.contains(column) { return padding + cell }
                return column == row.count - 1 ? cell : cell + padding
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
