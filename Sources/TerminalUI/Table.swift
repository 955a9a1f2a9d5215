/// A table column. Frozen columns stay put on the left; the others scroll horizontally.
public struct Column: Sendable, Equatable {
    public var title: String
    public var width: Int
    public var alignRight: Bool
    public var frozen: Bool
    public init(_ title: String, width: Int, right: Bool = false, frozen: Bool = false) {
        self.title = title
        self.width = width
        alignRight = right
        self.frozen = frozen
    }
}

/// A table row: cells with optional per-cell styles.
public struct TableRow: Sendable {
    public var cells: [String]
    public var styles: [Style?]
    /// A style for the whole row (group headers, marked rows); the selection still wins.
    public var rowStyle: Style?
    public init(_ cells: [String], styles: [Style?] = [], rowStyle: Style? = nil) {
        self.cells = cells
        self.styles = styles
        self.rowStyle = rowStyle
    }
}

/// Renders a table: a header, a selection, a vertical offset and a horizontal column offset — all computed by the
/// caller's update, so rendering stays pure.
public struct TableView {
    public var columns: [Column]
    public var rows: [TableRow]
    public var selected: Int?
    public var offset: Int
    /// How many scrollable (non-frozen) columns are scrolled off to the left.
    public var hOffset: Int
    public var headerStyle: Style
    public var selectedStyle: Style
    public var indicatorStyle: Style
    /// The caller left columns out to the right (a table fitted to the width): shown like columns scrolled out.
    public var moreRight = false
    public var symbols: Symbols
    /// Applied to each right-aligned column's texts (the rows given) before drawing: the app lines figures up on
    /// the decimal point with it.
    public var alignColumn: (([String]) -> [String])?
    /// Blank columns before the first column (the header and the selection still span them).
    public var margin = 0

    public init(
        columns: [Column], rows: [TableRow], selected: Int?, offset: Int, hOffset: Int = 0, headerStyle: Style,
        selectedStyle: Style, indicatorStyle: Style = .plain, symbols: Symbols = .unicode
    ) {
        self.columns = columns
        self.rows = rows
        self.selected = selected
        self.offset = offset
        self.hOffset = hOffset
        self.headerStyle = headerStyle
        self.selectedStyle = selectedStyle
        self.indicatorStyle = indicatorStyle
        self.symbols = symbols
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

    /// Where each shown column goes: (column index, x, width). Frozen columns first, then scrollable ones from
    /// `hOffset` while they fit. Also whether columns are hidden on either side.
    public static func layout(_ columns: [Column], width: Int, x: Int = 0, hOffset: Int)
        -> (placed: [(index: Int, x: Int, width: Int)], hiddenLeft: Bool, hiddenRight: Bool)
    {
        var placed: [(Int, Int, Int)] = []
        var cx = x
        let maxX = x + width
        for (i, c) in columns.enumerated() where c.frozen {
            guard cx < maxX else { break }
            placed.append((i, cx, min(c.width, maxX - cx)))
            cx += c.width + 1
        }
        let scrollable = columns.indices.filter { !columns[$0].frozen }
        let start = max(0, min(hOffset, max(0, scrollable.count - 1)))
        var hiddenRight = false
        for (k, i) in scrollable.enumerated() where k >= start {
            let c = columns[i]
            if cx + c.width > maxX {
                // A last column may be cut if it is the only one left to show.
                if placed.count == columns.filter(\.frozen).count && cx < maxX { placed.append((i, cx, maxX - cx)) }
                hiddenRight = true
                break
            }
            placed.append((i, cx, c.width))
            cx += c.width + 1
        }
        return (placed, start > 0, hiddenRight)
    }

    /// The column under screen column `x` (for header clicks).
    public func column(at x: Int, area: Rect) -> Int? {
        let l = TableView.layout(columns, width: area.width - margin, x: area.x + margin, hOffset: hOffset)
        return l.placed.first { x >= $0.x && x < $0.x + $0.width + 1 }?.index
    }

    /// The maximum useful `hOffset`: enough to reveal the last column.
    public static func maxHOffset(_ columns: [Column], width: Int) -> Int {
        let scrollable = columns.filter { !$0.frozen }
        guard !scrollable.isEmpty else { return 0 }
        for off in 0..<scrollable.count where !layout(columns, width: width, hOffset: off).hiddenRight { return off }
        return scrollable.count - 1
    }

    /// A cell's text in its style and the padding around it in the row's: an underline, reverse video or
    /// background of the text never runs over the blank part of the column (nor fills a blank cell).
    public static func putCell(_ buf: inout Buffer, _ text: String, x: Int, y: Int, width: Int, maxX: Int, right: Bool, text st: Style, pad: Style) {
        let shown = TextWidth.truncate(text, width)
        let trimmed = shown.drop { $0 == " " }
        let core = String(trimmed.reversed().drop { $0 == " " }.reversed())
        if core.isEmpty {
            buf.put(String(repeating: " ", count: width), x: x, y: y, maxX: min(maxX, x + width), style: pad)
            return
        }
        let lead = right ? width - TextWidth.width(shown) + (shown.count - trimmed.count) : shown.count - trimmed.count
        let limit = min(maxX, x + width)
        buf.put(String(repeating: " ", count: max(0, width)), x: x, y: y, maxX: limit, style: pad)
        buf.put(core, x: x + max(0, lead), y: y, maxX: limit, style: st)
    }

    public func render(into buf: inout Buffer, area: Rect) {
        guard !area.isEmpty else { return }
        let l = TableView.layout(columns, width: area.width - margin, x: area.x + margin, hOffset: hOffset)
        buf.fill(Rect(x: area.x, y: area.y, width: area.width, height: 1), headerStyle)
        for p in l.placed {
            let c = columns[p.index]
            buf.put(TextWidth.pad(c.title, p.width, right: c.alignRight), x: p.x, y: area.y, maxX: area.maxX, style: headerStyle)
        }
        if l.hiddenLeft, let firstScroll = l.placed.first(where: { !columns[$0.index].frozen }) {
            buf.put(symbols.leftMore, x: max(area.x, firstScroll.x - 1), y: area.y, style: headerStyle.patched(indicatorStyle))
        }
        if l.hiddenRight || moreRight { buf.put(symbols.rightMore, x: area.maxX - 1, y: area.y, style: headerStyle.patched(indicatorStyle)) }
        let visible = TableView.visibleRows(height: area.height)
        var rows = self.rows
        if let alignColumn {
            for (ci, c) in columns.enumerated() where c.alignRight {
                let shown = rows.indices.filter { ci < rows[$0].cells.count }
                let aligned = alignColumn(shown.map { rows[$0].cells[ci] })
                for (k, ri) in shown.enumerated() where k < aligned.count { rows[ri].cells[ci] = aligned[k] }
            }
        }
        for i in 0..<visible {
            let r = offset + i
            guard r < rows.count else { break }
            let y = area.y + 1 + i
            let row = rows[r]
            let isSelected = r == selected
            var fillStyle = row.rowStyle ?? .plain
            if isSelected { fillStyle = fillStyle.onSelection(selectedStyle) }
            if isSelected || row.rowStyle != nil { buf.fill(Rect(x: area.x, y: y, width: area.width, height: 1), fillStyle) }
            for p in l.placed {
                let c = columns[p.index]
                let text = p.index < row.cells.count ? row.cells[p.index] : ""
                var st = (row.rowStyle ?? .plain).patched((p.index < row.styles.count ? row.styles[p.index] : nil) ?? .plain)
                if isSelected { st = st.onSelection(selectedStyle) }
                TableView.putCell(&buf, text, x: p.x, y: y, width: p.width, maxX: area.maxX, right: c.alignRight, text: st, pad: fillStyle)
            }
        }
    }
}
