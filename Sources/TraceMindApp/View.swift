import Foundation
import TerminalUI
import TraceMindModel
import TraceMindReport

/// `view(state) -> Buffer`: pure.
public struct Renderer {
    public var theme: Theme
    public var symbols: Symbols

    public init(theme: Theme, symbols: Symbols = .unicode) {
        self.theme = theme
        self.symbols = symbols
    }

    func st(_ r: Role) -> Style { theme.style(r) }

    public func view(_ s: AppState) -> Buffer {
        var b = Buffer(width: s.width, height: s.height)
        guard s.width >= 40, s.height >= 10 else {
            b.put("terminal too small (\(s.width)×\(s.height)); need 40×10", x: 0, y: 0, style: st(.warn))
            return b
        }
        let (top, rest) = b.area.takeTop(1)
        let (body, footer) = rest.takeBottom(1)
        breadcrumb(&b, top, s)
        switch s.screen {
        case .leaderboard: leaderboard(&b, body, s)
        case .run: runDetail(&b, body, s)
        }
        footerBar(&b, footer, s)
        if s.overlay == .help { help(&b, s) }
        return b
    }

    func breadcrumb(_ b: inout Buffer, _ r: Rect, _ s: AppState) {
        b.fill(r, st(.status))
        var parts = ["Leaderboard"]
        if let run = s.currentRun { parts.append(Format.runLabel(run)) }
        var x = b.put(" TraceMind ", x: r.x, y: r.y, style: st(.title).patched(st(.status)))
        x = b.put(parts.joined(separator: " › "), x: x, y: r.y, maxX: r.maxX, style: st(.status))
        let src = s.catalog.isDemo ? "demo data" : (s.catalog.sources.count == 1 ? s.catalog.sources[0] : "\(s.catalog.sources.count) sources")
        let right = " " + TextWidth.truncate(src, max(0, r.width - x - 4)) + " "
        b.put(right, x: r.maxX - TextWidth.width(right), y: r.y, style: st(.muted).patched(st(.status)))
    }

    func footerBar(_ b: inout Buffer, _ r: Rect, _ s: AppState) {
        b.fill(r, st(.status))
        if case .filter(let text)? = s.overlay {
            let x = b.put(" / ", x: r.x, y: r.y, style: st(.keyHint))
            let e = b.put(text, x: x + 1, y: r.y, maxX: r.maxX - 20, style: st(.status))
            b.put("▏", x: e, y: r.y, style: st(.accent).patched(st(.status)))
            b.put("Enter keep · Esc clear", x: r.maxX - 22, y: r.y, style: st(.muted).patched(st(.status)))
            return
        }
        var x = r.x
        if let m = s.message {
            b.put(" " + m, x: x, y: r.y, maxX: r.maxX, style: st(.warn).patched(st(.status)))
            return
        }
        for bind in KeyMap.bindings where bind.inFooter && (bind.screens.contains("*") || bind.screens.contains(s.screenName)) {
            let need = TextWidth.width(bind.label) + TextWidth.width(bind.help) + 3
            if x + need > r.maxX - 16 { break }
            x = b.put(" " + bind.label + " ", x: x, y: r.y, style: st(.keyHint))
            x = b.put(bind.help + " ", x: x, y: r.y, style: st(.status))
        }
        var count = ""
        switch s.screen {
        case .leaderboard: count = "\(s.visibleRuns.count) of \(s.catalog.runs.count) runs"
        case .run:
            if let a = s.currentAnalysis { count = "\(s.visibleTests(a).count) of \(a.tests.count) tests" }
        }
        b.put(count + " ", x: r.maxX - TextWidth.width(count) - 1, y: r.y, style: st(.muted).patched(st(.status)))
    }

    // MARK: leaderboard

    struct LBColumn {
        var column: Column
        var priority: Int
        var cell: (RunEntry, Int) -> (String, Role?)
    }

    func leaderboardColumns(_ s: AppState) -> [LBColumn] {
        let rec = s.leaderboard.showRecorded
        let key = s.leaderboard.query.sortKey
        let arrow = s.leaderboard.query.descending ? "↓" : "↑"
        func title(_ t: String, _ k: LeaderboardSortKey?) -> String { k == key ? t + arrow : t }
        return [
            LBColumn(column: Column("#", width: 3, right: true), priority: 0) { e, rank in (e.row.isRankable ? String(rank) : "–", .muted) },
            LBColumn(column: Column(" ", width: 1), priority: 0) { e, _ in (s.leaderboard.marked.contains(e.key) ? "●" : " ", .marked) },
            LBColumn(column: Column(title("model", .model), width: 24), priority: 0) { e, _ in (e.row.model, nil) },
            LBColumn(column: Column(title("agent", .agentType), width: 5), priority: 1) { e, _ in (e.row.agentType, .accent) },
            LBColumn(column: Column(title("provider", .provider), width: 12), priority: 4) { e, _ in (e.row.provider ?? "—", .muted) },
            LBColumn(column: Column("status", width: 9), priority: 2) { e, _ in
                let st = e.row.runStatus ?? "—"
                return (st, st == "completed" ? .pass : (st == "—" ? .muted : .warn))
            },
            LBColumn(column: Column(title("success", .successRate), width: 8, right: true), priority: 0) { e, _ in
                let v = e.row.successRate
                return (Format.percent(v), v == nil ? .muted : (v! >= 70 ? .pass : (v! >= 40 ? .warn : .fail)))
            },
            LBColumn(column: Column(title("pass@1", .passAt1), width: 7, right: true), priority: 3) { e, _ in (e.row.passAt1.map { Format.number($0, digits: 2) } ?? "—", nil) },
            LBColumn(column: Column("tests P/F", width: 9, right: true), priority: 1) { e, _ in
                ("\(e.row.successfulTests.map(String.init) ?? "?")/\(e.row.failedTests.map(String.init) ?? "?")", nil)
            },
            LBColumn(column: Column("steps", width: 5, right: true), priority: 6) { e, _ in (Format.number(e.row.avgSteps, digits: 1), nil) },
            LBColumn(column: Column(title(rec ? "tokens·rec" : "tokens", .tokens), width: 10, right: true), priority: 2) { e, _ in
                (Format.compact(e.row.totalTokens.map(Double.init)), .recorded)
            },
            LBColumn(column: Column(title(rec ? "cost·rec" : "cost", .cost), width: 9, right: true), priority: 1) { e, _ in
                (Format.usd(e.row.totalCostUSD), .recorded)
            },
            LBColumn(column: Column(title("$/pass·rec", .costPerPass), width: 10, right: true), priority: 5) { e, _ in
                (Format.usd(LeaderboardQuery.sortValue(e.row, .costPerPass)), .recorded)
            },
            LBColumn(column: Column(title("dur·rec", .duration), width: 8, right: true), priority: 6) { e, _ in (Format.duration(e.row.avgDurationMs), .recorded) },
            LBColumn(column: Column(title("CO2", .co2), width: 8, right: true), priority: 7) { e, _ in
                ((e.row.co2Grams ?? 0) > 0 ? Format.number(e.row.co2Grams, digits: 3) + "g" : "—", .muted)
            },
            LBColumn(column: Column(title("GPU", .gpuUtilization), width: 5, right: true), priority: 7) { e, _ in (e.row.gpuUtilizationAvg.map { Format.percent($0, digits: 0) } ?? "—", .muted) },
            LBColumn(column: Column("hardware", width: 18), priority: 8) { e, _ in (e.row.hardware ?? (e.row.hasGPU ? "GPU" : "—"), .muted) },
            LBColumn(column: Column("team", width: 10), priority: 8) { e, _ in (e.row.team ?? e.row.useCase ?? "—", .muted) },
            LBColumn(column: Column(title("timestamp", .timestamp), width: 16), priority: 5) { e, _ in (Format.timestamp(e.row.timestamp), .muted) },
        ]
    }

    func leaderboard(_ b: inout Buffer, _ area: Rect, _ s: AppState) {
        var cols = leaderboardColumns(s)
        // Drop columns by priority until they fit.
        while cols.map({ $0.column.width + 1 }).reduce(0, +) > area.width, let worst = cols.map(\.priority).max(), worst > 0 {
            if let i = cols.lastIndex(where: { $0.priority == worst }) { cols.remove(at: i) }
        }
        // Give spare width to the model column.
        let used = cols.map { $0.column.width + 1 }.reduce(0, +)
        if used < area.width, let mi = cols.firstIndex(where: { $0.column.title.hasPrefix("model") }) {
            cols[mi].column.width += min(area.width - used, 16)
        }
        let runs = s.visibleRuns
        if runs.isEmpty {
            b.put(s.catalog.runs.isEmpty ? "No runs found. Run smoltrace-eval, or try --demo." : "No run matches the filter '\(s.leaderboard.query.text)'.",
                  x: area.x + 2, y: area.y + 2, style: st(.muted))
        }
        var rank = 0
        var rows: [TableRow] = []
        var marked = Set<Int>()
        for (i, e) in runs.enumerated() {
            if e.row.isRankable { rank += 1 }
            let cells = cols.map { $0.cell(e, rank) }
            rows.append(TableRow(cells.map { $0.0 }, styles: cells.map { $0.1.map(st) }))
            if s.leaderboard.marked.contains(e.key) { marked.insert(i) }
        }
        TableView(
            columns: cols.map(\.column), rows: rows, selected: runs.isEmpty ? nil : s.leaderboard.selected,
            offset: s.leaderboard.offset, headerStyle: st(.header), selectedStyle: st(.selected), markedRows: marked,
            markStyle: st(.marked)
        ).render(into: &b, area: area)
        if !s.leaderboard.marked.isEmpty {
            b.put(" \(s.leaderboard.marked.count) marked ", x: area.maxX - 12, y: area.maxY - 1, style: st(.marked))
        }
    }

    // MARK: run detail

    func runDetail(_ b: inout Buffer, _ area: Rect, _ s: AppState) {
        guard let run = s.currentRun else { return }
        let (head, rest) = area.takeTop(2)
        let r = run.row
        var x = b.put(" " + r.model, x: head.x, y: head.y, style: st(.title))
        x = b.put("  \(r.agentType) · \(r.provider ?? "—") · \(r.runStatus ?? "status n/a")", x: x, y: head.y, maxX: head.maxX, style: st(.muted))
        if let h = r.hardware { b.put(" · " + h, x: x, y: head.y, maxX: head.maxX, style: st(.muted)) }
        guard case .run(let key) = s.screen, let load = s.loads[key] else { return }
        switch load {
        case .loading(let phase, let f):
            b.put(" loading \(phase)…", x: head.x, y: head.y + 1, style: st(.accent))
            drawBar(&b, x: head.x + 22, y: head.y + 1, width: min(40, head.width - 30), fraction: f, style: st(.barFill), symbols: symbols)
            b.put("Esc cancels", x: head.x + 2, y: head.y + 3, style: st(.muted))
        case .loaded(let a):
            var y2 = b.put(" tests \(a.testCount)  ", x: head.x, y: head.y + 1, style: .plain)
            y2 = b.put("✓\(a.passed) ", x: y2, y: head.y + 1, style: st(.pass))
            y2 = b.put("✗\(a.failed) ", x: y2, y: head.y + 1, style: st(.fail))
            y2 = b.put("!\(a.errored) ⏱\(a.timedOut)  ", x: y2, y: head.y + 1, style: st(.warn))
            y2 = b.put("tokens " + (a.hasTraces ? Format.compact(Double(a.tokens.total)) : "unknown"), x: y2, y: head.y + 1, style: st(.tokens))
            y2 = b.put(" (rec. \(Format.compact(a.recordedTotalTokens.map(Double.init))))  ", x: y2, y: head.y + 1, style: st(.recorded))
            y2 = b.put("cost " + (a.hasTraces ? Format.cost(a.cost) : "unknown"), x: y2, y: head.y + 1, maxX: head.maxX, style: st(.cost))
            b.put(" (rec. \(Format.usd(a.recordedTotalCostUSD)))", x: y2, y: head.y + 1, maxX: head.maxX, style: st(.recorded))
            let (tabs, content) = rest.takeTop(1)
            tabBar(&b, tabs, s.runDetail.tab)
            switch s.runDetail.tab {
            case .overview: overview(&b, content, a)
            case .tests: testsTab(&b, content, s, a)
            case .performance: performance(&b, content, a)
            case .gpu: gpu(&b, content, a)
            case .errors: errors(&b, content, a)
            }
        }
    }

    func tabBar(_ b: inout Buffer, _ r: Rect, _ active: RunTab) {
        var x = r.x + 1
        for t in RunTab.allCases {
            let label = " \(t.rawValue + 1) \(t.title) "
            x = b.put(label, x: x, y: r.y, maxX: r.maxX, style: st(t == active ? .tabActive : .tabInactive)) + 1
        }
    }

    func line(_ b: inout Buffer, _ r: Rect, _ y: inout Int, _ parts: [(String, Role?)]) {
        guard y < r.maxY else { return }
        var x = r.x + 1
        for (t, role) in parts { x = b.put(t, x: x, y: y, maxX: r.maxX, style: role.map(st) ?? .plain) }
        y += 1
    }

    func overview(_ b: inout Buffer, _ r: Rect, _ a: RunAnalysis) {
        var y = r.y + 1
        line(&b, r, &y, [("success ", .muted), (Format.percent(a.successRate), .accent), ("   pass@1 ", .muted), (a.passAt1.map { Format.number($0, digits: 3) } ?? "—", nil),
                          ("   avg steps ", .muted), (Format.number(a.avgSteps), nil)])
        if let rate = a.successRate {
            drawBar(&b, x: r.x + 1, y: y, width: min(40, r.width - 2), fraction: rate / 100, style: st(.pass), symbols: symbols)
            y += 1
        }
        y += 1
        line(&b, r, &y, [("Tokens and cost, counted once", .title), ("   (recorded by SMOLTRACE beside)", .recorded)])
        if a.hasTraces {
            line(&b, r, &y, [("tokens  ", .muted), (Format.tokens(a.tokens.total), .tokens), ("  prompt ", .muted), (Format.tokens(a.tokens.prompt), nil),
                              ("  completion ", .muted), (Format.tokens(a.tokens.completion), nil), ("   rec. ", .muted), (Format.tokens(a.recordedTotalTokens), .recorded)])
            line(&b, r, &y, [("cost    ", .muted), (Format.cost(a.cost), .cost), (a.cost.unpriced > 0 ? "  (\(a.cost.unpriced) unpriced calls)" : "", .warn),
                              ("   rec. ", .muted), (Format.usd(a.recordedTotalCostUSD), .recorded)])
            line(&b, r, &y, [("per test ", .muted), (Format.usd(a.costPerTest), .cost), ("   per pass ", .muted), (Format.usd(a.costPerPass), .cost),
                              ("   tokens/pass ", .muted), (Format.compact(a.tokensPerPass), .tokens)])
        } else {
            line(&b, r, &y, [("no traces: tokens and cost unknown", .warn), ("   rec. tokens ", .muted), (Format.tokens(a.recordedTotalTokens), .recorded)])
        }
        y += 1
        if !a.tokensByModel.isEmpty {
            line(&b, r, &y, [("By model", .title)])
            let total = max(1, a.tokens.total)
            for m in a.tokensByModel.prefix(4) {
                guard y < r.maxY else { break }
                b.put(TextWidth.pad(m.model, 26), x: r.x + 2, y: y, style: .plain)
                drawBar(&b, x: r.x + 29, y: y, width: 16, fraction: Double(m.tokens.total) / Double(total), style: st(.barFill), symbols: symbols)
                b.put("\(Format.compact(Double(m.tokens.total))) tok  \(Format.cost(m.cost))", x: r.x + 47, y: y, maxX: r.maxX, style: st(.muted))
                y += 1
            }
        }
        if !a.costByCategory.isEmpty {
            line(&b, r, &y, [("By span kind: ", .title)] + a.costByCategory.map { ("\($0.category.rawValue) \(Format.cost($0.cost))  ", nil) })
        }
        if !a.stopReasons.isEmpty {
            line(&b, r, &y, [("Stop reasons: ", .title)] + a.stopReasons.map { ("\($0.reason) \($0.count)  ", nil) })
        }
        if a.timedOut > 0 { line(&b, r, &y, [("timeouts ", .muted), (String(a.timedOut), .warn)]) }
    }

    func testsTab(_ b: inout Buffer, _ area: Rect, _ s: AppState, _ a: RunAnalysis) {
        let tests = s.visibleTests(a)
        let errW = max(0, area.width - 90)
        var cols = [
            Column("task", width: 22), Column("agent", width: 5), Column("diff", width: 6), Column("", width: 1),
            Column("steps", width: 5, right: true), Column("wall", width: 7, right: true), Column("tokens", width: 8, right: true),
            Column("cost", width: 10, right: true), Column("tools", width: 14),
        ]
        if errW > 8 { cols.append(Column("error", width: errW)) }
        let sortNames = ["task", "", "wall", "tokens", "cost"]
        let sc = s.runDetail.sortColumn
        if sc > 0, let i = cols.firstIndex(where: { $0.title == sortNames[sc] }) { cols[i].title += s.runDetail.sortDescending ? "↓" : "↑" }
        let rows = tests.map { t -> TableRow in
            let (g, role): (String, Role) = {
                switch t.outcome {
                case .passed: return ("✓", .pass)
                case .failed: return ("✗", .fail)
                case .error: return ("!", .error)
                case .timeout: return ("⏱", .warn)
                }
            }()
            return TableRow(
                [t.taskID, t.agentType, t.result?.difficulty ?? "—", g, t.steps.map(String.init) ?? "—", Format.duration(t.wallMs),
                 Format.compact(t.tokens.map { Double($0.total) }), t.trace == nil ? "unknown" : Format.cost(t.cost, unknown: "unknown"),
                 (t.result?.toolsUsed ?? []).joined(separator: ","), Format.oneLine(t.error, max: 200)],
                styles: [nil, st(.accent), st(.muted), st(role), nil, nil, st(.tokens), st(.cost), st(.muted), st(.error)])
        }
        if tests.isEmpty { b.put("No test matches.", x: area.x + 2, y: area.y + 2, style: st(.muted)) }
        TableView(columns: cols, rows: rows, selected: tests.isEmpty ? nil : s.runDetail.selected, offset: s.runDetail.offset,
                  headerStyle: st(.header), selectedStyle: st(.selected)).render(into: &b, area: area)
    }

    func performance(_ b: inout Buffer, _ r: Rect, _ a: RunAnalysis) {
        var y = r.y + 1
        guard let w = a.wall else {
            line(&b, r, &y, [("No traces: no timings.", .muted)])
            return
        }
        line(&b, r, &y, [("wall time per test  ", .title), ("p50 ", .muted), (Format.duration(w.p50), nil), ("  p95 ", .muted), (Format.duration(w.p95), nil),
                          ("  p99 ", .muted), (Format.duration(w.p99), nil), ("  max ", .muted), (Format.duration(w.max), nil)])
        y += 1
        // Histogram of wall times: 8 buckets.
        let walls = a.tests.compactMap { $0.wallMs }
        let buckets = 8
        let hi = max(w.max, 0.001)
        var counts = [Int](repeating: 0, count: buckets)
        for v in walls { counts[min(buckets - 1, Int(v / hi * Double(buckets)))] += 1 }
        let maxC = max(1, counts.max()!)
        for (i, c) in counts.enumerated() {
            guard y < r.maxY - 6 else { break }
            let lo = hi * Double(i) / Double(buckets), up = hi * Double(i + 1) / Double(buckets)
            b.put(TextWidth.pad("\(Format.duration(lo))–\(Format.duration(up))", 16, right: true), x: r.x + 1, y: y, style: st(.muted))
            drawBar(&b, x: r.x + 18, y: y, width: 30, fraction: Double(c) / Double(maxC), style: st(.barFill), symbols: symbols)
            b.put(String(c), x: r.x + 49, y: y, style: .plain)
            y += 1
        }
        y += 1
        line(&b, r, &y, [("slowest tests", .title)])
        for t in a.tests.filter({ $0.wallMs != nil }).sorted(by: { $0.wallMs! > $1.wallMs! }).prefix(max(0, r.maxY - y)) {
            line(&b, r, &y, [(TextWidth.pad(t.taskID, 24), nil), (TextWidth.pad(Format.duration(t.wallMs), 8, right: true), nil),
                              ("  " + Format.compact(t.tokens.map { Double($0.total) }) + " tok", .tokens)])
        }
    }

    func gpu(_ b: inout Buffer, _ r: Rect, _ a: RunAnalysis) {
        var y = r.y + 1
        guard let m = a.metrics, m.hasGPUData else {
            line(&b, r, &y, [("No GPU data for this run", .warn), (" — expected for API models (no local GPU was measured).", .muted)])
            return
        }
        let metrics: [(String, String, String)] = [
            ("gen_ai.gpu.utilization", "utilization", "%"), ("gen_ai.gpu.memory.used", "memory", "MiB"),
            ("gen_ai.gpu.temperature", "temperature", "°C"), ("gen_ai.gpu.power", "power", "W"),
            ("gen_ai.co2.emissions", "CO2 (cum.)", "g"), ("gen_ai.power.cost", "power cost", "$"),
        ]
        for g in m.gpuIDs {
            guard y < r.maxY else { break }
            let name = m.series.first { $0.gpuID == g && $0.gpuName != nil }?.gpuName ?? ""
            line(&b, r, &y, [("GPU \(g) ", .title), (name, .muted)])
            for (metric, label, unit) in metrics {
                guard y < r.maxY, let s = m.series(metric, gpu: g) else { continue }
                b.put(TextWidth.pad(label, 12), x: r.x + 2, y: y, style: st(.muted))
                let sw = max(10, min(48, r.width - 60))
                drawSparkline(&b, x: r.x + 15, y: y, width: sw, values: s.points.map(\.value), style: st(.barFill), symbols: symbols)
                let stats = "min \(Format.number(s.minValue, digits: 2)) avg \(Format.number(s.avgValue, digits: 2)) max \(Format.number(s.maxValue, digits: 2)) \(unit)"
                b.put(stats, x: r.x + 16 + sw, y: y, maxX: r.maxX, style: .plain)
                y += 1
            }
        }
        line(&b, r, &y, [("CO2 total ", .muted), (Format.number(m.co2TotalGrams, digits: 4) + " g", nil), ("   power cost ", .muted), (Format.usd(m.powerCostTotalUSD), .cost)])
    }

    func errors(_ b: inout Buffer, _ r: Rect, _ a: RunAnalysis) {
        var y = r.y + 1
        if a.errorGroups.isEmpty {
            line(&b, r, &y, [("Every test passed.", .pass)])
            return
        }
        line(&b, r, &y, [("Failures grouped by error type / stop reason", .title)])
        for g in a.errorGroups {
            guard y < r.maxY else { break }
            line(&b, r, &y, [(TextWidth.pad(String(g.keys.count), 4, right: true), .fail), ("  " + g.kind, .error)])
            line(&b, r, &y, [("      " + g.keys.prefix(6).joined(separator: ", ") + (g.keys.count > 6 ? ", …" : ""), .muted)])
        }
    }

    // MARK: help

    func help(_ b: inout Buffer, _ s: AppState) {
        let binds = KeyMap.bindings.filter { !$0.help.isEmpty && ($0.screens.contains("*") || $0.screens.contains(s.screenName)) }
        let w = min(60, s.width - 4), h = min(binds.count + 4, s.height - 2)
        let r = Rect(x: (s.width - w) / 2, y: (s.height - h) / 2, width: w, height: h)
        b.fill(r, st(.status))
        b.put(" Keys — \(s.screenName) ", x: r.x + 2, y: r.y, style: st(.title).patched(st(.status)))
        var y = r.y + 2
        for bind in binds where y < r.maxY - 1 {
            let keys = bind.keys.map(Renderer.keyName).joined(separator: " ")
            b.put(TextWidth.pad(keys, 18), x: r.x + 2, y: y, style: st(.keyHint))
            b.put(bind.help, x: r.x + 21, y: y, maxX: r.maxX - 1, style: st(.status))
            y += 1
        }
    }

    static func keyName(_ k: Key) -> String {
        switch k {
        case .char(" "): return "Space"
        case .char(let c): return String(c)
        case .ctrl(let c): return "^" + c.uppercased()
        case .enter: return "Enter"
        case .escape: return "Esc"
        case .backspace: return "Bksp"
        case .tab: return "Tab"
        case .backTab: return "S-Tab"
        case .up: return "↑"
        case .down: return "↓"
        case .left: return "←"
        case .right: return "→"
        case .pageUp: return "PgUp"
        case .pageDown: return "PgDn"
        case .home: return "Home"
        case .end: return "End"
        case .function(let n): return "F\(n)"
        }
    }
}
