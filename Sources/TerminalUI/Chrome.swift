/// A scrolling view of styled lines with a scroll offset and a scroll indicator.
public struct TextView {
    public var lines: [Line]
    public var offset: Int
    public var indicatorStyle: Style
    public var symbols: Symbols
    /// The style under every segment (a panel's fill): a plain segment takes its colours, so text never shows the
    /// terminal's background through a card.
    public var base: Style

    public init(lines: [Line], offset: Int, indicatorStyle: Style = .plain, symbols: Symbols = .unicode, base: Style = .plain) {
        self.lines = lines
        self.offset = offset
        self.indicatorStyle = indicatorStyle
        self.symbols = symbols
        self.base = base
    }

    /// The width a line may use in a view of this size: one column less when the text needs a scroll bar.
    public static func textWidth(lines: Int, area: Rect) -> Int { area.width - (lines > area.height ? 1 : 0) }

    /// The largest useful offset for a view of this height.
    public static func maxOffset(lines: Int, height: Int) -> Int { max(0, lines - height) }

    public func render(into buf: inout Buffer, area: Rect) {
        guard !area.isEmpty else { return }
        let off = max(0, min(offset, TextView.maxOffset(lines: lines.count, height: area.height)))
        for i in 0..<area.height {
            let k = off + i
            guard k < lines.count else { break }
            let line = base == .plain ? lines[k] : lines[k].map { Segment($0.text, base.patched($0.style)) }
            buf.put(line, x: area.x, y: area.y + i, maxX: area.maxX - (lines.count > area.height ? 1 : 0))
        }
        // A scroll bar on the right edge when the text is longer than the view.
        if lines.count > area.height, area.height > 1 {
            let h = area.height
            let thumb = max(1, h * h / lines.count)
            let top = (h - thumb) * off / max(1, lines.count - h)
            for i in 0..<h {
                buf.put(i >= top && i < top + thumb ? symbols.vbars[7] : symbols.vline, x: area.maxX - 1, y: area.y + i, style: base.patched(indicatorStyle))
            }
        }
    }
}
