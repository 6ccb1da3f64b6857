import Testing
@testable import ApipodKit

/// Names printed by the admin commands: printable text passes unchanged (ASCII by the short
/// path, the rest by the Unicode tables); control and bidirectional characters become escapes.
struct TerminalTextTests {
    @Test(arguments: ["ci-bot", "", "Alice's key (prod) #2 ~/x", "café", "日本語", "emoji 🙂"])
    func printableTextIsUnchanged(_ name: String) {
        #expect(name.escapedForTerminal == name)
    }

    @Test func controlCharactersBecomeEscapes() {
        #expect("a\u{1B}[31mred".escapedForTerminal == "a\\u{1B}[31mred")
        #expect("tab\there".escapedForTerminal == "tab\\u{9}here")
        #expect("del\u{7F}".escapedForTerminal == "del\\u{7F}")
        #expect("c1\u{85}".escapedForTerminal == "c1\\u{85}")
    }

    @Test func bidirectionalControlsBecomeEscapes() {
        #expect("abc\u{202E}fed".escapedForTerminal == "abc\\u{202E}fed")
        #expect("é\u{2066}x".escapedForTerminal == "é\\u{2066}x")
    }
}
