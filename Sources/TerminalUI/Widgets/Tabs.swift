/// Tab titles in one row.
public struct Tabs {
    public var titles: [String]
    public var active: Int
    public var activeStyle: Style
    public var inactiveStyle: Style

    public init(titles: [String], active: Int, activeStyle: Style, inactiveStyle: Style) {
        self.titles = titles
        self.active = active
        self.activeStyle = activeStyle
        self.inactiveStyle = inactiveStyle
    }

    /// Draws the row; returns each tab's column range (for mouse clicks).
    @discardableResult
    public func render(into buf: inout Buffer, area r: Rect) -> [Range<Int>] {
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
}
