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

    /// Text for a terminal or a pager: lines and tabs kept, everything else made inert.
    public static func terminal(_ s: String) -> String {
        var s = s
        let clean = s.withUTF8 { u in
            u.allSatisfy { ($0 >= 0x20 && $0 < 0x7F) || $0 == 0x0A || $0 == 0x09 || ($0 >= 0x80 && $0 != 0xC2 && $0 != 0xD8 && $0 != 0xE2) }
        }
        if clean { return s }
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            if u == "\n" || u == "\t" {
                out.append(u)
            } else if let p = picture(u) {
                out.append(p)
            } else {
                out.append(u)
            }
        }
        return String(out)
    }
}
