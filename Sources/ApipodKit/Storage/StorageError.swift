import Glibc

/// Why the key database could not be used. Never includes a key, a digest or other bound value.
public enum StorageError: UserFacingError, Equatable {
    /// The database file or its folder could not be created or opened.
    case cannotOpen(path: String, reason: String)
    /// A command that only reads or changes rows found no database at `path` (a typo, as a
    /// rule) and created none.
    case missingDatabase(path: String)
    /// A statement failed (disk full, corruption, a lock held too long, …).
    case sqlite(path: String, code: Int32, message: String)
    /// The file was written by a newer apipodctl whose migrations this build does not know.
    case schemaTooNew(path: String, unknownMigrations: [String])
    /// A row of the original service's `users` table could not be adopted as it is; `problem`
    /// names the column and never holds a key.
    case unadoptableSeedRow(id: Int64, problem: String)
    /// `keys disable/enable` named no key.
    case keyNotFound(reference: String)
    /// A prefix matched more than one key.
    case ambiguousKeyReference(reference: String, matches: [KeyRecord])
    /// A prefix longer than the stored display prefix cannot be checked; nor can a malformed key.
    case unusableKeyReference(reference: String, reason: String)
    /// Shorter than a display prefix (empty, blank, a bare `apk_`): a mistake on the command
    /// line, never a match for every key.
    case incompleteKeyReference(reference: String)
    /// A name or tier that would make listings and logs unreadable.
    case invalidField(name: String, reason: String)

    public var exitStatus: ExitStatus {
        switch self {
        case .cannotOpen, .missingDatabase, .sqlite: .ioError
        case .schemaTooNew: .configuration
        case .incompleteKeyReference: .usage
        case .unadoptableSeedRow, .keyNotFound, .ambiguousKeyReference, .unusableKeyReference, .invalidField: .dataError
        }
    }

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            return "cannot open the key database '\(path)': \(reason)"
        case .missingDatabase(let path):
            return "no key database at '\(path)' (nothing was created); check the path, "
                + "or create the database with: apipodctl db migrate --db \(path.shellQuoted)"
        case .sqlite(let path, _, let message):
            return "key database '\(path)': \(message)"
        case .schemaTooNew(let path, let unknown):
            return "key database '\(path)' was upgraded by a newer apipodctl (migrations \(unknown.joined(separator: ", "))); "
                + "use that version or a copy of the database from before"
        case .unadoptableSeedRow(let id, let problem):
            return "cannot adopt row id \(id) of the original 'users' table: \(problem); "
                + "nothing was changed; fix that row with sqlite3 and run 'apipodctl db migrate' again"
        case .keyNotFound(let reference):
            return "no key matches '\(redacted(reference))'; see 'apipodctl keys list --all'"
        case .ambiguousKeyReference(let reference, let matches):
            let list = matches.map { "\($0.id) (\($0.displayPrefix)…, \($0.name.escapedForTerminal))" }.joined(separator: ", ")
            return "'\(redacted(reference))' matches \(matches.count) keys: \(list); give the id or a longer prefix"
        case .unusableKeyReference(let reference, let reason):
            return "cannot look up '\(redacted(reference))': \(reason)"
        case .incompleteKeyReference(let reference):
            let shown = reference.isEmpty ? "an empty key reference" : "'\(reference)'"
            return "\(shown) is too short to name a key; give its id, the full key, or its "
                + "\(APIKey.displayPrefixLength)-character prefix as 'apipodctl keys list' shows it"
        case .invalidField(let name, let reason):
            return "invalid \(name): \(reason)"
        }
    }
}

extension StorageError {
    init(_ error: SQLiteError, path: String) {
        self = .sqlite(path: path, code: error.code, message: error.message)
    }
}

/// What of a key reference may be repeated back: a full key is cut to its display prefix.
private func redacted(_ reference: String) -> String {
    reference.count > APIKey.displayPrefixLength ? String(reference.prefix(APIKey.displayPrefixLength)) + "…" : reference
}
