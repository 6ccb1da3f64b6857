/// Whether opening the key database may make it. Only commands that create things may: a
/// mistyped `--db` given to a command that reads or changes rows must fail, not leave an empty
/// database (and its folder) behind and answer as if no key existed.
public enum StoreOpening: Sendable {
    /// `serve`, `db migrate` and `keys create`: a missing folder (0700) and file (0600) are made.
    case mayCreate
    /// `keys list`, `keys disable` and `keys enable`: a missing file is an error, and nothing is made.
    case mustExist
}
