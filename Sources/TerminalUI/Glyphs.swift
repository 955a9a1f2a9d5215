/// The glyphs a screen may draw beyond ASCII: the repertoire that common monospace fonts (DejaVu Sans Mono, Menlo,
/// Consolas, Cascadia, Noto Sans Mono) share — Latin-1, general punctuation, arrows, mathematical operators, box
/// drawing, blocks, geometric shapes and a few symbols. Not emoji-presentation symbols (⏱), which are missing or
/// drawn two cells wide; not control pictures (␛) or braille, which most monospace fonts lack.
public enum Glyphs {
    static let common: [ClosedRange<UInt32>] = [
        0xA0...0xFF,  // Latin-1: · × ° ± µ
        0x394...0x394,  // Δ
        0x2010...0x2027, 0x2030...0x203A,  // – — “ ” … ′ ″ ›
        0x207F...0x207F,  // ⁿ
        0x2190...0x21FF,  // arrows
        0x2200...0x22FF,  // ≤ ≥ ≠ − ⋯
        0x23CE...0x23CE,  // ⏎
        0x2500...0x259F,  // box drawing, blocks
        0x25A0...0x25FF,  // geometric shapes: ● ▶ ▸ ▾ ◷ ◐
        0x2605...0x2605, 0x26A0...0x26A0,  // ★ ⚠
        0x2713...0x2713, 0x2717...0x2717,  // ✓ ✗
        0xFFFD...0xFFFD,  // the replacement character (controls in data)
    ]

    /// Braille patterns: the dots of the line charts (trends). Monospace fonts without them (DejaVu Sans Mono) get
    /// them from the font the terminal falls back to (fontconfig: DejaVu Sans), as every chart-drawing terminal tool
    /// relies on; in ASCII mode the charts draw `.` and `:` instead.
    public static let chart: ClosedRange<UInt32> = 0x2800...0x28FF

    public static func isChart(_ c: Character) -> Bool {
        c.unicodeScalars.count == 1 && chart.contains(c.unicodeScalars.first!.value)
    }

    public static func isCommon(_ c: Character) -> Bool {
        guard c.unicodeScalars.count == 1, let v = c.unicodeScalars.first?.value else { return false }
        return v < 0x7F || common.contains { $0.contains(v) }
    }
}
