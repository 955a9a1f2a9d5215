import FoundationEssentials
import TerminalUI
import TraceMindModel
import TraceMindReport

/// Each model's runs over time (the leaderboard's shown runs): a line chart of one figure with a legend and axes,
/// the runs beside it with their change from the previous run of the same kind and the regressions marked; and a
/// Flaky tests tab. Figures from the model's `Trends` and `FlakyReport`, as the `trends` and `flaky` reports.
enum TrendsScreen {
    /// The lines' colours, in order (the theme's category colours).
    static let palette: [Role] = [.kindLLM, .kindTool, .kindAgent, .cost, .tokens, .kindChain, .accent, .pass]

    static func open(_ s: inout AppState) -> [Effect] {
        s.stack.append(.trends(TrendsView()))
        s.refreshTrends()
        if s.trends?.series.isEmpty == true { s.message = "no run shown has a timestamp: nothing to draw over time" }
        return []
    }

    /// A row of the table: a run on a line (Trends), or a test of a group (Flaky tests).
    enum Row {
        case point(series: Int, point: Int)
        case test(group: Int, test: Int)
        case steady(group: Int)
    }

    static func rows(_ s: AppState, _ v: TrendsView) -> [Row] {
        switch v.tab {
        case .trends:
            guard let t = s.trends else { return [] }
            return t.series.indices.flatMap { i in t.series[i].points.indices.map { Row.point(series: i, point: $0) } }
        case .flaky:
            guard let f = s.flaky else { return [] }
            return f.groups.indices.flatMap { g -> [Row] in
                let flaky = f.groups[g].tests.indices.filter { f.groups[g].tests[$0].isFlaky }
                return flaky.isEmpty ? [.steady(group: g)] : flaky.map { Row.test(group: g, test: $0) }
            }
        }
    }

    static func layout(_ s: AppState) -> (tabs: Rect, head: Rect, chart: Rect, table: Rect) {
        let body = App.body(s)
        let (tabs, rest) = body.takeTop(1)
        let (head, below) = rest.takeTop(1)
        // Wide terminals: the runs' table beside the chart, the chart as tall as the screen.
        if view(s.route)?.tab == .trends, below.width >= 150 {
            let (chart, right) = below.takeLeft(below.width * 11 / 20)
            return (tabs, head, chart, Rect(x: right.x + 1, y: right.y, width: right.width - 1, height: right.height))
        }
        let chartHeight = max(4, min(below.height / 2, below.height - 5))
        let (chart, table) = below.takeTop(chartHeight)
        return (tabs, head, chart, table)
    }

    static func visible(_ s: AppState) -> Int { TableView.visibleRows(height: layout(s).table.height) }

    static func clamp(_ s: inout AppState) {
        guard var v = view(s.route) else { return }
        v.list.clamp(count: rows(s, v).count, visible: visible(s))
        store(&s, v)
    }

    static func perform(_ s: inout AppState, _ a: Action) -> [Effect] {
        guard var v = view(s.route) else { return [] }
        defer { clamp(&s) }
        let all = rows(s, v)
        if v.list.navigate(a, count: all.count, visible: visible(s)) {
            store(&s, v)
            return []
        }
        switch a {
        case .nextTab, .prevTab, .tab:
            let next: TrendsTab
            if case .tab(let i) = a { next = TrendsTab(rawValue: i) ?? v.tab } else { next = v.tab == .trends ? .flaky : .trends }
            if next != v.tab {
                v.tab = next
                v.list = ListPosition()
            }
        case .nextMetric:
            let ms = RunFigure.trended
            v.metric = ms[(ms.firstIndex(of: v.metric)! + 1) % ms.count]
            store(&s, v)
            s.refreshTrends()
            s.message = "figure: \(v.metric.title)"
            return []
        case .toggleGrouping:
            v.grouping = v.grouping.other
            v.list = ListPosition()
            store(&s, v)
            s.refreshTrends()
            s.message = v.grouping == .model ? "a line per model" : "a line per model and agent type"
            return []
        case .nextMatch, .prevMatch:
            let forward = a == .nextMatch
            let marked: [Int]
            if v.tab == .trends, let t = s.trends {
                marked = all.indices.filter { if case .point(let si, let pi) = all[$0] { return t.series[si].points[pi].regression != nil } else { return false } }
                if marked.isEmpty { s.message = "no regression among the runs shown" }
            } else {
                // The first row of each group.
                marked = all.indices.filter { i in i == 0 || group(all[i]) != group(all[i - 1]) }
            }
            guard !marked.isEmpty else { break }
            let cur = v.list.selected
            v.list.selected = forward ? (marked.first { $0 > cur } ?? marked[0]) : (marked.last { $0 < cur } ?? marked.last!)
            if v.tab == .trends { s.message = "regression \(marked.firstIndex(of: v.list.selected)! + 1) of \(marked.count)" }
        case .open:
            guard let key = selectedRun(s, v) else { break }
            store(&s, v)
            return RunScreen.open(&s, key)
        default: break
        }
        store(&s, v)
        return []
    }

    static func group(_ r: Row) -> Int {
        switch r {
        case .point(let s, _): return s
        case .test(let g, _), .steady(let g): return g
        }
    }

    /// The run of the selected row: the point's run, or the newest run of the selected test's group.
    static func selectedRun(_ s: AppState, _ v: TrendsView) -> String? {
        let all = rows(s, v)
        guard v.list.selected < all.count else { return nil }
        switch all[v.list.selected] {
        case .point(let si, let pi): return s.trends?.series[si].points[pi].runKey
        case .test(let g, _), .steady(let g): return s.flaky?.groups[g].runKeys.last
        }
    }

    static func status(_ s: AppState, _ v: TrendsView) -> String {
        let analysed = s.visibleRuns.filter { s.totals[$0.key] != nil }.count
        let pending = s.visibleRuns.count - analysed
        return pending > 0 ? "\(analysed) of \(s.visibleRuns.count) runs analysed (task sets and counted figures follow)" : "\(s.visibleRuns.count) runs"
    }

    static func click(_ s: inout AppState, _ x: Int, _ y: Int) -> [Effect] {
        guard var v = view(s.route), let again = v.list.click(in: layout(s).table, x: x, y: y, count: rows(s, v).count) else { return [] }
        if again { return perform(&s, .open) }
        store(&s, v)
        return []
    }

    // MARK: drawing

    static func render(_ b: inout Buffer, _ body: Rect, _ s: AppState, _ v: TrendsView, _ r: Renderer) {
        let l = layout(s)
        Tabs(titles: ["1 Trends", "2 Flaky tests"], active: v.tab.rawValue, activeStyle: r.st(.tabActive), inactiveStyle: r.st(.tabInactive))
            .render(into: &b, area: Rect(x: l.tabs.x + 1, y: l.tabs.y, width: l.tabs.width - 1, height: 1))
        if v.tab == .trends { trendsTab(&b, l, s, v, r) } else { flakyTab(&b, l, s, v, r) }
    }

    static func trendsTab(_ b: inout Buffer, _ l: (tabs: Rect, head: Rect, chart: Rect, table: Rect), _ s: AppState, _ v: TrendsView, _ r: Renderer) {
        guard let t = s.trends else { return }
        b.put(" " + Reports.trendsHeadline(t), x: l.head.x, y: l.head.y, maxX: l.head.maxX, style: r.st(t.regressions.isEmpty ? .muted : .warn))
        guard !t.series.isEmpty else {
            r.note(&b, l.chart, "No run shown has a timestamp: there is nothing to draw over time.")
            return
        }
        let all = rows(s, v)
        var selected: (Int, Int)?
        if v.list.selected < all.count, case .point(let si, let pi) = all[v.list.selected] { selected = (si, pi) }
        chart(&b, l.chart, t, selected: selected, r)
        let w = l.table.width
        let wide = w >= 120
        let lineW = max(12, min(28, w / 5)), runW = max(10, min(36, w / 6)), whenW = wide ? 16 : 11, valueW = max(10, TextWidth.width(t.metric.title)), changeW = 10
        let flagW = max(4, w - 2 - lineW - runW - whenW - valueW - changeW - 5)
        let cols = [
            Column("line", width: lineW), Column("run", width: runW), Column("when", width: whenW), Column(t.metric.title, width: valueW, right: true),
            Column("change", width: changeW, right: true), Column("", width: flagW),
        ]
        // Flags in the words that fit (the help and the report say them whole).
        let regressionFlag = flagW >= 12 ? "▼ regression" : "▼ worse"
        let taskSetFlag = flagW >= 18 ? "⚠ another task set" : (flagW >= 14 ? "⚠ new task set" : "⚠ new set")
        var trs: [TableRow] = []
        for k in v.list.offset..<min(all.count, v.list.offset + visible(s)) {
            guard case .point(let si, let pi) = all[k] else { continue }
            let ser = t.series[si], p = ser.points[pi]
            var flag: [String] = []
            if p.regression != nil { flag.append(regressionFlag) }
            if p.newTaskSet { flag.append(taskSetFlag) }
            let valueStyle = p.value.value == nil ? r.st(.muted) : (p.regression != nil ? r.st(.worse) : nil)
            let deltaStyle: Style? = p.delta.map { d in d == 0 ? r.st(.muted) : ((d > 0) == t.metric.higherIsBetter ? r.st(.better) : r.st(.worse)) }
            trs.append(TableRow(
                [pi == 0 || k == v.list.offset ? ser.label : "", p.runKey, wide ? Format.timestamp(p.timestamp) : String(Format.timestamp(p.timestamp).dropFirst(5)),
                 Reports.figureValue(t.metric, p.value.value, lowerBound: p.value.lowerBound), Reports.trendDelta(t.metric, p.delta), flag.joined(separator: " ")],
                styles: [r.st(palette[si % palette.count]), nil, r.st(.muted), valueStyle, deltaStyle, r.st(p.regression != nil ? .worse : .warn)]))
        }
        var tv = TableView(columns: cols, rows: trs, selected: all.isEmpty ? nil : v.list.selected - v.list.offset, offset: 0, headerStyle: r.st(.header), selectedStyle: r.st(.selected), symbols: r.symbols)
        tv.alignColumn = Format.alignDecimals
        tv.render(into: &b, area: l.table)
    }

    /// Labels without their provider (`openai/gpt-4o` → `gpt-4o`) where that leaves them apart.
    static func shortLabels(_ labels: [String]) -> [String] {
        let short = labels.map { l in l.split(separator: "/", maxSplits: 1).count == 2 && !l.hasPrefix("/") ? String(l.split(separator: "/", maxSplits: 1)[1]) : l }
        return Set(short).count == short.count ? short : labels
    }

    /// The lines on a braille canvas: values up the left axis (labelled at the top, middle and bottom), time along the
    /// bottom (first, middle and last day), a legend above. A line joins runs on the same task set only; a
    /// regression is marked ▼, the selected run ●.
    static func chart(_ b: inout Buffer, _ area: Rect, _ t: Trends, selected: (Int, Int)?, _ r: Renderer) {
        guard area.height >= 4, area.width >= 20, let vr = t.valueRange, let tr = t.timeRange else { return }
        // Legend: one line, as many lines of the chart as fit.
        var x = area.x + 1
        let names = shortLabels(t.series.map(\.label))
        for (i, ser) in t.series.enumerated() {
            let item = "● " + names[i] + (ser.taskSets > 1 ? " (\(ser.taskSets) task sets)" : "")
            guard x + TextWidth.width(item) + 2 < area.maxX else {
                b.put("…", x: x, y: area.y, maxX: area.maxX, style: r.st(.muted))
                break
            }
            b.put(item, x: x, y: area.y, maxX: area.maxX, style: r.st(palette[i % palette.count]))
            x += TextWidth.width(item) + 2
        }
        var lo = vr.lowerBound, hi = vr.upperBound
        if t.metric == .success {
            lo = 0
            hi = 100
        } else {
            lo = min(0, lo)
            if hi <= lo { hi = lo + 1 }
            hi += (hi - lo) * 0.05
        }
        let labels = [hi, (hi + lo) / 2, lo].map { Reports.figureValue(t.metric, $0) }
        guard let plot = ChartFrame.draw(&b, Rect(x: area.x, y: area.y + 1, width: area.width, height: area.height - 1), labels: labels, r) else { return }
        var canvas = BrailleCanvas(width: plot.width, height: plot.height)
        let span = Double(max(1, tr.upperBound - tr.lowerBound))
        func px(_ ns: Int64) -> Int { tr.upperBound == tr.lowerBound ? canvas.dotsWide / 2 : Int((Double(ns - tr.lowerBound) / span * Double(canvas.dotsWide - 1)).rounded()) }
        func py(_ v: Double) -> Int { Int(((hi - v) / (hi - lo) * Double(canvas.dotsHigh - 1)).rounded()) }
        var marks: [(x: Int, y: Int, glyph: String, style: Style)] = []
        for (si, ser) in t.series.enumerated() {
            let style = r.st(palette[si % palette.count])
            var last: (Int, Int)?
            for (pi, p) in ser.points.enumerated() {
                guard let v = p.value.value else {
                    last = nil
                    continue
                }
                let pt = (px(p.timestampNs), py(v))
                if let last, !p.newTaskSet { canvas.line(last.0, last.1, pt.0, pt.1, style: style) } else { canvas.set(pt.0, pt.1, style: style) }
                last = pt
                if p.regression != nil { marks.append((pt.0 / 2, pt.1 / 4, "▼", r.st(.worse))) }
                if let sel = selected, sel == (si, pi) { marks.append((pt.0 / 2, pt.1 / 4, "●", style.patched(Style(attrs: [.bold])))) }
            }
        }
        canvas.render(into: &b, x: plot.x, y: plot.y, style: r.st(.muted), symbols: r.symbols)
        for m in marks { b.put(m.glyph, x: plot.x + m.x, y: plot.y + m.y, maxX: plot.maxX, style: m.style) }
        // Time: the first, middle and last day.
        let y = plot.maxY
        // Days as the runs wrote them: the day of the run nearest each place on the axis.
        let stamps = t.series.flatMap { $0.points.map { ($0.timestampNs, $0.timestamp) } }
        // Runs within two days: the day and the time.
        let short = tr.upperBound - tr.lowerBound < 2 * 86_400_000_000_000
        func day(_ ns: Int64) -> String {
            let ts = stamps.min { abs($0.0 - ns) < abs($1.0 - ns) }?.1 ?? ""
            return short ? String(Format.timestamp(ts).dropFirst(5)) : String(ts.prefix(10))
        }
        let first = day(tr.lowerBound), last = day(tr.upperBound)
        b.put(first, x: plot.x, y: y, maxX: plot.maxX, style: r.st(.axis))
        if last != first { b.put(last, x: plot.maxX - TextWidth.width(last), y: y, maxX: plot.maxX, style: r.st(.axis)) }
        let mid = day(tr.lowerBound + (tr.upperBound - tr.lowerBound) / 2)
        let mx = plot.x + plot.width / 2 - TextWidth.width(mid) / 2
        if mid != first && mid != last && plot.width > 3 * (TextWidth.width(mid) + 2) { b.put(mid, x: mx, y: y, maxX: plot.maxX, style: r.st(.axis)) }
    }

    static func flakyTab(_ b: inout Buffer, _ l: (tabs: Rect, head: Rect, chart: Rect, table: Rect), _ s: AppState, _ v: TrendsView, _ r: Renderer) {
        guard let f = s.flaky else { return }
        let flakyTests = f.groups.reduce(0) { $0 + $1.flaky.count }
        b.put(" \(f.groups.count) group\(f.groups.count == 1 ? "" : "s") of two or more runs (model · agent type · task set) · \(flakyTests) flaky test\(flakyTests == 1 ? "" : "s")"
            + (f.leftOut > 0 ? " · \(f.leftOut) run\(f.leftOut == 1 ? "" : "s") in no group" : ""), x: l.head.x, y: l.head.y, maxX: l.head.maxX, style: r.st(flakyTests > 0 ? .warn : .muted))
        guard !f.groups.isEmpty else {
            r.note(&b, l.chart, "No model has two or more runs of the same agent type on the same task set with known test outcomes (runs are analysed in the background).")
            return
        }
        // The groups' run-to-run spread of success, one line each (the chart's place).
        let all = rows(s, v)
        let current = v.list.selected < all.count ? group(all[v.list.selected]) : 0
        let first = max(0, min(current - l.chart.height / 2, f.groups.count - l.chart.height))
        for (k, g) in f.groups.enumerated().dropFirst(first).prefix(l.chart.height) {
            let y = l.chart.y + k - first
            var text = " \(g.label) · \(g.runKeys.count) runs · "
            if let sp = g.successSpread {
                text += "success \(Format.percent(sp.min))–\(Format.percent(sp.max)) (sd \(Format.number(sp.sd, digits: 1))) · "
            }
            text += "\(g.flaky.count)/\(g.tests.count) tests flaky"
            b.put(k == current ? "▸" : " ", x: l.chart.x, y: y, maxX: l.chart.maxX, style: r.st(.accent))
            b.put(text, x: l.chart.x + 1, y: y, maxX: l.chart.maxX, style: r.st(g.flaky.isEmpty ? .muted : .base))
        }
        let labelW = max(14, min(34, l.table.width / 3))
        let cols = [Column("group", width: labelW), Column("test", width: max(12, min(30, l.table.width / 4))), Column("passed", width: 7, right: true),
                    Column("flips", width: 5, right: true), Column("outcomes, oldest first", width: max(8, l.table.width - labelW - max(12, min(30, l.table.width / 4)) - 16))]
        var trs: [TableRow] = []
        for k in v.list.offset..<min(all.count, v.list.offset + visible(s)) {
            switch all[k] {
            case .steady(let g):
                trs.append(TableRow([f.groups[g].label, "every test steady", "", "", ""], styles: [nil, r.st(.muted)]))
            case .test(let g, let ti):
                let t = f.groups[g].tests[ti]
                let firstOfGroup = k == 0 || group(all[k - 1]) != g || k == v.list.offset
                trs.append(TableRow(
                    [firstOfGroup ? f.groups[g].label : "", t.key, "\(t.passed)/\(t.runs)", "\(t.flips)", Reports.outcomeStrip(t)],
                    styles: [nil, nil, r.st(.warn), nil, r.st(.muted)]))
            case .point: break
            }
        }
        TableView(columns: cols, rows: trs, selected: all.isEmpty ? nil : v.list.selected - v.list.offset, offset: 0, headerStyle: r.st(.header), selectedStyle: r.st(.selected), symbols: r.symbols)
            .render(into: &b, area: l.table)
    }
}

extension TrendsScreen {
    /// `y`: the selected run's id (Flaky tests: the selected test's key).
    static func copyTarget(_ s: AppState) -> (what: String, id: String)? {
        guard let v = view(s.route) else { return nil }
        let all = rows(s, v)
        guard v.list.selected < all.count else { return nil }
        if case .test(let g, let ti) = all[v.list.selected], let t = s.flaky?.groups[g].tests[ti] { return ("test id", t.key) }
        guard let key = selectedRun(s, v), let e = s.entry(key) else { return nil }
        return e.row.runID.map { ("run id", $0) } ?? ("run", e.key)
    }

    /// `w`: the tab as the `trends` or `flaky` report.
    static func exportText(_ s: AppState, _ format: OutputFormat) -> Result<String, Export.Refusal> {
        guard let v = view(s.route) else { return .failure(Export.Refusal(reason: "no trends on screen")) }
        if v.tab == .trends, let t = s.trends { return .success(format == .svg ? Reports.trendsSVG(t) : Reports.trends(t, format: format == .text ? .table : format)) }
        if format == .svg { return .failure(Export.Refusal(reason: "the flaky tests are a table: name the file .txt, .md, .csv or .json")) }
        if let f = s.flaky { return .success(Reports.flaky(f, format: format == .text ? .table : format)) }
        return .failure(Export.Refusal(reason: "nothing to write yet"))
    }
}
