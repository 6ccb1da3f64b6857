import Testing
@testable import ApipodKit

/// NIST FIPS 180-4 example vectors, plus lengths around the padding boundary checked
/// against `sha256sum`.
struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ])
    func nistVectors(input: String, expected: String) {
        #expect(SHA256.hash(input).hexString == expected)
    }

    @Test func oneMillionAs() {
        var hasher = SHA256()
        let block = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { hasher.update(block) }
        #expect(hasher.finalize().hexString == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test(arguments: [
        (55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"),
        (56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"),
        (64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"),
    ])
    func paddingBoundaries(length: Int, expected: String) {
        #expect(SHA256.hash([UInt8](repeating: UInt8(ascii: "a"), count: length)).hexString == expected)
    }

    @Test func incrementalUpdatesEqualOneShot() {
        let bytes = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        var hasher = SHA256()
        hasher.update(bytes[0..<1])
        hasher.update(bytes[1..<100])
        hasher.update(bytes[100...])
        #expect(hasher.finalize() == SHA256.hash(bytes))
    }

    /// Contiguous input takes the block-copy path, any other sequence the byte loop: same digest.
    @Test func contiguousAndLazyInputAgree() {
        for length in [0, 1, 55, 56, 63, 64, 65, 127, 128, 1000] {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            let lazy = (0..<length).lazy.map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            #expect(SHA256.hash(bytes) == SHA256.hash(lazy), "length \(length)")
            var mixed = SHA256()
            mixed.update(bytes.prefix(length / 2))
            mixed.update(lazy.dropFirst(length / 2))
            #expect(mixed.finalize() == SHA256.hash(bytes))
        }
    }
}
