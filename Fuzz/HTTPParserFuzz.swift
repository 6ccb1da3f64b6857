// libFuzzer target for the HTTP codec. It is compiled together with Sources/ApipodKit/HTTP/*.swift
// into one module (see run.sh), which is why it imports nothing.
//
// Each input goes to both parsers whole, cut in two at a point derived from its bytes, and (when
// short) a byte at a time.
// All runs must end the same way (the same messages, bodies and error), must not spin, and must
// keep the sticky-error promise; each request target's path must normalise to a normal path.
// Any violation traps, and libFuzzer saves the input.

/// Traps with `message`: unlike `precondition`, `fatalError` keeps its message in an -O build.
func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}

/// The parts of the two parsers this target drives.
protocol FuzzedParser {
    associatedtype Head: Sendable & Equatable
    mutating func append<Bytes: Collection<UInt8>>(_ bytes: Bytes)
    mutating func next() throws(HTTPParseError) -> HTTPParserEvent<Head>?
    mutating func finish()
    var bufferedByteCount: Int { get }
}

extension HTTPRequestParser: FuzzedParser {}
extension HTTPResponseParser: FuzzedParser {}

/// Events with adjacent body pieces merged, and the error that ended the run.
struct Outcome<Head: Sendable & Equatable>: Equatable {
    var events: [HTTPParserEvent<Head>] = []
    var error: HTTPParseError?
}

func run<Parser: FuzzedParser>(_ parser: Parser, _ pieces: [ArraySlice<UInt8>]) -> Outcome<Parser.Head> {
    var parser = parser
    var outcome = Outcome<Parser.Head>()
    var appended = 0
    var budget = 8 + 4 * pieces.reduce(0) { $0 + $1.count }
    func drain() -> Bool {
        do {
            while let event = try parser.next() {
                budget -= 1
                check(budget >= 0, "the parser yields events without consuming input")
                check(parser.bufferedByteCount <= appended, "more bytes buffered than received")
                if case .body(let piece) = event, case .body(let earlier)? = outcome.events.last {
                    outcome.events[outcome.events.count - 1] = .body(ArraySlice(earlier + piece))
                } else {
                    outcome.events.append(event)
                }
            }
            return true
        } catch {
            outcome.error = error
            do {
                _ = try parser.next()
                check(false, "the parser went on after \(error)")
            } catch let again {
                check(again == error, "the error changed from \(error) to \(again)")
            }
            return false
        }
    }
    for piece in pieces {
        parser.append(piece)
        appended += piece.count
        guard drain() else { return outcome }
    }
    parser.finish()
    _ = drain()
    return outcome
}

/// Every head parsed must serialise to bytes that parse back to the same head, and its fields
/// copied one by one into a new section must make an equal section.
func checkRoundTrip<Parser: FuzzedParser>(_ outcome: Outcome<Parser.Head>, _ parser: Parser)
where Parser.Head: SerializableHead {
    for case .head(let head) in outcome.events {
        var copy = HTTPHeaders()
        for index in head.headers.indices { copy.append(fieldAt: index, of: head.headers) }
        check(copy == head.headers, "a copied header section differs")
        var bytes: [UInt8] = []
        head.serialize(into: &bytes)
        check(bytes.count <= head.serializedByteCount, "the room reserved for a head was too small")
        let again = run(parser, [bytes[...]])
        guard case .head(let reparsed)? = again.events.first else {
            check(false, "a serialised head does not parse: \(String(decoding: bytes, as: UTF8.self))")
            return
        }
        check(reparsed == head, "a serialised head parses differently")
    }
}

/// Every parsed target's path normalises without trapping, to an absolute path that is normal
/// already: normalising it again changes nothing, and no `.` or `..` segment is left.
func checkPathNormalization(_ outcome: Outcome<HTTPRequestHead>) {
    for case .head(let head) in outcome.events {
        let path = String(head.target.prefix { $0 != "?" })
        guard let normal = try? HTTPRequestPath.normalized(path) else { continue }
        check(normal.hasPrefix("/"), "a normalised path is not absolute: \(normal)")
        let again = try? HTTPRequestPath.normalized(normal)
        check(again == nil || again == normal, "normalising \(normal) again gives \(again ?? "an error")")
        let segments = normal.split(separator: "/", omittingEmptySubsequences: false)
        check(!segments.contains(".") && !segments.contains(".."), "a dot-segment is left in \(normal)")
    }
}

/// The heads `checkRoundTrip` can write.
protocol SerializableHead {
    var headers: HTTPHeaders { get }
    var serializedByteCount: Int { get }
    func serialize(into bytes: inout [UInt8])
}

extension HTTPRequestHead: SerializableHead {}
extension HTTPResponseHead: SerializableHead {}

/// FNV-1a, so that the split point and the options follow from the input alone.
func hash(_ input: [UInt8]) -> UInt64 {
    input.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPParsers(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let seed = hash(input)
    let point = Int(seed % UInt64(input.count + 1))
    let tight = HTTPParserLimits(
        maxStartLineBytes: 64, maxHeaderBytes: 256, maxHeaderCount: 8, maxBodyBytes: 512, maxChunkLineBytes: 32
    )
    let useTight = seed & 1 == 0
    let whole = [input[...]]
    let split = [input[..<point], input[point...]]
    // A byte at a time reaches every partial state; kept to short inputs for speed.
    let bytewise = input.count <= 512 ? input.indices.map { input[$0...$0] } : split

    let requests = HTTPRequestParser(limits: useTight ? tight : .requests)
    let requestOutcome = run(requests, whole)
    check(run(requests, split) == requestOutcome, "request events depend on the split at \(point)")
    check(run(requests, bytewise) == requestOutcome, "request events differ byte by byte")
    checkRoundTrip(requestOutcome, HTTPRequestParser(limits: .requests))
    checkPathNormalization(requestOutcome)

    var responses = HTTPResponseParser(limits: useTight ? tight : .responses)
    for bit in 1..<9 {
        responses.expectResponse(toMethod: seed >> UInt64(bit) & 1 == 1 ? "HEAD" : "GET")
    }
    let responseOutcome = run(responses, whole)
    check(run(responses, split) == responseOutcome, "response events depend on the split at \(point)")
    check(run(responses, bytewise) == responseOutcome, "response events differ byte by byte")
    var reparser = HTTPResponseParser(limits: .responses)
    reparser.expectResponse(toMethod: "HEAD")  // no body framing: the head alone is compared
    checkRoundTrip(responseOutcome, reparser)
    return 0
}
