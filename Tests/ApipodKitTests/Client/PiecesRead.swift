import Synchronization

/// Body pieces a client task read before it failed, kept for the test to check.
final class PiecesRead: Sendable {
    /// Protected by its mutex: appended on the client's loop, read by the test.
    private let pieces = Mutex<[[UInt8]]>([])

    func append(_ piece: ArraySlice<UInt8>) {
        pieces.withLock { $0.append(Array(piece)) }
    }

    var joined: [UInt8] { pieces.withLock { $0.flatMap { $0 } } }
}
