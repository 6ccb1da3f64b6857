/// One value crossing the SQLite boundary, in SQLite's own five storage classes.
enum SQLiteValue: Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    var integer: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    /// A number of either class as a `Double` (a sum of REAL columns that are all whole comes back as one).
    var real: Double? {
        switch self {
        case .real(let value): value
        case .integer(let value): Double(value)
        default: nil
        }
    }

    var text: String? {
        switch self {
        case .text(let value): value
        case .integer(let value): String(value)
        case .real(let value): String(value)
        default: nil
        }
    }
}

/// A row read from a statement, columns by position.
struct SQLiteRow {
    let values: [SQLiteValue]
    subscript(_ index: Int) -> SQLiteValue { values[index] }
}
