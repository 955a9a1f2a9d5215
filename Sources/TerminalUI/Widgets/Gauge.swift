/// A labelled gauge: a bar and a text over it (`62% · 5/8`), on the area's first row.
public struct Gauge {
    public var fraction: Double
    public var label: String
    public var fill: Style
    public var track: Style
    public var symbols: Symbols

    public init(fraction: Double, label: String, fill: Style, track: Style, symbols: Symbols = .unicode) {
        self.fraction = fraction
        self.label = label
        self.fill = fill
        self.track = track
        self.symbols = symbols
    }

    public func render(into buf: inout Buffer, area: Rect) {
        let x = area.x, y = area.y, width = area.width
        guard width > 0 else { return }
        buf.fill(Rect(x: x, y: y, width: width, height: 1), track)
        Bar(fraction: fraction, style: fill, symbols: symbols).render(into: &buf, area: Rect(x: x, y: y, width: width, height: 1))
        let text = TextWidth.truncate(label, width)
        let lx = x + (width - TextWidth.width(text)) / 2
        var cx = lx
        let filledTo = x + Int((min(1, max(0, fraction)) * Double(width)).rounded(.down))
        for ch in text {
            // Over the filled part: the bar's colour as background (reverse video), so the label stays legible.
            let st = cx < filledTo ? Style(fg: fill.fg, bg: .default, attrs: [.reverse, .bold]) : track.patched(Style(attrs: [.bold]))
            cx = buf.put(String(ch), x: cx, y: y, style: st)
        }
    }
}
