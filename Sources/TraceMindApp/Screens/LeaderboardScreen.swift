import FoundationEssentials
import TraceMindFormats
import TerminalUI
import TraceMindModel
import TraceMindReport

/// The leaderboard: one row per run, sortable by any column, filterable, grouped by model on request.
enum LeaderboardScreen {
    struct Col {
        var id: String
        var title: String
        var width: Int
        var right = false
        var priority: Int
        var key: LeaderboardSortKey?
        var frozen = false
        var cell: (RunEntry, RunTotals?, Context) -> (String, Role?)
    }

    /// What a cell needs beyond its run.
    struct Context {
        var rank: Int?
        var marked: Int?
        var pending: Bool
        var failed: Bool
    }

    /// A display row: a run, or a group heading.
    typealias DisplayRow = LeaderboardDisplayRow

    /// The registry's columns (`LeaderboardColumns`, shared with the `leaderboard` report), with the screen's colours.
    /// Without the columns hidden with the chooser.
    static func columns(_ s: AppState) -> [Col] {
        let hidden = s.hiddenColumns[.leaderboard] ?? []
        return allColumns(s).filter { !hidden.contains($0.id) }
    }

    static func allColumns(_ s: AppState) -> [Col] {
        let mode: FigureMode = s.leaderboard.showRecorded ? .recorded : .countedOnce
        return LeaderboardColumns.all(mode: mode).filter(\.onScreen).map { c in
            Col(id: c.id, title: c.title, width: c.width, right: c.right, priority: c.priority, key: c.sortKey, frozen: c.frozen) { e, t, ctx in
                let cell = c.cell(e, t, LeaderboardCellContext(rank: ctx.rank, marked: ctx.marked, pending: ctx.pending, failed: ctx.failed, mode: mode, compact: true))
                return (cell.text, cell.meaning.map(role))
            }
        }
    }

    static func role(_ m: LeaderboardColumn.Meaning) -> Role {
        switch m {
        case .accent: return .accent
        case .muted: return .muted
        case .pass: return .pass
        case .warn: return .warn
        case .fail: return .fail
        case .tokens: return .tokens
        case .cost: return .cost
        case .recorded: return .recorded
        case .marked: return .marked
        }
    }

    /// The columns shown at this width: lowest priorities dropped until they fit (when not scrolled sideways);
    /// spare width goes to the model column.
    static func fitted(_ s: AppState, width: Int) -> [Col] {
        var cols = columns(s)
        // The column sorted on stays when columns make room: the sort is always on screen.
        for i in cols.indices where cols[i].key == s.leaderboard.query.sortKey { cols[i].priority = 0 }
        if s.leaderboard.hOffset == 0 {
            while cols.map({ $0.width + 1 }).reduce(0, +) > width, let worst = cols.map(\.priority).max(), worst > 0 {
                if let i = cols.lastIndex(where: { $0.priority == worst }) { cols.remove(at: i) }
            }
        }
        let used = cols.map { $0.width + 1 }.reduce(0, +)
        if used < width, let mi = cols.firstIndex(where: { $0.key == .model }) {
            cols[mi].width += max(0, min(width - used, s.modelWidth - cols[mi].width))
        }
        return cols
    }

    /// The sorted column is on screen: kept when columns make room, but it can be scrolled out with ←/→.
    static func sortColumnShown(_ s: AppState) -> Bool {
        let cols = fitted(s, width: s.width)
        let placed = TableView.layout(cols.map(\.column), width: s.width, hOffset: s.leaderboard.hOffset).placed
        return placed.contains { cols[$0.index].key == s.leaderboard.query.sortKey }
    }

    /// Body layout: an optional line of active filters, then the table.
    static func layout(_ s: AppState) -> (chips: Rect?, table: Rect, strip: Rect?) {
        var body = App.body(s)
        // The dashboard strip under the table, when the table keeps room for a few rows.
        var strip: Rect?
        if body.height >= 8, !s.catalog.runs.isEmpty {
            let (rest, bottom) = body.takeBottom(1)
            strip = bottom
            body = rest
        }
        if chips(s).isEmpty { return (nil, body, strip) }
        let (top, rest) = body.takeTop(1)
        return (top, rest, strip)
    }

    /// The dashboard strip: the shown runs' count, mean success, counted-once tokens and cost (≥ when partial), CO2,
    /// failed runs and the newest run — following the filters and facets (`LeaderboardSummary`).
    static func strip(_ b: inout Buffer, _ area: Rect, _ s: AppState, _ r: Renderer) {
        guard let sum = s.summary else { return }
        func seg(_ t: String, _ role: Role) -> Segment { Segment(t, r.st(role)) }
        var parts: [[Segment]] = []
        parts.append([seg("\(sum.shown) of \(sum.total) run\(sum.total == 1 ? "" : "s")", .base)])
        if let m = sum.meanSuccess {
            let of = sum.withSuccess < sum.shown ? " (\(sum.withSuccess) with a rate)" : ""
            parts.append([seg("mean success ", .muted), seg(Format.percent(m) + of, m >= 70 ? .pass : (m >= 40 ? .warn : .fail))])
        }
        let recorded = s.leaderboard.showRecorded
        let tokens = sum.tokens.value.map { Format.atLeast(Format.compact($0), sum.tokens.lowerBound) } ?? "unknown"
        let cost = sum.cost.value.map { Format.atLeast(Format.usd($0), sum.cost.lowerBound) } ?? "unknown"
        parts.append([seg(recorded ? "recorded tokens " : "tokens ", .muted), seg(tokens, sum.tokens.value == nil ? .muted : .tokens)])
        parts.append([seg(recorded ? "recorded cost " : "cost ", .muted), seg(cost, sum.cost.value == nil ? .muted : .cost)])
        if let g = sum.co2Grams {
            let of = sum.measuredCO2 < sum.shown ? " (\(sum.measuredCO2) measured)" : ""
            parts.append([seg("CO2 ", .muted), seg(Format.number(g, digits: 3) + " g" + of, .base)])
        }
        if sum.failedRuns > 0 { parts.append([seg("\(sum.failedRuns) run\(sum.failedRuns == 1 ? "" : "s") not completed", .warn)]) }
        if let n = sum.newest { parts.append([seg("newest ", .muted), seg(Format.timestamp(n.timestamp) + " " + n.model, .base)]) }
        // What fits, in order, separated by dots.
        var line: Line = [Segment(" ")]
        for p in parts {
            let sep: Line = line.count > 1 ? [seg(" · ", .muted)] : []
            if width(of: line) + width(of: sep + p) > area.width { break }
            line += sep + p
        }
        b.put(line, x: area.x, y: area.y, maxX: area.maxX)
    }

    static func chips(_ s: AppState) -> [String] {
        var out: [String] = []
        let q = s.leaderboard.query
        if !q.text.isEmpty { out.append("text: \(q.text)") }
        for f in LeaderboardQuery.facetNames {
            if let set = q.facets[f], !set.isEmpty { out.append("\(f.replacingEvery("_", with: " ")): \(set.sorted().joined(separator: ", "))") }
        }
        if s.leaderboard.groupByModel { out.append("grouped by model") }
        if s.leaderboard.showRecorded { out.append("showing SMOLTRACE's recorded tokens and cost") }
        return out
    }

    static func displayRows(_ s: AppState) -> [DisplayRow] { s.displayRows }

    static func displayIndex(_ rows: [DisplayRow], run: Int) -> Int {
        // Without grouping, row i is run i.
        if rows.count > run, case .run(let r) = rows[run], r == run { return run }
        return rows.firstIndex { if case .run(let r) = $0 { return r == run } else { return false } } ?? 0
    }

    static func visibleRows(_ s: AppState) -> Int { TableView.visibleRows(height: layout(s).table.height) }

    static func clamp(_ s: inout AppState) {
        let rows = displayRows(s)
        let n = s.visibleRuns.count
        var pos = s.leaderboard.list
        pos.selected = max(0, min(pos.selected, n - 1))
        let d = displayIndex(rows, run: pos.selected)
        let visible = visibleRows(s)
        // The offset is in display rows; keep the selected run (and its heading) visible.
        pos.offset = TableView.offset(selected: d, current: pos.offset, visible: visible, count: rows.count)
        if d > 0, case .heading = rows[d - 1], pos.offset == d { pos.offset = d - 1 }
        s.leaderboard.list = pos
        let maxH = TableView.maxHOffset(fitted(s, width: s.width).map(\.column), width: s.width)
        s.leaderboard.hOffset = max(0, min(s.leaderboard.hOffset, maxH))
    }

    static func setFilter(_ s: inout AppState, _ text: String) {
        let key = selectedKey(s)
        s.leaderboard.query.text = text
        s.refreshRuns()
        reselect(&s, key)
    }

    static func selectedKey(_ s: AppState) -> String? {
        s.leaderboard.list.selected < s.visibleRuns.count ? s.visibleRuns[s.leaderboard.list.selected].key : nil
    }

    /// Keeps the same run selected after the rows change order.
    static func reselect(_ s: inout AppState, _ key: String?) {
        if let key, let i = s.visibleRuns.firstIndex(where: { $0.key == key }) {
            s.leaderboard.list.selected = i
        } else {
            s.leaderboard.list.selected = 0
        }
        clamp(&s)
    }

    static func perform(_ s: inout AppState, _ a: Action) -> [Effect] {
        let n = s.visibleRuns.count
        var pos = s.leaderboard.list
        if pos.navigate(a, count: n, visible: visibleRows(s)) {
            s.leaderboard.list = pos
            clamp(&s)
            return []
        }
        switch a {
        case .open:
            guard let key = selectedKey(s) else { return [] }
            return RunScreen.open(&s, key)
        case .toggleMark:
            guard let key = selectedKey(s) else { return [] }
            if let i = s.leaderboard.marked.firstIndex(of: key) { s.leaderboard.marked.remove(at: i) } else { s.leaderboard.marked.append(key) }
            s.leaderboard.list.move(1, count: n, visible: visibleRows(s))
        case .clearMarks:
            s.leaderboard.marked = []
        case .trends:
            return TrendsScreen.open(&s)
        case .analytics:
            return AnalyticsScreen.open(&s)
        case .compare:
            let marked = s.leaderboard.marked.filter { s.entry($0) != nil }
            guard marked.count >= 2 else {
                s.message = marked.isEmpty
                    ? "mark two or more runs with Space, then press c (the first marked is the baseline)"
                    : "one run is marked: mark at least one more with Space"
                return []
            }
            return CompareScreen.open(&s, marked)
        case .sortNext, .sortReverse:
            let key = selectedKey(s)
            var q = s.leaderboard.query
            if a == .sortNext {
                let keys = columns(s).compactMap(\.key)
                guard !keys.isEmpty else { return [] }
                let i = keys.firstIndex(of: q.sortKey) ?? -1
                q.sortKey = keys[(i + 1) % keys.count]
                q.descending = q.sortKey.defaultDescending
            } else {
                q.descending.toggle()
            }
            s.leaderboard.query = q
            s.refreshRuns()
            reselect(&s, key)
            s.message = "sorted by \(q.sortKey.rawValue) \(q.descending ? "↓" : "↑")"
                + (q.sortKey.needsCorrected ? " (runs not yet analysed go last)" : "")
        case .groupByModel:
            let key = selectedKey(s)
            s.leaderboard.groupByModel.toggle()
            s.refreshRuns()
            reselect(&s, key)
        case .toggleRecorded:
            s.leaderboard.showRecorded.toggle()
            // Ranks, $/pass and its sort follow the figures shown.
            s.leaderboard.query.mode = s.leaderboard.showRecorded ? .recorded : .countedOnce
            s.refreshRuns(figures: true)
            s.message = s.leaderboard.showRecorded
                ? "showing SMOLTRACE's recorded tokens, cost and $/pass (they count each LLM call up to 3 times)"
                : "showing tokens, cost and $/pass counted once (corrected)"
        case .left: s.leaderboard.hOffset = max(0, s.leaderboard.hOffset - 1)
        case .right: s.leaderboard.hOffset += 1
        case .facets:
            s.overlay = .facets(facetPicker(s))
        case .chooseColumns:
            let names = ["rank": "# (rank)", "mark": "marks (comparison order)"]
            let items = allColumns(s).map { ColumnChooser.Item(id: $0.id, title: names[$0.id] ?? $0.title, locked: $0.frozen) }
            s.overlay = .columns(ColumnChooser(screen: .leaderboard, items: items))
        case .nextMatch, .prevMatch:
            // Every shown row matches the filter: step through them, wrapping around.
            guard n > 0 else { return [] }
            s.leaderboard.list.selected = (s.leaderboard.list.selected + (a == .nextMatch ? 1 : n - 1)) % n
        case .details:
            guard let key = selectedKey(s), let e = s.entry(key) else { return [] }
            s.overlay = .text(title: Format.runLabel(e), lines: details(e, s.totals[key]), scroll: 0)
        default: break
        }
        clamp(&s)
        return []
    }

    static func facetPicker(_ s: AppState) -> FacetPicker {
        var items: [FacetPicker.Item] = []
        for f in LeaderboardQuery.facetNames {
            var counts: [String: Int] = [:]
            for e in s.catalog.runs { counts[LeaderboardQuery.facetValue(e.row, f), default: 0] += 1 }
            guard counts.count > 1 || !(s.leaderboard.query.facets[f] ?? []).isEmpty else { continue }
            items.append(.init(facet: f, value: nil, count: counts.count))
            for (v, c) in counts.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
                items.append(.init(facet: f, value: v, count: c))
            }
        }
        if items.isEmpty { items.append(.init(facet: "every run has the same agent, provider, model, status, use case and team", value: nil, count: s.catalog.runs.count)) }
        var p = FacetPicker(items: items)
        p.list.selected = items.firstIndex { $0.value != nil } ?? 0
        return p
    }

    /// Every field of the run's leaderboard row (unknown ones too), its files and its corrected figures.
    static func details(_ e: RunEntry, _ c: RunTotals?) -> [String] {
        var lines = ["## Run", "key: \(e.key)", "source: \(e.source) (\(e.origin.rawValue))"] + e.alsoAt.map { "also found at: \($0)" }
        for (label, p) in [("results", e.files.results), ("traces", e.files.traces), ("metrics", e.files.metrics)] {
            lines.append("\(label): \(p ?? "not available")")
        }
        if let c {
            lines += ["", "## Counted once (from the traces)"]
            lines.append("tests \(c.tests): \(c.passed) passed, \(c.failed) failed, \(c.errored) errors, \(c.timedOut) timeouts")
            lines.append("tokens \(Format.tokens(c.tokens?.total, unknown: "unknown")) · cost \(Format.cost(c.cost)) · per pass \(Format.usd(c.costPerPass))")
            if let w = c.wallMeanMs { lines.append("wall time per test: mean \(Format.duration(w)), p50 \(Format.duration(c.wallP50Ms)), p95 \(Format.duration(c.wallP95Ms))") }
            if let h = c.hardware { lines.append("hardware: \(h)") }
        }
        lines += ["", "## Leaderboard row as recorded (every field)"]
        for (k, v) in e.row.raw.pairs { lines.append("\(k): \(Format.jsonValue(v))") }
        return lines
    }

    static func status(_ s: AppState) -> String {
        if s.readingSources {
            guard let p = s.readingProgress, p.of > 0 else { return "reading the sources…" }
            return "reading the sources… \(Format.grouped(p.read)) of \(Format.grouped(p.of)) run folders"
        }
        var t = "\(s.visibleRuns.count) of \(s.catalog.runs.count) runs"
        if let w = s.watch {
            t = "◉ watching \(w.folders) folder\(w.folders == 1 ? "" : "s") (\(w.mode))" + (w.lastChange.map { ", changed \($0)" } ?? "") + " · " + t
        }
        if !s.leaderboard.marked.isEmpty { t += " · \(s.leaderboard.marked.count) marked" }
        let analysed = s.totals.count
        if analysed < s.catalog.runs.count && analysed > 0 { t += " · \(analysed) analysed" }
        // Scrolled out of sight, the sorted column still says what the order is.
        let q = s.leaderboard.query
        if !sortColumnShown(s) {
            t += " · sorted by \(q.sortKey.rawValue.replacingEvery("_", with: " "))\(q.descending ? "↓" : "↑")"
        }
        return t
    }

    // MARK: mouse

    static func click(_ s: inout AppState, _ x: Int, _ y: Int) -> [Effect] {
        let table = layout(s).table
        guard table.contains(x: x, y: y) else { return [] }
        let cols = fitted(s, width: table.width)
        if y == table.y {
            let tv = TableView(columns: cols.map(\.column), rows: [], selected: nil, offset: 0, hOffset: s.leaderboard.hOffset, headerStyle: .plain, selectedStyle: .plain)
            guard let ci = tv.column(at: x, area: table), let key = cols[ci].key else { return [] }
            let sel = selectedKey(s)
            if s.leaderboard.query.sortKey == key { s.leaderboard.query.descending.toggle() } else {
                s.leaderboard.query.sortKey = key
                s.leaderboard.query.descending = key.defaultDescending
            }
            s.refreshRuns()
            reselect(&s, sel)
            return []
        }
        let rows = displayRows(s)
        let d = s.leaderboard.list.offset + (y - table.y - 1)
        guard d < rows.count, case .run(let i) = rows[d] else { return [] }
        if i == s.leaderboard.list.selected { return perform(&s, .open) }
        s.leaderboard.list.selected = i
        clamp(&s)
        return []
    }

    // MARK: render

    static func render(_ b: inout Buffer, _ body: Rect, _ s: AppState, _ r: Renderer) {
        let (chipRect, table, stripRect) = layout(s)
        if let stripRect { strip(&b, stripRect, s, r) }
        if let chipRect {
            var x = b.put(" ", x: chipRect.x, y: chipRect.y)
            for c in chips(s) {
                x = b.put(" \(c) ", x: x, y: chipRect.y, maxX: chipRect.maxX, style: r.st(.marked).patched(Style(attrs: [.reverse])))
                x += 1
            }
            b.put("Esc clears", x: x + 1, y: chipRect.y, maxX: chipRect.maxX, style: r.st(.muted))
        }
        let runs = s.visibleRuns
        if runs.isEmpty {
            TableView(columns: fitted(s, width: table.width).map(\.column), rows: [], selected: nil, offset: 0, headerStyle: r.st(.header), selectedStyle: r.st(.selected)).render(into: &b, area: table)
            r.note(&b, table.takeTop(1).1, s.readingSources
                ? "Reading \(s.catalog.sources.joined(separator: ", "))…"
                : s.catalog.runs.isEmpty
                ? "No runs found. Point tracemind at a SMOLTRACE output folder (smoltrace-eval --output-format json writes ./smoltrace_results), or try --demo."
                : "No run matches the filter. Esc clears it.")
            return
        }
        var cols = fitted(s, width: table.width)
        let q = s.leaderboard.query
        for i in cols.indices where cols[i].key == q.sortKey {
            // The arrow is never cut off: the column grows by what it needs.
            cols[i].title += q.descending ? "↓" : "↑"
            cols[i].width = max(cols[i].width, TextWidth.width(cols[i].title))
        }
        let ranks = s.ranks
        let rows = displayRows(s)
        let visible = TableView.visibleRows(height: table.height)
        var tableRows: [TableRow] = []
        let selectedDisplay = displayIndex(rows, run: s.leaderboard.list.selected)
        // Only the rows on screen are built (thousands of runs stay cheap).
        let first = s.leaderboard.list.offset
        for d in first..<min(rows.count, first + visible) {
            switch rows[d] {
            case .heading(let model, let count):
                _ = (model, count)
                tableRows.append(TableRow(Array(repeating: "", count: cols.count), rowStyle: r.st(.group)))
            case .run(let i):
                let e = runs[i]
                let ctx = Context(
                    rank: ranks[e.key], marked: s.leaderboard.marked.firstIndex(of: e.key),
                    pending: s.runs[e.key]?.isLoading == true
                        || (s.totals[e.key] == nil && s.runs[e.key] == nil && !s.notPrefetched.contains(e.key)
                            && (e.files.traces != nil || e.files.results != nil)),
                    failed: { if case .failed? = s.runs[e.key] { return true } else { return false } }())
                let cells = cols.map { $0.cell(e, s.totals[e.key], ctx) }
                var styles = cells.map { $0.1.map(r.st) }
                if !e.row.isRankable, let si = cols.firstIndex(where: { $0.key == .successRate }) { styles[si] = r.st(.muted) }
                tableRows.append(TableRow(cells.map { $0.0 }, styles: styles, rowStyle: ctx.marked != nil ? r.st(.marked) : nil))
            }
        }
        var view = TableView(
            columns: cols.map(\.column), rows: tableRows, selected: selectedDisplay - first, offset: 0,
            hOffset: s.leaderboard.hOffset, headerStyle: r.st(.header), selectedStyle: r.st(.selected),
            indicatorStyle: r.st(.accent), symbols: r.symbols)
        // Columns left out to fit the width are marked, and → reveals them.
        view.moreRight = s.leaderboard.hOffset == 0 && cols.count < columns(s).count
        view.alignColumn = Format.alignDecimals
        view.render(into: &b, area: table)
        // Group headings span the whole row.
        for (k, d) in (first..<min(rows.count, first + visible)).enumerated() {
            guard case .heading(let model, let count) = rows[d] else { continue }
            let y = table.y + 1 + k
            b.fill(Rect(x: table.x, y: y, width: table.width, height: 1), r.st(.group))
            b.put("  \(model)  · \(count) run\(count == 1 ? "" : "s")", x: table.x + 1, y: y, maxX: table.maxX, style: r.st(.group))
        }
    }
}

extension LeaderboardScreen.Col {
    var column: Column { Column(title, width: width, right: right, frozen: frozen) }
}
