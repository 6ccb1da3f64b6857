import CSystem
import Glibc

/// A client's secret, `apk_` followed by 43 base64url characters (32 random bytes).
/// It exists in full only in memory, for the moment it is created or presented;
/// what is stored and shown afterwards is its digest and its display prefix.
public struct APIKey: Sendable, Equatable {
    public static let scheme = "apk_"
    /// Length of a well-formed key: the scheme plus base64url of 32 bytes.
    public static let length = 47
    /// How many characters of a key `keys list` shows and a prefix lookup can match.
    public static let displayPrefixLength = 12

    public let text: String

    /// Accepts only the exact shape `generate()` produces, so that junk in an
    /// `Authorization` header is rejected before any hashing or storage lookup.
    public init?(_ text: String) {
        guard text.utf8.count == Self.length, text.hasPrefix(Self.scheme),
              let bytes = Base64URL.decode(String(text.dropFirst(Self.scheme.count))), bytes.count == 32
        else { return nil }
        self.text = text
    }

    /// Whether `text` could be a key this service issued, including the original Go service's
    /// 48-character padded keys that `db migrate` adopts. A cheap filter before any hashing.
    public static func isPlausible(_ text: some StringProtocol) -> Bool {
        let utf8 = text.utf8
        return utf8.withContiguousStorageIfAvailable { isPlausible(bytes: $0) } ?? isPlausible(bytes: utf8)
    }

    /// The same test on stored bytes, which need not be valid UTF-8 (`db migrate` reads them).
    public static func isPlausible(bytes: some Collection<UInt8>) -> Bool {
        guard (scheme.utf8.count + 8...128).contains(bytes.count), bytes.starts(with: scheme.utf8) else { return false }
        func allowed(_ byte: UInt8) -> Bool {
            (0x30...0x39).contains(byte) || (0x41...0x5a).contains(byte) || (0x61...0x7a).contains(byte)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "=")
        }
        return bytes.allSatisfy(allowed)
    }

    /// A fresh key from the kernel's CSPRNG (`getrandom`).
    public static func generate() throws(KeyGenerationError) -> APIKey {
        var bytes = [UInt8](repeating: 0, count: 32)
        var filled = 0
        while filled < bytes.count {
            let result = bytes.withUnsafeMutableBytes { buffer in
                getrandom(buffer.baseAddress! + filled, buffer.count - filled, 0)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw KeyGenerationError(errno: errno)
            }
            filled += result
        }
        return APIKey(Self.scheme + Base64URL.encode(bytes))!
    }

    /// What storage keeps instead of the key.
    public var digest: [UInt8] { SHA256.hash(text) }

    /// The first characters, enough for a person to tell keys apart (`apk_AbCdEfGh`).
    public var displayPrefix: String { String(text.prefix(Self.displayPrefixLength)) }
}

/// The kernel refused to hand out random bytes; no key was made.
public struct KeyGenerationError: UserFacingError {
    public var exitStatus: ExitStatus { .ioError }
    public let errno: Int32
    public var description: String {
        "could not read random bytes for a new key: \(String(cString: strerror(errno)))"
    }
}
