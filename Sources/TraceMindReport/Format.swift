import FoundationEssentials
import Glibc
import TraceMindFormats
import TraceMindModel

/// Number formatting shared by the CLI and the screens, so both show the same figures.
public enum Format {
    /// `$0.001476`, `$0.0822`, `$12.34`; unknown → `unknown`; partly known → `≥$0.0123`.
    /// A cost: unknown when nothing is priced, `≥$x` when partly priced or when `lowerBound` (read from part of the
    /// data), else exact.
    public static func cost(_ c: CostSum?, unknown: String = "unknown", lowerBound: Bool = false) -> String {
        guard let c else { return unknown }
        if c.priced == 0 && c.unpriced > 0 { return unknown }
        if c.isPartial || lowerBound { return "≥" + usd(c.knownUSD) }
        return usd(c.knownUSD)
    }

    /// A dollar figure of the leaderboard: unknown, `≥$x` for a lower bound, else exact.
    public static func figureUSD(_ v: LeaderboardFigures.Value) -> String {
        guard let x = v.value else { return "unknown" }
        return atLeast(usd(x), v.lowerBound)
    }

    /// `≥` before a figure that is a lower bound (never before an unknown one).
    public static func atLeast(_ text: String, _ lowerBound: Bool) -> String {
        lowerBound && text != "—" && text != "unknown" ? "≥" + text : text
    }

    public static func usd(_ v: Double?, unknown: String = "—") -> String {
        guard let v, v.isFinite else { return unknown }
        let a = abs(v)
        if a == 0 { return "$0" }
        let sign = v < 0 ? "-" : ""
        if a < 0.01 { return sign + "$" + trimmed(decimal(a, 6)) }
        if a < 1 { return sign + "$" + decimal(a, 4) }
        if a < 1000 { return sign + "$" + decimal(a, 2) }
        return sign + "$" + grouped(Int(a.rounded()))
    }

    static func trimmed(_ s: String) -> String {
        guard s.utf8.contains(UInt8(ascii: ".")) else { return s }
        var t = s
        while t.hasSuffix("0") { t.removeLast() }
        if t.hasSuffix(".") { t.removeLast() }
        return t
    }

    /// `133,209`
    public static func grouped(_ n: Int) -> String {
        let neg = n < 0
        var s = String(abs(n))
        var out = ""
        while s.count > 3 {
            out = "," + s.suffix(3) + out
            s.removeLast(3)
        }
        return (neg ? "-" : "") + s + out
    }

    public static func tokens(_ n: Int?, unknown: String = "—") -> String { n.map(grouped) ?? unknown }

    /// `133.2k`, `1.4M`, `950`
    public static func compact(_ n: Double?, unknown: String = "—") -> String {
        guard let n, n.isFinite else { return unknown }
        let a = abs(n)
        if a >= 1e9 { return decimal(n / 1e9, 1) + "G" }
        if a >= 1e6 { return decimal(n / 1e6, 1) + "M" }
        if a >= 1e4 { return decimal(n / 1e3, 1) + "k" }
        if a >= 100 || a == a.rounded() { return grouped(Int(n.rounded())) }
        return decimal(n, 1)
    }

    /// `173ms`, `13.35s`, `2m05s`, `1h02m` (formatted with integers: this runs for every row on screen).
    public static func duration(_ ms: Double?, unknown: String = "—") -> String {
        guard let ms, ms.isFinite else { return unknown }
        if ms < 0 { return "-" + duration(-ms, unknown: unknown) }
        if ms < 1 { return ms == 0 ? "0ms" : fixed(ms, 2) + "ms" }
        if ms < 999.5 { return String(Int(ms.rounded())) + "ms" }
        let s = ms / 1000
        if s < 9.995 { return fixed(s, 2) + "s" }
        if s < 59.95 { return fixed(s, 1) + "s" }
        let total = Int(s)
        let m = total / 60
        func two(_ n: Int) -> String { n < 10 ? "0" + String(n) : String(n) }
        if m < 60 { return String(m) + "m" + two(total % 60) + "s" }
        return String(m / 60) + "h" + two(m % 60) + "m"
    }

    /// An axis tick at `ms` on a scale of `stepMs` between ticks: enough decimals that neighbouring ticks differ at
    /// any zoom (`37.5ms`, `38.0123s`), in the unit of the value's magnitude.
    public static func tick(ms: Double, stepMs: Double) -> String {
        guard ms.isFinite, stepMs > 0, stepMs.isFinite else { return duration(ms) }
        func decimals(_ step: Double) -> Int { max(0, min(9, Int((-log10(step)).rounded(.up)))) }
        let a = abs(ms), sign = ms < 0 ? "-" : ""
        if a < 1000 { return sign + fixed(a, decimals(stepMs)) + "ms" }
        let d = decimals(stepMs / 1000)
        if (a < 60_000 || stepMs < 1000) && a / 1000 * pow(10, Double(d)) < 1e15 { return sign + fixed(a / 1000, d) + "s" }
        return duration(ms)
    }

    /// A cost tick on a scale of `step` dollars between ticks, with enough decimals that neighbours differ.
    public static func tick(usd: Double, step: Double) -> String {
        guard usd.isFinite, step > 0, step.isFinite, usd != 0 else { return Format.usd(usd) }
        let digits = max(2, min(12, Int((-log10(step)).rounded(.up))))
        guard abs(usd) * pow(10, Double(digits)) < 1e15 else { return Format.usd(usd) }
        return (usd < 0 ? "-$" : "$") + fixed(abs(usd), digits)
    }

    /// `v` with exactly `digits` decimals, rounded half up, without `String(format:)`.
    /// `v` with exactly `digits` decimals (integer arithmetic: it runs for every row on screen).
    public static func fixed(_ v: Double, _ digits: Int) -> String {
        guard v.isFinite else { return "—" }
        if v < 0 { return "-" + fixed(-v, digits) }
        var scale = 1
        for _ in 0..<digits { scale *= 10 }
        let n = Int((v * Double(scale)).rounded())
        let whole = n / scale, frac = n % scale
        guard digits > 0 else { return String(whole) }
        let f = String(frac)
        return String(whole) + "." + String(repeating: "0", count: digits - f.count) + f
    }

    public static func percent(_ v: Double?, digits: Int = 1, unknown: String = "—") -> String {
        guard let v, v.isFinite else { return unknown }
        return decimal(v, digits) + "%"
    }

    /// One column's figures with the same number of decimals, so that right-aligned they line up on the point:
    /// `$0.00074` beside `$0.000699` becomes `$0.000740`, `1` beside `0.67` becomes `1.00`. Only figures of one
    /// shape are touched (a sign or currency before, digits with group commas, a point, one unit after, the same
    /// for all); `—`, `unknown` and figures of another unit (`168ms` beside `1.20s`) stay as they are.
    public static func alignDecimals(_ values: [String]) -> [String] {
        struct Shape { var fraction: Int; var suffix: Substring; var hasPoint: Bool }
        func shape(_ v: String) -> Shape? {
            let u = Array(v.unicodeScalars)
            var i = 0
            while i < u.count, "≥≤~+-$€£".unicodeScalars.contains(u[i]) { i += 1 }
            let digitsStart = i
            while i < u.count, u[i].properties.numericType == .decimal && u[i].isASCII || (u[i] == "," && i > digitsStart) { i += 1 }
            guard i > digitsStart else { return nil }
            var fraction = 0, hasPoint = false
            if i < u.count, u[i] == "." {
                hasPoint = true
                i += 1
                while i < u.count, u[i].isASCII, u[i].properties.numericType == .decimal { fraction += 1; i += 1 }
            }
            let suffix = Substring(String(String.UnicodeScalarView(u[i...])))
            guard suffix.unicodeScalars.allSatisfy({ !($0.isASCII && $0.properties.numericType == .decimal) }) else { return nil }
            return Shape(fraction: fraction, suffix: suffix, hasPoint: hasPoint)
        }
        let shapes = values.map(shape)
        let present = shapes.compactMap { $0 }
        guard let first = present.first, present.allSatisfy({ $0.suffix == first.suffix }) else { return values }
        let widest = present.map(\.fraction).max() ?? 0
        guard widest > 0 else { return values }
        return zip(values, shapes).map { v, sh in
            guard let sh, sh.fraction < widest else { return v }
            let body = String(v.dropLast(sh.suffix.count))
            return body + (sh.hasPoint ? "" : ".") + String(repeating: "0", count: widest - sh.fraction) + sh.suffix
        }
    }

    public static func number(_ v: Double?, digits: Int = 2, unknown: String = "—") -> String {
        guard let v, v.isFinite else { return unknown }
        return trimmed(decimal(v, digits))
    }

    /// `String(format: "%.<digits>f", v)` exactly — the decimal nearest to the double's exact binary value, a tie to
    /// the even digit, a negative sign kept on a figure that rounds to zero, as C's `printf` writes it — with integer
    /// arithmetic instead of Foundation's formatter, which took a twelfth of a 10,000-run leaderboard table.
    public static func decimal(_ v: Double, _ digits: Int) -> String { NumberText.fixed(v, digits) }

    public static func signed(_ v: Double, _ body: (Double) -> String) -> String {
        v > 0 ? "+" + body(v) : (v < 0 ? "-" + body(-v) : "±0")
    }

    /// `2026-11-21 13:27` from any ISO form.
    public static func timestamp(_ s: String?) -> String {
        guard let s else { return "—" }
        // Printable ASCII (every timestamp SMOLTRACE writes): a character a byte, cut on the bytes.
        if s.isPrintableASCII {
            let u = s.utf8
            guard u.count >= 16 else { return s }
            let at = { (k: Int) in u.index(u.startIndex, offsetBy: k) }
            return String(s[at(0)..<at(10)]) + " " + String(s[at(11)..<at(16)])
        }
        guard s.count >= 16 else { return s }
        let c = Array(s)
        return String(c[0..<10]) + " " + String(c[11..<16])
    }

    public static func outcomeGlyph(_ o: TestOutcome?) -> String {
        switch o {
        case .passed?: return "✓"
        case .failed?: return "✗"
        case .error?: return "!"
        case .timeout?: return "◷"
        case nil: return "·"
        }
    }


    /// The run's short display name: `gpt-4o · tool`.
    public static func runLabel(_ e: RunEntry) -> String {
        let m = e.row.model.split(separator: "/").last.map(String.init) ?? e.row.model
        return "\(m) · \(e.row.agentType)"
    }

    /// One line, no control characters: for table cells, CSV and Markdown. Newlines and tabs become spaces; other
    /// controls (ESC of escape sequences, BEL, C1 codes) become inert pictures (`␛`, `␇`), never raw bytes.
    public static func oneLine(_ s: String?, max: Int = 200) -> String {
        guard let s else { return "" }
        // Most cells are short printable ASCII: nothing to replace, nothing to cut.
        if s.utf8.count < max, s.isPrintableASCII { return s }
        var out = String.UnicodeScalarView()
        var n = 0
        for ch in s.unicodeScalars {
            if ch == "\n" || ch == "\r" || ch == "\t" {
                out.append(" ")
            } else if let p = Inert.picture(ch) {
                out.append(p)
            } else {
                out.append(ch)
            }
            n += 1
            if n >= max {
                out.append("…")
                break
            }
        }
        return String(out)
    }
}

extension Format {
    /// A JSON value for display: strings as they are (one line), everything else as compact JSON.
    public static func jsonValue(_ v: JSON, max: Int = 400) -> String {
        switch v {
        case .string(let s): return oneLine(s, max: max)
        case .null: return "null"
        default: return oneLine(JSONWriter.string(v, pretty: false), max: max)
        }
    }
}
