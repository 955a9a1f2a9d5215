import TerminalUI

/// The frame of the trends and analytics charts: value labels down the left (top, middle, bottom) with `┤` ticks on a
/// `│` rule, and a `└──` base line for the caller's labels along it.
enum ChartFrame {
    /// Draws the frame in `area` and returns the plot inside it (nil when too small): right of the labels, above the
    /// base line (the base line's row is `plot.maxY`).
    static func draw(_ b: inout Buffer, _ area: Rect, labels: [String], _ r: Renderer) -> Rect? {
        let axisW = min(12, (labels.map(TextWidth.width).max() ?? 4) + 1)
        let plot = Rect(x: area.x + axisW + 1, y: area.y, width: area.width - axisW - 2, height: area.height - 1)
        guard plot.width >= 4, plot.height >= 2 else { return nil }
        for (k, text) in labels.enumerated() {
            let y = k == 0 ? plot.y : (k == labels.count - 1 ? plot.maxY - 1 : plot.y + (plot.height - 1) / 2)
            b.put(TextWidth.pad(text, axisW, right: true), x: area.x, y: y, maxX: area.x + axisW, style: r.st(.axis))
            b.put("┤", x: area.x + axisW, y: y, maxX: area.x + axisW + 1, style: r.st(.axis))
        }
        for y in plot.y..<plot.maxY where b[area.x + axisW, y].symbol == " " { b.put("│", x: area.x + axisW, y: y, maxX: area.x + axisW + 1, style: r.st(.axis)) }
        b.put("└", x: area.x + axisW, y: plot.maxY, maxX: area.x + axisW + 1, style: r.st(.axis))
        b.put(String(repeating: "─", count: plot.width), x: plot.x, y: plot.maxY, maxX: plot.maxX, style: r.st(.axis))
        return plot
    }
}
