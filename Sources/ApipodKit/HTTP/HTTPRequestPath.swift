/// The path of a request target with its dot-segments removed (RFC 3986 §5.2.4), so that a
/// prefix check on it means what it says: `/v1/../admin` is `/admin`, not a path under `/v1/`.
///
/// A server or upstream behind us may normalise the path itself, and may decode `%2E` to a dot
/// first, so an encoded dot counts as a dot here too. An encoded slash or backslash (`%2F`,
/// `%5C`) and a raw backslash are refused outright: some servers split segments on them after
/// decoding, which no normalisation here could foresee.
public enum HTTPRequestPath {
    /// Why a path cannot be normalised safely.
    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case encodedSeparator
        case backslash

        public var description: String {
            switch self {
            case .encodedSeparator: "an encoded slash or backslash (%2F, %5C) in the path"
            case .backslash: "a backslash in the path"
            }
        }
    }

    /// The normalised path, or nil when `path` is normal already (the common case, found in one
    /// pass without allocating). A path that does not start with `/` (`*`, an absolute URI) is
    /// left alone: it names no path on this server.
    public static func normalized(_ path: String) throws(Refusal) -> String? {
        var path = path
        // A request's path is native UTF-8 already: this makes no copy.
        let scan = path.withUTF8(scan)
        if case .refused(let refusal) = scan { throw refusal }
        guard scan == .dotSegments, path.utf8.first == UInt8(ascii: "/") else { return nil }
        return removingDotSegments(path)
    }

    private enum Scan: Equatable {
        case normal
        /// A segment may start with a dot, plain or encoded.
        case dotSegments
        case refused(Refusal)
    }

    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> Scan {
        var needsWork = false
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\\"):
                return .refused(.backslash)
            case UInt8(ascii: "%") where index + 2 < bytes.count:
                let high = bytes[index + 1], low = bytes[index + 2] | 0x20
                if high == UInt8(ascii: "2") && low == UInt8(ascii: "f") || high == UInt8(ascii: "5") && low == UInt8(ascii: "c") {
                    return .refused(.encodedSeparator)
                }
                if high == UInt8(ascii: "2") && low == UInt8(ascii: "e") { needsWork = true }
            case UInt8(ascii: "."):
                if index > 0 && bytes[index - 1] == UInt8(ascii: "/") { needsWork = true }
            default:
                break
            }
            index += 1
        }
        return needsWork ? .dotSegments : .normal
    }

    /// RFC 3986 §5.2.4 on an absolute path, segment by segment: `.` is dropped, `..` drops the
    /// segment before it (never above the root), and a path ending in either ends with `/`.
    private static func removingDotSegments(_ path: String) -> String {
        let segments = path.utf8.dropFirst().split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        var output: [Substring.UTF8View.SubSequence] = []
        output.reserveCapacity(segments.count)
        for (position, segment) in segments.enumerated() {
            let isLast = position == segments.count - 1
            switch dotCount(segment) {
            case 1:
                if isLast { output.append(segment[segment.endIndex...]) }
            case 2:
                if !output.isEmpty { output.removeLast() }
                if isLast { output.append(segment[segment.endIndex...]) }
            default:
                output.append(segment)
            }
        }
        var bytes: [UInt8] = [UInt8(ascii: "/")]
        bytes.reserveCapacity(path.utf8.count)
        for (position, segment) in output.enumerated() {
            if position > 0 { bytes.append(UInt8(ascii: "/")) }
            bytes.append(contentsOf: segment)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// 1 for a `.` segment, 2 for `..`, with `%2E` (either case) counting as a dot; else 0.
    private static func dotCount(_ segment: Substring.UTF8View.SubSequence) -> Int {
        var dots = 0
        var index = segment.startIndex
        while index < segment.endIndex {
            if segment[index] == UInt8(ascii: ".") {
                index = segment.index(after: index)
            } else if segment[index] == UInt8(ascii: "%"), segment.distance(from: index, to: segment.endIndex) >= 3,
                      segment[segment.index(index, offsetBy: 1)] == UInt8(ascii: "2"),
                      segment[segment.index(index, offsetBy: 2)] | 0x20 == UInt8(ascii: "e") {
                index = segment.index(index, offsetBy: 3)
            } else {
                return 0
            }
            dots += 1
            if dots > 2 { return 0 }
        }
        return dots
    }
}
