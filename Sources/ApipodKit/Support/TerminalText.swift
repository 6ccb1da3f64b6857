extension String {
    /// This text as it may be printed to a terminal: control characters and bidirectional
    /// controls become `\u{1B}`-style escapes. Names made by `keys create` never hold them, but
    /// a row adopted from the original service's database or edited by hand may, and must not
    /// move the cursor, colour the screen or turn a line around.
    public var escapedForTerminal: String {
        func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
            scalar.properties.generalCategory == .control || scalar.properties.isBidiControl
        }
        // Printable ASCII needs no look-up in the Unicode tables (whose first touch costs a
        // short command a tenth of its run).
        if utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return self }
        guard unicodeScalars.contains(where: needsEscape) else { return self }
        var escaped = ""
        for scalar in unicodeScalars {
            if needsEscape(scalar) {
                escaped += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            } else {
                escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}
