/// Draws a box border with an optional title in the top edge.
public func drawBox(_ buf: inout Buffer, _ r: Rect, title: String? = nil, style: Style, titleStyle: Style? = nil, symbols: Symbols = .unicode) {
    guard r.width >= 2, r.height >= 2 else { return }
    for x in (r.x + 1)..<(r.maxX - 1) {
        buf.put(symbols.hline, x: x, y: r.y, style: style)
        buf.put(symbols.hline, x: x, y: r.maxY - 1, style: style)
    }
    for y in (r.y + 1)..<(r.maxY - 1) {
        buf.put(symbols.vline, x: r.x, y: y, style: style)
        buf.put(symbols.vline, x: r.maxX - 1, y: y, style: style)
    }
    buf.put(symbols.corners[0], x: r.x, y: r.y, style: style)
    buf.put(symbols.corners[1], x: r.maxX - 1, y: r.y, style: style)
    buf.put(symbols.corners[2], x: r.x, y: r.maxY - 1, style: style)
    buf.put(symbols.corners[3], x: r.maxX - 1, y: r.maxY - 1, style: style)
    if let title, r.width > 4 {
        buf.put(" " + TextWidth.truncate(title, r.width - 6) + " ", x: r.x + 2, y: r.y, maxX: r.maxX - 2, style: titleStyle ?? style)
    }
}

/// A modal panel: cleared, bordered, titled. Returns the inner area.
@discardableResult
public func drawPanel(_ buf: inout Buffer, _ r: Rect, title: String?, fill: Style, border: Style, titleStyle: Style, symbols: Symbols = .unicode) -> Rect {
    buf.fill(r, fill)
    drawBox(&buf, r, title: title, style: fill.patched(border), titleStyle: fill.patched(titleStyle), symbols: symbols)
    return r.inset(1, 1)
}

/// A centered rectangle of at most `width`×`height` inside `area`.
public func centered(_ area: Rect, width: Int, height: Int) -> Rect {
    let w = min(width, area.width), h = min(height, area.height)
    return Rect(x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h)
}

/// Tab titles in one row; returns each tab's column range (for mouse clicks).
@discardableResult
public func drawTabs(_ buf: inout Buffer, _ r: Rect, titles: [String], active: Int, activeStyle: Style, inactiveStyle: Style) -> [Range<Int>] {
    var x = r.x
    var ranges: [Range<Int>] = []
    for (i, t) in titles.enumerated() {
        let label = " \(t) "
        let end = buf.put(label, x: x, y: r.y, maxX: r.maxX, style: i == active ? activeStyle : inactiveStyle)
        ranges.append(x..<end)
        x = end + 1
    }
    return ranges
}

/// A labelled gauge: a bar and a text over it (`62% · 5/8`).
public func drawGauge(_ buf: inout Buffer, x: Int, y: Int, width: Int, fraction: Double, label: String, fill: Style, track: Style, symbols: Symbols = .unicode) {
    guard width > 0 else { return }
    buf.fill(Rect(x: x, y: y, width: width, height: 1), track)
    drawBar(&buf, x: x, y: y, width: width, fraction: fraction, style: fill, symbols: symbols)
    let text = TextWidth.truncate(label, width)
    let lx = x + (width - TextWidth.width(text)) / 2
    // The label is drawn in reverse over the filled part so it stays legible.
    var cx = lx
    let filledTo = x + Int((min(1, max(0, fraction)) * Double(width)).rounded(.down))
    for ch in text {
        // Over the filled part: the bar's colour as background (reverse video), so the label stays legible.
        let st = cx < filledTo ? Style(fg: fill.fg, bg: .default, attrs: [.reverse, .bold]) : track.patched(Style(attrs: [.bold]))
        cx = buf.put(String(ch), x: cx, y: y, style: st)
    }
}

/// One key hint: the key(s) and what they do.
public struct KeyHint: Sendable, Equatable {
    public var keys: String
    public var help: String
    public init(_ keys: String, _ help: String) {
        self.keys = keys
        self.help = help
    }
}

/// Key hints left to right while they fit before `maxX`; returns the next column.
@discardableResult
public func drawKeyHints(_ buf: inout Buffer, x: Int, y: Int, maxX: Int, hints: [KeyHint], keyStyle: Style, textStyle: Style) -> Int {
    var cx = x
    for h in hints {
        let need = TextWidth.width(h.keys) + TextWidth.width(h.help) + 3
        if cx + need > maxX { break }
        cx = buf.put(" " + h.keys + " ", x: cx, y: y, style: keyStyle)
        cx = buf.put(h.help + " ", x: cx, y: y, style: textStyle)
    }
    return cx
}

/// A scrolling view of styled lines with a scroll offset and a scroll indicator.
public struct TextView {
    public var lines: [Line]
    public var offset: Int
    public var indicatorStyle: Style
    public var symbols: Symbols

    public init(lines: [Line], offset: Int, indicatorStyle: Style = .plain, symbols: Symbols = .unicode) {
        self.lines = lines
        self.offset = offset
        self.indicatorStyle = indicatorStyle
        self.symbols = symbols
    }

    /// The largest useful offset for a view of this height.
    public static func maxOffset(lines: Int, height: Int) -> Int { max(0, lines - height) }

    public func render(into buf: inout Buffer, area: Rect) {
        guard !area.isEmpty else { return }
        let off = max(0, min(offset, TextView.maxOffset(lines: lines.count, height: area.height)))
        for i in 0..<area.height {
            let k = off + i
            guard k < lines.count else { break }
            buf.put(lines[k], x: area.x, y: area.y + i, maxX: area.maxX - (lines.count > area.height ? 1 : 0))
        }
        // A scroll bar on the right edge when the text is longer than the view.
        if lines.count > area.height, area.height > 1 {
            let h = area.height
            let thumb = max(1, h * h / lines.count)
            let top = (h - thumb) * off / max(1, lines.count - h)
            for i in 0..<h {
                buf.put(i >= top && i < top + thumb ? symbols.vbars[7] : symbols.vline, x: area.maxX - 1, y: area.y + i, style: indicatorStyle)
            }
        }
    }
}
