/// A bar spanning [start, end) in cell units from the area's left edge: full blocks, an eighth block for the end,
/// and a right-half block (▐) for a start that falls in the middle of a cell. (Not a reverse-video eighth: a font's
/// block glyph is shorter than the cell, and reverse video then leaves a line of the bar's colour above and below
/// it.) A span shorter than one eighth still gets a one-eighth mark so it never disappears.
public struct SpanBar {
    public var start: Double
    public var end: Double
    public var style: Style
    public var symbols: Symbols

    public init(start: Double, end: Double, style: Style, symbols: Symbols = .unicode) {
        self.start = start
        self.end = end
        self.style = style
        self.symbols = symbols
    }

    public func render(into buf: inout Buffer, area: Rect) {
        let x = area.x, y = area.y, maxX = area.maxX
        // Blocks are never reversed (a theme may reverse a role's text, mono's errors): a reversed block is a hole.
        var style = self.style
        style.attrs.remove(.reverse)
        guard start.isFinite, end.isFinite, maxX > x else { return }
        let s8 = max(0, Int((start * 8).rounded(.down)))
        var e8 = Int((end * 8).rounded())
        if e8 <= s8 { e8 = s8 + 1 }
        var cell = s8 / 8
        while cell * 8 < e8 {
            let cx = x + cell
            if cx >= maxX { break }
            let lo = max(s8, cell * 8) - cell * 8  // filled from this eighth…
            let hi = min(e8, cell * 8 + 8) - cell * 8  // …to this one
            if lo == 0 && hi == 8 {
                buf.put(symbols.eighths[7], x: cx, y: y, style: style)
            } else if lo == 0 {
                buf.put(symbols.eighths[hi - 1], x: cx, y: y, style: style)
            } else if hi == 8 && symbols.braille {
                // Only the right part of the cell is filled: the whole cell when the bar starts in its first
                // quarter, its right half (▐) from there, its right eighth (▕) when it starts in the last quarter.
                buf.put(lo <= 2 ? symbols.eighths[7] : (lo <= 5 ? "▐" : "▕"), x: cx, y: y, style: style)
            } else {
                buf.put(symbols.eighths[max(0, hi - lo - 1)], x: cx, y: y, style: style)
            }
            cell += 1
        }
    }
}
