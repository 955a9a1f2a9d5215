/// A horizontal bar with eighth-block precision: `fraction` of the area's width, on its first row.
public struct Bar {
    public var fraction: Double
    public var style: Style
    public var symbols: Symbols

    public init(fraction: Double, style: Style, symbols: Symbols = .unicode) {
        self.fraction = fraction
        self.style = style
        self.symbols = symbols
    }

    public func render(into buf: inout Buffer, area: Rect) {
        let width = area.width
        guard width > 0, fraction.isFinite else { return }
        let f = min(1, max(0, fraction))
        let eighths = Int((f * Double(width * 8)).rounded())
        let full = eighths / 8
        for i in 0..<full { buf.put(symbols.eighths[7], x: area.x + i, y: area.y, style: style) }
        let rem = eighths % 8
        if rem > 0 && full < width { buf.put(symbols.eighths[rem - 1], x: area.x + full, y: area.y, style: style) }
    }
}
