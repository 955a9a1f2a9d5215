import FoundationEssentials
import TerminalUI
import TraceMindFormats
import TraceMindModel
import TraceMindReport

/// The trace waterfall: a collapsible span tree with bars on a shared axis (wall time or cumulative cost), per-span
/// tokens and cost counted once, critical paths, search, and a detail pane.
enum TraceScreen {
    // MARK: opening

    static func open(_ s: inout AppState, runKey: String, test: TestRow) -> [Effect] {
        guard let tr = test.trace else {
            s.message = "this test has no trace (OTel was off, or it failed before tracing began)"
            return []
        }
        return open(&s, ref: TraceRef(runKey: runKey, traceID: tr.traceID), label: test.taskID)
    }

    static func open(_ s: inout AppState, ref: TraceRef, label: String, spanID: String? = nil) -> [Effect] {
        var view = TraceView(ref: ref, label: label)
        view.pendingSpanID = spanID
        s.stack.append(.trace(view))
        if s.traces[ref]?.value == nil, s.traces[ref]?.isLoading != true {
            s.traces[ref] = .loading(phase: "spans", fraction: 0)
            return [.load(.trace(ref))]
        }
        loaded(&s, ref)
        return []
    }

    /// A run came back (after a reload, say): the trace on screen loads again.
    static func runLoaded(_ s: inout AppState, _ key: String) -> [Effect] {
        guard case .trace(let v) = s.route, v.ref.runKey == key, s.traces[v.ref] == nil else { return [] }
        s.traces[v.ref] = .loading(phase: "spans", fraction: 0)
        return [.load(.trace(v.ref))]
    }

    /// The trace arrived: select the first span (the root) and, for very large traces, start folded below the roots.
    static func loaded(_ s: inout AppState, _ ref: TraceRef) {
        guard var v = view(s.route), v.ref == ref, let wf = s.traces[ref]?.value else { return }
        if let pid = v.pendingSpanID {
            v.pendingSpanID = nil
            if let i = spanIndex(wf.analysis, id: pid) {
                reveal(&v, i, wf.analysis)
            } else {
                s.message = "span \(pid) is not in this trace"
            }
        }
        if v.selectedSpan == nil {
            v.selectedSpan = wf.analysis.order.first
            if wf.analysis.figures.count > 5000 {
                let a = wf.analysis
                v.folded = SpanSet(a.roots.flatMap { a.figures[$0].children }.filter { !a.figures[$0].children.isEmpty })
                s.message = "\(Format.grouped(wf.analysis.figures.count)) spans: folded below the first level (Z unfolds all, → unfolds one)"
            }
        }
        if !v.search.isEmpty { refreshMatches(&v, wf) }
        store(&s, v)
        clamp(&s)
    }

    /// Selects a span and makes it show: its ancestors unfolded, a kind filter that would hide it lifted.
    static func reveal(_ v: inout TraceView, _ i: Int, _ an: TraceAnalysis) {
        v.selectedSpan = i
        var c = an.figures[i].parent
        while let x = c {
            v.folded.remove(x)
            c = an.figures[x].parent
        }
        if let k = v.kindFilter, an.trace.spans[i].category != k { v.kindFilter = nil }
    }

    /// The span with this id (any spelling: `0x`, leading zeros, case).
    static func spanIndex(_ a: TraceAnalysis, id: String) -> Int? {
        let c = TraceIDs.canonical(id)
        return a.trace.spans.firstIndex { $0.spanID == id || TraceIDs.canonical($0.spanID) == c }
    }

    /// `f`: the selected span's next link, to a span of this trace or of another trace of a loaded run.
    static func followLink(_ s: inout AppState, _ v: inout TraceView, _ an: TraceAnalysis, _ sel: Int?) -> [Effect] {
        guard let i = sel else { return [] }
        let links = an.trace.spans[i].links
        guard !links.isEmpty else {
            s.message = "this span has no links"
            return []
        }
        let k = v.linkCursor % links.count
        v.linkCursor = k + 1
        let link = links[k]
        let which = links.count > 1 ? "link \(k + 1) of \(links.count)" : "link"
        if TraceIDs.canonical(link.traceID) == TraceIDs.canonical(an.trace.traceID) {
            guard let j = spanIndex(an, id: link.spanID) else {
                s.message = "\(which): span \(link.spanID) is not in this trace"
                return []
            }
            reveal(&v, j, an)
            s.message = "\(which): span \(an.trace.spans[j].name)"
            return []
        }
        // Another trace: the open run first, then every loaded run.
        let keys = [v.ref.runKey] + s.runs.keys.sorted().filter { $0 != v.ref.runKey }
        for key in keys {
            guard let a = s.analysis(key) else { continue }
            let all = a.tests.compactMap(\.trace) + a.extraTraces
            if let t = all.first(where: { TraceIDs.canonical($0.traceID) == TraceIDs.canonical(link.traceID) }) {
                let label = a.tests.first { $0.trace?.traceID == t.traceID }?.taskID ?? t.traceID
                store(&s, v)
                s.message = "\(which): trace \(TraceIDs.display(t.traceID)) (Esc comes back)"
                return open(&s, ref: TraceRef(runKey: key, traceID: t.traceID), label: label, spanID: link.spanID)
            }
        }
        s.message = "\(which): trace \(TraceIDs.display(link.traceID)) is not loaded (open the source that holds it)"
        return []
    }

    // MARK: rows

    /// The rows shown: tree order, folded subtrees skipped; with a kind filter, spans of that kind and their ancestors.
    static func visibleRows(_ v: TraceView, _ wf: Waterfall) -> [Int] {
        let a = wf.analysis
        var keep: [Bool]? = nil
        if let k = v.kindFilter {
            var m = [Bool](repeating: false, count: a.figures.count)
            for i in 0..<a.figures.count where a.trace.spans[i].category == k {
                var c: Int? = i
                while let x = c, !m[x] {
                    m[x] = true
                    c = a.figures[x].parent
                }
            }
            keep = m
        }
        // Tree order is depth-first: a folded span's subtree is the `subtreeSize` entries from it on, stepped over at
        // once. Nothing folded and no filter: the order itself; only a span with children is looked up.
        let order = a.order
        if keep == nil && v.folded.isEmpty { return order }
        let sizes = wf.subtreeSize, folded = v.folded
        var out: [Int] = []
        var k = 0
        while k < order.count {
            let i = order[k]
            if let keep, !keep[i] { k += 1; continue }
            out.append(i)
            k += sizes[i] > 1 && folded.contains(i) ? sizes[i] : 1
        }
        return out
    }

    // MARK: updates

    static func clamp(_ s: inout AppState) {
        guard var v = view(s.route), let wf = s.traces[v.ref]?.value else { return }
        if !v.rowsValid || v.rowsOf != wf.id {
            v.rows = visibleRows(v, wf)
            v.rowsValid = true
            v.rowsOf = wf.id
        }
        let rows = v.rows
        store(&s, v)
        let l = layout(s)
        if let sel = v.selectedSpan, v.list.selected < rows.count, rows[v.list.selected] == sel {
            // The cursor is on the selected span already (moving keys keep both): no search of the rows.
        } else if let sel = v.selectedSpan, let i = rows.firstIndex(of: sel) {
            v.list.selected = i
        } else if !rows.isEmpty {
            // The selected span was folded away or filtered out: select its nearest visible ancestor.
            var c = v.selectedSpan
            while let x = c, !rows.contains(x) { c = wf.analysis.figures[x].parent }
            v.list.selected = c.flatMap { rows.firstIndex(of: $0) } ?? min(v.list.selected, rows.count - 1)
            v.selectedSpan = rows[v.list.selected]
        }
        v.list.clamp(count: rows.count, visible: l.rows.height)
        v.zoom = max(1, min(v.zoom, 1_048_576))
        v.pan = max(0, min(v.pan, 1 - 1 / v.zoom))
        v.detailScroll = max(0, v.detailScroll)
        store(&s, v)
    }

    static func perform(_ s: inout AppState, _ a: Action) -> [Effect] {
        guard var v = view(s.route), let wf = s.traces[v.ref]?.value else { return [] }
        let an = wf.analysis
        let l = layout(s)
        let rows = v.rows
        // The detail pane has the keys that move; everything else still acts on the selected span.
        if v.focus == .detail, scrollDetail(&v, a, page: max(1, l.detail.height - 3)) {
            store(&s, v)
            clamp(&s)
            return []
        }
        var pos = v.list
        if pos.navigate(a, count: rows.count, visible: l.rows.height) {
            v.list = pos
            if pos.selected < rows.count { v.selectedSpan = rows[pos.selected] }
            v.detailScroll = 0
            store(&s, v)
            clamp(&s)
            return []
        }
        let sel = v.selectedSpan ?? rows.first
        switch a {
        case .open, .fold, .unfold, .parent, .foldAll, .unfoldAll:
            fold(&s, &v, a, an, wf.subtreeSize, sel)
        case .toggleAxis, .zoomIn, .zoomOut, .panLeft, .panRight, .resetZoom, .toggleGaps:
            moveAxis(&s, &v, a, wf, sel, barWidth: geometry(l.rows, nameDelta: v.nameDelta).barW)
        case .nextError:
            nextError(&s, &v, wf, sel)
        case .kindFilter:
            let cycle = SpanKinds.filterCycle
            let i = cycle.firstIndex { $0 == v.kindFilter } ?? cycle.count - 1
            v.kindFilter = cycle[(i + 1) % cycle.count]
            s.message = v.kindFilter.map { "only \($0.rawValue) spans (and their ancestors) · K again for the next kind, Esc for all" } ?? "all spans"
        case .switchFocus:
            v.focus = .detail
        case .widenNames, .narrowNames:
            let now = treeWidth(l.rows.width, nameDelta: v.nameDelta)
            let next = treeWidth(l.rows.width, nameDelta: v.nameDelta + (a == .widenNames ? 4 : -4))
            v.nameDelta += next - now
            s.message = "span names \(next) columns wide (< narrower, > wider)"
        case .maximizeDetail:
            v.detailMaximized.toggle()
            v.focus = v.detailMaximized ? .detail : .tree
        case .nextMatch, .prevMatch:
            store(&s, v)
            jumpToMatch(&s, forward: a == .nextMatch, includeCurrent: false)
            return []
        case .followLink:
            let effects = followLink(&s, &v, an, sel)
            if case .trace(let top) = s.route, top.ref != v.ref { return effects }
        case .pager:
            guard let i = sel else { return [] }
            let lines = SpanDetail.lines(wf, i, width: 100, search: "", Renderer(theme: Theme(name: "plain", styles: [:]), symbols: .unicode), full: true)
            return [.page(title: "\(an.trace.spans[i].name) · trace \(an.trace.traceID)", text: lines.map { $0.map(\.text).joined() }.joined(separator: "\n"))]
        default: break
        }
        store(&s, v)
        clamp(&s)
        return []
    }

    /// The detail pane's scrolling keys; false for a key it leaves to the tree.
    static func scrollDetail(_ v: inout TraceView, _ a: Action, page: Int) -> Bool {
        switch a {
        case .up: v.detailScroll -= 1
        case .down: v.detailScroll += 1
        case .pageUp: v.detailScroll -= page
        case .pageDown: v.detailScroll += page
        case .halfUp: v.detailScroll -= page / 2
        case .halfDown: v.detailScroll += page / 2
        case .top: v.detailScroll = 0
        case .bottom: v.detailScroll = Int.max / 4
        case .switchFocus, .fold:
            v.focus = .tree
            v.detailMaximized = false
        default: return false
        }
        return true
    }

    /// Folding and moving along the tree: Enter toggles, ← folds (or goes to the parent), → unfolds (or goes to
    /// the first child), p the parent, z/Z everything.
    static func fold(_ s: inout AppState, _ v: inout TraceView, _ a: Action, _ an: TraceAnalysis, _ sizes: [Int], _ sel: Int?) {
        switch a {
        case .open:
            if let i = sel, !an.figures[i].children.isEmpty {
                if v.folded.contains(i) { v.folded.remove(i) } else { v.folded.insert(i) }
            }
        case .fold:
            if let i = sel {
                if !an.figures[i].children.isEmpty && !v.folded.contains(i) {
                    v.folded.insert(i)
                } else if let p = an.figures[i].parent {
                    v.selectedSpan = p
                }
            }
        case .unfold:
            if let i = sel {
                if v.folded.contains(i) { v.folded.remove(i) } else if let c = an.figures[i].children.first, v.rows.contains(c) { v.selectedSpan = c }
            }
        case .parent:
            if let i = sel, let p = an.figures[i].parent { v.selectedSpan = p }
        case .foldAll:
            let figures = an.figures  // every span with children (a subtree of more than itself) and a parent
            v.folded = SpanSet(count: sizes.count) { sizes[$0] > 1 && figures[$0].parent != nil }
            s.message = "folded below the roots (Z unfolds everything)"
        case .unfoldAll:
            v.folded = []
        default: break
        }
    }

    /// The x axis: wall time or cumulative cost, zoom (around the selected span), pan, idle gaps.
    static func moveAxis(_ s: inout AppState, _ v: inout TraceView, _ a: Action, _ wf: Waterfall, _ sel: Int?, barWidth: Int) {
        switch a {
        case .toggleAxis:
            v.axis = v.axis == .time ? .cost : .time
            v.zoom = 1
            v.pan = 0
            s.message = v.axis == .cost
                ? (wf.totalKnownCost > 0 ? "x axis: cumulative cost (\(Format.usd(wf.totalKnownCost)) in all): bar width is spend" : "x axis: cumulative cost — no span in this trace has a known cost")
                : "x axis: wall time"
        case .zoomIn, .zoomOut:
            let m = AxisMap(wf, v, width: barWidth)
            var center = (m.w0 + m.w1) / 2
            if a == .zoomIn, let i = sel {
                let sp = wf.analysis.trace.spans[i]
                if v.axis == .cost {
                    center = wf.costInterval[i].map { ($0.lowerBound + $0.upperBound) / 2 } ?? wf.costAt[i]
                } else if let st = sp.startNs {
                    center = (m.u(ns: st) + m.u(ns: sp.endNs ?? st)) / 2
                }
            }
            v.zoom = a == .zoomIn ? min(v.zoom * 2, Double(1 << 20)) : max(1, v.zoom / 2)
            v.pan = center / m.total - 0.5 / v.zoom
            s.message = v.zoom == 1 ? "whole trace" : "zoom ×\(Format.number(v.zoom, digits: 0)) (0 resets, H/L pan)"
        case .panLeft: v.pan -= 0.25 / v.zoom
        case .panRight: v.pan += 0.25 / v.zoom
        case .resetZoom:
            v.zoom = 1
            v.pan = 0
        case .toggleGaps:
            v.collapseGaps.toggle()
            s.message = wf.gaps.isEmpty ? "this trace has no long idle gaps" : (v.collapseGaps ? "idle gaps collapsed (⋯)" : "idle gaps shown at full length")
        default: break
        }
    }

    /// Selects the next span in error (wrapping), revealing it, and says which of how many it is.
    static func nextError(_ s: inout AppState, _ v: inout TraceView, _ wf: Waterfall, _ sel: Int?) {
        let an = wf.analysis
        let errs = wf.errorSpans
        guard !errs.isEmpty else {
            s.message = "no errors in this trace"
            return
        }
        let cur = sel.flatMap { an.order.firstIndex(of: $0) } ?? -1
        let next = errs.first { an.order.firstIndex(of: $0)! > cur } ?? errs[0]
        reveal(&v, next, an)
        let k = errs.firstIndex(of: next)! + 1
        s.message = "error \(k) of \(errs.count): \(an.trace.spans[next].errorMessage.map { Format.oneLine($0, max: 120) } ?? an.trace.spans[next].name)"
    }

    static func status(_ s: AppState, _ v: TraceView) -> String {
        guard let wf = s.traces[v.ref]?.value else { return "" }
        let rows = v.rows
        var t = "span \(rows.isEmpty ? 0 : v.list.selected + 1) of \(rows.count)"
        if rows.count != wf.analysis.figures.count { t += " shown (\(Format.grouped(wf.analysis.figures.count)) in all)" }
        if v.searching != nil {
            t += " · searching…"
        } else if !v.matches.isEmpty {
            t += " · \(v.matches.count) matches"
        }
        return t
    }

    static func click(_ s: inout AppState, _ x: Int, _ y: Int) -> [Effect] {
        guard var v = view(s.route), let wf = s.traces[v.ref]?.value else { return [] }
        let l = layout(s)
        if l.detail.contains(x: x, y: y) {
            v.focus = .detail
            store(&s, v)
            return []
        }
        guard l.rows.contains(x: x, y: y), wf.analysis.figures.count > 0 else { return [] }
        let rows = v.rows
        let i = v.list.offset + (y - l.rows.y)
        guard i < rows.count else { return [] }
        v.focus = .tree
        if rows[i] == v.selectedSpan {
            store(&s, v)
            return perform(&s, .open)
        }
        v.selectedSpan = rows[i]
        v.detailScroll = 0
        store(&s, v)
        return []
    }

    // MARK: render

    static func glyph(_ c: SpanCategory) -> String { SpanKinds.of(c).glyph }

    static func render(_ b: inout Buffer, _ body: Rect, _ s: AppState, _ v: TraceView, _ r: Renderer) {
        switch s.traces[v.ref] {
        case .loading(let phase, let f)?:
            r.loading(&b, body, s, what: "trace \(v.ref.traceID)", phase: phase, fraction: f)
            return
        case .failed(let msg)?:
            r.note(&b, body, "Could not load this trace: \(msg). Esc goes back.", .error)
            return
        case nil:
            r.note(&b, body, "Not loaded (cancelled). Esc goes back.")
            return
        case .ready(let wf)?:
            let l = layout(s)
            header(&b, l.header, s.analysis(v.ref.runKey)?.tests.first { $0.trace?.traceID == v.ref.traceID }, wf, r)
            if !l.rows.isEmpty { waterfall(&b, l, v, wf, r) }
            detail(&b, l.detail, v, wf, r)
        }
    }

    static func header(_ b: inout Buffer, _ h: Rect, _ test: TestRow?, _ wf: Waterfall, _ r: Renderer) {
        let a = wf.analysis
        let t = a.trace
        var x = b.put(" " + (test?.taskID ?? a.testRoot?.facts["test.id"]?.text ?? a.roots.first.map { t.spans[$0].name } ?? "trace"), x: h.x, y: h.y, maxX: h.maxX, style: r.st(.title))
        if let test {
            x = b.put(" · ", x: x, y: h.y, style: r.st(.muted))
            x = b.put(Format.outcomeGlyph(test.outcome) + " " + test.outcome.rawValue, x: x, y: h.y, style: r.st(r.outcomeRole(test.outcome)))
            x = b.put(" · \(test.agentType)", x: x, y: h.y, style: r.st(.muted))
        }
        let prompt = test?.result?.prompt ?? a.testRoot?.facts["prompt"]?.text
        if let prompt { b.put("  \u{201C}" + Format.oneLine(prompt, max: 300) + "\u{201D}", x: x, y: h.y, maxX: h.maxX, style: .plain) }
        // Figures: corrected beside recorded; the recorded parts go first when the line is too narrow.
        let tools = wf.toolNames
        let base: Line = [
            Segment(" wall ", r.st(.muted)), Segment(Format.duration(a.wallMs)),
            Segment(" · \(Format.grouped(t.spans.count)) spans · \(a.llmCalls) LLM call\(a.llmCalls == 1 ? "" : "s") · ", r.st(.muted)),
            Segment("\(a.errorCount) error\(a.errorCount == 1 ? "" : "s")", r.st(a.errorCount > 0 ? .error : .muted)),
        ]
        let tok: Line = [Segment(" · tokens ", r.st(.muted)), Segment(Format.grouped(a.tokens.total), r.st(.tokens))]
        let cost: Line = [Segment(" · cost ", r.st(.muted)), Segment(Format.cost(a.cost), r.st(a.cost.isUnknown ? .warn : .cost))]
        b.put(base + tok + cost, x: h.x, y: h.y + 1, maxX: h.maxX)
        if h.height >= 3 {
            // SMOLTRACE's own figures are labelled as its; another producer's trace says what it recorded itself.
            let bySmoltrace = a.isSmoltraceTrace
            var rec = " recorded \(bySmoltrace ? "by SMOLTRACE" : "in the trace"): \(Format.tokens(t.recordedTotalTokens)) tok, \(Format.usd(t.recordedTotalCostUSD, unknown: t.recordedTotalTokens == nil ? "—" : "unknown"))"
            if let d = t.recordedTotalDurationMs { rec += ", \(Format.duration(d)) (nested spans summed)" }
            var l3: Line = [Segment(rec, r.st(.recorded)), Segment(" · tools ", r.st(.muted)), Segment(tools.isEmpty ? "none" : tools.joined(separator: ", "), r.st(.kindTool))]
            let byModel = a.costByModel.sorted { $0.value.knownUSD > $1.value.knownUSD }
            if !byModel.isEmpty {
                l3.append(Segment(" · by model", r.st(.muted)))
                for (i, (m, c)) in byModel.prefix(3).enumerated() { l3.append(Segment((i == 0 ? " " : "  ") + "\(m) \(Format.cost(c))", r.st(.cost))) }
            }
            // Traces from instrumented services: where the cost went, service by service.
            let byService = wf.byService
            if byService.count > 1 {
                l3.append(Segment(" · by service", r.st(.muted)))
                for (i, row) in byService.prefix(4).enumerated() { l3.append(Segment((i == 0 ? " " : "  ") + "\(row.key) \(Format.cost(row.cost))", r.st(.cost))) }
            }
            let byKind = a.costByCategory.sorted { $0.value.knownUSD > $1.value.knownUSD }
            if !byKind.isEmpty {
                l3.append(Segment(" · by kind", r.st(.muted)))
                for (i, (k, c)) in byKind.enumerated() { l3.append(Segment((i == 0 ? " " : "  ") + "\(k.rawValue) \(Format.cost(c))", r.st(r.kindRole(k)))) }
            }
            b.put(l3, x: h.x, y: h.y + 2, maxX: h.maxX)
        }
    }

    static func waterfall(_ b: inout Buffer, _ l: Layout, _ v: TraceView, _ wf: Waterfall, _ r: Renderer) {
        let a = wf.analysis
        let spans = a.trace.spans
        let g = geometry(l.rows, nameDelta: v.nameDelta)
        let map = AxisMap(wf, v, width: g.barW)
        // Column header and the axis.
        let head = l.axis
        b.fill(head, r.st(.header))
        var title = "span"
        if let k = v.kindFilter { title += " (\(k.rawValue) only)" }
        b.put(title, x: g.treeX, y: head.y, maxX: g.treeX + g.treeW, style: r.st(.header))
        for (c, x) in g.cols { b.put(TextWidth.pad(c.title, c.width, right: true), x: x, y: head.y, style: r.st(.header)) }
        axisTicks(&b, y: head.y, x: g.barX, map: map, wf: wf, v: v, r: r)

        let rows = v.rows
        func isMatch(_ i: Int) -> Bool {
            var lo = 0, hi = v.matchesSorted.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if v.matchesSorted[mid] < i { lo = mid + 1 } else { hi = mid }
            }
            return lo < v.matchesSorted.count && v.matchesSorted[lo] == i
        }
        for k in 0..<l.rows.height {
            let ri = v.list.offset + k
            guard ri < rows.count else { break }
            let i = rows[ri]
            let f = a.figures[i]
            let sp = spans[i]
            let y = l.rows.y + k
            let selected = ri == v.list.selected
            let rowStyle: Style? = selected ? r.st(.selected).patched(v.focus == .detail ? Style(attrs: [.dim]) : Style()) : nil
            if let rowStyle { b.fill(Rect(x: l.rows.x, y: y, width: l.rows.width, height: 1), rowStyle) }
            func st(_ role: Role?) -> Style {
                let base = role.map(r.st) ?? .plain
                return rowStyle.map { base.onSelection($0) } ?? base
            }
            func mark(_ role: Role) -> Style { rowStyle.map { r.st(role).markOnSelection($0) } ?? r.st(role) }
            if f.onLatencyPath { b.put("●", x: l.rows.x, y: y, style: st(.critical)) }
            if f.onCostPath { b.put("$", x: l.rows.x + 1, y: y, style: st(.costPath)) }
            // Tree text.
            var line: Line = []
            let maxIndent = max(0, (g.treeW - 14) / 2)
            let ancestors = Array(a.ancestry(i).dropFirst())
            let depth = ancestors.count
            if depth > maxIndent {
                line.append(Segment(r.symbols.ellipsis + String(depth) + " ", st(.muted)))
            }
            let shown = min(depth, maxIndent)
            // Levels from the shallowest shown ancestor down.
            if shown > 0 {
                for level in stride(from: shown - 1, through: 1, by: -1) {
                    let anc = ancestors[level - 1]
                    line.append(Segment(hasNextSibling(anc, a) ? r.symbols.tree[2] : r.symbols.tree[3], st(.muted)))
                }
                line.append(Segment(hasNextSibling(i, a) ? r.symbols.tree[0] : r.symbols.tree[1], st(.muted)))
            }
            let fold = f.children.isEmpty ? " " : (v.folded.contains(i) ? (r.symbols.braille ? "▸" : "+") : (r.symbols.braille ? "▾" : "-"))
            line.append(Segment(fold, st(.muted)))
            line.append(Segment(glyph(sp.category) + " ", st(r.kindRole(sp.category))))
            var nameStyle = st(sp.isError ? .error : nil)
            if isMatch(i) { nameStyle = nameStyle.patched(r.st(.match)) }
            line.append(Segment(sp.name, nameStyle))
            if sp.isError { line.append(Segment(" ✗", st(.error))) }
            if f.isOrphan { line.append(Segment(" (orphan)", st(.warn))) }
            if v.folded.contains(i) { line.append(Segment(" +\(wf.subtreeSize[i] - 1)", st(.muted))) }
            let used = width(of: line)
            if used > g.treeW { line = truncateLine(line, g.treeW, r.symbols.ellipsis) }
            b.put(line, x: g.treeX, y: y, maxX: g.treeX + g.treeW)
            for (c, x) in g.cols {
                let (text, role) = c.cell(f, sp)
                b.put(TextWidth.pad(text, c.width, right: true), x: x, y: y, style: st(role))
            }
            // The bar.
            var barStyle = mark(sp.isError ? .error : r.kindRole(sp.category))
            if rowStyle == nil, f.onLatencyPath && v.axis == .time { barStyle = barStyle.patched(Style(attrs: [.bold])) }
            if map.costMode {
                if let iv = wf.costInterval[i] {
                    SpanBar(start: max(0, map.x(cost: iv.lowerBound)), end: min(Double(g.barW), map.x(cost: iv.upperBound)), style: barStyle, symbols: r.symbols)
                        .render(into: &b, area: Rect(x: g.barX, y: y, width: g.barW, height: 1))
                } else {
                    let cx = Int(map.x(cost: wf.costAt[i]))
                    if cx >= 0 && cx < g.barW { b.put(r.symbols.dot, x: g.barX + cx, y: y, style: mark(.muted)) }
                }
            } else if let st0 = sp.startNs {
                let x0 = map.x(ns: st0), x1 = map.x(ns: sp.endNs ?? st0)
                if x1 >= 0 && x0 <= Double(g.barW) {
                    SpanBar(start: max(0, x0), end: min(Double(g.barW), max(x0, x1)), style: barStyle, symbols: r.symbols)
                        .render(into: &b, area: Rect(x: g.barX, y: y, width: g.barW, height: 1))
                }
            }
        }
        if rows.isEmpty { r.note(&b, l.rows, "No span to show (K cycles the kind filter, Esc clears it).") }
    }

    static func hasNextSibling(_ i: Int, _ a: TraceAnalysis) -> Bool {
        let sibs = a.figures[i].parent.map { a.figures[$0].children } ?? a.roots
        return sibs.last != i
    }

    static func truncateLine(_ line: Line, _ w: Int, _ ellipsis: String) -> Line {
        var out: Line = []
        var used = 0
        for sgm in line {
            let sw = TextWidth.width(sgm.text)
            if used + sw <= w - 1 {
                out.append(sgm)
                used += sw
            } else {
                out.append(Segment(TextWidth.truncate(sgm.text + "  ", w - used, ellipsis: ellipsis), sgm.style))
                break
            }
        }
        return out
    }

    static func detail(_ b: inout Buffer, _ area: Rect, _ v: TraceView, _ wf: Waterfall, _ r: Renderer) {
        guard area.height >= 3, let i = v.selectedSpan else { return }
        let sp = wf.analysis.trace.spans[i]
        let focused = v.focus == .detail
        Box(title: "\(glyph(sp.category)) \(sp.name)" + (focused ? " — j/k scroll · Tab back · o $PAGER" : " — Tab to scroll · o $PAGER"),
            style: r.st(focused ? .accent : .border), titleStyle: r.st(.title), symbols: r.symbols).render(into: &b, area: area)
        let inner = area.inset(1, 1)
        let lines = SpanDetail.lines(wf, i, width: inner.width - 2, search: v.search, r)
        TextView(lines: lines, offset: min(v.detailScroll, TextView.maxOffset(lines: lines.count, height: inner.height)), indicatorStyle: r.st(.muted), symbols: r.symbols)
            .render(into: &b, area: Rect(x: inner.x + 1, y: inner.y, width: inner.width - 1, height: inner.height))
    }
}

extension TraceScreen {
    /// `y`: the selected span's id.
    static func copyTarget(_ s: AppState) -> (what: String, id: String)? {
        guard let v = view(s.route), let wf = s.traces[v.ref]?.value, let i = v.selectedSpan, i < wf.analysis.trace.spans.count else { return nil }
        return ("span id", wf.analysis.trace.spans[i].spanID)
    }
}

extension TraceScreen {
    /// `w`: the trace as `tracemind trace` writes it — JSON, or the span table as text; it has no CSV or Markdown.
    static func exportText(_ s: AppState, _ format: OutputFormat) -> Result<String, Export.Refusal> {
        guard let v = view(s.route), let wf = s.traces[v.ref]?.value else { return .failure(Export.Refusal(reason: "the trace is still loading: nothing written")) }
        let test = s.analysis(v.ref.runKey)?.tests.first { $0.trace?.traceID == v.ref.traceID }
        switch format {
        case .json:
            return .success(JSONWriter.string(Reports.traceJSON(wf.analysis, runID: s.entry(v.ref.runKey)?.row.runID, test: test), pretty: true) + "\n")
        case .table, .text:
            return .success(TraceText.render(wf.analysis, test: test, width: 160))
        case .csv, .markdown, .svg:
            return .failure(Export.Refusal(reason: "a trace is written as .json or .txt"))
        }
    }
}
