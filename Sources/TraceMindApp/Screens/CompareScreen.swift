import FoundationEssentials
import TraceMindFormats
import TerminalUI
import TraceMindModel
import TraceMindReport

/// Two or more runs side by side: a summary metric by metric, and a test-by-test matrix.
enum CompareScreen {
    static func open(_ s: inout AppState, _ keys: [String]) -> [Effect] {
        s.stack.append(.compare(CompareView(keys: keys)))
        var effects: [Effect] = []
        for k in keys where s.runs[k]?.value == nil && s.runs[k]?.isLoading != true {
            s.runs[k] = .loading(phase: "starting", fraction: 0)
            effects.append(.load(.run(k)))
        }
        return effects
    }

    /// A run arrived: the trajectory view may now load its traces.
    static func loadedRun(_ s: inout AppState, _ key: String) -> [Effect] {
        guard case .trajectory(let v) = s.route, v.keys.contains(key) else { return [] }
        return TrajectoryScreen.loadTraces(&s, v)
    }

    static func comparison(_ s: AppState, _ keys: [String]) -> Comparison? {
        let analyses = keys.compactMap { s.analysis($0) }
        guard analyses.count == keys.count else { return nil }
        return s.comparisons.comparison(analyses)
    }

    /// Short labels for the runs, made unique (A/B/C letters are shown beside them).
    static func labels(_ s: AppState, _ keys: [String]) -> [String] {
        let base = keys.map { s.entry($0).map(Format.runLabel) ?? $0 }
        return base.enumerated().map { i, l in
            guard base.filter({ $0 == l }).count > 1, let e = s.entry(keys[i]) else { return l }
            return l + " " + Format.timestamp(e.row.timestamp).suffix(5)
        }
    }

    static func letter(_ i: Int) -> String { i < 26 ? String(UnicodeScalar(UInt8(65 + i))) : String(i + 1) }

    // MARK: layout

    /// The legend, a warning line when the runs ran different task sets, the tabs, and the content.
    static func layout(_ s: AppState, runs: Int) -> (legend: Rect, warning: Rect?, tabs: Rect, content: Rect) {
        let body = App.body(s)
        let legendH = min(runs, max(1, body.height / 4))
        var (legend, rest) = body.takeTop(legendH)
        var warning: Rect?
        if case .compare(let v) = s.route, let c = comparison(s, v.keys), !c.comparability.isSameTaskSet {
            let (w, r) = rest.takeTop(1)
            warning = w
            rest = r
        }
        let (tabs, content) = rest.takeTop(1)
        return (legend, warning, tabs, content)
    }

    /// Metrics shown in the summary (the recorded ones appear beside their corrected twins). Runs on different
    /// task sets: the shared tests' figures first, then the whole runs', labelled.
    static func shownMetrics(_ c: Comparison) -> [Comparison.Metric] {
        let whole = c.metrics.filter { !$0.name.hasPrefix("recorded_") && $0.values.contains { $0 != nil } }
        guard !c.sharedMetrics.isEmpty else { return whole }
        return c.sharedMetrics.filter { $0.values.contains { $0 != nil } } + whole.map { m in
            var m = m
            m.label += " (whole run)"
            return m
        }
    }

    // MARK: the test matrix

    static func visibleTests(_ v: CompareView, _ c: Comparison) -> [Comparison.TestLine] {
        var t = c.tests
        switch v.filter {
        case .all: break
        case .flipped: t = t.filter(\.flipped)
        case .regressions: t = t.filter(\.isRegression)
        case .fixes: t = t.filter(\.isFix)
        case .failedEverywhere: t = t.filter(\.failedEverywhere)
        case .missing: t = t.filter(\.missingSomewhere)
        case .shared: t = t.filter { !$0.missingSomewhere && !$0.promptDiffers }
        case .promptDiffers: t = t.filter(\.promptDiffers)
        }
        let q = v.text.lowercased().trimmingBlanks()
        if !q.isEmpty {
            t = t.filter { l in
                let hay = ([l.taskID, l.agentType] + l.rows.compactMap { $0?.outcome.rawValue } + l.rows.compactMap { $0?.error }).map { $0.lowercased() }
                return q.split(separator: " ").allSatisfy { w in hay.contains { $0.containsText(w) } }
            }
        }
        let col = max(1, v.column)
        let desc = v.sortDescending
        switch v.sort {
        case .task:
            if desc { t.reverse() }
        case .deltaCost, .deltaTime:
            let f: (Comparison.TestLine) -> Double? = v.sort == .deltaCost ? { $0.deltaCost(col) } : { $0.deltaWall(col) }
            t = t.enumerated().sorted { a, b in
                switch (f(a.element), f(b.element)) {
                case (nil, nil): return a.offset < b.offset
                case (nil, _): return false
                case (_, nil): return true
                case (let x?, let y?): return x != y ? (desc ? x > y : x < y) : a.offset < b.offset
                }
            }.map(\.element)
        }
        return t
    }

    struct MatrixCol {
        var title: String
        var width: Int
        var right = false
        var frozen = false
        /// The run (0 = A) whose figure the column shows; nil for the test's own columns and the deltas.
        var run: Int? = nil
    }

    /// A run's figures in columns of their own — outcome (titled with the run), cost, wall time, steps — each
    /// right-aligned, so every figure of a column lines up on its decimal point, at any width.
    static let runFigures = 4

    static func matrixColumns(_ labels: [String], width: Int) -> [MatrixCol] {
        let n = labels.count
        let fixed = 22 + 1 + 5 + 1 + 10 + 1 + 8 + 1
        let figures = 10 + 1 + 6 + 1 + 3 + 1
        // The outcome column takes what the terminal leaves (up to what a run's label can use).
        let outcome = max(10, min(30, (width - fixed) / max(1, n) - figures - 1))
        var cols = [MatrixCol(title: "task", width: 22, frozen: true), MatrixCol(title: "agent", width: 5, frozen: true)]
        for (i, l) in labels.enumerated() {
            cols.append(MatrixCol(title: "\(letter(i)) \(l)", width: outcome, run: i))
            cols.append(MatrixCol(title: "cost", width: 10, right: true, run: i))
            cols.append(MatrixCol(title: "wall", width: 6, right: true, run: i))
            cols.append(MatrixCol(title: "st", width: 3, right: true, run: i))
        }
        cols.append(MatrixCol(title: "Δcost", width: 10, right: true))
        cols.append(MatrixCol(title: "Δtime", width: 8, right: true))
        return cols
    }

    /// A run's cells of a test: outcome, cost, wall time, steps.
    static func cellTexts(_ r: TestRow?) -> [String] {
        guard let r else { return ["· missing", "", "", ""] }
        return [
            Format.outcomeGlyph(r.outcome) + " " + r.outcome.rawValue, Format.cost(r.cost, unknown: "?"), Format.duration(r.wallMs),
            r.steps.map(String.init) ?? "—",
        ]
    }

    static func signed(_ v: Double?, _ body: (Double) -> String) -> String {
        guard let v else { return "—" }
        return Format.signed(v, body)
    }

    // MARK: updates

    static func clamp(_ s: inout AppState) {
        guard var v = view(s.route), let c = comparison(s, v.keys) else { return }
        let l = layout(s, runs: v.keys.count)
        v.column = max(0, min(v.column, v.keys.count - 1))
        v.tests.clamp(count: visibleTests(v, c).count, visible: TableView.visibleRows(height: l.content.height))
        v.metrics.clamp(count: shownMetrics(c).count, visible: shownMetrics(c).count)
        store(&s, v)
    }

    static func perform(_ s: inout AppState, _ a: Action) -> [Effect] {
        guard var v = view(s.route) else { return [] }
        defer { clamp(&s) }
        switch a {
        case .nextTab, .prevTab: v.tab = v.tab == .summary ? .tests : .summary
        case .tab(let i): if let t = CompareTab(rawValue: i) { v.tab = t }
        case .compareFilter:
            v.filter = CompareFilter(rawValue: (v.filter.rawValue + 1) % CompareFilter.allCases.count)!
            v.tab = .tests
            v.tests = ListPosition()
            s.message = "showing \(v.filter.title) (f for the next filter)"
        case .sortNext:
            v.sort = CompareSort(rawValue: (v.sort.rawValue + 1) % CompareSort.allCases.count)!
            v.sortDescending = v.sort != .task
            v.tab = .tests
            s.message = "sorted by \(v.sort.title)" + (v.sort == .task ? "" : " of \(letter(max(1, v.column))) against the baseline") + (v.sortDescending ? " ↓" : " ↑")
        case .sortReverse:
            v.sortDescending.toggle()
            v.tab = .tests
        case .left: v.column = max(0, v.column - 1)
        case .right: v.column = min(v.keys.count - 1, v.column + 1)
        default:
            guard let c = comparison(s, v.keys) else { return [] }
            let l = layout(s, runs: v.keys.count)
            if v.tab == .summary {
                let n = shownMetrics(c).count
                if v.metrics.navigate(a, count: n, visible: max(1, l.content.height / (v.keys.count + 1))) { break }
                if a == .open { v.tab = .tests }
                if a == .details, let e = s.entry(v.keys[max(0, v.column)]) {
                    s.overlay = .text(title: Format.runLabel(e), lines: LeaderboardScreen.details(e, s.totals[e.key]), scroll: 0)
                }
                break
            }
            let tests = visibleTests(v, c)
            if v.tests.navigate(a, count: tests.count, visible: TableView.visibleRows(height: l.content.height)) { break }
            guard v.tests.selected < tests.count else { break }
            let line = tests[v.tests.selected]
            switch a {
            case .open:
                guard let row = line.rows[v.column] else {
                    s.message = "\(line.taskID) did not run in \(letter(v.column))"
                    break
                }
                store(&s, v)
                return TraceScreen.open(&s, runKey: v.keys[v.column], test: row)
            case .trajectory:
                let right = v.column == 0 ? 1 : v.column
                guard line.rows[0]?.trace != nil, line.rows[right]?.trace != nil else {
                    s.message = "both runs need a trace of \(line.taskID) to compare trajectories"
                    break
                }
                store(&s, v)
                var tv = TrajectoryView(keys: v.keys, left: 0, right: right, testKey: line.key, taskLabel: line.taskID)
                tv.list = ListPosition()
                s.stack.append(.trajectory(tv))
                return TrajectoryScreen.loadTraces(&s, tv)
            case .details:
                if let row = line.rows[v.column] { s.overlay = .text(title: "\(letter(v.column)) · \(line.taskID)", lines: RunScreen.testDetails(row), scroll: 0) }
            case .nextMatch, .prevMatch:
                let n = tests.count
                if n > 0 { v.tests.selected = (v.tests.selected + (a == .nextMatch ? 1 : n - 1)) % n }
            default: break
            }
        }
        store(&s, v)
        return []
    }

    static func status(_ s: AppState, _ v: CompareView) -> String {
        guard let c = comparison(s, v.keys) else {
            return "loading \(v.keys.filter { s.analysis($0) == nil }.count) of \(v.keys.count) runs"
        }
        if v.tab == .summary { return "\(shownMetrics(c).count) metrics · \(c.tests.filter(\.flipped).count) flipped tests" }
        var t = "\(visibleTests(v, c).count) of \(c.tests.count) tests"
        if v.filter != .all { t += " · \(v.filter.title)" }
        return t
    }

    static func click(_ s: inout AppState, _ x: Int, _ y: Int) -> [Effect] {
        guard var v = view(s.route), let c = comparison(s, v.keys) else { return [] }
        let l = layout(s, runs: v.keys.count)
        if y == l.tabs.y {
            v.tab = x < l.tabs.x + 13 ? .summary : .tests
            store(&s, v)
            return []
        }
        guard v.tab == .tests, l.content.contains(x: x, y: y), y > l.content.y else { return [] }
        let cols = matrixColumns(labels(s, v.keys), width: l.content.width)
        var tv = TableView(columns: cols.map { Column($0.title, width: $0.width, right: $0.right, frozen: $0.frozen) }, rows: [], selected: nil, offset: 0, headerStyle: .plain, selectedStyle: .plain)
        tv.margin = 1
        if let ci = tv.column(at: x, area: l.content), let run = cols[ci].run { v.column = run }
        let i = v.tests.offset + (y - l.content.y - 1)
        guard i < visibleTests(v, c).count else { return [] }
        if i == v.tests.selected {
            store(&s, v)
            return perform(&s, .open)
        }
        v.tests.selected = i
        store(&s, v)
        return []
    }

    // MARK: render

    static func render(_ b: inout Buffer, _ body: Rect, _ s: AppState, _ v: CompareView, _ r: Renderer) {
        let names = labels(s, v.keys)
        let l = layout(s, runs: v.keys.count)
        for (i, k) in v.keys.enumerated() where i < l.legend.height {
            let y = l.legend.y + i
            var x = b.put(" \(letter(i)) ", x: l.legend.x, y: y, style: r.st(i == v.column ? .tabActive : .tabInactive))
            x = b.put(" " + names[i], x: x, y: y, style: r.st(.title))
            x = b.put(i == 0 ? "  baseline" : "", x: x, y: y, style: r.st(.accent))
            switch s.runs[k] {
            case .ready(let a)?:
                b.put("  \(a.testCount) tests · \(Format.percent(a.successRate)) success · \(Format.cost(a.cost)) · \(Format.timestamp(a.entry.row.timestamp)) · \(k)", x: x, y: y, maxX: l.legend.maxX, style: r.st(.muted))
            case .loading(let phase, let f)?:
                b.put("  loading \(phase)… \(Int(f * 100))%", x: x, y: y, maxX: l.legend.maxX, style: r.st(.accent))
            case .failed(let m)?:
                b.put("  could not load: \(m)", x: x, y: y, maxX: l.legend.maxX, style: r.st(.error))
            case nil:
                b.put("  not loaded (r reloads)", x: x, y: y, maxX: l.legend.maxX, style: r.st(.warn))
            }
        }
        guard let c = comparison(s, v.keys) else {
            r.note(&b, l.content, "Loading the runs to compare… Esc goes back.")
            return
        }
        if let w = l.warning, let text = c.comparability.warning(labels: names) {
            b.put(" " + text, x: w.x, y: w.y, maxX: w.maxX, style: r.st(.warn))
        }
        Tabs(titles: ["1 Summary", "2 Tests"], active: v.tab.rawValue, activeStyle: r.st(.tabActive), inactiveStyle: r.st(.tabInactive))
            .render(into: &b, area: Rect(x: l.tabs.x + 1, y: l.tabs.y, width: l.tabs.width - 1, height: 1))
        let flipped = c.tests.filter(\.flipped).count, reg = c.tests.filter(\.isRegression).count, fix = c.tests.filter(\.isFix).count
        b.put("\(flipped) flipped · \(reg) regressions · \(fix) fixes vs baseline", x: l.tabs.x + 26, y: l.tabs.y, maxX: l.tabs.maxX, style: r.st(.muted))
        if v.tab == .summary { summary(&b, l.content, v, c, names, r) } else { matrix(&b, l.content, v, c, names, r) }
    }

    static func summary(_ b: inout Buffer, _ area: Rect, _ v: CompareView, _ c: Comparison, _ names: [String], _ r: Renderer) {
        let metrics = shownMetrics(c)
        var lines: [Line] = []
        var starts: [Int] = []
        // Names, bars and values grow with the terminal: ~60 columns stay for the value, delta and recorded figure.
        let nameW = min(area.width >= 160 ? 44 : 28, (names.map { TextWidth.width($0) }.max() ?? 10) + 4)
        let barW = max(8, min(80, area.width - nameW - 60))
        for (mi, m) in metrics.enumerated() {
            starts.append(lines.count)
            let sel = mi == v.metrics.selected
            let title = Segment((sel ? "▸ " : "  ") + m.label, r.st(.title).patched(sel ? Style(attrs: [.reverse]) : Style()))
            lines.append([title, Segment(m.lowerIsBetter ? "  ↓ lower is better   " : "  ↑ higher is better   ", r.st(.muted)), Segment(c.verdict(m, labels: names), r.st(.accent))])
            let maxV = m.values.compactMap { $0 }.map(abs).max() ?? 0
            let texts = Format.alignDecimals(m.values.map { $0.map { Reports.metricValue(m, $0) } ?? "" })
            let valueW = max(11, texts.map { TextWidth.width($0) }.max() ?? 0)
            for (i, val) in m.values.enumerated() {
                var line: Line = [Segment(m.isBest(i) ? " ★ " : "   ", r.st(.best)), Segment(TextWidth.pad("\(letter(i)) \(names[i])", nameW), r.st(i == 0 ? .accent : .base))]
                if let val {
                    line.append(Segment(barText(maxV > 0 ? abs(val) / maxV : 0, width: barW, symbols: r.symbols) + " ", r.st(i == 0 ? .barAlt : .barFill)))
                    line.append(Segment(TextWidth.pad(texts[i], valueW, right: true), r.st(m.isBest(i) ? .best : .base)))
                    if let d = c.delta(m, i), d.abs != 0 {
                        let better = m.lowerIsBetter ? d.abs < 0 : d.abs > 0
                        let pct = d.pct.map { " (" + NumberText.fixed($0, 0, plus: true) + "%)" } ?? ""
                        let absText = m.unit == .percent ? NumberText.fixed(d.abs, 1, plus: true) + " pts" : Format.signed(d.abs) { Reports.metricValue(m, $0) }
                        line.append(Segment("  " + absText + pct, r.st(better ? .better : .worse)))
                    } else if i > 0, c.delta(m, i) != nil {
                        line.append(Segment("  ±0", r.st(.muted)))
                    }
                } else {
                    line.append(Segment(String(repeating: " ", count: barW + 1) + TextWidth.pad("unknown", valueW, right: true), r.st(.muted)))
                }
                if let rec = m.recorded?[i] {
                    line.append(Segment("   recorded \(Reports.metricValue(m, rec))", r.st(.recorded)))
                }
                lines.append(line)
            }
        }
        // Keep the selected metric's block in view.
        let sel = min(v.metrics.selected, max(0, starts.count - 1))
        let blockH = c.runs.count + 1
        var off = 0
        if !starts.isEmpty {
            off = max(0, min(starts[sel], starts[sel] + blockH - area.height))
            off = max(0, min(off, lines.count - area.height))
            if starts[sel] < off { off = starts[sel] }
        }
        TextView(lines: lines, offset: off, indicatorStyle: r.st(.muted), symbols: r.symbols)
            .render(into: &b, area: Rect(x: area.x + 1, y: area.y, width: area.width - 1, height: area.height))
    }

    static func matrix(_ b: inout Buffer, _ area: Rect, _ v: CompareView, _ c: Comparison, _ names: [String], _ r: Renderer) {
        let tests = visibleTests(v, c)
        var cols = matrixColumns(names, width: area.width)
        let deltaCol = max(1, v.column)
        cols[cols.count - 2].title = "Δcost \(letter(deltaCol))"
        cols[cols.count - 1].title = "Δtime"
        if v.sort != .task { cols[v.sort == .deltaCost ? cols.count - 2 : cols.count - 1].title += v.sortDescending ? "↓" : "↑" }
        let visible = TableView.visibleRows(height: area.height)
        var rows: [TableRow] = []
        for k in v.tests.offset..<min(tests.count, v.tests.offset + visible) {
            let t = tests[k]
            var cells = [t.taskID + (t.flipped ? " ⇄" : t.promptDiffers ? " ≠prompt" : ""), t.agentType]
            var styles: [Style?] = [t.isRegression ? r.st(.worse) : (t.isFix ? r.st(.better) : nil), r.st(.accent)]
            for (i, row) in t.rows.enumerated() {
                let texts = cellTexts(row)
                cells += texts
                // The run under the cursor is underlined on the selected row (its colour kept).
                let cursor = i == v.column && k == v.tests.selected ? Style(attrs: [.underline]) : Style()
                styles.append(r.st(row == nil ? .muted : r.outcomeRole(row!.outcome)).patched(cursor))
                styles.append(r.st(row?.cost?.isUnknown == true ? .warn : .cost).patched(cursor))
                styles.append(cursor)
                styles.append(cursor)
            }
            let dc = t.deltaCost(deltaCol), dt = t.deltaWall(deltaCol)
            cells.append(signed(dc) { Format.usd($0) })
            styles.append(dc.map { r.st($0 > 0 ? .worse : ($0 < 0 ? .better : .muted)) })
            cells.append(signed(dt) { Format.duration($0) })
            styles.append(dt.map { r.st($0 > 0 ? .worse : ($0 < 0 ? .better : .muted)) })
            rows.append(TableRow(cells, styles: styles))
        }
        let columns = cols.map { Column($0.title, width: $0.width, right: $0.right, frozen: $0.frozen) }
        // Scroll sideways so the run under the cursor — all its figures — is on screen.
        let lastOfRun = cols.lastIndex { $0.run == v.column } ?? 2
        let scrollable = cols.filter { !$0.frozen }.count
        var hOffset = 0
        while hOffset < scrollable - 1, !TableView.layout(columns, width: area.width - 1, hOffset: hOffset).placed.contains(where: { $0.index == lastOfRun && $0.width == columns[lastOfRun].width }) {
            hOffset += 1
        }
        var table = TableView(
            columns: columns, rows: rows,
            selected: tests.isEmpty ? nil : v.tests.selected - v.tests.offset, offset: 0, hOffset: hOffset, headerStyle: r.st(.header),
            selectedStyle: r.st(.selected), indicatorStyle: r.st(.accent), symbols: r.symbols)
        table.alignColumn = Format.alignDecimals
        table.margin = 1
        table.render(into: &b, area: area)
        if tests.isEmpty { r.note(&b, area.takeTop(1).1, "No test matches (\(v.filter.title)); f changes the filter, Esc clears the text.") }
    }
}

extension CompareScreen {
    /// `y`: the selected test's id on the Tests tab, else the id of the run under the cursor.
    static func copyTarget(_ s: AppState) -> (what: String, id: String)? {
        guard let v = view(s.route) else { return nil }
        if v.tab == .tests, let c = comparison(s, v.keys) {
            let tests = visibleTests(v, c)
            guard v.tests.selected < tests.count else { return nil }
            return ("test id", tests[v.tests.selected].taskID)
        }
        guard v.column < v.keys.count else { return nil }
        let key = v.keys[v.column]
        return s.entry(key).flatMap { $0.row.runID }.map { ("run id", $0) } ?? ("run", key)
    }
}

extension CompareScreen {
    /// `w`: the comparison's report (its metrics and its tests).
    static func exportText(_ s: AppState, _ format: OutputFormat) -> Result<String, Export.Refusal> {
        guard let v = view(s.route), let c = comparison(s, v.keys) else { return .failure(Export.Refusal(reason: "the runs are still loading: nothing written")) }
        return .success(Reports.compare(c, format: format))
    }
}
