import FoundationEssentials
import TerminalUI
import TraceMindModel

/// Side effects the runner carries out; `update` itself is pure.
public enum Effect: Equatable, Sendable {
    case quit
    case reload
    case load(LoadRequest)
    case cancel(LoadRequest)
    /// Show a text in `$PAGER` (the terminal is suspended meanwhile).
    case page(title: String, text: String)
    /// Put a text on the clipboard (OSC 52, where the terminal allows it).
    case copy(String)
    /// Write a view's report to a new file (checked: outside the data folders, not an existing file).
    case export(path: String, text: String)
    /// Start (true) or stop the live watch of the sources.
    case watch(Bool)
}

extension ListPosition {
    /// Moves by `delta` within `count` rows, keeping the selection visible in `visible` rows.
    mutating func move(_ delta: Int, count: Int, visible: Int) {
        guard count > 0 else {
            self = ListPosition()
            return
        }
        let d = delta == Int.min ? -count : (delta == Int.max ? count : delta)
        selected = max(0, min(count - 1, selected + d))
        clamp(count: count, visible: visible)
    }

    /// A click in a table drawn at `table` (a header line, then rows from `offset`): nil outside its rows; true on the
    /// selected row (a second click opens it); false when the click selected another row.
    mutating func click(in table: Rect, x: Int, y: Int, count: Int) -> Bool? {
        guard table.contains(x: x, y: y), y > table.y else { return nil }
        let i = offset + (y - table.y - 1)
        guard i < count else { return nil }
        if i == selected { return true }
        selected = i
        return false
    }

    mutating func clamp(count: Int, visible: Int) {
        selected = max(0, min(selected, count - 1))
        offset = TableView.offset(selected: selected, current: offset, visible: visible, count: count)
    }

    /// Moves for a navigation action; false when the action is not a move.
    mutating func navigate(_ a: Action, count: Int, visible: Int) -> Bool {
        switch a {
        case .up: move(-1, count: count, visible: visible)
        case .down: move(1, count: count, visible: visible)
        case .pageUp: move(-max(1, visible - 1), count: count, visible: visible)
        case .pageDown: move(max(1, visible - 1), count: count, visible: visible)
        case .halfUp: move(-max(1, visible / 2), count: count, visible: visible)
        case .halfDown: move(max(1, visible / 2), count: count, visible: visible)
        case .top: move(Int.min, count: count, visible: visible)
        case .bottom: move(Int.max, count: count, visible: visible)
        default: return false
        }
        return true
    }
}

public enum App {
    /// The body of every screen: below the breadcrumb, above the footer.
    public static func body(_ s: AppState) -> Rect { Rect(x: 0, y: 1, width: s.width, height: max(0, s.height - 2)) }

    public static func update(_ s: inout AppState, _ event: Event) -> [Effect] {
        switch event {
        case .resize(let w, let h):
            s.width = w
            s.height = h
            clampAll(&s)
            return []
        case .mouse(let m):
            return mouse(&s, m)
        case .key(let k):
            return key(&s, k)
        }
    }

    static func key(_ s: inout AppState, _ k: Key) -> [Effect] {
        s.message = nil
        if let o = s.overlay { return overlayKey(&s, o, k) }
        guard let action = KeyMap.action(for: k, screen: s.route.screen) else { return [] }
        return perform(&s, action)
    }

    /// `--trace ID`: the waterfall opens once the trace is found (in the background).
    public static func openTrace(_ s: inout AppState, query: String) -> [Effect] {
        s.pendingTrace = query
        s.message = "looking for trace \(query)…"
        return [.load(.findTrace(query))]
    }

    /// `--compare A,B`: the comparison of runs by key (the first is the baseline).
    public static func openComparison(_ s: inout AppState, _ keys: [String]) -> [Effect] { CompareScreen.open(&s, keys) }

    // MARK: overlays

    static func overlayKey(_ s: inout AppState, _ o: Overlay, _ k: Key) -> [Effect] {
        guard let action = KeyMap.overlayAction(for: k, overlay: o.id) else {
            if case .prompt(let text) = o, case .char(let c) = k {
                s.overlay = .prompt(text + String(c))
                return setPrompt(&s, text + String(c))
            } else if case .export(let name) = o, case .char(let c) = k {
                s.overlay = .export(name + String(c))
            } else if o.id.closesOnOtherKeys {
                s.overlay = nil
            }
            return []
        }
        if action == .quit { return [.quit] }
        if action == .close {
            s.overlay = nil
            return []
        }
        switch o {
        case .prompt(let text): return promptAction(&s, text, action)
        case .help(let scroll):
            guard case .move(let m) = action else { return [] }
            let step = m == .pageUp || m == .pageDown ? 10 : 1
            s.overlay = .help(scroll: max(0, m == .down || m == .pageDown ? scroll + step : scroll - step))
        case .text(let title, let lines, let scroll):
            if action == .pager { return [.page(title: title, text: lines.joined(separator: "\n"))] }
            guard case .move(let m) = action else { return [] }
            let page = max(1, s.height - 6), last = max(0, lines.count - page)
            let to: Int
            switch m {
            case .down: to = min(scroll + 1, last)
            case .up: to = max(0, scroll - 1)
            case .pageDown: to = min(scroll + page, last)
            case .pageUp: to = max(0, scroll - page)
            case .top: to = 0
            default: to = last
            }
            s.overlay = .text(title: title, lines: lines, scroll: to)
        case .export(let name):
            switch action {
            case .cancel: s.overlay = nil
            case .deleteBack: s.overlay = .export(String(name.dropLast()))
            case .clearLine: s.overlay = .export("")
            case .accept:
                s.overlay = nil
                return Export.request(&s, name)
            default: break
            }
        case .facets(let picker): facetAction(&s, picker, action)
        case .columns(let chooser): columnAction(&s, chooser, action)
        }
        return []
    }

    static func promptAction(_ s: inout AppState, _ text: String, _ action: OverlayAction) -> [Effect] {
        switch action {
        case .cancel:
            s.overlay = nil
            return setPrompt(&s, "")
        case .accept:
            s.overlay = nil
        case .deleteBack:
            let shorter = String(text.dropLast())
            s.overlay = .prompt(shorter)
            return setPrompt(&s, shorter)
        case .clearLine:
            s.overlay = .prompt("")
            return setPrompt(&s, "")
        case .screen(let a):
            // Keep typing while moving through the matches.
            s.overlay = nil
            let effects = perform(&s, a)
            s.overlay = .prompt(text)
            return effects
        default: break
        }
        return []
    }

    static func facetAction(_ s: inout AppState, _ picker: FacetPicker, _ action: OverlayAction) {
        var picker = picker
        switch action {
        case .toggle:
            guard let item = picker.items[safe: picker.list.selected] else { return }
            var q = s.leaderboard.query
            if let v = item.value {
                q.facets[item.facet, default: []].toggle(v)
            } else {
                q.facets[item.facet] = []
            }
            s.leaderboard.query = q
            s.leaderboard.list = ListPosition()
            s.refreshRuns()
        case .clearAll:
            s.leaderboard.query.facets = [:]
            s.refreshRuns()
        case .move(let m):
            moveInPanel(&picker.list, m, count: picker.items.count, s)
            s.overlay = .facets(picker)
        default: break
        }
    }

    /// The cursor of a list in a centred panel (facets, columns) as high as the screen allows.
    static func moveInPanel(_ list: inout ListPosition, _ m: Action, count: Int, _ s: AppState) {
        _ = list.navigate(m, count: count, visible: max(1, min(count, s.height - 6)))
    }

    static func columnAction(_ s: inout AppState, _ chooser: ColumnChooser, _ action: OverlayAction) {
        var chooser = chooser
        switch action {
        case .toggle:
            guard let item = chooser.items[safe: chooser.list.selected] else { return }
            guard !item.locked else {
                s.message = "\(item.title) names the rows: it is always shown"
                return
            }
            s.hiddenColumns[chooser.screen, default: []].toggle(item.id)
        case .showAll:
            s.hiddenColumns[chooser.screen] = []
        case .move(let m):
            moveInPanel(&chooser.list, m, count: chooser.items.count, s)
            s.overlay = .columns(chooser)
        default: break
        }
        if s.route.screen == .leaderboard { s.leaderboard.hOffset = 0 }
        clampAll(&s)
    }

    /// The prompt's text goes to the current screen: a live filter, or the waterfall's search.
    static func setPrompt(_ s: inout AppState, _ text: String) -> [Effect] {
        let effects = s.route.screen.type.setPrompt(&s, text)
        clampAll(&s)
        return effects
    }

    static func promptText(_ s: AppState) -> String { s.route.screen.type.promptText(s) }

    // MARK: actions

    public static func perform(_ s: inout AppState, _ a: Action) -> [Effect] {
        switch a {
        case .quit: return [.quit]
        case .help:
            s.overlay = .help(scroll: 0)
            return []
        case .prompt:
            s.overlay = .prompt(promptText(s))
            return []
        case .reload: return [.reload]
        case .toggleWatch:
            guard !s.catalog.isDemo, !s.catalog.sources.isEmpty, !s.catalog.sources.allSatisfy(RemoteReference.isRemote) else {
                s.message = "nothing to watch: live watch follows local folders and files"
                return []
            }
            return [.watch(s.watch == nil)]
        case .back: return back(&s)
        case .export:
            s.overlay = .export("")
            return []
        case .copyID:
            guard let t = s.route.screen.type.copyTarget(s) else {
                s.message = "nothing selected to copy"
                return []
            }
            s.message = "copied the \(t.what) \(t.id.count > 60 ? String(t.id.prefix(59)) + "…" : t.id) (OSC 52, if the terminal allows)"
            return [.copy(t.id)]
        default: break
        }
        var effects: [Effect] = []
        effects = s.route.screen.type.perform(&s, a)
        clampAll(&s)
        return effects
    }

    /// Esc: clears the current filter first, then leaves the screen (cancelling what it was loading).
    static func back(_ s: inout AppState) -> [Effect] {
        if !promptText(s).isEmpty { return setPrompt(&s, "") }
        if case .run(var v) = s.route, v.only != nil {
            v.only = nil
            v.onlyLabel = nil
            v.tab = .errors
            s.setRoute(.run(v))
            return []
        }
        if case .trace(var v) = s.route, v.kindFilter != nil {
            v.kindFilter = nil
            s.setRoute(.trace(v))
            clampAll(&s)
            return []
        }
        guard s.stack.count > 1 else {
            // What the chips show (facets, grouping, recorded figures) is what Esc clears.
            let lb = s.leaderboard
            if lb.query.hasFacets || lb.groupByModel || lb.showRecorded {
                let key = LeaderboardScreen.selectedKey(s)
                s.leaderboard.query.facets = [:]
                s.leaderboard.groupByModel = false
                s.leaderboard.showRecorded = false
                s.leaderboard.query.mode = .countedOnce
                s.refreshRuns(figures: true)
                LeaderboardScreen.reselect(&s, key)
                clampAll(&s)
            }
            return []
        }
        let leaving = s.stack.removeLast()
        var effects: [Effect] = []
        switch leaving {
        case .run(let v):
            if s.runs[v.key]?.isLoading == true {
                s.runs[v.key] = nil
                effects.append(.cancel(.run(v.key)))
            }
        case .trace(let v):
            if s.traces[v.ref]?.isLoading == true {
                s.traces[v.ref] = nil
                effects.append(.cancel(.trace(v.ref)))
            }
        default: break
        }
        clampAll(&s)
        return effects
    }

    /// Keeps every selection inside its list and visible (after a resize or new data).
    static func clampAll(_ s: inout AppState) {
        // The leaderboard always (its rows change under every screen), then the screen on top.
        LeaderboardScreen.clamp(&s)
        if s.route.screen != .leaderboard { s.route.screen.type.clamp(&s) }
    }

    // MARK: mouse

    static func mouse(_ s: inout AppState, _ m: MouseEvent) -> [Effect] {
        s.message = nil
        if s.overlay != nil {
            if m.kind == .click { s.overlay = nil }
            return []
        }
        switch m.kind {
        case .wheelUp, .wheelDown:
            for _ in 0..<3 { _ = perform(&s, m.kind == .wheelUp ? .up : .down) }
            return []
        case .click:
            var effects: [Effect] = []
            effects = s.route.screen.type.click(&s, m.x, m.y)
            clampAll(&s)
            return effects
        }
    }

    // MARK: background results

    /// Applies a finished (or progressing) background load.
    public static func apply(_ s: inout AppState, _ r: LoadResult) -> [Effect] {
        var effects: [Effect] = []
        switch r {
        case .runProgress(let key, let phase, let f):
            if s.runs[key]?.isLoading == true { s.runs[key] = .loading(phase: phase, fraction: f) }
        case .breakdowns(let key, let b):
            if s.runs[key]?.value != nil { s.breakdowns[key] = b }
        case .run(let key, let a):
            s.runs[key] = .ready(a)
            s.totals[key] = RunTotals(a)
            s.refreshRuns(figures: true)
            if let d = a.diagnostics.first, isShowing(s, run: key) {
                s.message = "\(a.diagnostics.count) problem\(a.diagnostics.count == 1 ? "" : "s") reading this run: \(d.description)"
            }
            effects += CompareScreen.loadedRun(&s, key)
            effects += TraceScreen.runLoaded(&s, key)
        case .runFailed(let key, let msg):
            s.runs[key] = .failed(msg)
        case .trace(let ref, let a):
            s.traces[ref] = .ready(a)
            TraceScreen.loaded(&s, ref)
        case .traceFailed(let ref, let msg):
            s.traces[ref] = .failed(msg)
        case .searched(let ref, let query, let matches):
            TraceScreen.searched(&s, ref, query, matches)
        case .watched(let catalog, let changed, let at):
            effects += watched(&s, catalog, changed: changed, at: at)
        case .readingSources(let read, let total):
            if s.readingSources { s.readingProgress = (read, total) }
        case .readingRuns(let runs):
            // The first read's rows as they are read, sorted and filtered like the rest (the whole catalog replaces
            // them when it comes).
            if s.readingSources {
                s.catalog.runs += runs
                s.refreshRuns()
            }
        case .watching(let status):
            s.watch = status
            s.message = status.map { "watching the sources (\($0.mode), \($0.folders) folder\($0.folders == 1 ? "" : "s")): new and changed runs appear as they settle" } ?? "stopped watching"
        case .traceFound(let query, let ref, let a):
            guard s.pendingTrace == query else { break }
            s.pendingTrace = nil
            // "looking for trace …" is done with.
            if s.message?.hasPrefix("looking for trace") == true { s.message = nil }
            s.runs[ref.runKey] = .ready(a)
            s.totals[ref.runKey] = RunTotals(a)
            s.refreshRuns(figures: true)
            var rv = RunView(key: ref.runKey)
            rv.tab = .tests
            if let i = RunScreen.visibleTests(rv, a).firstIndex(where: { $0.trace?.traceID == ref.traceID }) { rv.tests.selected = i }
            let label = a.tests.first { $0.trace?.traceID == ref.traceID }.map { $0.taskID } ?? ref.traceID
            s.stack = [.leaderboard, .run(rv), .trace(TraceView(ref: ref, label: label))]
            if s.traces[ref] == nil {
                s.traces[ref] = .loading(phase: "spans", fraction: 0)
                effects.append(.load(.trace(ref)))
            }
        case .traceNotFound(let query, let msg):
            if s.pendingTrace == query {
                s.pendingTrace = nil
                s.message = msg
            }
        case .prefetchedMany(let many, _):
            let keys = Set(s.catalog.runs.map(\.key))
            for (k, t) in many where keys.contains(k) && s.totals[k] == nil { s.totals[k] = t }
            s.refreshRuns(figures: true)
        case .prefetchedBatch(let many, let skipped, _):
            let keys = Set(s.catalog.runs.map(\.key))
            for (k, t) in many where keys.contains(k) && s.totals[k] == nil { s.totals[k] = t }
            for k in skipped where keys.contains(k) { s.notPrefetched.insert(k) }
            s.refreshRuns(figures: true)
        }
        clampAll(&s)
        return effects
    }

    /// A new catalog from disk: caches are dropped (the data may have changed); marks and screens are kept where
    /// their runs still exist, and what they show loads again.
    public static func reloaded(_ s: inout AppState, _ catalog: Catalog) -> [Effect] {
        // The first read of the sources, done in the background: the screen it fills was waiting for it.
        let firstRead = s.readingSources
        s.readingSources = false
        s.readingProgress = nil
        let keys = Set(catalog.runs.map(\.key))
        s.catalog = catalog
        s.runs = [:]
        s.traces = [:]
        s.breakdowns = [:]
        s.totals = [:]
        s.notPrefetched = []
        s.leaderboard.marked = s.leaderboard.marked.filter { keys.contains($0) }
        var kept: [Route] = []
        for r in s.stack {
            let needed = r.runKeys
            guard needed.allSatisfy(keys.contains) else { break }
            kept.append(r)
        }
        s.stack = kept.isEmpty ? [.leaderboard] : kept
        s.refreshRuns(figures: true)
        let problems = catalog.diagnostics.filter { $0.severity != .note }
        s.message = firstRead
            ? AppState.loadMessage(catalog)
            : "reloaded \(catalog.runs.count) runs" + (problems.isEmpty ? "" : " · \(problems.count) problems (first: \(problems[0]))")
        var effects: [Effect] = []
        for r in s.stack {
            let needed = r.runKeys
            for k in needed where s.runs[k] == nil {
                s.runs[k] = .loading(phase: "starting", fraction: 0)
                effects.append(.load(.run(k)))
            }
        }
        clampAll(&s)
        return effects
    }

    /// Live watch: the sources changed. New runs and runs whose files changed lose their figures and loaded data
    /// (analysed again, reloaded where shown); the others keep theirs; runs gone leave the screens that showed them.
    public static func watched(_ s: inout AppState, _ catalog: Catalog, changed: Set<String>, at: String) -> [Effect] {
        let before = Set(s.catalog.runs.map(\.key))
        let keys = Set(catalog.runs.map(\.key))
        let gone = before.subtracting(keys)
        let dropped = changed.union(gone)
        s.catalog = catalog
        for k in dropped {
            s.runs[k] = nil
            s.totals[k] = nil
            s.breakdowns[k] = nil
            s.notPrefetched.remove(k)
        }
        s.traces = s.traces.filter { !dropped.contains($0.key.runKey) }
        s.leaderboard.marked = s.leaderboard.marked.filter { keys.contains($0) }
        var kept: [Route] = []
        for r in s.stack {
            guard r.runKeys.allSatisfy(keys.contains) else { break }
            kept.append(r)
        }
        s.stack = kept.isEmpty ? [.leaderboard] : kept
        s.refreshRuns(figures: true)
        let added = keys.subtracting(before).count, updated = changed.intersection(before).count
        var parts: [String] = []
        if added > 0 { parts.append("\(added) new run\(added == 1 ? "" : "s")") }
        if updated > 0 { parts.append("\(updated) changed") }
        if !gone.isEmpty { parts.append("\(gone.count) gone") }
        if !parts.isEmpty {
            s.watch?.lastChange = at
            s.message = parts.joined(separator: " · ") + " at \(at) (live watch)"
        }
        var effects: [Effect] = []
        for r in s.stack {
            for k in r.runKeys where s.runs[k] == nil {
                s.runs[k] = .loading(phase: "starting", fraction: 0)
                effects.append(.load(.run(k)))
            }
            if case .trace(let v) = r, s.traces[v.ref] == nil, s.runs[v.ref.runKey]?.value != nil {
                s.traces[v.ref] = .loading(phase: "spans", fraction: 0)
                effects.append(.load(.trace(v.ref)))
            }
        }
        clampAll(&s)
        return effects
    }

    static func isShowing(_ s: AppState, run key: String) -> Bool {
        if case .run(let v) = s.route { return v.key == key }
        return false
    }

    /// The next run whose corrected figures the leaderboard lacks, visible rows first (nil: nothing to do).
    public static func nextPrefetch(_ s: AppState, skip: Set<String>) -> String? {
        let rows = s.visibleRuns
        guard !rows.isEmpty else { return nil }
        let start = min(s.leaderboard.list.offset, rows.count - 1)
        for k in 0..<rows.count {
            let e = rows[(start + k) % rows.count]
            if s.totals[e.key] != nil || s.runs[e.key] != nil || skip.contains(e.key) { continue }
            if e.files.traces == nil && e.files.results == nil { continue }
            return e.key
        }
        return nil
    }

    /// Something is loading (the runner ticks the spinner).
    public static func isBusy(_ s: AppState) -> Bool {
        s.pendingTrace != nil || s.runs.values.contains { $0.isLoading } || s.traces.values.contains { $0.isLoading }
            || TraceScreen.view(s.route)?.searching != nil
    }
}

extension Set {
    /// Inserts the element, or removes it when present.
    mutating func toggle(_ e: Element) {
        if remove(e) == nil { insert(e) }
    }
}

extension Array {
    /// The element at `i`, or nil outside the array.
    subscript(safe i: Int) -> Element? { indices.contains(i) ? self[i] : nil }
}
