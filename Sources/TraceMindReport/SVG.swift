import FoundationEssentials
import TraceMindFormats
import Glibc
import TraceMindModel

/// A standalone SVG document, written as text: shapes and labels on a white page, every text escaped for XML and
/// every character XML 1.0 forbids (controls from the data) replaced, so a browser shows any dataset's names inertly.
public struct SVGDocument {
    public let width: Int
    public let height: Int
    var body: [String] = []

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// The series colours (Tableau 10): distinct on white and for the common colour-vision deficiencies.
    public static let palette = ["#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#9c755f", "#ff9da7", "#bab0ac", "#e15759"]
    public static let ink = "#222222", muted = "#6b6b6b", grid = "#e4e4e4", worse = "#c0392b", better = "#2e7d32"

    /// Text for an XML text node or attribute: `&<>"'` escaped; controls (but tab and newline), U+FFFE/U+FFFF and
    /// bidirectional overrides replaced by U+FFFD.
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                let v = u.value
                if (v < 0x20 && v != 0x09 && v != 0x0A) || (0x7F...0x9F).contains(v) || v == 0xFFFE || v == 0xFFFF
                    || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
                {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out
    }

    static func n(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : NumberText.fixed(r, 1)
    }

    public mutating func text(
        _ s: String, x: Double, y: Double, size: Double = 12, anchor: String = "start", fill: String = SVGDocument.ink, weight: String = "normal"
    ) {
        body.append(#"<text x="\#(SVGDocument.n(x))" y="\#(SVGDocument.n(y))" font-size="\#(SVGDocument.n(size))" text-anchor="\#(anchor)" fill="\#(fill)" font-weight="\#(weight)">\#(SVGDocument.escape(s))</text>"#)
    }

    public mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String = SVGDocument.ink, width: Double = 1, dash: String? = nil) {
        let d = dash.map { #" stroke-dasharray="\#($0)""# } ?? ""
        body.append(#"<line x1="\#(SVGDocument.n(x1))" y1="\#(SVGDocument.n(y1))" x2="\#(SVGDocument.n(x2))" y2="\#(SVGDocument.n(y2))" stroke="\#(stroke)" stroke-width="\#(SVGDocument.n(width))"\#(d)/>"#)
    }

    public mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String, stroke: String? = nil, radius: Double = 0) {
        let s = stroke.map { #" stroke="\#($0)""# } ?? ""
        body.append(#"<rect x="\#(SVGDocument.n(x))" y="\#(SVGDocument.n(y))" width="\#(SVGDocument.n(w))" height="\#(SVGDocument.n(h))" rx="\#(SVGDocument.n(radius))" fill="\#(fill)"\#(s)/>"#)
    }

    public mutating func circle(_ x: Double, _ y: Double, r: Double, fill: String, stroke: String? = nil) {
        let s = stroke.map { #" stroke="\#($0)" stroke-width="1.5""# } ?? ""
        body.append(#"<circle cx="\#(SVGDocument.n(x))" cy="\#(SVGDocument.n(y))" r="\#(SVGDocument.n(r))" fill="\#(fill)"\#(s)/>"#)
    }

    public mutating func polyline(_ pts: [(Double, Double)], stroke: String, width: Double = 2) {
        guard pts.count >= 2 else { return }
        let p = pts.map { "\(SVGDocument.n($0.0)),\(SVGDocument.n($0.1))" }.joined(separator: " ")
        body.append(#"<polyline points="\#(p)" fill="none" stroke="\#(stroke)" stroke-width="\#(SVGDocument.n(width))" stroke-linejoin="round"/>"#)
    }

    public mutating func polygon(_ pts: [(Double, Double)], fill: String) {
        let p = pts.map { "\(SVGDocument.n($0.0)),\(SVGDocument.n($0.1))" }.joined(separator: " ")
        body.append(#"<polygon points="\#(p)" fill="\#(fill)"/>"#)
    }

    /// A tooltip for the element before it (browsers show it on hover).
    public mutating func title(_ s: String) {
        guard let last = body.last else { return }
        let tip = "<title>" + SVGDocument.escape(s) + "</title>"
        if last.hasSuffix("/>") {
            body[body.count - 1] = String(last.dropLast(2)) + ">" + tip + "</" + (last.dropFirst().prefix { $0 != " " }) + ">"
        } else if let close = last.lastRange(ofText: "</") {
            // An element with content (a text): the tooltip goes first inside it.
            let open = last.firstRange(ofText: ">")!
            body[body.count - 1] = String(last[..<open.upperBound]) + tip + String(last[open.upperBound..<close.lowerBound]) + String(last[close.lowerBound...])
        }
    }

    public func render() -> String {
        var out = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        out += #"<svg xmlns="http://www.w3.org/2000/svg" width="\#(width)" height="\#(height)" viewBox="0 0 \#(width) \#(height)" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">"# + "\n"
        out += ##"<rect width="100%" height="100%" fill="#ffffff"/>"## + "\n"
        for e in body { out += e + "\n" }
        return out + "</svg>\n"
    }

    /// Round tick values (1, 2, 5 × 10ⁿ) from `lo` to `hi`, about `count` of them.
    public static func ticks(_ lo: Double, _ hi: Double, count: Int = 5) -> [Double] {
        guard hi > lo, count > 0 else { return [lo] }
        let raw = (hi - lo) / Double(count)
        let mag = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? 10 * mag
        var out: [Double] = []
        var v = (lo / step).rounded(.up) * step
        while v <= hi + step * 1e-9 {
            out.append(abs(v) < step * 1e-9 ? 0 : v)
            v += step
        }
        return out
    }
}

extension Reports {
    // MARK: trends

    /// The trends as a picture: the lines over time with axes, ticks, a legend and the regressions marked and listed.
    public static func trendsSVG(_ t: Trends, title: String? = nil) -> String {
        let regs = t.regressions.prefix(12)
        let w = 1080.0, plotH = 420.0
        let top = 90.0, left = 90.0, right = 300.0, bottom = 50.0
        let h = top + plotH + bottom + (regs.isEmpty ? 30 : 30 + Double(regs.count) * 18 + 10)
        var d = SVGDocument(width: Int(w), height: Int(h))
        d.text(title ?? "TraceMind trends", x: 20, y: 30, size: 20, weight: "bold")
        d.text(trendsHeadline(t), x: 20, y: 52, size: 12, fill: SVGDocument.muted)
        let pw = w - left - right
        guard let vr = t.valueRange, let tr = t.timeRange else {
            d.text("No run has a timestamp and a figure: nothing to draw over time.", x: left, y: top + 40, size: 14, fill: SVGDocument.muted)
            return d.render()
        }
        var lo = min(0, vr.lowerBound), hi = vr.upperBound
        if t.metric == .success { lo = 0; hi = 100 }
        if hi <= lo { hi = lo + 1 }
        let yt = SVGDocument.ticks(lo, hi)
        hi = max(hi, yt.last ?? hi)
        func x(_ ns: Int64) -> Double { tr.upperBound == tr.lowerBound ? left + pw / 2 : left + Double(ns - tr.lowerBound) / Double(tr.upperBound - tr.lowerBound) * pw }
        func y(_ v: Double) -> Double { top + (hi - v) / (hi - lo) * plotH }
        for v in yt {
            d.line(left, y(v), left + pw, y(v), stroke: SVGDocument.grid)
            d.text(figureValue(t.metric, v), x: left - 8, y: y(v) + 4, size: 11, anchor: "end", fill: SVGDocument.muted)
        }
        // Time along the bottom: up to seven ticks spread over the runs, each labelled as the nearest run wrote its
        // time (the day; day and time when the runs span less than two days).
        let day: Int64 = 86_400_000_000_000
        let stamps = t.series.flatMap { $0.points.map { ($0.timestampNs, $0.timestamp) } }.sorted { $0.0 < $1.0 }
        let short = tr.upperBound - tr.lowerBound < 2 * day
        var shown = Set<String>()
        for k in 0..<(tr.upperBound == tr.lowerBound ? 1 : 7) {
            let at = tr.lowerBound + (tr.upperBound - tr.lowerBound) / 6 * Int64(k)
            guard let (ns, ts) = stamps.min(by: { abs($0.0 - at) < abs($1.0 - at) }) else { break }
            let label = short ? Format.timestamp(ts).dropFirst(5).description : String(ts.prefix(10))
            guard shown.insert(label).inserted else { continue }
            d.line(x(ns), top + plotH, x(ns), top + plotH + 5, stroke: SVGDocument.muted)
            d.text(label, x: x(ns), y: top + plotH + 20, size: 11, anchor: "middle", fill: SVGDocument.muted)
        }
        d.line(left, top, left, top + plotH, stroke: SVGDocument.ink)
        d.line(left, top + plotH, left + pw, top + plotH, stroke: SVGDocument.ink)
        d.text(t.metric.title, x: left, y: top - 14, size: 12, anchor: "middle", weight: "bold")
        let legendRows = max(1, Int((plotH - 90) / 22) - 1)
        for (i, s) in t.series.enumerated() {
            let color = SVGDocument.palette[i % SVGDocument.palette.count]
            // A line joins runs on the same task set with known figures; a break elsewhere.
            var segment: [(Double, Double)] = []
            for p in s.points {
                guard let v = p.value.value else {
                    d.polyline(segment, stroke: color)
                    segment = []
                    continue
                }
                if p.newTaskSet {
                    d.polyline(segment, stroke: color)
                    segment = []
                }
                segment.append((x(p.timestampNs), y(v)))
            }
            d.polyline(segment, stroke: color)
            for p in s.points {
                guard let v = p.value.value else { continue }
                d.circle(x(p.timestampNs), y(v), r: 4, fill: p.value.lowerBound ? "#ffffff" : color, stroke: color)
                d.title("\(s.label) · \(p.runKey) · \(Format.timestamp(p.timestamp)) · \(figureValue(t.metric, v, lowerBound: p.value.lowerBound))")
                if p.regression != nil {
                    let (cx, cy) = (x(p.timestampNs), y(v) - 14)
                    d.polygon([(cx - 6, cy - 5), (cx + 6, cy - 5), (cx, cy + 5)], fill: SVGDocument.worse)
                    d.title("regression: \(regressionLine(t, p.regression!))")
                }
            }
            // Legend: as many lines as fit beside the plot, names cut to its width.
            guard i < legendRows else { continue }
            let ly = top + 10 + Double(i) * 22
            d.rect(w - right + 20, ly - 10, 14, 14, fill: color, radius: 3)
            let name = s.label + (s.taskSets > 1 ? " (\(s.taskSets) task sets)" : "")
            d.text(name.count > 38 ? String(name.prefix(37)) + "…" : name, x: w - right + 40, y: ly + 2, size: 12)
            d.title(name)
        }
        if t.series.count > legendRows {
            d.text("… and \(t.series.count - legendRows) more lines", x: w - right + 40, y: top + 12 + Double(legendRows) * 22, size: 11, fill: SVGDocument.muted)
        }
        let ly = top + 10 + Double(min(t.series.count, legendRows + 1)) * 22 + 10
        d.polygon([(w - right + 21, ly - 9), (w - right + 33, ly - 9), (w - right + 27, ly + 1)], fill: SVGDocument.worse)
        d.text("regression (beyond the noise)", x: w - right + 40, y: ly, size: 11, fill: SVGDocument.muted)
        d.circle(w - right + 27, ly + 18, r: 4, fill: "#ffffff", stroke: SVGDocument.muted)
        d.text("lower bound (≥)", x: w - right + 40, y: ly + 22, size: 11, fill: SVGDocument.muted)
        d.text("a line breaks where its task set changes", x: w - right + 20, y: ly + 44, size: 11, fill: SVGDocument.muted)
        var ry = top + plotH + bottom + 10
        if regs.isEmpty {
            d.text("No regression: no run is worse than the one before it by more than the noise.", x: 20, y: ry, size: 12, fill: SVGDocument.muted)
        } else {
            d.text("Regressions (worse than the previous run of the same model, agent type and task set by more than the noise):", x: 20, y: ry, size: 12, weight: "bold")
            for r in regs {
                ry += 18
                d.text("▼ " + regressionLine(t, r), x: 30, y: ry, size: 11, fill: SVGDocument.worse)
            }
            if t.regressions.count > regs.count { d.text("… and \(t.regressions.count - regs.count) more (see the table report)", x: 30, y: ry + 18, size: 11, fill: SVGDocument.muted) }
        }
        return d.render()
    }

    // MARK: analytics

    /// The analytics as a picture: the heatmap and the two scatters with their Pareto fronts.
    public static func analyticsSVG(_ a: Analytics) -> String {
        let metrics = RunFigure.allCases
        let rowH = 26.0, labelW = 260.0, cellW = 112.0
        let heatTop = 80.0
        let heatH = rowH * Double(a.rows.count + 1)
        let w = max(1000.0, labelW + cellW * Double(metrics.count + 1) + 40)
        let panelTop = heatTop + heatH + 60, panelH = 340.0
        let h = panelTop + panelH + 110
        var d = SVGDocument(width: Int(w), height: Int(h))
        d.text("TraceMind analytics", x: 20, y: 30, size: 20, weight: "bold")
        d.text("\(a.rows.count) \(a.grouping == .model ? "models" : "models and agent types") × figures, means over their runs, \(a.mode == .recorded ? "SMOLTRACE's recorded figures" : "counted once"); green is better, red worse, grey unknown", x: 20, y: 52, size: 12, fill: SVGDocument.muted)
        // Heatmap.
        d.text("model", x: 20, y: heatTop + 17, size: 12, weight: "bold")
        for (j, m) in metrics.enumerated() { d.text(m.shortTitle, x: labelW + cellW * (Double(j) + 0.5), y: heatTop + 17, size: 12, anchor: "middle", weight: "bold") }
        d.text("passes/$", x: labelW + cellW * (Double(metrics.count) + 0.5), y: heatTop + 17, size: 12, anchor: "middle", weight: "bold")
        for (i, r) in a.rows.enumerated() {
            let y = heatTop + rowH * Double(i + 1)
            d.text(r.label, x: 20, y: y + 17, size: 12)
            for (j, m) in metrics.enumerated() {
                let fill: String
                if r.values[m]?.value == nil {
                    fill = "#eeeeee"
                } else if let f = a.standing(r, m) {
                    // From red (worst) through white to green (best).
                    fill = f >= 0.5 ? mix("#ffffff", "#7bc47f", (f - 0.5) * 2) : mix("#ffffff", "#e8837a", (0.5 - f) * 2)
                } else {
                    fill = "#ffffff"
                }
                d.rect(labelW + cellW * Double(j) + 2, y + 2, cellW - 4, rowH - 4, fill: fill, stroke: "#dddddd", radius: 3)
                d.text(analyticsValue(m, r.values[m]), x: labelW + cellW * (Double(j) + 0.5), y: y + 17, size: 12, anchor: "middle", fill: r.values[m]?.value == nil ? SVGDocument.muted : SVGDocument.ink)
            }
            d.text(successPerDollar(r), x: labelW + cellW * (Double(metrics.count) + 0.5), y: y + 17, size: 12, anchor: "middle", fill: r.successPerDollar == nil ? SVGDocument.muted : SVGDocument.ink)
        }
        // The two scatters, side by side.
        let pw = (w - 60) / 2
        scatterSVG(&d, a, a.speed, a.speedUnknown, .wallP50, "Speed vs accuracy", x0: 20, y0: panelTop, w: pw - 20, h: panelH)
        scatterSVG(&d, a, a.cost, a.costUnknown, .costPerTest, "Cost vs accuracy", x0: 40 + pw, y0: panelTop, w: pw - 20, h: panelH)
        let unpriced = a.rows.reduce(0) { $0 + $1.unknownCostRuns }
        if unpriced > 0 { d.text("passes/$ leave out \(unpriced) run\(unpriced == 1 ? "" : "s") of unknown cost (never counted as free)", x: 20, y: h - 14, size: 11, fill: SVGDocument.muted) }
        return d.render()
    }

    static func scatterSVG(
        _ d: inout SVGDocument, _ a: Analytics, _ pts: [ScatterPoint], _ unknown: [String], _ m: RunFigure, _ title: String,
        x0: Double, y0: Double, w: Double, h: Double
    ) {
        d.text(title + " — ★ Pareto front", x: x0, y: y0 - 16, size: 14, weight: "bold")
        let left = x0 + 60, top = y0, pw = w - 70, ph = h - 60
        for v in stride(from: 0.0, through: 100, by: 25) {
            let y = top + (100 - v) / 100 * ph
            d.line(left, y, left + pw, y, stroke: SVGDocument.grid)
            d.text(Format.percent(v, digits: 0), x: left - 8, y: y + 4, size: 11, anchor: "end", fill: SVGDocument.muted)
        }
        d.line(left, top, left, top + ph)
        d.line(left, top + ph, left + pw, top + ph)
        d.text(m.shortTitle + " (lower is better) →", x: left + pw, y: top + ph + 36, size: 11, anchor: "end", fill: SVGDocument.muted)
        guard !pts.isEmpty else {
            d.text("No model has both figures known: nothing to place.", x: left + 10, y: top + ph / 2, size: 12, fill: SVGDocument.muted)
            return
        }
        let hi = (pts.map(\.x).max() ?? 1) * 1.1
        let lo = (pts.map(\.x).min() ?? 0) > hi * 0.5 ? (pts.map(\.x).min() ?? 0) * 0.9 : 0
        func x(_ v: Double) -> Double { left + (v - lo) / max(hi - lo, 1e-12) * pw }
        func y(_ v: Double) -> Double { top + (100 - v) / 100 * ph }
        for v in SVGDocument.ticks(lo, hi, count: 4) where v <= hi {
            d.line(x(v), top + ph, x(v), top + ph + 5, stroke: SVGDocument.muted)
            d.text(analyticsValue(m, LeaderboardFigures.Value(v)), x: x(v), y: top + ph + 18, size: 10, anchor: "middle", fill: SVGDocument.muted)
        }
        let front = Analytics.front(pts)
        var steps: [(Double, Double)] = []
        for (i, p) in front.enumerated() {
            if i > 0 { steps.append((x(p.x), y(front[i - 1].y))) }
            steps.append((x(p.x), y(p.y)))
        }
        d.polyline(steps, stroke: "#888888", width: 1.5)
        for p in pts {
            let i = a.rows.firstIndex { $0.label == p.label } ?? 0
            let color = SVGDocument.palette[i % SVGDocument.palette.count]
            d.circle(x(p.x), y(p.y), r: p.onFront ? 7 : 5, fill: color, stroke: p.onFront ? SVGDocument.ink : nil)
            d.title("\(p.label): \(analyticsValue(m, LeaderboardFigures.Value(p.x))), \(Format.percent(p.y))\(p.onFront ? " · Pareto front" : "")")
            // The name beside the point, on its left when the point is in the right third.
            let right = x(p.x) > left + pw * 0.66
            d.text((p.onFront ? "★ " : "") + p.label, x: x(p.x) + (right ? -10 : 10), y: y(p.y) + 4, size: 11, anchor: right ? "end" : "start", fill: SVGDocument.ink)
        }
        if !unknown.isEmpty {
            // Wrapped to the panel (about 6 px a character at this size).
            var lines: [String] = [], line = "not placed (unknown, a lower bound or a cost of 0):"
            for name in unknown {
                let next = line + " " + name + ","
                if Double(next.count) * 6.2 > w && !line.isEmpty {
                    lines.append(line)
                    line = "  " + name + ","
                } else {
                    line = next
                }
            }
            lines.append(String(line.dropLast()))
            for (k, l) in lines.prefix(3).enumerated() { d.text(l, x: x0, y: top + ph + 54 + Double(k) * 15, size: 11, fill: SVGDocument.muted) }
        }
    }

    /// `#rrggbb` between two colours.
    static func mix(_ a: String, _ b: String, _ t: Double) -> String {
        func c(_ s: String, _ i: Int) -> Double { Double(Int(s.dropFirst(1 + 2 * i).prefix(2), radix: 16) ?? 0) }
        let f = max(0, min(1, t))
        return "#" + (0..<3).map { (i: Int) -> String in
            let v = Int((c(a, i) + (c(b, i) - c(a, i)) * f).rounded())
            return NumberText.hex(v, width: 2)
        }.joined()
    }

    // MARK: card

    /// The summary card as a picture: the first places with medals, their figures, the totals, when it was made.
    public static func cardSVG(_ runs: [RunEntry], totals: [String: RunTotals], mode: FigureMode, top n: Int, madeAt: String) -> String {
        let top = cardRuns(runs, totals: totals, mode: mode, top: n)
        let sum = LeaderboardSummary(runs, total: runs.count, totals: totals, mode: mode)
        let rowH = 56.0, w = 820.0
        let h = 150 + rowH * Double(max(1, top.count)) + 70
        var d = SVGDocument(width: Int(w), height: Int(h))
        d.rect(10, 10, w - 20, h - 20, fill: "#fbfbfd", stroke: "#d0d0d8", radius: 14)
        d.text("TraceMind summary card", x: 40, y: 56, size: 24, weight: "bold")
        let figures = mode == .recorded ? "SMOLTRACE's recorded tokens and cost" : "tokens and cost counted once"
        d.text("Top \(top.count) of \(runs.count) run\(runs.count == 1 ? "" : "s") by success rate (then pass@1, then the cheaper cost); \(figures)", x: 40, y: 82, size: 12, fill: SVGDocument.muted)
        let medals = ["#d4af37", "#b8b8c0", "#cd7f32"]
        let cols: [(String, Double)] = [("success", 470), ("tokens", 570), ("cost", 665), ("$/pass", 760)]
        for (title, x) in cols { d.text(title, x: x, y: 118, size: 11, anchor: "end", fill: SVGDocument.muted) }
        func cost(_ v: LeaderboardFigures.Value) -> String { v.value.map { Format.atLeast(Format.usd($0), v.lowerBound) } ?? "unknown" }
        func tokens(_ v: LeaderboardFigures.Value) -> String { v.value.map { Format.atLeast(Format.tokens(Int($0)), v.lowerBound) } ?? "unknown" }
        for (i, (place, e)) in top.enumerated() {
            let y = 130 + rowH * Double(i)
            let t = totals[e.key]
            if place <= 3 {
                d.circle(64, y + 26, r: 18, fill: medals[place - 1], stroke: "#8a7a40")
                d.title(["gold", "silver", "bronze"][place - 1])
            } else {
                d.circle(64, y + 26, r: 18, fill: "#eeeeee")
            }
            d.text("\(place)", x: 64, y: y + 31, size: 15, anchor: "middle", weight: "bold")
            d.text(e.row.model, x: 96, y: y + 24, size: 15, weight: "bold")
            d.text("\(e.row.agentType) · \(Format.timestamp(e.row.timestamp))", x: 96, y: y + 42, size: 11, fill: SVGDocument.muted)
            let values = [
                Format.percent(LeaderboardFigures.successRate(e.row, t, mode)), tokens(LeaderboardFigures.tokens(e.row, t, mode)),
                cost(LeaderboardFigures.cost(e.row, t, mode)), Format.figureUSD(LeaderboardFigures.costPerPass(e.row, t, mode)),
            ]
            for ((_, x), v) in zip(cols, values) { d.text(v, x: x, y: y + 31, size: 13, anchor: "end") }
            d.line(40, y + rowH - 2, w - 40, y + rowH - 2, stroke: "#e6e6ee")
        }
        if top.isEmpty { d.text("No rankable run.", x: 96, y: 160, size: 13, fill: SVGDocument.muted) }
        var line = "All \(sum.shown) runs: mean success \(Format.percent(sum.meanSuccess)) · tokens \(tokens(sum.tokens)) · cost \(cost(sum.cost))"
        if let g = sum.co2Grams { line += " · CO2 \(Format.number(g, digits: 3)) g" }
        if sum.failedRuns > 0 { line += " · \(sum.failedRuns) not completed" }
        d.text(line, x: 40, y: h - 52, size: 12)
        d.text("Made \(madeAt)", x: 40, y: h - 32, size: 11, fill: SVGDocument.muted)
        return d.render()
    }
}
