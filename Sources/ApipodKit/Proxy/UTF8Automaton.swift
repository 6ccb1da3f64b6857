/// A shift-based automaton that checks UTF-8 as the Unicode Standard's Table 3-7 defines it
/// well-formed: no stray continuation bytes, no overlong forms (C0, C1, E0 80–9F, F0 80–8F),
/// no surrogates (ED A0–BF), nothing above U+10FFFF (F4 90–, F5–FF), no cut sequences.
///
/// A state is a bit offset (a multiple of 6) into a byte's 64-bit row, and the row holds, at each
/// state's offset, the state that byte leads to: one step is `rows[byte] >> state & 63`, a load
/// and two operations, so a run of multi-byte text costs a few instructions a byte.
enum UTF8Automaton {
    /// Between sequences: the only state in which a string may end.
    static let accept: UInt64 = 0
    /// Absorbing: the bytes so far are not UTF-8.
    static let reject: UInt64 = 6
    /// States from here up are inside a sequence.
    static let firstPartial: UInt64 = 12
    static let oneMore: UInt64 = 12, twoMore: UInt64 = 18, threeMore: UInt64 = 24
    static let afterE0: UInt64 = 30, afterED: UInt64 = 36, afterF0: UInt64 = 42, afterF4: UInt64 = 48

    static let rows: [UInt64] = (0...255).map { byte in
        [accept, reject, oneMore, twoMore, threeMore, afterE0, afterED, afterF0, afterF4].reduce(0) { row, state in
            row | transition(UInt8(byte), from: state) << state
        }
    }

    static func transition(_ byte: UInt8, from state: UInt64) -> UInt64 {
        switch (state, byte) {
        case (accept, 0x00...0x7f): accept
        case (accept, 0xc2...0xdf): oneMore
        case (accept, 0xe0): afterE0
        case (accept, 0xe1...0xec), (accept, 0xee...0xef): twoMore
        case (accept, 0xed): afterED
        case (accept, 0xf0): afterF0
        case (accept, 0xf1...0xf3): threeMore
        case (accept, 0xf4): afterF4
        case (oneMore, 0x80...0xbf): accept
        case (twoMore, 0x80...0xbf), (afterE0, 0xa0...0xbf), (afterED, 0x80...0x9f): oneMore
        case (threeMore, 0x80...0xbf), (afterF0, 0x90...0xbf), (afterF4, 0x80...0x8f): twoMore
        default: reject
        }
    }
}
