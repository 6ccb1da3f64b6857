/// What relaying an answer does for usage accounting (SPEC §9): on model routes a
/// `UsageScanner` reads every piece as it passes, and when the proxy asked for a streamed chat's
/// usage chunk itself (`IncludeUsageOption`) a `UsageChunkFilter` leaves that chunk out of what
/// the client gets. Compressed answers are not read (the proxy asks for identity, but an
/// upstream may ignore that). Owned by the request that relays the answer. A class: the relay's
/// async frame lives as long as the answer (a stream's whole life), and the scanner and filter
/// inline in it made that frame 2,816 bytes instead of 816 (1,000 streams: 17.1 KB of RSS each
/// with the struct, 15.7 KB with the class).
///
/// Its two fields are each touched in single calls that reach nothing else of this object, by
/// the one task relaying the answer: the runtime's exclusivity check (a thread-local lookup,
/// six a request) could never fire, so it is off.
final class UsageReading {
    @exclusivity(unchecked) private var scanner: UsageScanner?
    @exclusivity(unchecked) private var filter: UsageChunkFilter?

    /// - Parameter path: the model route the answer is for (`Forwarder.isModelRoute`); nil on
    ///   other routes, whose answers carry no usage.
    /// Never inlined: the scanner would be built in the relay's frame, which lives as long as
    /// the answer, before it moves here.
    @inline(never)
    init(path: String?, answer head: HTTPResponseHead, streamed: Bool, hidesUsageChunk: Bool) {
        let encoded = head.headers["content-encoding"].map { !HTTPSyntax.equalsIgnoringCase($0.utf8, "identity".utf8) } ?? false
        scanner = path.flatMap { encoded ? nil : UsageScanner(dialect: UsageDialect(path: $0)) }
        // Only a streamed body can lose bytes: a Content-Length one would then be too short.
        filter = hidesUsageChunk && streamed && head.status == 200 && !encoded ? UsageChunkFilter() : nil
    }

    /// Reads `piece` and writes what of it the client gets, at once.
    @inline(never)
    func relay(_ piece: ArraySlice<UInt8>, to response: ResponseWriter) async throws {
        scanner?.scan(piece)
        guard filter != nil else { return try await response.write(piece) }
        let output = filter!.filter(piece)
        if output.released.isEmpty && output.second.isEmpty { return try await response.write(piece[output.first]) }
        var bytes = output.released
        bytes.append(contentsOf: piece[output.first])
        bytes.append(contentsOf: piece[output.second])
        try await response.write(bytes)
    }

    /// At the answer's end: bytes the filter still held that turned out not to be the usage chunk.
    @inline(never)
    func relayHeldBytes(to response: ResponseWriter) async throws {
        guard filter != nil else { return }
        try await response.write(filter!.finish())
    }

    /// What was read, into the request's entry, however the relay ended.
    func finish(_ entry: inout RequestLogEntry) {
        entry.tokens = scanner?.usage
        entry.answeredModel = scanner?.model ?? entry.routedModel
    }
}
