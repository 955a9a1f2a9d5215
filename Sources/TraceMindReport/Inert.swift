/// The one rule for text this program writes to a terminal or a pager (reports, warnings, errors, help, the
/// pager): dataset text is untrusted, so no control byte of it is ever written raw. Line breaks and tabs are kept
/// where a text has lines; every other C0 control, DEL and the C1 controls become visible pictures (`␛`, `␇`, `␡`,
/// `�`), and so do the characters that reorder or break a line on a terminal: bidi overrides, embeddings and
/// isolates (U+202A–U+202E, U+2066–U+2069), the marks U+061C, U+200E and U+200F, and the separators U+2028–U+2029.
///
/// JSON output escapes the same characters (`\u001b`, `\u009b`, `\u202e`) and stays valid JSON; CSV cells get the
/// pictures (a CSV is printed to terminals and opened in spreadsheets alike), with tabs and line breaks as spaces.
public enum Inert {
    /// The picture shown instead of `u`, or nil when `u` is safe to write.
    @inline(__always)
    public static func picture(_ u: Unicode.Scalar) -> Unicode.Scalar? {
        let v = u.value
        if v < 0x20 { return Unicode.Scalar(0x2400 + v)! }
        if v < 0x7F { return nil }
        if v == 0x7F { return "\u{2421}" }
        if v <= 0x9F { return "\u{FFFD}" }
        if v < 0x61C { return nil }
        if v == 0x061C || v == 0x200E || v == 0x200F || (0x2028...0x202E).contains(v) || (0x2066...0x2069).contains(v) {
            return "\u{FFFD}"
        }
        return nil
    }

    /// Text for a terminal or a pager: lines and tabs kept, everything else made inert. Works on the UTF-8 bytes
    /// (a report of a million spans is tens of megabytes): text with nothing to replace is returned as it is.
    public static func terminal(_ s: String) -> String {
        var s = s
        let replaced: String? = s.withUTF8 { u in
            var i = 0
            while i < u.count, unsafeLength(u, i) == 0 { i += 1 }
            guard i < u.count else { return nil }
            var out: [UInt8] = []
            out.reserveCapacity(u.count + 64)
            out.append(contentsOf: u[..<i])
            while i < u.count {
                let n = unsafeLength(u, i)
                if n == 0 {
                    out.append(u[i])
                    i += 1
                    continue
                }
                let b = u[i]
                if b < 0x20 {
                    out += [0xE2, 0x90, 0x80 + b]  // U+2400 + b: ␀ … ␟
                } else if b == 0x7F {
                    out += [0xE2, 0x90, 0xA1]  // ␡
                } else {
                    out += [0xEF, 0xBF, 0xBD]  // �
                }
                i += n
            }
            return String(decoding: out, as: UTF8.self)
        }
        return replaced ?? s
    }

    /// How many bytes at `i` (the start of a character) form one character that `picture` replaces; 0 when safe.
    @inline(__always)
    static func unsafeLength(_ u: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        let b = u[i]
        if b >= 0x20 && b < 0x7F { return 0 }
        if b < 0x20 { return b == 0x0A || b == 0x09 ? 0 : 1 }
        if b == 0x7F { return 1 }
        guard i + 1 < u.count else { return 0 }
        let c = u[i + 1]
        switch b {
        case 0xC2: return c <= 0x9F ? 2 : 0  // C1 controls U+0080–U+009F
        case 0xD8: return c == 0x9C ? 2 : 0  // U+061C
        case 0xE2:
            guard i + 2 < u.count else { return 0 }
            let d = u[i + 2]
            if c == 0x80 && (d == 0x8E || d == 0x8F || (0xA8...0xAE).contains(d)) { return 3 }  // U+200E/F, U+2028–202E
            if c == 0x81 && (0xA6...0xA9).contains(d) { return 3 }  // U+2066–2069
            return 0
        default: return 0
        }
    }
}
