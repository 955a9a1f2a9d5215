import FoundationEssentials
import TerminalUI
import TraceMindModel
import TraceMindReport

/// Where the waterfall's parts go: the panes, the number columns that fit, and the x axis (wall time with idle gaps
/// collapsed, or cumulative cost; zoom and pan).
extension TraceScreen {
    // MARK: layout

    struct Layout: Equatable {
        var header: Rect
        var axis: Rect
        var rows: Rect
        var detail: Rect
    }

    /// The panes: the header, then the tree (an axis line and the rows) and the detail pane: below the tree, beside
    /// it from 160 columns, or alone when maximised (`m`).
    static func layout(_ s: AppState) -> Layout {
        let body = App.body(s)
        let headerH = 3
        let (header, rest) = body.takeTop(headerH)
        let v: TraceView? = view(s.route)
        if v?.detailMaximized == true {
            return Layout(header: header, axis: Rect(x: rest.x, y: rest.y, width: rest.width, height: 0),
                          rows: Rect(x: rest.x, y: rest.y, width: rest.width, height: 0), detail: rest)
        }
        if rest.width >= sideBySideWidth {
            let (tree, detail) = rest.takeRight(max(56, rest.width * 2 / 5))
            let (axis, rows) = tree.takeTop(1)
            return Layout(header: header, axis: axis, rows: rows, detail: detail)
        }
        // The tree gets what its rows need (at least 60% of the space when it has many); the detail pane the rest.
        var rowCount = rest.height
        if let v, s.traces[v.ref]?.value != nil { rowCount = v.rows.count }
        let minDetail = rest.height >= 24 ? rest.height * 2 / 5 : max(5, rest.height / 3)
        let detailH = max(minDetail, rest.height - 1 - rowCount)
        let (tree, detail) = rest.takeBottom(detailH)
        let (axis, rows) = tree.takeTop(1)
        return Layout(header: header, axis: axis, rows: rows, detail: detail)
    }

    /// From this many columns the detail pane sits beside the tree instead of below it.
    static let sideBySideWidth = 160

    struct NumCol {
        var title: String
        var width: Int
        var priority: Int
        var cell: (SpanFigures, Span) -> (String, Role?)
    }

    static func numberColumns(width: Int, treeWidth: Int) -> [NumCol] {
        var cols: [NumCol] = [
            NumCol(title: "duration", width: 8, priority: 0) { f, _ in (Format.duration(f.durationMs), nil) },
            NumCol(title: "self tok", width: 8, priority: 3) { f, _ in
                if !f.selfTokens.isZero { return (Format.compact(Double(f.selfTokens.total)), .tokens) }
                return f.isRollup ? ("roll-up", .muted) : ("", nil)
            },
            NumCol(title: "incl tok", width: 8, priority: 2) { f, _ in
                f.inclusiveTokens.isZero ? ("", nil) : (Format.compact(Double(f.inclusiveTokens.total)), .tokens)
            },
            NumCol(title: "self cost", width: 9, priority: 1) { f, _ in
                if !f.selfCost.isZero { return (Format.cost(f.selfCost, unknown: "?"), f.selfCost.isUnknown ? .warn : .cost) }
                return f.isRollup ? ("roll-up", .muted) : ("", nil)
            },
            NumCol(title: "incl cost", width: 9, priority: 2) { f, _ in
                f.inclusiveCost.isZero ? ("", nil) : (Format.cost(f.inclusiveCost, unknown: "?"), f.inclusiveCost.isUnknown ? .warn : .cost)
            },
        ]
        let minBar = max(16, width / 4)
        while 3 + treeWidth + 1 + cols.map({ $0.width + 1 }).reduce(0, +) + minBar > width, let worst = cols.map(\.priority).max(), worst > 0 {
            cols.remove(at: cols.lastIndex { $0.priority == worst }!)
        }
        return cols
    }

    /// The span-name column: 30% of the width (22 to 52), moved by `<` / `>` (`nameDelta`) within 12 and half the width.
    static func treeWidth(_ width: Int, nameDelta: Int = 0) -> Int {
        max(12, min(max(12, width / 2), max(22, min(52, width * 3 / 10)) + nameDelta))
    }

    /// Where each part of a row goes.
    struct RowGeometry {
        var treeX: Int
        var treeW: Int
        var cols: [(NumCol, Int)]
        var barX: Int
        var barW: Int
    }

    static func geometry(_ r: Rect, nameDelta: Int = 0) -> RowGeometry {
        let tw = treeWidth(r.width, nameDelta: nameDelta)
        let cols = numberColumns(width: r.width, treeWidth: tw)
        var x = r.x + 3 + tw + 1
        var placed: [(NumCol, Int)] = []
        for c in cols {
            placed.append((c, x))
            x += c.width + 1
        }
        return RowGeometry(treeX: r.x + 3, treeW: tw, cols: placed, barX: x, barW: max(1, r.maxX - x - 1))
    }

    // MARK: the axis

    /// Maps the trace onto the bar area: wall time with idle gaps collapsed (optional), or cumulative cost; then
    /// zoom and pan.
    struct AxisMap {
        /// Piecewise-linear segments of real time: [t0, t1) maps to [u0, u1).
        struct Segment { var t0: Int64; var t1: Int64; var u0: Double; var u1: Double; var gap: Bool }
        var segments: [Segment] = []
        var total: Double
        var w0: Double
        var w1: Double
        var width: Int
        var start: Int64
        var costMode: Bool

        init(_ wf: Waterfall, _ v: TraceView, width: Int) {
            self.width = width
            let a = wf.analysis
            start = a.startNs ?? 0
            costMode = v.axis == .cost
            if costMode {
                total = max(wf.totalKnownCost, 1e-12)
            } else {
                let end = a.endNs ?? start
                let gaps = v.collapseGaps ? wf.gaps : []
                let wall = Double(max(1, end - start))
                let active = wall - gaps.reduce(0) { $0 + Double($1.endNs - $1.startNs) }
                let gapU: Double = gaps.isEmpty || width <= 4 * gaps.count ? 0 : 2 * active / Double(width - 2 * gaps.count)
                var t = start
                var u = 0.0
                for g in gaps where !gaps.isEmpty && gapU > 0 {
                    segments.append(Segment(t0: t, t1: g.startNs, u0: u, u1: u + Double(g.startNs - t), gap: false))
                    u += Double(g.startNs - t)
                    segments.append(Segment(t0: g.startNs, t1: g.endNs, u0: u, u1: u + gapU, gap: true))
                    u += gapU
                    t = g.endNs
                }
                segments.append(Segment(t0: t, t1: max(t + 1, end), u0: u, u1: u + Double(max(1, end - t)), gap: false))
                total = segments.last!.u1
            }
            let z = max(1, v.zoom)
            let span = total / z
            w0 = min(max(0, v.pan), 1 - 1 / z) * total
            w1 = w0 + span
        }

        func u(ns: Int64) -> Double {
            guard let first = segments.first else { return 0 }
            if ns <= first.t0 { return Double(ns - first.t0) }
            var lo = 0, hi = segments.count - 1
            while lo < hi {
                let mid = (lo + hi + 1) / 2
                if segments[mid].t0 <= ns { lo = mid } else { hi = mid - 1 }
            }
            let sgm = segments[lo]
            let f = Double(ns - sgm.t0) / Double(max(1, sgm.t1 - sgm.t0))
            return sgm.u0 + min(max(f, 0), sgm.gap ? 1 : .infinity) * (sgm.u1 - sgm.u0)
        }

        /// Cell position (fractional, may fall outside [0, width]).
        func x(ns: Int64) -> Double { (u(ns: ns) - w0) / (w1 - w0) * Double(width) }
        func x(cost: Double) -> Double { (cost - w0) / (w1 - w0) * Double(width) }
        /// Real time (ms since the trace start) at a cell position.
        func ms(atU uu: Double) -> Double {
            for sgm in segments where uu >= sgm.u0 && uu <= sgm.u1 {
                let f = (uu - sgm.u0) / max(1e-9, sgm.u1 - sgm.u0)
                return (Double(sgm.t0 - start) + f * Double(sgm.t1 - sgm.t0)) / 1e6
            }
            return uu / 1e6
        }
    }

    static func axisTicks(_ b: inout Buffer, y: Int, x: Int, map: AxisMap, wf: Waterfall, v: TraceView, r: Renderer) {
        let w = map.width
        let span = map.w1 - map.w0
        if map.costMode {
            guard wf.totalKnownCost > 0 else {
                b.put("no known cost in this trace", x: x, y: y, maxX: x + w, style: r.st(.header).patched(r.st(.muted)))
                return
            }
            let step = niceStep(span, maxTicks: max(1, w / 10))
            var t = (map.w0 / step).rounded(.up) * step
            var lastEnd = -1
            while t <= map.w1 + 1e-15 {
                let cx = Int(map.x(cost: t))
                let label = "\(r.symbols.vline)" + Format.tick(usd: t, step: step)
                if cx > lastEnd && cx + TextWidth.width(label) <= w {
                    b.put(label, x: x + cx, y: y, style: r.st(.header).patched(r.st(.axis)))
                    lastEnd = cx + TextWidth.width(label)
                }
                t += step
            }
            return
        }
        // Time ticks at nice steps of real time; none inside collapsed gaps.
        let startMs = map.ms(atU: map.w0), endMs = map.ms(atU: map.w1)
        let visibleMs = max(1e-6, endMs - startMs)
        let step = niceStep(visibleMs, maxTicks: max(1, w / 10))
        var t = (startMs / step).rounded(.up) * step
        var lastEnd = -1
        var guardCount = 0
        while t <= endMs + 1e-9 && guardCount < 1000 {
            guardCount += 1
            let ns = map.start + Int64(t * 1e6)
            let inGap = map.segments.contains { $0.gap && ns > $0.t0 && ns < $0.t1 }
            let cx = Int(map.x(ns: ns))
            let tickText = Format.tick(ms: t, stepMs: step)
            let label = r.symbols.vline + tickText
            let lw = TextWidth.width(label)
            if !inGap, cx > lastEnd, cx >= 0, cx < w {
                if cx + lw <= w {
                    b.put(label, x: x + cx, y: y, style: r.st(.header).patched(r.st(.axis)))
                    lastEnd = cx + lw
                } else if w - lw > lastEnd + 1 {
                    // The last tick near the right edge: its label ends at the tick.
                    let text = tickText + r.symbols.vline
                    b.put(text, x: x + cx - lw + 1, y: y, style: r.st(.header).patched(r.st(.axis)))
                    lastEnd = cx
                }
            }
            t += step
        }
        for sgm in map.segments where sgm.gap {
            let cx = Int(map.x(ns: sgm.t0))
            if cx >= 0 && cx < w {
                b.put("⋯", x: x + cx, y: y, style: r.st(.header).patched(r.st(.gap)))
                b.put(Format.duration(Double(sgm.t1 - sgm.t0) / 1e6), x: x + cx + 1, y: y, maxX: x + w, style: r.st(.header).patched(r.st(.gap)))
            }
        }
    }
}
