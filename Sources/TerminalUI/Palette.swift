/// Colour depth the terminal offers (decided once at start-up).
public enum ColorDepth: Int, Sendable, CaseIterable { case mono = 0, c8 = 8, c16 = 16, c256 = 256 }

/// Colour downgrade: RGB → xterm-256 → 16 → 8, and the arithmetic of contrast. Pure: the backend draws with it and
/// the theme checks measure with it.
public enum ColorDowngrade {
    public static func xterm256(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> Int {
        func level(_ v: UInt8) -> Int { v < 48 ? 0 : (v < 115 ? 1 : (Int(v) - 35) / 40) }
        let (lr, lg, lb) = (level(r), level(g), level(b))
        let gray = (Int(r) + Int(g) + Int(b)) / 3
        if lr == lg && lg == lb && abs(Int(r) - Int(g)) < 10 && abs(Int(g) - Int(b)) < 10 {
            return gray < 8 ? 16 : (gray > 238 ? 231 : 232 + (gray - 8) / 10)
        }
        return 16 + 36 * lr + 6 * lg + lb
    }

    /// xterm's default values of the 16 ANSI colours.
    public static let ansi: [(Int, Int, Int)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
    ]

    /// The RGB value xterm gives an indexed colour.
    public static func rgb(of i: Int) -> (Int, Int, Int) {
        if i < 16 { return ansi[max(0, i)] }
        if i >= 232 { let v = 8 + (i - 232) * 10; return (v, v, v) }
        let k = i - 16
        let steps = [0, 95, 135, 175, 215, 255]
        return (steps[k / 36], steps[(k / 6) % 6], steps[k % 6])
    }

    /// An indexed colour at a depth. Down to 16 or 8 colours the hue is kept, not the nearest RGB distance: a soft
    /// green (#5fd75f) is nearer ANSI grey than ANSI green, and a success bar drawn grey has lost its meaning.
    /// Colours of little saturation become black, grey or white by their lightness.
    public static func index(_ i: Int, depth: ColorDepth) -> Int {
        switch depth {
        case .c256, .mono: return i
        case .c16, .c8:
            let n = depth == .c16 ? 16 : 8
            if i < n { return i }
            if i < 16 { return i - 8 }
            let (r, g, b) = rgb(of: i)
            return ansiIndex(r, g, b, bright: depth == .c16)
        }
    }

    static func ansiIndex(_ r: Int, _ g: Int, _ b: Int, bright: Bool) -> Int {
        let hi = max(r, g, b), lo = min(r, g, b)
        let chroma = hi - lo
        let lightness = (hi + lo) / 2
        if chroma < 48 || (hi > 0 && Double(chroma) / Double(hi) < 0.25) {
            // Greys: black, bright black, white, bright white by lightness.
            if !bright { return lightness < 96 ? 0 : 7 }
            return lightness < 64 ? 0 : (lightness < 160 ? 8 : (lightness < 236 ? 7 : 15))
        }
        // Hue in degrees, then the nearest of the six ANSI hues (red 0°, yellow 60°, green 120°, cyan 180°, blue 240°,
        // magenta 300°).
        let d = Double(chroma)
        var h: Double
        if hi == r { h = 60 * (Double(g - b) / d) } else if hi == g { h = 60 * (Double(b - r) / d + 2) } else { h = 60 * (Double(r - g) / d + 4) }
        if h < 0 { h += 360 }
        let sector = Int((h + 30) / 60) % 6
        let base = [1, 3, 2, 6, 4, 5][sector]
        return bright && lightness >= 150 ? base + 8 : base
    }

    /// The colour a style's foreground or background finally has on screen, as RGB (terminal defaults given).
    public static func rgb(_ c: Color, depth: ColorDepth, defaultRGB: (Int, Int, Int)) -> (Int, Int, Int) {
        switch c {
        case .default: return defaultRGB
        case .indexed(let i): return rgb(of: index(Int(i), depth: depth))
        case .rgb(let r, let g, let b):
            // The backend draws RGB as its nearest xterm-256 colour.
            return rgb(of: index(xterm256(r, g, b), depth: depth))
        }
    }

    /// WCAG relative luminance of an sRGB colour.
    public static func luminance(_ c: (Int, Int, Int)) -> Double {
        func lin(_ v: Int) -> Double {
            let s = Double(v) / 255
            return s <= 0.03928 ? s / 12.92 : _pow((s + 0.055) / 1.055, 2.4)
        }
        return 0.2126 * lin(c.0) + 0.7152 * lin(c.1) + 0.0722 * lin(c.2)
    }

    /// WCAG contrast ratio (1…21).
    public static func contrast(_ a: (Int, Int, Int), _ b: (Int, Int, Int)) -> Double {
        let la = luminance(a), lb = luminance(b)
        return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
    }

    private static func _pow(_ x: Double, _ y: Double) -> Double {
        // exp(y·ln x) without Foundation: TerminalUI stays free of it.
        guard x > 0 else { return 0 }
        return _exp(y * _log(x))
    }

    private static func _log(_ x: Double) -> Double {
        // ln x = 2·atanh((x−1)/(x+1)), after scaling x into [0.5, 1).
        var m = x, k = 0.0
        while m >= 1 { m /= 2; k += 1 }
        while m < 0.5 { m *= 2; k -= 1 }
        let t = (m - 1) / (m + 1), t2 = t * t
        var sum = 0.0, term = t, n = 1.0
        for _ in 0..<40 { sum += term / n; term *= t2; n += 2 }
        return 2 * sum + k * 0.6931471805599453
    }

    private static func _exp(_ x: Double) -> Double {
        // e^x = 2^k · e^r with |r| ≤ ln2/2.
        let k = (x / 0.6931471805599453).rounded()
        let r = x - k * 0.6931471805599453
        var sum = 1.0, term = 1.0
        for i in 1..<30 { term *= r / Double(i); sum += term }
        var p = 1.0
        if k >= 0 { for _ in 0..<Int(k) { p *= 2 } } else { for _ in 0..<Int(-k) { p /= 2 } }
        return sum * p
    }
}

extension Style {
    /// This style on a selected row: the selection's background behind it and the cell's own colour kept (a pass
    /// stays green, an error red); text of the terminal's colour takes the selection's. A selection drawn by
    /// reverse video (no background colour) reverses the cell, its colour then becoming the background.
    public func onSelection(_ sel: Style) -> Style {
        var s = self
        if sel.bg != .default {
            s.bg = sel.bg
            if s.fg == .default { s.fg = sel.fg }
            s.attrs.remove(.reverse)
        } else {
            if sel.fg != .default && s.fg == .default { s.fg = sel.fg }
            // Dim on reverse video is a grey patch in the bar, not fainter text.
            s.attrs.remove(.dim)
        }
        s.attrs.formUnion(sel.attrs)
        return s
    }

    /// A mark drawn with block glyphs (a bar, a dot) on a selected row: its own colour on the selection's
    /// background; reverse video would turn a block into a hole, so a reverse selection leaves marks as they are.
    public func markOnSelection(_ sel: Style) -> Style {
        var s = self
        if sel.bg != .default { s.bg = sel.bg }
        return s
    }
}

/// What the terminal's background is, from what the terminal or its environment says.
public enum TerminalBackground: Sendable, Equatable {
    case dark, light

    /// From a colour's luminance.
    public init(r: Int, g: Int, b: Int) {
        self = ColorDowngrade.luminance((r, g, b)) > 0.35 ? .light : .dark
    }

    /// The reply to an OSC 11 query: `ESC ] 11 ; rgb:RRRR/GGGG/BBBB` ended by BEL or ST, 1–4 hex digits a channel
    /// (rxvt also answers `rgba:…/AAAA`). Anything else — no reply, another reply — is nil.
    public static func parse(oscReply reply: [UInt8]) -> TerminalBackground? {
        let marker = Array("]11;rgb".utf8)
        guard let start = (0..<max(0, reply.count - marker.count + 1)).first(where: { Array(reply[$0..<($0 + marker.count)]) == marker }) else { return nil }
        var i = start + marker.count
        if i < reply.count, reply[i] == UInt8(ascii: "a") { i += 1 }
        guard i < reply.count, reply[i] == UInt8(ascii: ":") else { return nil }
        i += 1
        var channels: [Double] = []
        while channels.count < 3 {
            var value = 0, digits = 0
            while i < reply.count, digits < 4, let d = hexDigit(reply[i]) {
                value = value * 16 + d
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            var maxValue = 1
            for _ in 0..<digits { maxValue *= 16 }
            channels.append(Double(value) / Double(maxValue - 1))
            if channels.count < 3 {
                guard i < reply.count, reply[i] == UInt8(ascii: "/") else { return nil }
                i += 1
            }
        }
        return TerminalBackground(r: Int(channels[0] * 255), g: Int(channels[1] * 255), b: Int(channels[2] * 255))
    }

    /// `COLORFGBG` (rxvt, Konsole and others): `fg;bg` or `fg;default;bg`, ANSI numbers; 7 and 9–15 are light.
    public static func parse(colorFGBG: String) -> TerminalBackground? {
        guard let last = colorFGBG.split(separator: ";").last, let n = Int(last), (0...15).contains(n) else { return nil }
        return n == 7 || n >= 9 ? .light : .dark
    }

    static func hexDigit(_ c: UInt8) -> Int? {
        switch c {
        case 48...57: return Int(c - 48)
        case 65...70: return Int(c - 55)
        case 97...102: return Int(c - 87)
        default: return nil
        }
    }
}
