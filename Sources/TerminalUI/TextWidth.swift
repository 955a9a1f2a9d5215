/// Display width with wcwidth semantics (what ncurses uses), in pure Swift so every machine agrees.
public enum TextWidth {
    static let wide: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF,
        0x4DC0...0x4DFF, 0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF,
        0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x16FE0...0x16FE4, 0x16FF0...0x16FF1,
        0x17000...0x18D08, 0x1AFF0...0x1B2FF, 0x1F200...0x1F2FF, 0x20000...0x2FFFD, 0x30000...0x3FFFD,
    ]

    /// Width of one scalar: 0, 1 or 2. Controls are 0 (they never reach a cell).
    public static func of(_ u: Unicode.Scalar) -> Int {
        let v = u.value
        if v < 0x20 || (0x7F...0x9F).contains(v) { return 0 }
        if v < 0x300 { return 1 }
        if v == 0x200B || (0x1160...0x11FF).contains(v) || (0xD7B0...0xD7FF).contains(v) { return 0 }
        if (0x0600...0x0605).contains(v) || v == 0x06DD || v == 0x070F || v == 0x00AD { return 1 }
        switch u.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if (0x1F1E6...0x1F1FF).contains(v) { return 1 }
        if u.properties.isEmojiPresentation { return 2 }
        for r in wide where r.contains(v) { return 2 }
        return 1
    }

    /// Sanitises one grapheme so Buffer, ncurses and the terminal agree: keep the base and its zero-width marks,
    /// stop at a ZWJ, drop skin tones and variation selectors. Controls become a visible, inert mark: the
    /// replacement character, which every common monospace font has (the Control Pictures block, ␛ and ␇, is
    /// missing from most and would be drawn as an empty box).
    public static func sanitize(_ ch: Character) -> (symbol: String, width: Int) {
        // Printable ASCII, the common case: itself, one column.
        if let a = ch.asciiValue, a >= 0x20, a < 0x7F { return (String(ch), 1) }
        var out = String.UnicodeScalarView()
        var w = 0
        for (i, u) in ch.unicodeScalars.enumerated() {
            let v = u.value
            if i == 0 {
                // Controls, and the pictures of controls that reports draw (U+2400–2421; reports are the same text).
                if v < 0x20 || v == 0x7F || (0x2400...0x2421).contains(v) { return ("\u{FFFD}", 1) }
                if (0x80...0x9F).contains(v) || v == 0x2028 || v == 0x2029 { return ("\u{FFFD}", 1) }
                // Bidi overrides and other format characters could reorder the screen: make them visible.
                if u.properties.generalCategory == .format && v != 0x200D { return ("\u{FFFD}", 1) }
                out.append(u)
                w = of(u)
                continue
            }
            if v == 0x200D { break }
            if (0x1F3FB...0x1F3FF).contains(v) || v == 0xFE0E || v == 0xFE0F { continue }
            if (0x1F1E6...0x1F1FF).contains(v) && (0x1F1E6...0x1F1FF).contains(ch.unicodeScalars.first!.value) {
                out.append(u)
                w += 1
                continue
            }
            if of(u) == 0 && u.properties.generalCategory != .control && u.properties.generalCategory != .format {
                out.append(u)
            }
        }
        if w == 0 { return ("\u{FFFD}", 1) }  // a lone combining mark: show a replacement, keep alignment
        return (String(out), w)
    }

    /// Width of a string as it will be drawn.
    public static func width(_ s: String) -> Int {
        if s.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return s.utf8.count }
        var w = 0
        for ch in s { w += sanitize(ch).width }
        return w
    }

    /// Truncates to `max` columns with an ellipsis, never splitting a wide character.
    public static func truncate(_ s: String, _ max: Int, ellipsis: String = "…") -> String {
        guard max > 0 else { return "" }
        if width(s) <= max { return s }
        var out = ""
        var w = 0
        for ch in s {
            let cw = sanitize(ch).width
            if w + cw > max - 1 { break }
            out.append(ch)
            w += cw
        }
        return out + ellipsis
    }

    public static func pad(_ s: String, _ width: Int, right: Bool = false) -> String {
        let t = truncate(s, width)
        let p = String(repeating: " ", count: Swift.max(0, width - self.width(t)))
        return right ? p + t : t + p
    }
}
