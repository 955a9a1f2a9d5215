/// Glyphs, with an ASCII fallback for terminals without UTF-8.
public struct Symbols: Sendable {
    public var eighths: [String]  // 1/8 … 8/8 left-aligned blocks
    public var vbars: [String]  // ▁…█
    public var hline: String
    public var vline: String
    public var ellipsis: String
    public static let unicode = Symbols(
        eighths: ["▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"], vbars: ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"], hline: "─",
        vline: "│", ellipsis: "…")
    public static let ascii = Symbols(
        eighths: ["=", "=", "=", "=", "#", "#", "#", "#"], vbars: [".", ".", ":", ":", "|", "|", "#", "#"], hline: "-",
        vline: "|", ellipsis: "~")
}

/// A horizontal bar with eighth-block precision: `fraction` of `width` cells.
public func drawBar(_ buf: inout Buffer, x: Int, y: Int, width: Int, fraction: Double, style: Style, symbols: Symbols = .unicode) {
    guard width > 0, fraction.isFinite else { return }
    let f = min(1, max(0, fraction))
    let eighths = Int((f * Double(width * 8)).rounded())
    let full = eighths / 8
    for i in 0..<full { buf.put(symbols.eighths[7], x: x + i, y: y, style: style) }
    let rem = eighths % 8
    if rem > 0 && full < width { buf.put(symbols.eighths[rem - 1], x: x + full, y: y, style: style) }
}

/// A sparkline of values scaled between their min and max.
public func drawSparkline(_ buf: inout Buffer, x: Int, y: Int, width: Int, values: [Double], style: Style, symbols: Symbols = .unicode) {
    guard width > 0, !values.isEmpty else { return }
    // Resample to the width (max per bucket, so peaks survive).
    var cols: [Double] = []
    for c in 0..<min(width, values.count) {
        let a = c * values.count / min(width, values.count)
        let b = max(a + 1, (c + 1) * values.count / min(width, values.count))
        cols.append(values[a..<b].max()!)
    }
    let lo = cols.min()!, hi = cols.max()!
    for (i, v) in cols.enumerated() {
        let k = hi > lo ? Int(((v - lo) / (hi - lo) * 7).rounded()) : 3
        buf.put(symbols.vbars[max(0, min(7, k))], x: x + i, y: y, style: style)
    }
}

/// A table column.
public struct Column: Sendable {
    public var title: String
    public var width: Int
    public var alignRight: Bool
    public init(_ title: String, width: Int, right: Bool = false) {
        self.title = title
        self.width = width
        alignRight = right
    }
}

/// A table row: cells with optional per-cell styles.
public struct TableRow: Sendable {
    public var cells: [String]
    public var styles: [Style?]
    public init(_ cells: [String], styles: [Style?] = []) {
        self.cells = cells
        self.styles = styles
    }
}

/// Renders a table with a header, a selection and a vertical scroll offset (computed by the caller's update).
public struct TableView {
    public var columns: [Column]
    public var rows: [TableRow]
    public var selected: Int?
    public var offset: Int
    public var headerStyle: Style
    public var selectedStyle: Style
    public var markedRows: Set<Int>
    public var markStyle: Style

    public init(columns: [Column], rows: [TableRow], selected: Int?, offset: Int, headerStyle: Style, selectedStyle: Style,
                markedRows: Set<Int> = [], markStyle: Style = .plain) {
        self.columns = columns
        self.rows = rows
        self.selected = selected
        self.offset = offset
        self.headerStyle = headerStyle
        self.selectedStyle = selectedStyle
        self.markedRows = markedRows
        self.markStyle = markStyle
    }

    /// Rows visible in an area of this height (one line is the header).
    public static func visibleRows(height: Int) -> Int { max(0, height - 1) }

    /// Keeps `selected` visible: the offset to use.
    public static func offset(selected: Int, current: Int, visible: Int, count: Int) -> Int {
        guard visible > 0 else { return 0 }
        var o = current
        if selected < o { o = selected }
        if selected >= o + visible { o = selected - visible + 1 }
        return max(0, min(o, max(0, count - visible)))
    }

    public func render(into buf: inout Buffer, area: Rect) {
        guard !area.isEmpty else { return }
        buf.fill(Rect(x: area.x, y: area.y, width: area.width, height: 1), headerStyle)
        var x = area.x
        for c in columns {
            guard x < area.maxX else { break }
            buf.put(TextWidth.pad(c.title, c.width, right: c.alignRight), x: x, y: area.y, maxX: area.maxX, style: headerStyle)
            x += c.width + 1
        }
        let visible = TableView.visibleRows(height: area.height)
        for i in 0..<visible {
            let r = offset + i
            guard r < rows.count else { break }
            let y = area.y + 1 + i
            let row = rows[r]
            let rowStyle: Style? = r == selected ? selectedStyle : (markedRows.contains(r) ? markStyle : nil)
            if let rowStyle { buf.fill(Rect(x: area.x, y: y, width: area.width, height: 1), rowStyle) }
            var cx = area.x
            for (ci, c) in columns.enumerated() {
                guard cx < area.maxX else { break }
                let text = ci < row.cells.count ? row.cells[ci] : ""
                var st = (ci < row.styles.count ? row.styles[ci] : nil) ?? .plain
                if let rowStyle { st = st.patched(rowStyle) }
                buf.put(TextWidth.pad(text, c.width, right: c.alignRight), x: cx, y: y, maxX: area.maxX, style: st)
                cx += c.width + 1
            }
        }
    }
}

/// Wraps text to a width (words where possible, hard breaks otherwise).
public func wrapText(_ text: String, width: Int) -> [String] {
    guard width > 0 else { return [] }
    var out: [String] = []
    for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
        var line = ""
        var lw = 0
        for word in raw.split(separator: " ", omittingEmptySubsequences: false) {
            let w = String(word)
            let ww = TextWidth.width(w)
            if lw > 0 && lw + 1 + ww > width {
                out.append(line)
                line = ""
                lw = 0
            }
            if ww > width {
                for ch in w {
                    let cw = TextWidth.sanitize(ch).width
                    if lw + cw > width { out.append(line); line = ""; lw = 0 }
                    line.append(ch)
                    lw += cw
                }
                continue
            }
            if lw > 0 { line += " "; lw += 1 }
            line += w
            lw += ww
        }
        out.append(line)
    }
    return out
}
