import FoundationEssentials
import TerminalUI
import TraceMindModel
import TraceMindReport

/// Two trajectories of one test, aligned step by step, the cursor on the first point where they diverge.
enum TrajectoryScreen {
    static func refs(_ s: AppState, _ v: TrajectoryView) -> (TraceRef, TraceRef)? {
        func ref(_ i: Int) -> TraceRef? {
            guard let a = s.analysis(v.keys[i]), let t = a.tests.first(where: { $0.key == v.testKey })?.trace else { return nil }
            return TraceRef(runKey: v.keys[i], traceID: t.traceID)
        }
        guard let l = ref(v.left), let r = ref(v.right) else { return nil }
        return (l, r)
    }

    static func loadTraces(_ s: inout AppState, _ v: TrajectoryView) -> [Effect] {
        guard let (l, r) = refs(s, v) else { return [] }
        var effects: [Effect] = []
        for ref in [l, r] where s.traces[ref]?.value == nil && s.traces[ref]?.isLoading != true {
            s.traces[ref] = .loading(phase: "spans", fraction: 0)
            effects.append(.load(.trace(ref)))
        }
        return effects
    }

    static func alignment(_ s: AppState, _ v: TrajectoryView) -> TrajectoryAlignment? {
        guard let (l, r) = refs(s, v), let a = s.traces[l]?.value, let b = s.traces[r]?.value else { return nil }
        return s.alignments.alignment(a, b)
    }

    static func layout(_ s: AppState) -> (header: Rect, table: Rect) {
        let body = App.body(s)
        let (h, t) = body.takeTop(3)
        return (h, t)
    }

    static func clamp(_ s: inout AppState) {
        guard var v = view(s.route), let al = alignment(s, v) else { return }
        if !v.positioned {
            v.list.selected = al.firstDivergence ?? 0
            v.positioned = true
        }
        v.list.clamp(count: al.rows.count, visible: TableView.visibleRows(height: layout(s).table.height))
        store(&s, v)
    }

    static func perform(_ s: inout AppState, _ a: Action) -> [Effect] {
        guard var v = view(s.route), let al = alignment(s, v) else { return [] }
        defer { clamp(&s) }
        if v.list.navigate(a, count: al.rows.count, visible: TableView.visibleRows(height: layout(s).table.height)) {
            store(&s, v)
            return []
        }
        switch a {
        case .nextMatch, .prevMatch:
            let divs = al.rows.indices.filter { !al.rows[$0].same }
            guard !divs.isEmpty else {
                s.message = promptsDiffer(s, v) ? "no step differs, but the prompts do: these are not the same task" : "the two trajectories are identical"
                break
            }
            let cur = v.list.selected
            v.list.selected = a == .nextMatch ? (divs.first { $0 > cur } ?? divs[0]) : (divs.last { $0 < cur } ?? divs.last!)
            s.message = "difference \(divs.firstIndex(of: v.list.selected)! + 1) of \(divs.count)"
        case .open, .openOther:
            guard let (lref, rref) = refs(s, v), v.list.selected < al.rows.count else { break }
            let row = al.rows[v.list.selected]
            let leftSide = a == .open ? row.left != nil : row.left == nil
            let ref = leftSide ? lref : rref
            let step = leftSide ? row.left.map { al.left[$0] } : row.right.map { al.right[$0] }
            store(&s, v)
            let effects = TraceScreen.open(&s, ref: ref, label: "\(v.taskLabel) · \(CompareScreen.letter(leftSide ? v.left : v.right))")
            if case .trace(var tv) = s.route, let step {
                tv.selectedSpan = step.span
                s.setRoute(.trace(tv))
            }
            return effects
        default: break
        }
        store(&s, v)
        return []
    }

    static func status(_ s: AppState, _ v: TrajectoryView) -> String {
        guard let al = alignment(s, v) else { return "loading both traces" }
        let d = al.rows.filter { !$0.same }.count
        return "\(al.left.count) vs \(al.right.count) steps · \(d) different"
    }

    static func click(_ s: inout AppState, _ x: Int, _ y: Int) -> [Effect] {
        guard var v = view(s.route), let al = alignment(s, v) else { return [] }
        let t = layout(s).table
        guard let again = v.list.click(in: t, x: x, y: y, count: al.rows.count) else { return [] }
        store(&s, v)
        return again ? perform(&s, x < t.x + t.width / 2 ? .open : .openOther) : []
    }

    static func stepText(_ st: TrajectoryStep?) -> String {
        guard let st else { return "—" }
        let d = st.detail.isEmpty ? "" : " " + Format.oneLine(st.detail, max: 160)
        return SpanKinds.of(st.kind == .tool ? .tool : .llm).glyph + " " + st.name + d + (st.isError ? " ✗" : "")
    }

    /// The two runs gave this test id different prompts (their trajectories answer different tasks).
    static func promptsDiffer(_ s: AppState, _ v: TrajectoryView) -> Bool {
        guard let line = CompareScreen.comparison(s, v.keys)?.tests.first(where: { $0.key == v.testKey }),
            v.left < line.rows.count, v.right < line.rows.count,
            let a = line.rows[v.left]?.result?.prompt, let b = line.rows[v.right]?.result?.prompt
        else { return false }
        return TaskSet.fingerprint(a) != TaskSet.fingerprint(b)
    }

    static func render(_ b: inout Buffer, _ body: Rect, _ s: AppState, _ v: TrajectoryView, _ r: Renderer) {
        let names = CompareScreen.labels(s, v.keys)
        let (h, t) = layout(s)
        let la = CompareScreen.letter(v.left), rb = CompareScreen.letter(v.right)
        b.put(" \(v.taskLabel): \(la) \(names[v.left])  against  \(rb) \(names[v.right])", x: h.x, y: h.y, maxX: h.maxX, style: r.st(.title))
        guard let al = alignment(s, v) else {
            r.note(&b, t, "Loading both traces… Esc goes back.")
            return
        }
        let differ = promptsDiffer(s, v)
        let dl = differ
            ? "different prompts under one id: not the same task"
            : al.firstDivergence.map { "first divergence at step \($0 + 1)" } ?? "identical trajectories"
        let lc = al.left.reduce(CostSum.zero) { $0 + $1.cost }, rc = al.right.reduce(CostSum.zero) { $0 + $1.cost }
        let lt = al.left.reduce(0) { $0 + $1.tokens.total }, rt = al.right.reduce(0) { $0 + $1.tokens.total }
        b.put(" \(dl) · \(la): \(al.left.count) steps, \(Format.cost(lc)), \(Format.grouped(lt)) tok · \(rb): \(al.right.count) steps, \(Format.cost(rc)), \(Format.grouped(rt)) tok", x: h.x, y: h.y + 1, maxX: h.maxX, style: r.st(al.firstDivergence == nil && !differ ? .muted : .warn))
        b.put(" ≠ different · Enter opens \(la)'s trace at the step, O opens \(rb)'s · n/N next/previous difference", x: h.x, y: h.y + 2, maxX: h.maxX, style: r.st(.muted))
        let deltaW = t.width >= 120 ? 32 : 11
        let side = max(16, (t.width - 5 - deltaW - 3) / 2)
        let cols = [
            Column("#", width: 4, right: true, frozen: true), Column("\(la) \(names[v.left])", width: side),
            Column("\(rb) \(names[v.right])", width: side),
            Column(deltaW >= 30 ? "Δcost      Δtok     Δtime" : "Δcost", width: deltaW, right: true),
        ]
        var rows: [TableRow] = []
        let visible = TableView.visibleRows(height: t.height)
        for k in v.list.offset..<min(al.rows.count, v.list.offset + visible) {
            let row = al.rows[k]
            let ls = row.left.map { al.left[$0] }, rs = row.right.map { al.right[$0] }
            let mark = row.same ? " " : "≠"
            var delta = ""
            if let ls, let rs {
                let dc = (rs.cost.value ?? 0) - (ls.cost.value ?? 0)
                let dtok = rs.tokens.total - ls.tokens.total
                let dt = rs.durationMs - ls.durationMs
                delta = deltaW >= 30
                    ? TextWidth.pad(Format.signed(dc) { Format.usd($0) }, 11, right: true) + TextWidth.pad(Format.signed(Double(dtok)) { Format.compact($0) }, 9, right: true) + TextWidth.pad(Format.signed(dt) { Format.duration($0) }, 9, right: true)
                    : Format.signed(dc) { Format.usd($0) }
            }
            let first = k == al.firstDivergence
            rows.append(TableRow(
                ["\(k + 1)\(mark)", stepText(ls), stepText(rs), delta],
                styles: [r.st(row.same ? .muted : .warn), ls.map { r.st($0.isError ? .error : ($0.kind == .tool ? .kindTool : .kindLLM)) } ?? r.st(.muted),
                         rs.map { r.st($0.isError ? .error : ($0.kind == .tool ? .kindTool : .kindLLM)) } ?? r.st(.muted), r.st(.muted)],
                rowStyle: first ? r.st(.warn).patched(Style(attrs: [.underline])) : nil))
        }
        TableView(columns: cols, rows: rows, selected: al.rows.isEmpty ? nil : v.list.selected - v.list.offset, offset: 0, headerStyle: r.st(.header), selectedStyle: r.st(.selected), symbols: r.symbols).render(into: &b, area: t)
        if al.rows.isEmpty { r.note(&b, t.takeTop(1).1, "Neither trace has LLM or tool calls.") }
    }
}

extension TrajectoryScreen {
    /// `y`: the id of the test whose trajectories are shown.
    static func copyTarget(_ s: AppState) -> (what: String, id: String)? {
        view(s.route).map { ("test", $0.testKey) }
    }
}

extension TrajectoryScreen {
    /// The trajectories have no report of their own: `w` is not bound here (the comparison it came from has one).
    static func exportText(_ s: AppState, _ format: OutputFormat) -> Result<String, Export.Refusal> {
        .failure(Export.Refusal(reason: "trajectories have no report: write the comparison instead (Esc, then w)"))
    }
}
