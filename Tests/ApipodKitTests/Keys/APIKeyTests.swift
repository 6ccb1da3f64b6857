import Testing
@testable import ApipodKit

struct APIKeyTests {
    @Test func generatedKeysHaveTheDocumentedShape() throws {
        let key = try APIKey.generate()
        #expect(key.text.count == 47)
        #expect(key.text.hasPrefix("apk_"))
        #expect(Base64URL.decode(String(key.text.dropFirst(4)))?.count == 32)
        #expect(key.displayPrefix == String(key.text.prefix(12)))
        #expect(key.digest == SHA256.hash(key.text))
        #expect(APIKey(key.text) == key)
    }

    @Test func generatedKeysAreUnique() throws {
        var seen = Set<String>()
        for _ in 0..<2000 { seen.insert(try APIKey.generate().text) }
        #expect(seen.count == 2000)
    }

    @Test(arguments: ["", "apk_", "apk_short", "sk-" + String(repeating: "a", count: 44),
                      "apk_" + String(repeating: "a", count: 42) + "!", "apk_" + String(repeating: "a", count: 44)])
    func malformedKeysAreRejected(text: String) {
        #expect(APIKey(text) == nil)
    }

    @Test func plausibilityAdmitsTheOriginalServicePaddedKeys() {
        // The Go service used padded base64url: 48 characters ending in '='.
        #expect(APIKey.isPlausible("apk_" + String(repeating: "A", count: 43) + "="))
        #expect(!APIKey.isPlausible("Bearer apk_x"))
        #expect(!APIKey.isPlausible("apk_" + String(repeating: "A", count: 200)))
        #expect(!APIKey.isPlausible("apk_abc def ghi jkl"))
    }
}

struct Base64URLTests {
    @Test(arguments: [
        ([UInt8](), ""), ([0x66], "Zg"), ([0x66, 0x6f], "Zm8"), ([0x66, 0x6f, 0x6f], "Zm9v"),
        ([0xfb, 0xff, 0xbf], "-_-_"), ([0x66, 0x6f, 0x6f, 0x62, 0x61, 0x72], "Zm9vYmFy"),
    ])
    func encodesRFC4648Vectors(bytes: [UInt8], text: String) {
        #expect(Base64URL.encode(bytes) == text)
        #expect(Base64URL.decode(text) == bytes)
    }

    @Test(arguments: ["Zg==", "Z", "Zm9v+", "Zm9v/", "Zh"])
    func rejectsWhatTheEncoderNeverProduces(text: String) {
        #expect(Base64URL.decode(text) == nil)
    }

    @Test func roundTripsEveryLength() {
        var random = SeededRandom(seed: 7)
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            #expect(Base64URL.decode(Base64URL.encode(bytes)) == bytes)
        }
    }
}
