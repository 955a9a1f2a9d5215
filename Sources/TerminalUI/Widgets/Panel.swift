/// A modal panel: cleared, bordered, titled.
public struct Panel {
    public var title: String?
    public var fill: Style
    public var border: Style
    public var titleStyle: Style
    public var symbols: Symbols

    public init(title: String?, fill: Style, border: Style, titleStyle: Style, symbols: Symbols = .unicode) {
        self.title = title
        self.fill = fill
        self.border = border
        self.titleStyle = titleStyle
        self.symbols = symbols
    }

    /// Draws the panel and returns its inner area.
    @discardableResult
    public func render(into buf: inout Buffer, area r: Rect) -> Rect {
        buf.fill(r, fill)
        Box(title: title, style: fill.patched(border), titleStyle: fill.patched(titleStyle), symbols: symbols).render(into: &buf, area: r)
        return r.inset(1, 1)
    }

    /// A centered rectangle of at most `width`×`height` inside `area`.
    public static func centered(_ area: Rect, width: Int, height: Int) -> Rect {
        let w = min(width, area.width), h = min(height, area.height)
        return Rect(x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h)
    }
}
