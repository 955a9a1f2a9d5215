import Foundation
import TerminalUI
import TraceMindModel

/// Messages from background loads, drained by the UI loop on every tick.
final class Inbox: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [(String, LoadState)] = []
    private var cancelled: Set<String> = []
    func post(_ key: String, _ s: LoadState) { lock.lock(); items.append((key, s)); lock.unlock() }
    func drain() -> [(String, LoadState)] { lock.lock(); defer { lock.unlock() }; let i = items; items = []; return i }
    func cancel(_ key: String) { lock.lock(); cancelled.insert(key); lock.unlock() }
    func isCancelled(_ key: String) -> Bool { lock.lock(); defer { lock.unlock() }; return cancelled.contains(key) }
    func reset(_ key: String) { lock.lock(); cancelled.remove(key); lock.unlock() }
}

nonisolated(unsafe) var terminationRequested = false

/// The loop: draw, wait for a key (or a tick), update. Loads run on background threads.
public final class Runner {
    let renderer: Renderer
    let inbox = Inbox()
    let reloadCatalog: () -> Catalog

    public init(renderer: Renderer, reloadCatalog: @escaping () -> Catalog) {
        self.renderer = renderer
        self.reloadCatalog = reloadCatalog
    }

    func startLoad(_ key: String, _ state: AppState) {
        guard let entry = state.catalog.runs.first(where: { $0.key == key }) else { return }
        inbox.reset(key)
        let inbox = self.inbox
        Thread.detachNewThread {
            let data = RunLoader.load(
                entry, progress: { phase, f in inbox.post(key, .loading(phase: phase, fraction: f)) },
                isCancelled: { inbox.isCancelled(key) })
            if data.cancelled { return }
            inbox.post(key, .loaded(RunAnalysis(entry: entry, data: data)))
        }
    }

    public func run(_ state: inout AppState, on term: TerminalBackend) {
        signal(SIGTERM) { _ in terminationRequested = true }
        signal(SIGHUP) { _ in terminationRequested = true }
        let (w, h) = term.size
        state.width = w
        state.height = h
        var last: Buffer?
        while !terminationRequested {
            for (k, s) in inbox.drain() where !inbox.isCancelled(k) { App.loaded(&state, key: k, s) }
            let frame = renderer.view(state)
            if frame != last {
                term.draw(frame)
                last = frame
            }
            guard let ev = term.nextEvent(timeoutMs: 100) else { continue }
            // Esc while a run is loading cancels the load.
            if case .key(.escape) = ev, case .run(let key) = state.screen, case .loading? = state.loads[key] {
                inbox.cancel(key)
                state.loads[key] = nil
            }
            switch App.update(&state, ev) {
            case .quit: return
            case .none: break
            case .loadRun(let key): startLoad(key, state)
            case .reload:
                let marked = state.leaderboard.marked
                state.catalog = reloadCatalog()
                state.loads = [:]
                state.leaderboard.marked = marked.filter { k in state.catalog.runs.contains { $0.key == k } }
                state.message = "reloaded \(state.catalog.runs.count) runs"
                if case .run(let key) = state.screen {
                    if state.catalog.runs.contains(where: { $0.key == key }) {
                        state.loads[key] = .loading(phase: "starting", fraction: 0)
                        startLoad(key, state)
                    } else {
                        state.stack = [.leaderboard]
                    }
                }
            }
        }
    }
}
