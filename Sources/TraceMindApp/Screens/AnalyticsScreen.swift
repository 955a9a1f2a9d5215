import FoundationEssentials
import TerminalUI
import TraceMindModel
import TraceMindReport

/// Models × figures over the leaderboard's shown runs: a heatmap (value and colour, direction-aware, unknown shown
/// as unknown), and speed and cost against accuracy as braille scatters with the Pareto front marked and listed.
/// Figures from the model's `Analytics`, as the `analytics` report.
enum AnalyticsScreen {
    static func open(_ s: inout AppState) -> [Effect] {
        s.stack.append(.analytics(AnalyticsView()))
        s.refreshTrends()
        return []
    }

    static func layout(_ s: AppState, _ v: AnalyticsView) -> (tabs: Rect, head: Rect, chart: Rect, table: Rect) {
        let body = App.body(s)
        let (tabs, rest) = body.takeTop(1)
        let (head, below) = rest.takeTop(1)
        if v.tab == .heatmap { return (tabs, head, Rect(x: below.x, y: below.y, width: below.width, height: 0), below) }
        let n = s.analytics?.rows.count ?? 0
        let tableHeight = max(4, min(n + 2, below.height / 2))
        let (chart, table) = below.takeTop(below.height - tableHeight)
        return (tabs, head, chart, table)
    }

    /// The rows of the table, in order: every model (the scatters list the placed ones first).
    static func rows(_ s: AppState, _ v: AnalyticsView) -> [AnalyticsRow] {
        guard let a = s.analytics else { return [] }
        switch v.tab {
        case .heatmap: return a.rows
        case .speed, .cost:
            let placed = Set((v.tab == .speed ? a.speed : a.cost).map(\.label))
            return a.rows.filter { placed.contains($0.label) } + a.rows.filter { !placed.contains($0.label) }
        }
    }

    static func visible(_ s: AppState, _ v: AnalyticsView) -> Int { TableView.visibleRows(height: layout(s, v).table.height) }

    static func clamp(_ s: inout AppState) {
        guard var v = view(s.route) else { return }
        v.list.clamp(count: rows(s, v).count, visible: visible(s, v))
        store(&s, v)
    }

    static func perform(_ s: inout AppState, _ a: Action) -> [Effect] {
        guard var v = view(s.route) else { return [] }
        defer { clamp(&s) }
        let all = rows(s, v)
        if v.list.navigate(a, count: all.count, visible: visible(s, v)) {
            store(&s, v)
            return []
        }
        switch a {
        case .nextTab, .prevTab, .tab:
            let n = AnalyticsTab.allCases.count
            let next: Int
            switch a {
            case .tab(let i): next = i
            case .nextTab: next = (v.tab.rawValue + 1) % n
            default: next = (v.tab.rawValue + n - 1) % n
            }
            // The same model stays selected across tabs.
            let label = v.list.selected < all.count ? all[v.list.selected].label : nil
            v.tab = AnalyticsTab(rawValue: next) ?? v.tab
            v.list = ListPosition()
            if let label, let i = rows(s, v).firstIndex(where: { $0.label == label }) { v.list.selected = i }
        case .toggleGrouping:
            v.grouping = v.grouping.other
            v.list = ListPosition()
            store(&s, v)
            s.refreshTrends()
            s.message = v.grouping == .model ? "a row per model" : "a row per model and agent type"
            return []
        case .open:
            guard v.list.selected < all.count, let first = all[v.list.selected].runKeys.first, let e = s.entry(first) else { break }
            // The model's runs: the leaderboard with the model's facet (and its agent type's, per model and agent).
            s.leaderboard.query.facets["model"] = [e.row.model]
            if v.grouping == .modelAgent { s.leaderboard.query.facets["agent_type"] = [e.row.agentType] }
            s.stack = [.leaderboard]
            s.leaderboard.list = ListPosition()
            s.refreshRuns()
            s.message = "\(all[v.list.selected].label): \(s.visibleRuns.count) run\(s.visibleRuns.count == 1 ? "" : "s") (Esc clears the facet)"
            return []
        default: break
        }
        store(&s, v)
        return []
    }

    static func status(_ s: AppState, _ v: AnalyticsView) -> String {
        let analysed = s.visibleRuns.filter { s.totals[$0.key] != nil }.count
        return analysed < s.visibleRuns.count ? "\(analysed) of \(s.visibleRuns.count) runs analysed" : "\(s.visibleRuns.count) runs"
    }

    static func click(_ s: inout AppState, _ x: Int, _ y: Int) -> [Effect] {
        guard var v = view(s.route), let again = v.list.click(in: layout(s, v).table, x: x, y: y, count: rows(s, v).count) else { return [] }
        if again { return perform(&s, .open) }
        store(&s, v)
        return []
    }

    // MARK: drawing

    static func render(_ b: inout Buffer, _ body: Rect, _ s: AppState, _ v: AnalyticsView, _ r: Renderer) {
        let l = layout(s, v)
        Tabs(titles: AnalyticsTab.allCases.map { "\($0.rawValue + 1) \($0.title)" }, active: v.tab.rawValue, activeStyle: r.st(.tabActive), inactiveStyle: r.st(.tabInactive))
            .render(into: &b, area: Rect(x: l.tabs.x + 1, y: l.tabs.y, width: l.tabs.width - 1, height: 1))
        guard let a = s.analytics else { return }
        let what = a.grouping == .model ? "models" : "models and agent types"
        let figures = a.mode == .recorded ? "SMOLTRACE's recorded figures" : "counted once"
        switch v.tab {
        case .heatmap:
            b.put(" \(a.rows.count) \(what) × figures, means over their runs, \(figures); green is better, red worse, in each column", x: l.head.x, y: l.head.y, maxX: l.head.maxX, style: r.st(.muted))
            heatmap(&b, l.table, s, v, a, r)
        case .speed, .cost:
            let m: RunFigure = v.tab == .speed ? .wallP50 : .costPerTest
            let pts = v.tab == .speed ? a.speed : a.cost
            let front = Analytics.front(pts)
            b.put(" Pareto front (★, nothing both \(v.tab == .speed ? "faster" : "cheaper") and more accurate): " + (front.isEmpty ? "none" : front.map(\.label).joined(separator: ", ")),
                  x: l.head.x, y: l.head.y, maxX: l.head.maxX, style: r.st(.accent))
            let all = rows(s, v)
            scatter(&b, l.chart, a, pts, m, selected: v.list.selected < all.count ? all[v.list.selected].label : nil, r)
            scatterTable(&b, l.table, s, v, a, pts, m, r)
        }
    }

    /// A cell's colour: where the model stands in its column (green best third, red worst third), muted when unknown.
    static func heatStyle(_ a: Analytics, _ row: AnalyticsRow, _ m: RunFigure, _ r: Renderer) -> Style? {
        guard row.values[m]?.value != nil else { return r.st(.muted) }
        guard let f = a.standing(row, m) else { return nil }
        return f >= 2.0 / 3 ? r.st(.better) : (f <= 1.0 / 3 ? r.st(.worse) : nil)
    }

    static func heatmap(_ b: inout Buffer, _ area: Rect, _ s: AppState, _ v: AnalyticsView, _ a: Analytics, _ r: Renderer) {
        let all = rows(s, v)
        guard !all.isEmpty else {
            r.note(&b, area, "No run is shown: nothing to compare.")
            return
        }
        let labelW = max(12, min(34, area.width - 2 - 5 - RunFigure.allCases.count * 12 - 10))
        let cols = [Column("model", width: labelW, frozen: true), Column("runs", width: 4, right: true)]
            + RunFigure.allCases.map { Column($0.shortTitle, width: 11, right: true) } + [Column("passes/$", width: 9, right: true)]
        var trs: [TableRow] = []
        for k in v.list.offset..<min(all.count, v.list.offset + visible(s, v)) {
            let row = all[k]
            var cells = [row.label, "\(row.runKeys.count)"]
            var styles: [Style?] = [r.st(TrendsScreen.palette[(a.rows.firstIndex { $0.label == row.label } ?? 0) % TrendsScreen.palette.count]), r.st(.muted)]
            for m in RunFigure.allCases {
                cells.append(Reports.analyticsValue(m, row.values[m]))
                styles.append(heatStyle(a, row, m, r))
            }
            cells.append(Reports.successPerDollar(row))
            styles.append(row.successPerDollar == nil ? r.st(.muted) : nil)
            trs.append(TableRow(cells, styles: styles))
        }
        var tv = TableView(columns: cols, rows: trs, selected: v.list.selected - v.list.offset, offset: 0, headerStyle: r.st(.header), selectedStyle: r.st(.selected), symbols: r.symbols)
        tv.alignColumn = Format.alignDecimals
        tv.render(into: &b, area: area)
        let unpriced = a.rows.reduce(0) { $0 + $1.unknownCostRuns }
        let y = area.y + 1 + trs.count + 1
        if unpriced > 0, y < area.maxY {
            b.put(" passes/$ leave out \(unpriced) run\(unpriced == 1 ? "" : "s") of unknown cost (never counted as free); ≥ a lower bound, ≤ an upper one", x: area.x, y: y, maxX: area.maxX, style: r.st(.muted))
        }
    }

    /// Success (up) against wall time or cost (right, lower is better): each model a dot in its colour, the front
    /// joined and starred, the selected model ◆.
    static func scatter(_ b: inout Buffer, _ area: Rect, _ a: Analytics, _ pts: [ScatterPoint], _ m: RunFigure, selected: String?, _ r: Renderer) {
        guard area.height >= 4, area.width >= 24 else { return }
        guard !pts.isEmpty else {
            r.note(&b, area, "No model has both figures known: nothing to place (unknown is never placed at 0).")
            return
        }
        let xs = pts.map(\.x)
        var lo = 0.0, hi = max(xs.max()!, 1e-12)
        hi += (hi - lo) * 0.08
        if xs.min()! > hi * 0.5 { lo = xs.min()! * 0.9 }
        guard let plot = ChartFrame.draw(&b, area, labels: ["100%", "50%", "0%"], r) else { return }
        var canvas = BrailleCanvas(width: plot.width, height: plot.height)
        func px(_ x: Double) -> Int { Int(((x - lo) / (hi - lo) * Double(canvas.dotsWide - 1)).rounded()) }
        func py(_ y: Double) -> Int { Int(((100 - y) / 100 * Double(canvas.dotsHigh - 1)).rounded()) }
        // The front, as steps from the fastest (cheapest) to the most accurate.
        let front = Analytics.front(pts)
        for (p, q) in zip(front, front.dropFirst()) {
            canvas.line(px(p.x), py(p.y), px(q.x), py(p.y), style: r.st(.accent))
            canvas.line(px(q.x), py(p.y), px(q.x), py(q.y), style: r.st(.accent))
        }
        canvas.render(into: &b, x: plot.x, y: plot.y, style: r.st(.muted), symbols: r.symbols)
        let names = TrendsScreen.shortLabels(pts.map(\.label))
        for (k, p) in pts.enumerated() {
            let i = a.rows.firstIndex { $0.label == p.label } ?? 0
            let st = r.st(TrendsScreen.palette[i % TrendsScreen.palette.count])
            let glyph = p.label == selected ? "◆" : (p.onFront ? "★" : "●")
            let x = plot.x + px(p.x) / 2, y = plot.y + py(p.y) / 4
            b.put(glyph, x: x, y: y, maxX: plot.maxX, style: p.label == selected ? st.patched(Style(attrs: [.bold])) : st)
            // Its name beside it, where the plot is empty there.
            let name = " " + names[k]
            let w = TextWidth.width(name)
            if x + 1 + w <= plot.maxX, (x + 1..<x + 1 + w).allSatisfy({ b[$0, y].symbol == " " }) { b.put(name, x: x + 1, y: y, maxX: plot.maxX, style: st) }
        }
        let y = plot.maxY
        let left = Reports.analyticsValue(m, LeaderboardFigures.Value(lo)), right = Reports.analyticsValue(m, LeaderboardFigures.Value(hi))
        b.put(left, x: plot.x, y: y, maxX: plot.maxX, style: r.st(.axis))
        let title = " \(m.shortTitle) → "
        b.put(title, x: plot.x + plot.width / 2 - TextWidth.width(title) / 2, y: y, maxX: plot.maxX, style: r.st(.axis))
        b.put(right, x: plot.maxX - TextWidth.width(right), y: y, maxX: plot.maxX, style: r.st(.axis))
    }

    static func scatterTable(_ b: inout Buffer, _ area: Rect, _ s: AppState, _ v: AnalyticsView, _ a: Analytics, _ pts: [ScatterPoint], _ m: RunFigure, _ r: Renderer) {
        let all = rows(s, v)
        let labelW = max(12, min(34, area.width - 2 - 11 - 11 - 18))
        let cols = [Column("model", width: labelW), Column(m.shortTitle, width: 11, right: true), Column("success %", width: 11, right: true), Column("", width: 18)]
        var trs: [TableRow] = []
        for k in v.list.offset..<min(all.count, v.list.offset + visible(s, v)) {
            let row = all[k]
            let i = a.rows.firstIndex { $0.label == row.label } ?? 0
            if let p = pts.first(where: { $0.label == row.label }) {
                trs.append(TableRow(
                    [row.label, Reports.analyticsValue(m, LeaderboardFigures.Value(p.x)), Format.percent(p.y), p.onFront ? "★ Pareto front" : ""],
                    styles: [r.st(TrendsScreen.palette[i % TrendsScreen.palette.count]), nil, nil, r.st(.accent)]))
            } else {
                trs.append(TableRow([row.label, Reports.analyticsValue(m, row.values[m]), Reports.analyticsValue(.success, row.values[.success]), "not placed"],
                    styles: [r.st(TrendsScreen.palette[i % TrendsScreen.palette.count]), r.st(.muted), r.st(.muted), r.st(.muted)]))
            }
        }
        var tv = TableView(columns: cols, rows: trs, selected: all.isEmpty ? nil : v.list.selected - v.list.offset, offset: 0, headerStyle: r.st(.header), selectedStyle: r.st(.selected), symbols: r.symbols)
        tv.alignColumn = Format.alignDecimals
        tv.render(into: &b, area: area)
    }
}

extension AnalyticsScreen {
    /// `y`: the selected model's name.
    static func copyTarget(_ s: AppState) -> (what: String, id: String)? {
        guard let v = view(s.route) else { return nil }
        let all = rows(s, v)
        guard v.list.selected < all.count, let e = all[v.list.selected].runKeys.first.flatMap({ s.entry($0) }) else { return nil }
        return ("model", e.row.model)
    }

    /// `w`: the `analytics` report.
    static func exportText(_ s: AppState, _ format: OutputFormat) -> Result<String, Export.Refusal> {
        guard let a = s.analytics else { return .failure(Export.Refusal(reason: "no analytics on screen")) }
        return .success(format == .svg ? Reports.analyticsSVG(a) : Reports.analytics(a, format: format == .text ? .table : format))
    }
}
