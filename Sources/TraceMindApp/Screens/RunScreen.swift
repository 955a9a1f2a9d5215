import FoundationEssentials
import TraceMindFormats
import TerminalUI
import TraceMindModel
import TraceMindReport

/// One run: a header, and tabs for the overview, the tests, performance, GPU & energy, and errors.
enum RunScreen {
    /// Opens a run (loading it in the background unless it is loaded).
    static func open(_ s: inout AppState, _ key: String) -> [Effect] {
        s.stack.append(.run(RunView(key: key)))
        switch s.runs[key] {
        case .ready?, .loading?: return []
        default:
            s.runs[key] = .loading(phase: "starting", fraction: 0)
            return [.load(.run(key))]
        }
    }

    struct Layout {
        var header: Rect
        var tabs: Rect
        var content: Rect
    }

    static func layout(_ s: AppState) -> Layout {
        let body = App.body(s)
        let (header, rest) = body.takeTop(2)
        let (tabs, content) = rest.takeTop(1)
        return Layout(header: header, tabs: tabs, content: content)
    }

    static func tabTitles() -> [String] { RunTab.allCases.map { "\($0.rawValue + 1) \($0.title)" } }

    // MARK: tests table

    static func visibleTests(_ v: RunView, _ a: RunAnalysis) -> [TestRow] {
        var t = a.tests
        if let only = v.only {
            let set = Set(only)
            t = t.filter { set.contains($0.key) }
        }
        if v.failedOnly { t = t.filter { $0.outcome != .passed } }
        let f = v.filter.lowercased().trimmingBlanks()
        if !f.isEmpty {
            t = t.filter { r in
                let hay = [
                    r.taskID, r.agentType, r.outcome.rawValue, r.error ?? "", r.result?.difficulty ?? "",
                    r.result?.toolsUsed.joined(separator: " ") ?? "", r.trace?.traceID ?? "",
                ].map { $0.lowercased() }
                return f.split(separator: " ").allSatisfy { w in hay.contains { $0.containsText(w) } }
            }
        }
        func cmp<T: Comparable>(_ x: T?, _ y: T?) -> Bool? {
            switch (x, y) {
            case (nil, nil): return nil
            case (nil, _): return false
            case (_, nil): return true
            case (let x?, let y?): return x == y ? nil : (v.sortDescending ? x > y : x < y)
            }
        }
        let indexed = t.enumerated().map { ($0.offset, $0.element) }
        let sorted = indexed.sorted { a, b in
            let r: Bool?
            switch v.sort {
            case .original: r = nil
            case .task: r = cmp(a.1.taskID, b.1.taskID)
            case .outcome: r = cmp(a.1.outcome, b.1.outcome)
            case .steps: r = cmp(a.1.steps, b.1.steps)
            case .wall: r = cmp(a.1.wallMs, b.1.wallMs)
            case .tokens: r = cmp(a.1.tokens?.total, b.1.tokens?.total)
            case .cost: r = cmp(a.1.cost?.knownUSD, b.1.cost?.knownUSD)
            case .difficulty: r = cmp(difficultyRank(a.1.result?.difficulty), difficultyRank(b.1.result?.difficulty))
            }
            if let r { return r }
            return v.sort == .original && v.sortDescending ? a.0 > b.0 : a.0 < b.0
        }
        return sorted.map { $0.1 }
    }

    /// easy < medium < hard, then other labels alphabetically; none last.
    static func difficultyRank(_ d: String?) -> String? {
        guard let d = d?.lowercased(), !d.isEmpty else { return nil }
        switch d {
        case "easy": return "0"
        case "medium": return "1"
        case "hard": return "2"
        default: return "3" + d
        }
    }

    struct TestCol {
        var title: String
        var width: Int
        var right = false
        var frozen = false
        var sort: TestSort?
        var cell: (TestRow) -> (String, Role?)
    }

    /// The tests table keeps the one-column margin of the other screens' text.
    static let testsMargin = 1

    /// The tests table's columns; `ttft` (the first call's time to first token) only for runs whose calls stream.
    /// `hidden`: titles hidden with the column chooser (the task column always stays).
    static func testColumns(width: Int, _ a: RunAnalysis, hidden: Set<String> = []) -> [TestCol] {
        var cols: [TestCol] = [
            TestCol(title: "task", width: 22, frozen: true, sort: .task) { ($0.taskID, nil) },
            TestCol(title: "agent", width: 5) { ($0.agentType, .accent) },
            TestCol(title: "outcome", width: 9, sort: .outcome) { r in
                var t = Format.outcomeGlyph(r.outcome) + " " + r.outcome.rawValue
                if r.result?.success == nil, r.result?.recomputedSuccess == true { t += "*" }
                return (t, nil)
            },
            TestCol(title: "diff", width: 6, sort: .difficulty) { ($0.result?.difficulty ?? "—", .muted) },
            TestCol(title: "steps", width: 5, right: true, sort: .steps) { ($0.steps.map(String.init) ?? "—", nil) },
            TestCol(title: "wall", width: 7, right: true, sort: .wall) { (Format.duration($0.wallMs), nil) },
        ]
        if a.streamedCalls > 0 {
            cols.append(TestCol(title: "ttft", width: 6, right: true) { r in (r.trace?.firstTTFT.map { Format.duration($0 * 1000) } ?? "—", nil) })
        }
        cols += [
            TestCol(title: "tokens", width: 7, right: true, sort: .tokens) { r in
                r.trace == nil ? ("unknown", .muted) : (Format.compact(r.tokens.map { Double($0.total) }), .tokens)
            },
            TestCol(title: "cost", width: 10, right: true, sort: .cost) { r in
                r.trace == nil ? ("unknown", .muted) : (Format.cost(r.cost), r.cost?.isUnknown == true ? .warn : .cost)
            },
            // As wide as the longest list of tools needs (within reason): free space is not left beside a cut name.
            TestCol(title: "tools", width: toolsWidth(a)) { r in
                (r.result.map { $0.toolsUsed.isEmpty ? "—" : compactTools($0.toolsUsed) } ?? "—", .muted)
            },
        ]
        let recorded: [TestCol] = [
            TestCol(title: "tok·rec", width: 7, right: true) { (Format.compact($0.recordedTotalTokens.map(Double.init)), .recorded) },
            TestCol(title: "cost·rec", width: 10, right: true) { r in
                (Format.usd(r.recordedCostUSD, unknown: r.result?.raw["cost_usd"] == nil && r.trace?.recordedTotalCostUSD == nil ? "—" : "unknown"), .recorded)
            },
        ]
        cols = cols.filter { !hidden.contains($0.title) }
        let shownRecorded = recorded.filter { !hidden.contains($0.title) }
        var used = (cols + shownRecorded).map { $0.width + 1 }.reduce(0, +) + testsMargin
        let errorText: @Sendable (TestRow) -> String? = { r in
            r.error ?? r.result?.stopReason.flatMap { $0 == "final_answer" ? nil : "stopped: \($0)" }
        }
        // A run without errors keeps its error column narrow, and a cut list of tools gets the room (a test of each
        // is looked at, not formatted: this runs every frame).
        let anyError = a.tests.contains { errorText($0)?.isEmpty == false }
        if !anyError, let ti = cols.firstIndex(where: { $0.title == "tools" }) {
            let room = width - used - 6
            let grow = max(0, min(room, widestTools(a) - cols[ti].width))
            cols[ti].width += grow
            used += grow
        }
        if !hidden.contains("error") {
            cols.append(TestCol(title: "error", width: anyError ? max(24, width - used) : 5) { r in (Format.oneLine(errorText(r) ?? "", max: 300), .error) })
        }
        return cols + shownRecorded
    }

    static func toolsWidth(_ a: RunAnalysis) -> Int { max(16, min(40, widestTools(a))) }

    static func widestTools(_ a: RunAnalysis) -> Int {
        a.tests.lazy.compactMap { $0.result.map { TextWidth.width(compactTools($0.toolsUsed)) } }.max() ?? 0
    }

    /// `get_weather ×2, final_answer`
    static func compactTools(_ tools: [String]) -> String {
        var order: [String] = []
        var counts: [String: Int] = [:]
        for t in tools {
            if counts[t] == nil { order.append(t) }
            counts[t, default: 0] += 1
        }
        return order.map { counts[$0]! > 1 ? "\($0) ×\(counts[$0]!)" : $0 }.joined(separator: ", ")
    }

    static func clamp(_ s: inout AppState) {
        guard var v = view(s.route) else { return }
        let l = layout(s)
        if let a = s.analysis(v.key) {
            v.tests.clamp(count: visibleTests(v, a).count, visible: TableView.visibleRows(height: l.content.height))
            v.errors.clamp(count: a.errorGroups.count, visible: max(1, (l.content.height - 2) / 2))
            let cols = testColumns(width: l.content.width, a, hidden: s.hiddenColumns[.run] ?? []).map { Column($0.title, width: $0.width, right: $0.right, frozen: $0.frozen) }
            v.testsHOffset = max(0, min(v.testsHOffset, TableView.maxHOffset(cols, width: l.content.width - testsMargin)))
        }
        v.scroll = max(0, v.scroll)
        store(&s, v)
    }

    static func perform(_ s: inout AppState, _ a: Action) -> [Effect] {
        guard var v = view(s.route) else { return [] }
        defer { if case .run = s.route, s.stack.count > 0 { clamp(&s) } }
        let l = layout(s)
        let tabCount = RunTab.allCases.count
        switch a {
        case .nextTab: v.tab = RunTab(rawValue: (v.tab.rawValue + 1) % tabCount)!
        case .prevTab: v.tab = RunTab(rawValue: (v.tab.rawValue + tabCount - 1) % tabCount)!
        case .tab(let i): if let t = RunTab(rawValue: i) { v.tab = t }
        case .failedOnly:
            v.failedOnly.toggle()
            v.tab = .tests
            v.tests = ListPosition()
            s.message = v.failedOnly ? "failed tests only (f shows all)" : "all tests"
        case .sortNext, .sortReverse:
            if a == .sortNext {
                v.sort = TestSort(rawValue: (v.sort.rawValue + 1) % TestSort.allCases.count)!
                v.sortDescending = v.sort == .wall || v.sort == .tokens || v.sort == .cost || v.sort == .steps
            } else {
                v.sortDescending.toggle()
            }
            v.tab = .tests
            s.message = "tests sorted by \(v.sort.title) \(v.sortDescending ? "↓" : "↑")"
        case .chooseColumns:
            guard let an = s.analysis(v.key) else {
                s.message = "the columns can be chosen once the run is loaded"
                return []
            }
            v.tab = .tests
            store(&s, v)
            let items = testColumns(width: s.width, an).map { ColumnChooser.Item(id: $0.title, title: $0.title, locked: $0.frozen) }
            s.overlay = .columns(ColumnChooser(screen: .run, items: items))
            return []
        case .left where v.tab == .tests: v.testsHOffset = max(0, v.testsHOffset - 1)
        case .right where v.tab == .tests: v.testsHOffset += 1
        case .left: v.tab = RunTab(rawValue: (v.tab.rawValue + tabCount - 1) % tabCount)!
        case .right: v.tab = RunTab(rawValue: (v.tab.rawValue + 1) % tabCount)!
        default:
            guard let an = s.analysis(v.key) else { return [] }
            switch v.tab {
            case .tests:
                let tests = visibleTests(v, an)
                if v.tests.navigate(a, count: tests.count, visible: TableView.visibleRows(height: l.content.height)) { break }
                switch a {
                case .open:
                    guard v.tests.selected < tests.count else { return [] }
                    store(&s, v)
                    return TraceScreen.open(&s, runKey: v.key, test: tests[v.tests.selected])
                case .details:
                    guard v.tests.selected < tests.count else { return [] }
                    let t = tests[v.tests.selected]
                    s.overlay = .text(title: "\(t.taskID) · \(t.agentType)", lines: testDetails(t), scroll: 0)
                case .nextMatch, .prevMatch:
                    let n = tests.count
                    if n > 0 { v.tests.selected = (v.tests.selected + (a == .nextMatch ? 1 : n - 1)) % n }
                default: break
                }
            case .errors:
                let groups = an.errorGroups
                if v.errors.navigate(a, count: groups.count, visible: max(1, (l.content.height - 2) / 2)) { break }
                if a == .open, v.errors.selected < groups.count {
                    let g = groups[v.errors.selected]
                    v.only = g.keys
                    v.onlyLabel = g.kind
                    v.tab = .tests
                    v.tests = ListPosition()
                }
            default:
                // Text tabs scroll.
                let page = max(1, l.content.height - 1)
                switch a {
                case .up: v.scroll -= 1
                case .down: v.scroll += 1
                case .pageUp, .halfUp: v.scroll -= a == .pageUp ? page : page / 2
                case .pageDown, .halfDown: v.scroll += a == .pageDown ? page : page / 2
                case .top: v.scroll = 0
                case .bottom: v.scroll = Int.max / 4
                case .open where v.tab == .overview: v.tab = .tests
                case .details:
                    if let e = s.entry(v.key) { s.overlay = .text(title: Format.runLabel(e), lines: LeaderboardScreen.details(e, s.totals[v.key]), scroll: 0) }
                default: break
                }
            }
        }
        store(&s, v)
        return []
    }

    /// Everything about one test: prompt, response, error, tools, the joined trace, and every result field.
    static func testDetails(_ t: TestRow) -> [String] {
        var lines = ["## \(Format.outcomeGlyph(t.outcome)) \(t.outcome.rawValue)"]
        if let r = t.result {
            if r.success == nil {
                lines.append("success is null in the data (a SMOLTRACE bug before 2025-10-24): counted as not passed"
                    + (r.recomputedSuccess.map { "; recomputed from tool_called, correct_tool and final_answer_called it would be \($0 ? "passed" : "failed")" } ?? ""))
            }
            if let p = r.prompt { lines += ["", "## Prompt", p] }
            lines += ["", "## Response", r.response.map { $0 == "None" ? "None (the agent finished without a final answer)" : $0 } ?? "(none: the test raised an error)"]
            if let e = r.error { lines += ["", "## Error", e] }
            lines += ["", "## Tools used", r.toolsUsed.isEmpty ? "none" : r.toolsUsed.joined(separator: ", ")]
        }
        if let tr = t.trace {
            lines += ["", "## Trace (counted once)", "trace \(tr.traceID) · joined by \(t.joinedBy.rawValue)"]
            lines.append("\(tr.spanCount) spans · \(tr.llmCalls) LLM calls · \(tr.toolCalls) tool spans · \(tr.errorCount) errors · wall \(Format.duration(tr.wallMs))")
            lines.append("tokens \(Format.tokens(tr.tokens.total)) (prompt \(Format.tokens(tr.tokens.prompt)), completion \(Format.tokens(tr.tokens.completion))) · cost \(Format.cost(tr.cost))")
            lines.append("recorded by SMOLTRACE: tokens \(Format.tokens(tr.recordedTotalTokens)) · cost \(Format.usd(tr.recordedTotalCostUSD, unknown: "unknown")) · summed duration \(Format.duration(tr.recordedTotalDurationMs))")
        } else {
            lines += ["", "## Trace", "none joined (OTel off, or the test failed before tracing)"]
        }
        if let r = t.result {
            lines += ["", "## Result row as recorded (every field)"]
            for (k, v) in r.raw.pairs where !["prompt", "response", "error"].contains(k) { lines.append("\(k): \(Format.jsonValue(v))") }
        }
        return lines
    }

    static func status(_ s: AppState, _ v: RunView) -> String {
        guard let a = s.analysis(v.key) else { return "" }
        switch v.tab {
        case .tests:
            var t = "\(visibleTests(v, a).count) of \(a.tests.count) tests"
            if v.failedOnly { t += " · failed only" }
            if let l = v.onlyLabel { t += " · \(l)" }
            return t
        case .errors: return a.errorGroups.count == 1 ? "1 failure group" : "\(a.errorGroups.count) failure groups"
        default: return "\(a.tests.count) tests"
        }
    }

    // MARK: mouse

    static func click(_ s: inout AppState, _ x: Int, _ y: Int) -> [Effect] {
        guard var v = view(s.route) else { return [] }
        let l = layout(s)
        if y == l.tabs.y {
            var cx = l.tabs.x + 1
            for (i, t) in tabTitles().enumerated() {
                let w = TextWidth.width(t) + 2
                if x >= cx && x < cx + w { v.tab = RunTab(rawValue: i)! }
                cx += w + 1
            }
            store(&s, v)
            return []
        }
        guard l.content.contains(x: x, y: y), let a = s.analysis(v.key) else { return [] }
        if v.tab == .tests {
            let cols = testColumns(width: l.content.width, a, hidden: s.hiddenColumns[.run] ?? [])
            if y == l.content.y {
                var tv = TableView(columns: cols.map { Column($0.title, width: $0.width, right: $0.right, frozen: $0.frozen) }, rows: [], selected: nil, offset: 0, hOffset: v.testsHOffset, headerStyle: .plain, selectedStyle: .plain)
                tv.margin = testsMargin
                if let ci = tv.column(at: x, area: l.content), let sort = cols[ci].sort {
                    if v.sort == sort { v.sortDescending.toggle() } else {
                        v.sort = sort
                        v.sortDescending = sort == .wall || sort == .tokens || sort == .cost || sort == .steps
                    }
                }
                store(&s, v)
                return []
            }
            let i = v.tests.offset + (y - l.content.y - 1)
            let tests = visibleTests(v, a)
            guard i < tests.count else { return [] }
            if i == v.tests.selected { return perform(&s, .open) }
            v.tests.selected = i
        } else if v.tab == .errors {
            let i = v.errors.offset + (y - l.content.y - 2) / 2
            guard i >= 0, i < a.errorGroups.count else { return [] }
            if i == v.errors.selected { store(&s, v); return perform(&s, .open) }
            v.errors.selected = i
        }
        store(&s, v)
        return []
    }

    // MARK: render

    static func render(_ b: inout Buffer, _ body: Rect, _ s: AppState, _ v: RunView, _ r: Renderer) {
        guard let e = s.entry(v.key) else {
            r.note(&b, body, "This run is no longer in the sources (reloaded?). Esc goes back.", .warn)
            return
        }
        let l = layout(s)
        let row = e.row
        var x = b.put(" " + row.model, x: l.header.x, y: l.header.y, maxX: l.header.maxX, style: r.st(.title))
        var facts = [row.agentType, row.provider ?? "provider n/a", row.runStatus ?? "status n/a"]
        if let h = s.totals[v.key]?.hardware ?? row.hardware { facts.append(h) } else if row.provider == "litellm" { facts.append("API") }
        facts.append(Format.timestamp(row.timestamp))
        // Facts that do not fit whole are left out, last first.
        while facts.count > 1 && x + TextWidth.width("  " + facts.joined(separator: " · ")) > l.header.maxX { facts.removeLast() }
        x = b.put("  " + facts.joined(separator: " · "), x: x, y: l.header.y, maxX: l.header.maxX, style: r.st(.muted))
        switch s.runs[v.key] {
        case .loading(let phase, let f)?:
            r.loading(&b, Rect(x: body.x, y: l.header.y + 1, width: body.width, height: body.height - 1), s, what: "run", phase: phase, fraction: f)
        case .failed(let msg)?:
            r.note(&b, Rect(x: body.x, y: l.header.y + 1, width: body.width, height: body.height - 1), "Could not load this run: \(msg). r reloads, Esc goes back.", .error)
        case nil:
            r.note(&b, Rect(x: body.x, y: l.header.y + 1, width: body.width, height: body.height - 1), "Not loaded (cancelled). r reloads, Esc goes back.")
        case .ready(let a)?:
            headerFigures(&b, l.header, a, r)
            Tabs(titles: tabTitles(), active: v.tab.rawValue, activeStyle: r.st(.tabActive), inactiveStyle: r.st(.tabInactive))
                .render(into: &b, area: Rect(x: l.tabs.x + 1, y: l.tabs.y, width: l.tabs.width - 1, height: 1))
            switch v.tab {
            case .tests: testsTab(&b, l.content, v, a, r, hidden: s.hiddenColumns[.run] ?? [])
            case .errors: errorsTab(&b, l.content, v, a, r)
            case .overview: scrolled(&b, l.content, v, RunTabs.overview(a, s, width: l.content.width, r), r)
            case .performance: scrolled(&b, l.content, v, RunTabs.performance(a, width: l.content.width, height: l.content.height, r), r)
            case .gpu: scrolled(&b, l.content, v, RunTabs.gpu(a, width: l.content.width, height: l.content.height, r), r)
            }
        }
    }

    static func scrolled(_ b: inout Buffer, _ area: Rect, _ v: RunView, _ lines: [Line], _ r: Renderer) {
        // A line wider than the pane wraps (under its label) instead of being cut mid-number.
        let w = area.width - 2
        let lines = lines.flatMap { line -> [Line] in
            guard w > 20, line.reduce(0, { $0 + TextWidth.width($1.text) }) > w else { return [line] }
            let indent = w > 50 ? 12 : 2
            let pieces = wrap(line, width: w)
            return [pieces[0]] + pieces.dropFirst().flatMap { wrap($0, width: w - indent).map { [Segment(String(repeating: " ", count: indent))] + $0 } }
        }
        TextView(lines: lines, offset: min(v.scroll, TextView.maxOffset(lines: lines.count, height: area.height)), indicatorStyle: r.st(.muted), symbols: r.symbols)
            .render(into: &b, area: Rect(x: area.x + 1, y: area.y, width: area.width - 1, height: area.height))
    }

    static func headerFigures(_ b: inout Buffer, _ h: Rect, _ a: RunAnalysis, _ r: Renderer) {
        let y = h.y + 1
        var parts: [[Segment]] = [[
            Segment(" \(a.testCount) tests "), Segment("✓\(a.passed) ", r.st(.pass)), Segment("✗\(a.failed) ", r.st(.fail)),
            Segment("!\(a.errored) ", r.st(.error)), Segment("◷\(a.timedOut)", r.st(.warn)),
            Segment("  success ", r.st(.muted)), Segment(Format.percent(a.successRate), r.st(.accent)),
        ]]
        var recorded: [Segment] = []
        if a.hasTraces {
            parts.append([Segment("  tokens ", r.st(.muted)), Segment(Format.atLeast(Format.compact(Double(a.tokens.total)), a.tokensAreLowerBound), r.st(.tokens))])
            parts.append([Segment("  cost ", r.st(.muted)), Segment(Format.cost(a.cost, lowerBound: a.tokensAreLowerBound), r.st(a.costIsLowerBound ? .warn : .cost))])
            recorded = [Segment("  recorded ", r.st(.muted)),
                        Segment("\(Format.compact(a.recordedTotalTokens.map(Double.init))) tok, \(Format.usd(a.recordedTotalCostUSD, unknown: "unknown"))", r.st(.recorded))]
        } else {
            parts.append([Segment("  no traces: tokens and cost unknown", r.st(.warn))])
        }
        var line = parts.flatMap { $0 }
        // Recorded figures only when they fit whole.
        if width(of: line + recorded) <= h.width { line += recorded }
        b.put(line, x: h.x, y: y, maxX: h.maxX)
    }

    static func testsTab(_ b: inout Buffer, _ area: Rect, _ v: RunView, _ a: RunAnalysis, _ r: Renderer, hidden: Set<String>) {
        let tests = visibleTests(v, a)
        var cols = testColumns(width: area.width, a, hidden: hidden)
        for i in cols.indices where cols[i].sort == v.sort && v.sort != .original {
            // The arrow is never cut off: the column grows by what it needs.
            cols[i].title += v.sortDescending ? "↓" : "↑"
            cols[i].width = max(cols[i].width, TextWidth.width(cols[i].title))
        }
        let visible = TableView.visibleRows(height: area.height)
        var rows: [TableRow] = []
        // Errors that repeat say so, and a long opening that every error on screen shares is left out: what differs
        // shows. Only the rows on screen are made (and looked at).
        let shown = Array(tests[min(v.tests.offset, tests.count)..<min(tests.count, v.tests.offset + visible)])
        let made = shown.map { t in cols.map { $0.cell(t) } }
        let errorColumn = cols.firstIndex { $0.title == "error" }
        let errorShared = errorColumn.map { ec in sharedOpening(made.map { $0[ec].0 }) } ?? 0
        var previousError: String?
        for (t, made) in zip(shown, made) {
            var cells = made
            if let ec = errorColumn, !cells[ec].0.isEmpty {
                let full = cells[ec].0
                if full == previousError {
                    cells[ec] = ("″ as above", .muted)
                } else if errorShared > 0 {
                    cells[ec].0 = "…" + full.dropFirst(errorShared)
                }
                previousError = full
            } else {
                previousError = nil
            }
            var styles = cells.map { $0.1.map(r.st) }
            if let oi = cols.firstIndex(where: { $0.sort == .outcome }) { styles[oi] = r.st(r.outcomeRole(t.outcome)) }
            rows.append(TableRow(cells.map { $0.0 }, styles: styles))
        }
        var table = TableView(
            columns: cols.map { Column($0.title, width: $0.width, right: $0.right, frozen: $0.frozen) }, rows: rows,
            selected: tests.isEmpty ? nil : v.tests.selected - v.tests.offset, offset: 0, hOffset: v.testsHOffset,
            headerStyle: r.st(.header), selectedStyle: r.st(.selected), indicatorStyle: r.st(.accent), symbols: r.symbols)
        table.alignColumn = Format.alignDecimals
        table.margin = testsMargin
        table.render(into: &b, area: area)
        if tests.isEmpty {
            r.note(&b, area.takeTop(1).1, a.tests.isEmpty ? "This run has no test results." : "No test matches (f toggles failed-only; Esc clears the filter).")
        }
    }

    /// How many leading characters every distinct error of a list (the rows on screen) shares, cut back to a word's end — when it is
    /// long enough (24 or more) to push what differs out of a column; 0 otherwise.
    static func sharedOpening(_ texts: [String]) -> Int {
        let distinct = Array(Set(texts.filter { !$0.isEmpty }))
        guard distinct.count >= 2, var prefix = distinct.first.map(Array.init) else { return 0 }
        for t in distinct.dropFirst() {
            prefix = Array(prefix.prefix(zip(prefix, t).prefix { $0 == $1 }.count))
        }
        // Back to the last space or punctuation, so a word is never cut in two.
        var n = prefix.count
        while n > 0, !(prefix[n - 1] == " " || prefix[n - 1] == ":" || prefix[n - 1] == "," || prefix[n - 1] == ";") { n -= 1 }
        return n >= 24 ? n : 0
    }

    static func errorsTab(_ b: inout Buffer, _ area: Rect, _ v: RunView, _ a: RunAnalysis, _ r: Renderer) {
        let groups = a.errorGroups
        var y = area.y + 1
        if groups.isEmpty {
            r.line(&b, area, &y, [("Every test passed: nothing failed.", .pass)])
            return
        }
        r.line(&b, area, &y, [("Failures grouped by error type / stop reason — Enter lists the tests", .title)])
        let visible = max(1, (area.height - 2) / 2)
        let total = max(1, groups.map { $0.keys.count }.max() ?? 1)
        for i in v.errors.offset..<min(groups.count, v.errors.offset + visible) {
            let g = groups[i]
            let sel = i == v.errors.selected
            let sel_ = r.st(.selected)
            func st(_ role: Role) -> Style { sel ? r.st(role).onSelection(sel_) : r.st(role) }
            let fillStyle = sel ? Style.plain.onSelection(sel_) : Style.plain
            if sel { b.fill(Rect(x: area.x, y: y, width: area.width, height: 2), fillStyle) }
            TableView.putCell(&b, String(g.keys.count), x: area.x + 1, y: y, width: 5, maxX: area.maxX, right: true, text: st(.fail), pad: fillStyle)
            let barStyle = sel ? r.st(.barFill).markOnSelection(sel_) : r.st(.barFill)
            let x = b.put(" " + barText(Double(g.keys.count) / Double(total), width: 10, symbols: r.symbols) + " ", x: area.x + 6, y: y, style: barStyle)
            b.put(g.kind, x: x, y: y, maxX: area.maxX, style: st(.error))
            let sample = g.keys.prefix(8).map { $0 }.joined(separator: ", ") + (g.keys.count > 8 ? ", …" : "")
            b.put(sample, x: area.x + 18, y: y + 1, maxX: area.maxX, style: st(.muted))
            y += 2
        }
    }
}

extension RunScreen {
    /// `y`: the selected test's id on the Tests tab, the run's id elsewhere.
    static func copyTarget(_ s: AppState) -> (what: String, id: String)? {
        guard let v = view(s.route) else { return nil }
        if v.tab == .tests, let a = s.analysis(v.key) {
            let tests = visibleTests(v, a)
            guard v.tests.selected < tests.count else { return nil }
            return ("test id", tests[v.tests.selected].taskID)
        }
        return s.entry(v.key).flatMap { $0.row.runID }.map { ("run id", $0) } ?? ("run", v.key)
    }
}

extension RunScreen {
    /// `w`: the run's report (header, figures, every test).
    static func exportText(_ s: AppState, _ format: OutputFormat) -> Result<String, Export.Refusal> {
        guard let v = view(s.route), let a = s.analysis(v.key) else { return .failure(Export.Refusal(reason: "the run is still loading: nothing written")) }
        return .success(Reports.run(a, format: format))
    }
}
