/// A colour: terminal default, one of 256 indexed colours, or RGB (downgraded by the backend).
public enum Color: Hashable, Sendable {
    case `default`
    case indexed(UInt8)
    case rgb(UInt8, UInt8, UInt8)
}

public struct Attributes: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let bold = Attributes(rawValue: 1)
    public static let dim = Attributes(rawValue: 2)
    public static let underline = Attributes(rawValue: 4)
    public static let reverse = Attributes(rawValue: 8)
    public static let italic = Attributes(rawValue: 16)
}

public struct Style: Hashable, Sendable {
    public var fg: Color
    public var bg: Color
    public var attrs: Attributes
    public init(fg: Color = .default, bg: Color = .default, attrs: Attributes = []) {
        self.fg = fg
        self.bg = bg
        self.attrs = attrs
    }
    public static let plain = Style()
    /// `other` drawn over `self`: its colours win unless default, attributes add up.
    public func patched(_ other: Style) -> Style {
        Style(fg: other.fg == .default ? fg : other.fg, bg: other.bg == .default ? bg : other.bg, attrs: attrs.union(other.attrs))
    }
}

public struct Cell: Hashable, Sendable {
    /// One sanitised grapheme; "" marks the trailing half of a wide one.
    public var symbol: String
    public var style: Style
    public static let blank = Cell(symbol: " ", style: .plain)
}

public struct Rect: Hashable, Sendable {
    public var x, y, width, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }
    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    public var isEmpty: Bool { width == 0 || height == 0 }
    public func inset(_ dx: Int, _ dy: Int) -> Rect { Rect(x: x + dx, y: y + dy, width: width - 2 * dx, height: height - 2 * dy) }
    /// Splits off `n` rows from the top: (top, rest).
    public func takeTop(_ n: Int) -> (Rect, Rect) {
        let k = min(max(0, n), height)
        return (Rect(x: x, y: y, width: width, height: k), Rect(x: x, y: y + k, width: width, height: height - k))
    }
    public func takeBottom(_ n: Int) -> (Rect, Rect) {
        let k = min(max(0, n), height)
        return (Rect(x: x, y: y, width: width, height: height - k), Rect(x: x, y: maxY - k, width: width, height: k))
    }
    public func takeLeft(_ n: Int) -> (Rect, Rect) {
        let k = min(max(0, n), width)
        return (Rect(x: x, y: y, width: k, height: height), Rect(x: x + k, y: y, width: width - k, height: height))
    }
    /// Splits off `n` columns from the right: (rest, right).
    public func takeRight(_ n: Int) -> (Rect, Rect) {
        let k = min(max(0, n), width)
        return (Rect(x: x, y: y, width: width - k, height: height), Rect(x: maxX - k, y: y, width: k, height: height))
    }
    public func contains(x px: Int, y py: Int) -> Bool { px >= x && px < maxX && py >= y && py < maxY }
}

/// A grid of cells: what a frame looks like. `view(state) -> Buffer` is pure; the backend copies it to the screen.
public struct Buffer: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public var area: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    public subscript(x: Int, y: Int) -> Cell {
        get { (x >= 0 && y >= 0 && x < width && y < height) ? cells[y * width + x] : .blank }
    }

    public mutating func set(_ x: Int, _ y: Int, _ cell: Cell) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        // Overwriting half of a wide character blanks its other half.
        let i = y * width + x
        if cells[i].symbol == "", x > 0 { cells[i - 1] = Cell(symbol: " ", style: cells[i - 1].style) }
        if x + 1 < width, cells[i + 1].symbol == "" { cells[i + 1] = Cell(symbol: " ", style: cells[i + 1].style) }
        cells[i] = cell
    }

    public mutating func fill(_ r: Rect, _ style: Style, symbol: String = " ") {
        for y in max(0, r.y)..<min(height, r.maxY) {
            for x in max(0, r.x)..<min(width, r.maxX) { cells[y * width + x] = Cell(symbol: symbol, style: style) }
        }
    }

    /// Applies a style over existing cells (e.g. the selection highlight).
    public mutating func restyle(_ r: Rect, _ style: Style) {
        for y in max(0, r.y)..<min(height, r.maxY) {
            for x in max(0, r.x)..<min(width, r.maxX) { cells[y * width + x].style = cells[y * width + x].style.patched(style) }
        }
    }

    /// Draws text from (x, y), clipped at `maxX` (exclusive); returns the next column. Controls and escape sequences
    /// are drawn as inert marks; a wide character that does not fit is never split. An underline never runs under
    /// the spaces that open or close the text (padding is not part of a word).
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, maxX: Int? = nil, style: Style = .plain) -> Int {
        guard y >= 0, y < height else { return x }
        let limit = min(maxX ?? width, width)
        var cx = x
        var bare = style
        bare.attrs.remove(.underline)
        let underlined = style.attrs.contains(.underline)
        let lead = underlined ? text.prefix { $0 == " " }.count : 0
        let body = underlined ? text.count - lead - text.reversed().prefix { $0 == " " }.count : 0
        var k = 0
        for ch in text {
            let (sym, w) = TextWidth.sanitize(ch)
            if cx + w > limit { break }
            if cx >= 0 {
                set(cx, y, Cell(symbol: sym, style: underlined && (k < lead || k >= lead + body) ? bare : style))
                if w == 2 { set(cx + 1, y, Cell(symbol: "", style: style)) }
            }
            cx += w
            k += 1
        }
        return cx
    }

    /// Every cell's default colours replaced by `canvas`'s (a theme's own background and text colour).
    public mutating func paint(_ canvas: Style) {
        for i in cells.indices {
            if cells[i].style.fg == .default { cells[i].style.fg = canvas.fg }
            if cells[i].style.bg == .default { cells[i].style.bg = canvas.bg }
        }
    }

    /// The text of every row, trailing spaces kept (for golden files).
    /// Each row's text, its trailing blanks dropped (the lines of `plainText`, made from bytes: a report prints
    /// hundreds of thousands of them).
    public var trimmedLines: [String] {
        var out: [String] = []
        out.reserveCapacity(height)
        var bytes: [UInt8] = []
        for y in 0..<height {
            bytes.removeAll(keepingCapacity: true)
            for x in 0..<width { bytes.append(contentsOf: cells[y * width + x].symbol.utf8) }
            while bytes.last == 0x20 { bytes.removeLast() }
            out.append(String(decoding: bytes, as: UTF8.self))
        }
        return out
    }

    public var plainText: String {
        var lines: [String] = []
        for y in 0..<height {
            var s = ""
            for x in 0..<width { s += cells[y * width + x].symbol }
            lines.append(s)
        }
        return lines.joined(separator: "\n")
    }

    /// Style runs per row (`y x..x fg bg attrs`), only where the style is not plain: colour regressions fail goldens.
    public var styleDump: String {
        var out: [String] = []
        func name(_ c: Color) -> String {
            switch c {
            case .default: return "-"
            case .indexed(let i): return String(i)
            case .rgb(let r, let g, let b): return "#" + [r, g, b].map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
            }
        }
        func attrs(_ a: Attributes) -> String {
            var s = ""
            if a.contains(.bold) { s += "b" }
            if a.contains(.dim) { s += "d" }
            if a.contains(.underline) { s += "u" }
            if a.contains(.reverse) { s += "r" }
            if a.contains(.italic) { s += "i" }
            return s.isEmpty ? "-" : s
        }
        for y in 0..<height {
            var x = 0
            while x < width {
                let st = cells[y * width + x].style
                var e = x
                while e + 1 < width && cells[y * width + e + 1].style == st { e += 1 }
                if st != .plain { out.append("\(y) \(x)-\(e) fg=\(name(st.fg)) bg=\(name(st.bg)) \(attrs(st.attrs))") }
                x = e + 1
            }
        }
        return out.joined(separator: "\n")
    }
}
