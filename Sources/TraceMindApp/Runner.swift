import FoundationEssentials
import TerminalUI
import TraceMindFormats
import TraceMindModel
import TraceMindReport

/// Results from background work, drained by the UI loop; plus which loads were cancelled.
final class Inbox: @unchecked Sendable {
    private let lock = Lock()
    private var items: [LoadResult] = []
    private var cancelled: Set<LoadRequest> = []
    private var catalogs: [Catalog] = []

    func post(_ r: LoadResult) { lock.withLock { items.append(r) } }
    func post(catalog: Catalog) { lock.withLock { catalogs.append(catalog) } }
    func drain() -> ([LoadResult], Catalog?) {
        lock.withLock {
            let i = items, c = catalogs.last
            items = []
            catalogs = []
            return (i, c)
        }
    }
    func cancel(_ r: LoadRequest) { lock.withLock { _ = cancelled.insert(r) } }
    func isCancelled(_ r: LoadRequest) -> Bool { lock.withLock { cancelled.contains(r) } }
    func reset(_ r: LoadRequest) { lock.withLock { _ = cancelled.remove(r) } }
}

/// The loop: draw, wait for a key (or a tick), update; loads run on background threads and come back through the
/// inbox. Runs not opened yet are analysed one at a time in the background for the leaderboard's corrected columns.
public final class Runner {
    let renderer: Renderer
    let inbox = Inbox()
    /// Reads the sources again, telling how many run folders are read and which runs, as they are.
    let reloadCatalog: @Sendable (@escaping @Sendable (Int, Int) -> Void, @escaping @Sendable ([RunEntry]) -> Void) -> Catalog
    /// Runs whose traces are larger than this are not analysed ahead of time (opening them still works).
    public var prefetchLimitBytes = 256 << 20
    public var prefetchEnabled = true
    /// Where analysed runs' figures are kept between processes (nil: none).
    public var analysisCache: AnalysisCache?
    /// The runs being analysed ahead of time (one batch at a time).
    private var prefetching: Set<String> = []
    /// Runs analysed ahead of time together, on all cores: the first batch small (the rows on screen come first),
    /// each next one twice as large up to 256 (a batch's figures wait for the loop's next tick).
    private var prefetchBatch = 16
    private var prefetchSkip: Set<String> = []
    /// Runs whose files changed (live watch) while their batch was analysed: its figures for them are of the old files.
    private var stale: Set<String> = []

    /// Live watch: asked for (`--watch`; started once the sources are first read), polling forced, and the loop.
    public var watchRequested = false
    public var watchPolling = false
    private var watchLoop: WatchLoop?

    public init(
        renderer: Renderer, reloadCatalog: @escaping @Sendable (@escaping @Sendable (Int, Int) -> Void, @escaping @Sendable ([RunEntry]) -> Void) -> Catalog
    ) {
        self.renderer = renderer
        self.reloadCatalog = reloadCatalog
    }

    /// Runs the browser until the user quits (or SIGTERM/SIGHUP). `initial` effects start with it (`--trace`, `--compare`).
    public func run(_ state: inout AppState, on term: TerminalBackend, initial: [Effect] = []) {
        let (w, h) = term.size
        _ = App.update(&state, .resize(width: w, height: h))
        var last: Buffer?
        if handle(initial, &state, term) { return }
        defer { stopWatching() }
        if !state.readingSources { warmStart(state) }
        while !term.terminationRequested {
            if watchRequested && !state.readingSources {
                watchRequested = false
                startWatching(state)
            }
            let (results, catalog) = inbox.drain()
            if let catalog {
                // Every run is analysed again for the new catalog; the analysis under way is of the old one.
                prefetching = []
                prefetchSkip = []
                prefetchBatch = 16
                if handle(App.reloaded(&state, catalog), &state, term) { return }
                warmStart(state)
            }
            for r in results {
                // The cache's figures for an older catalog: its files may have changed since.
                if case .prefetchedMany(_, let g) = r, g != generation { continue }
                // Runs that changed while their analysis was under way: that analysis is of the old files.
                if case .watched(_, let changed, _) = r {
                    stale.formUnion(changed.intersection(prefetching))
                    // New and changed runs are analysed (again).
                    prefetchSkip.subtract(changed)
                }
                var result = r
                if case .prefetchedBatch(let many, let skipped, let g) = r {
                    guard g == generation else { continue }
                    prefetching = []
                    result = .prefetchedBatch(many.filter { !stale.contains($0.key) }, skipped: skipped.filter { !stale.contains($0) }, generation: g)
                    stale = []
                }
                if handle(App.apply(&state, result), &state, term) { return }
            }
            schedulePrefetch(state)
            let frame = renderer.view(state)
            if frame != last {
                term.draw(frame)
                last = frame
            }
            let busy = App.isBusy(state) || !prefetching.isEmpty
            guard let ev = term.nextEvent(timeoutMs: busy ? 100 : 500) else {
                if App.isBusy(state) { state.tick &+= 1 }
                continue
            }
            if handle(App.update(&state, ev), &state, term) { return }
        }
    }

    /// Carries out effects; true when the app should quit.
    func handle(_ effects: [Effect], _ state: inout AppState, _ term: TerminalBackend) -> Bool {
        for e in effects {
            switch e {
            case .quit: return true
            case .load(let r): start(r, state)
            case .cancel(let r): inbox.cancel(r)
            case .reload:
                if !state.readingSources { state.message = "reloading from disk…" }
                let inbox = inbox, reload = reloadCatalog
                Threads.detach {
                    inbox.post(catalog: reload({ read, total in inbox.post(.readingSources(read: read, of: total)) }, { runs in inbox.post(.readingRuns(runs)) }))
                }
            case .page(let title, let text):
                // Dataset text never reaches the pager raw (`less -R` would interpret escape sequences).
                term.page(title: Inert.terminal(title), text: Inert.terminal(text))
            case .copy(let text):
                term.copyToClipboard(text)
            case .watch(let on):
                if on { startWatching(state) } else { stopWatching() }
            case .export(let path, let text):
                state.message = Export.write(
                    path, text, sources: state.catalog.sources, cwd: FileManager.default.currentDirectoryPath,
                    home: ProcessInfo.processInfo.environment["HOME"])
            }
        }
        return false
    }

    func start(_ r: LoadRequest, _ state: AppState) {
        inbox.reset(r)
        let inbox = inbox
        let job = Loads.job(r, state)
        let summaries = analysisCache?.summaries
        Threads.detach {
            Loads.perform(job, post: { inbox.post($0) }, isCancelled: { inbox.isCancelled(r) }, summaries: summaries)
        }
    }

    /// Starts the live watch of the state's local sources on a thread of its own: it waits for the file system to
    /// say something changed (or polls), waits for the files to settle (a second without changes), reads the sources
    /// again (the kept catalog makes an unchanged source cheap) and posts the runs that are new or whose files changed.
    func startWatching(_ state: AppState) {
        stopWatching()
        let sources = state.catalog.sources.filter { !RemoteReference.isRemote($0) }
        guard !sources.isEmpty, !state.catalog.isDemo else { return }
        let watcher = FileWatcher(paths: sources, polling: watchPolling)
        // Growing JSON Lines trace files are read from where they ended, not again from the start.
        SpanTail.shared.enabled = true
        let loop = WatchLoop(watcher)
        watchLoop = loop
        inbox.post(.watching(WatchStatus(mode: watcher.mode.rawValue, folders: watcher.mode == .notifications ? watcher.folders : sources.count)))
        let inbox = inbox, reload = reloadCatalog
        let initial = WatchLoop.identities(state.catalog)
        Threads.detach {
            var known = initial
            while !loop.stopped {
                guard watcher.wait(timeout: watcher.mode == .polling ? watcher.interval : 0.5), !loop.stopped else { continue }
                // Settle: until a second passes without a change (at most ten).
                if watcher.mode == .notifications {
                    var waited = 0.0
                    while !loop.stopped, waited < 10, watcher.wait(timeout: 1) { waited += 1 }
                }
                guard !loop.stopped else { break }
                var catalog = reload({ _, _ in }, { _ in })
                var ids = WatchLoop.identities(catalog)
                var changed = Set(ids.keys.filter { known[$0] != ids[$0] })
                let gone = Set(known.keys).subtracting(ids.keys)
                guard !changed.isEmpty || !gone.isEmpty else { continue }
                if watcher.mode == .polling {
                    // Polled: look again a second later, so runs still being written are taken once they settle.
                    Threads.sleep(1)
                    catalog = reload({ _, _ in }, { _ in })
                    let again = WatchLoop.identities(catalog)
                    changed = Set(again.keys.filter { known[$0] != again[$0] })
                    ids = again
                }
                known = ids
                inbox.post(.watched(catalog, changed: changed, at: LocalClock.timeOfDay()))
            }
        }
    }

    func stopWatching() {
        guard let loop = watchLoop else { return }
        loop.stop()
        watchLoop = nil
        SpanTail.shared.enabled = false
        inbox.post(.watching(nil))
    }

    /// Catalogs installed so far: a warm start's figures apply to the catalog they were read for only.
    private var generation = 0

    /// Reads every run the analysis cache holds (its pack, one file) on a thread and posts them at once, so a warm
    /// leaderboard of thousands of runs shows its counted-once figures in a moment instead of one run a tick.
    func warmStart(_ state: AppState) {
        generation += 1
        guard prefetchEnabled, let cache = analysisCache, !state.catalog.runs.isEmpty else { return }
        let inbox = inbox, runs = state.catalog.runs, g = generation
        Threads.detach { inbox.post(.prefetchedMany(RunTotals.cachedAll(runs, cache: cache), generation: g)) }
    }

    /// Starts analysing the next batch of runs the leaderboard lacks figures for (visible rows first).
    func schedulePrefetch(_ state: AppState) {
        guard prefetchEnabled, prefetching.isEmpty else { return }
        var keys: [String] = []
        while keys.count < prefetchBatch, let k = App.nextPrefetch(state, skip: prefetchSkip) {
            keys.append(k)
            prefetchSkip.insert(k)
        }
        let entries = keys.compactMap { state.entry($0) }
        guard !entries.isEmpty else { return }
        prefetching = Set(keys)
        prefetchBatch = min(256, prefetchBatch * 2)
        let inbox = inbox, cache = analysisCache, limit = prefetchLimitBytes, g = generation
        Threads.detach {
            // Runs analysed before (by this or another process) come from the cache whatever their size; the others
            // are analysed on all cores, but for those whose traces are too large to read ahead of time.
            let cached = cache.map { RunTotals.cachedAll(entries, cache: $0, pack: false) } ?? [:]
            var small: [RunEntry] = [], skipped: [String] = []
            for e in entries where cached[e.key] == nil {
                if let t = e.files.traces, let size = e.files.fs.fileSize(t), size > limit { skipped.append(e.key) } else { small.append(e) }
            }
            let fresh = small.isEmpty ? [:] : RunTotals.analyseAll(small, cache: cache, pack: false).totals
            inbox.post(.prefetchedBatch(cached.merging(fresh) { a, _ in a }, skipped: skipped, generation: g))
        }
    }
}

/// The background loads, as plain functions: the runner runs them on threads, tests run them inline.
public enum Loads {
    /// What a load needs from the state, captured on the UI thread.
    public enum Job: Sendable {
        case run(String, RunEntry)
        case trace(TraceRef, TraceSummary, any DataFileSystem)
        case findTrace(String, Catalog)
        case search(TraceRef, String, Waterfall, [Int])
        case fail(LoadResult)
    }

    public static func job(_ r: LoadRequest, _ state: AppState) -> Job {
        switch r {
        case .run(let key):
            guard let entry = state.entry(key) else { return .fail(.runFailed(key, "no such run")) }
            return .run(key, entry)
        case .trace(let ref):
            guard let entry = state.entry(ref.runKey), let a = state.analysis(ref.runKey),
                let summary = (a.tests.compactMap(\.trace) + a.extraTraces).first(where: { $0.traceID == ref.traceID })
            else { return .fail(.traceFailed(ref, "its run is not loaded")) }
            return .trace(ref, summary, entry.files.fs)
        case .findTrace(let q):
            return .findTrace(q, state.catalog)
        case .search(let ref, let query):
            guard let v = TraceScreen.view(state.route), v.ref == ref, let wf = state.traces[ref]?.value else {
                return .fail(.searched(ref, query: query, nil))
            }
            return .search(ref, query, wf, TraceScreen.candidates(v, wf, query))
        }
    }

    /// `summaries`: the per-test figures kept between processes (a run read before opens without its traces).
    public static func perform(
        _ job: Job, post: @escaping @Sendable (LoadResult) -> Void, isCancelled: @escaping @Sendable () -> Bool, summaries: SummaryCache? = nil
    ) {
        switch job {
        case .fail(let r): post(r)
        case .run(let key, let entry):
            let data = RunLoader.load(
                entry, progress: { phase, f in post(.runProgress(key, phase: phase, fraction: f)) }, isCancelled: isCancelled, summaries: summaries)
            if data.cancelled || isCancelled() { return }
            let analysis = RunAnalysis(entry: entry, data: data)
            post(.run(key, analysis))
            // Breakdowns need the spans again: a second pass, after the run is already on screen.
            guard analysis.hasTraces, !isCancelled() else { return }
            var ignored: [Diagnostic] = []
            let b = Breakdown.all(run: entry, keys: Breakdown.contextKeys, diagnostics: &ignored, cache: summaries)
            if !isCancelled() { post(.breakdowns(key, b)) }
        case .trace(let ref, let summary, let fs):
            do {
                let t = try RunLoader.loadTrace(summary, fs: fs)
                if isCancelled() { return }
                post(.trace(ref, Waterfall(TraceAnalysis(t))))
            } catch {
                post(.traceFailed(ref, "\(error)"))
            }
        case .search(let ref, let query, let wf, let candidates):
            guard let needle = SearchNeedle(query) else { return post(.searched(ref, query: query, [])) }
            let found = TraceScreen.filter(candidates, wf, needle)
            if !isCancelled() { post(.searched(ref, query: query, found)) }
        case .findTrace(let query, let catalog):
            do {
                let m = try TraceFinder.find(query, in: catalog)
                post(.traceFound(query: query, TraceRef(runKey: m.run.key, traceID: m.summary.traceID), m.analysis))
            } catch {
                post(.traceNotFound(query: query, "\(error)"))
            }
        }
    }
}

/// The live watch's thread: its watcher and whether it should stop.
final class WatchLoop: @unchecked Sendable {
    let watcher: FileWatcher
    private let lock = Lock()
    private var done = false
    init(_ w: FileWatcher) { watcher = w }
    var stopped: Bool { lock.withLock { done } }
    func stop() {
        lock.withLock { done = true }
        watcher.stop()
    }

    /// Each run's files as they are now (`AnalysisCache.key`: the row, and the path, size, times and inode of each
    /// file), by run key; runs read from memory or the Hub by their row alone.
    static func identities(_ c: Catalog) -> [String: String] {
        var out: [String: String] = [:]
        for (e, k) in zip(c.runs, AnalysisCache.keys(c.runs)) { out[e.key] = k ?? "row \(e.row.raw.count) \(e.source)" }
        return out
    }
}
