/// A box border with an optional title in its top edge.
public struct Box {
    public var title: String?
    public var style: Style
    public var titleStyle: Style?
    public var symbols: Symbols

    public init(title: String? = nil, style: Style, titleStyle: Style? = nil, symbols: Symbols = .unicode) {
        self.title = title
        self.style = style
        self.titleStyle = titleStyle
        self.symbols = symbols
    }

    public func render(into buf: inout Buffer, area r: Rect) {
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
}
