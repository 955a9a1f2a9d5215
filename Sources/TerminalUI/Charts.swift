/// Glyphs, with an ASCII fallback for terminals without UTF-8.
public struct Symbols: Sendable, Equatable {
    /// 1/8 … 8/8 left-aligned blocks.
    public var eighths: [String]
    /// ▁ … █ (1/8 … 8/8 from the bottom).
    public var vbars: [String]
    public var hline: String
    public var vline: String
    public var corners: [String]  // ┌ ┐ └ ┘
    public var ellipsis: String
    public var leftMore: String
    public var rightMore: String
    public var braille: Bool
    /// Tree guides: branch, last branch, vertical continuation, blank.
    public var tree: [String]
    public var dot: String

    public static let unicode = Symbols(
        eighths: ["▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"], vbars: ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"], hline: "─",
        vline: "│", corners: ["┌", "┐", "└", "┘"], ellipsis: "…", leftMore: "◀", rightMore: "▶", braille: true,
        tree: ["├─", "└─", "│ ", "  "], dot: "·")
    public static let ascii = Symbols(
        eighths: ["|", "|", "=", "=", "=", "#", "#", "#"], vbars: ["_", "_", ".", ".", ":", ":", "|", "#"], hline: "-",
        vline: "|", corners: ["+", "+", "+", "+"], ellipsis: "~", leftMore: "<", rightMore: ">", braille: false,
        tree: ["|-", "`-", "| ", "  "], dot: ".")
}

/// Resamples a series to at most `n` columns, keeping the maximum of each bucket.
public func resample(_ values: [Double], to n: Int) -> [Double] {
    guard n > 0, !values.isEmpty else { return [] }
    let m = min(n, values.count)
    var cols: [Double] = []
    cols.reserveCapacity(m)
    for c in 0..<m {
        let a = c * values.count / m
        let b = max(a + 1, (c + 1) * values.count / m)
        cols.append(values[a..<b].max()!)
    }
    return cols
}


/// Dots on a grid of 2×4 per cell (Braille patterns), or one character per cell in ASCII.
public struct BrailleCanvas {
    public let width: Int
    public let height: Int
    var bits: [UInt8]
    var styles: [Style?]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        bits = Array(repeating: 0, count: self.width * self.height)
        styles = Array(repeating: nil, count: self.width * self.height)
    }

    /// Dot resolution.
    public var dotsWide: Int { width * 2 }
    public var dotsHigh: Int { height * 4 }

    static let map: [[UInt8]] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]]

    /// Sets the dot at (px, py); py = 0 is the top.
    public mutating func set(_ px: Int, _ py: Int, style: Style? = nil) {
        guard px >= 0, py >= 0, px < dotsWide, py < dotsHigh else { return }
        let i = (py / 4) * width + px / 2
        bits[i] |= BrailleCanvas.map[px % 2][py % 4]
        if let style { styles[i] = style }
    }

    /// A line between two dots (Bresenham).
    public mutating func line(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, style: Style? = nil) {
        var x = x0, y = y0
        let dx = abs(x1 - x0), dy = -abs(y1 - y0)
        let sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
        var err = dx + dy
        while true {
            set(x, y, style: style)
            if x == x1 && y == y1 { break }
            let e2 = 2 * err
            if e2 >= dy { err += dy; x += sx }
            if e2 <= dx { err += dx; y += sy }
        }
    }

    public func render(into buf: inout Buffer, x: Int, y: Int, style: Style, symbols: Symbols = .unicode) {
        for cy in 0..<height {
            for cx in 0..<width {
                let b = bits[cy * width + cx]
                guard b != 0 else { continue }
                let st = styles[cy * width + cx] ?? style
                let ch = symbols.braille ? String(Unicode.Scalar(0x2800 + UInt32(b))!) : (b.nonzeroBitCount > 2 ? ":" : ".")
                buf.put(ch, x: x + cx, y: y + cy, style: st)
            }
        }
    }
}

/// "Nice" tick steps (1, 2, 5 × 10ⁿ) for an axis of `length` units across about `maxTicks` ticks.
public func niceStep(_ length: Double, maxTicks: Int) -> Double {
    guard length > 0, length.isFinite, maxTicks > 0 else { return 1 }
    let raw = length / Double(maxTicks)
    let mag = pow10(floorLog10(raw))
    for m in [1.0, 2.0, 5.0, 10.0] where m * mag >= raw { return m * mag }
    return 10 * mag
}

func floorLog10(_ v: Double) -> Int {
    var e = 0
    var x = v
    while x >= 10 { x /= 10; e += 1 }
    while x < 1 && e > -30 { x *= 10; e -= 1 }
    return e
}

func pow10(_ e: Int) -> Double {
    var r = 1.0
    if e >= 0 { for _ in 0..<e { r *= 10 } } else { for _ in 0..<(-e) { r /= 10 } }
    return r
}

/// A bar as text: `fraction` of `width` cells in eighth blocks, padded with spaces to `width`.
public func barText(_ fraction: Double, width: Int, symbols: Symbols = .unicode, pad: Bool = true) -> String {
    guard width > 0 else { return "" }
    let f = fraction.isFinite ? min(1, max(0, fraction)) : 0
    let eighths = Int((f * Double(width * 8)).rounded())
    var s = String(repeating: symbols.eighths[7], count: eighths / 8)
    if eighths % 8 > 0 { s += symbols.eighths[eighths % 8 - 1] }
    if f > 0 && s.isEmpty { s = symbols.eighths[0] }
    return pad ? s + String(repeating: " ", count: max(0, width - TextWidth.width(s))) : s
}

/// A sparkline as text (max per column), scaled between `lo` and `hi` (default: the values' own range).
public func sparkText(_ values: [Double], width: Int, lo: Double? = nil, hi: Double? = nil, symbols: Symbols = .unicode) -> String {
    let cols = resample(values, to: width)
    guard let mn = lo ?? cols.min(), let mx = hi ?? cols.max() else { return "" }
    return cols.map { v in
        let k = mx > mn ? Int(((v - mn) / (mx - mn) * 7).rounded()) : 3
        return symbols.vbars[max(0, min(7, k))]
    }.joined()
}

/// A filled column chart as `height` lines of text (top line first), eighth-block precision.
public func columnChartText(_ values: [Double], width: Int, height: Int, lo: Double, hi: Double, symbols: Symbols = .unicode) -> [String] {
    guard width > 0, height > 0, !values.isEmpty else { return [] }
    var cols = resample(values, to: width)
    // Fewer readings than columns: each reading gets an equal share of the width (a step plot, not a stub).
    if cols.count < width { cols = (0..<width).map { cols[$0 * cols.count / width] } }
    let span = hi > lo ? hi - lo : 1
    var rows = [String](repeating: "", count: height)
    for v in cols {
        let f = min(1, max(0, (v - lo) / span))
        var e = Int((f * Double(height * 8)).rounded())
        if v > lo && e == 0 { e = 1 }
        for row in 0..<height {
            let fill = min(8, max(0, e - (height - 1 - row) * 8))
            rows[row] += fill > 0 ? symbols.vbars[fill - 1] : " "
        }
    }
    return rows
}

extension BrailleCanvas {
    /// The canvas as lines of text.
    public func lines(symbols: Symbols = .unicode) -> [String] {
        (0..<height).map { cy in
            (0..<width).map { cx in
                let b = bits[cy * width + cx]
                if b == 0 { return " " }
                return symbols.braille ? String(Unicode.Scalar(0x2800 + UInt32(b))!) : (b.nonzeroBitCount > 2 ? ":" : ".")
            }.joined()
        }
    }
}
