import Foundation
import TerminalUI
@testable import TraceMindApp
import TraceMindDemo
import TraceMindModel

/// Collects background results (the same `Loads` code the runner runs on threads) for inline application.
final class Collector: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [LoadResult] = []
    func post(_ r: LoadResult) { lock.withLock { items.append(r) } }
    func take() -> [LoadResult] { lock.withLock { defer { items = [] }; return items } }
}

/// Drives the app as the runner does, but synchronously: keys go through `App.update`, loads run inline, and the
/// leaderboard's background analysis can be completed on demand. No terminal, no threads.
struct Harness {
    var s: AppState
    var renderer: Renderer
    var quit = false
    var pages: [String] = []
    /// What `y` put on the clipboard.
    var copied: [String] = []
    /// What `w` asked to write: (name, text).
    var exported: [(String, String)] = []
    /// What `W` asked of the runner: start (true) or stop the live watch.
    var watchEffects: [Bool] = []

    static let demo = DemoData.catalog()

    init(_ catalog: Catalog = Harness.demo, width: Int = 80, height: Int = 24, theme: Theme = .builtinDefault, prefetch: Bool = true) {
        s = AppState(catalog: catalog)
        renderer = Renderer(theme: theme)
        _ = App.update(&s, .resize(width: width, height: height))
        if prefetch { prefetchAll() }
        s.message = nil
    }

    /// Completes the leaderboard's background analysis of every run.
    mutating func prefetchAll() {
        var skip = Set<String>()
        while let key = App.nextPrefetch(s, skip: skip), let e = s.entry(key) {
            skip.insert(key)
            _ = App.apply(&s, .prefetchedBatch([key: RunTotals(RunAnalysis(entry: e, data: RunLoader.load(e)))], skipped: [], generation: 0))
        }
    }

    mutating func handle(_ effects: [Effect]) {
        for e in effects {
            switch e {
            case .quit: quit = true
            case .cancel: break
            case .page(let title, let text): pages.append(title + "\n" + text)
            case .copy(let text): copied.append(text)
            case .export(let path, let text): exported.append((path, text))
            case .watch(let on): watchEffects.append(on)
            case .reload:
                let c = s.catalog
                handle(App.reloaded(&s, c))
            case .load(let r):
                let c = Collector()
                Loads.perform(Loads.job(r, s), post: { c.post($0) }, isCancelled: { false })
                for result in c.take() { handle(App.apply(&s, result)) }
            }
        }
    }

    mutating func press(_ keys: Key...) { for k in keys { handle(App.update(&s, .key(k))) } }

    /// Types characters as keys (`j`, `/`, text in a prompt…).
    mutating func type(_ text: String) { for c in text { press(.char(c)) } }

    mutating func click(_ x: Int, _ y: Int) { handle(App.update(&s, .mouse(MouseEvent(kind: .click, x: x, y: y)))) }

    mutating func resize(_ w: Int, _ h: Int) { handle(App.update(&s, .resize(width: w, height: h))) }

    var buffer: Buffer { renderer.view(s) }
    var text: String { buffer.plainText }

    /// Selects the leaderboard row of a run (by key prefix) and opens it.
    mutating func openRun(_ prefix: String) {
        while s.stack.count > 1 { press(.escape) }
        guard let i = s.visibleRuns.firstIndex(where: { $0.key.hasPrefix(prefix) }) else { fatalError("no run \(prefix)") }
        s.leaderboard.list.selected = i
        App.clampAll(&s)
        press(.enter)
    }

    /// In the run's Tests tab, selects a test (by task id) and opens its trace.
    mutating func openTrace(_ task: String, agent: String? = nil) {
        press(.char("2"))
        guard case .run(let v) = s.route, let a = s.analysis(v.key) else { fatalError("not on a run") }
        let tests = RunScreen.visibleTests(v, a)
        guard let i = tests.firstIndex(where: { $0.taskID == task && (agent == nil || $0.agentType == agent) }) else { fatalError("no test \(task)") }
        var v2 = v
        v2.tests.selected = i
        s.setRoute(.run(v2))
        App.clampAll(&s)
        press(.enter)
    }

    /// In the waterfall, selects the first span whose name starts with `name`.
    mutating func selectSpan(_ name: String) {
        guard case .trace(var v) = s.route, let wf = s.traces[v.ref]?.value,
            let i = wf.analysis.order.first(where: { wf.analysis.trace.spans[$0].name.hasPrefix(name) })
        else { fatalError("no span \(name)") }
        v.selectedSpan = i
        s.setRoute(.trace(v))
        App.clampAll(&s)
    }

    /// Marks runs (by key prefix, in order) and opens the comparison.
    mutating func compare(_ prefixes: [String]) {
        while s.stack.count > 1 { press(.escape) }
        s.leaderboard.marked = prefixes.map { p in s.catalog.runs.first { $0.key.hasPrefix(p) }!.key }
        press(.char("c"))
    }
}
