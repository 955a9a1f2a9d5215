import FoundationEssentials
import TraceMindFormats
import TerminalUI
import TraceMindModel

/// Something loaded in the background: in progress, failed, or ready.
public enum Loadable<T: Sendable>: Sendable {
    case loading(phase: String, fraction: Double)
    case failed(String)
    case ready(T)

    public var value: T? { if case .ready(let v) = self { return v } else { return nil } }
    public var isLoading: Bool { if case .loading = self { return true } else { return false } }
}

/// A trace of a run: the run's key and the trace id.
public struct TraceRef: Hashable, Sendable {
    public var runKey: String
    public var traceID: String
    public init(runKey: String, traceID: String) {
        self.runKey = runKey
        self.traceID = traceID
    }
}

/// What the background workers load.
public enum LoadRequest: Hashable, Sendable {
    /// A run's results, traces (summaries) and metrics.
    case run(String)
    /// One trace in full.
    case trace(TraceRef)
    /// Find a trace by id across the sources (`tracemind --trace ID`).
    case findTrace(String)
    /// The waterfall's search for a (normalised) query in a large trace, off the UI loop.
    case search(TraceRef, String)
}

/// A finished (or progressing) background load.
public enum LoadResult: Sendable {
    case runProgress(String, phase: String, fraction: Double)
    case run(String, RunAnalysis)
    /// The run's context breakdowns, read after it (a second pass over its traces).
    case breakdowns(String, [BreakdownKey: [BreakdownRow]])
    case runFailed(String, String)
    case trace(TraceRef, Waterfall)
    case traceFailed(TraceRef, String)
    case traceFound(query: String, TraceRef, RunAnalysis)
    case traceNotFound(query: String, String)
    /// The runs the analysis cache already holds, all at once (for the catalog of that generation: see `Runner`).
    case prefetchedMany([String: RunTotals], generation: Int)
    /// A batch of runs analysed ahead of time on all cores, and those too large to be (their figures come when
    /// opened), for the catalog of that generation.
    case prefetchedBatch([String: RunTotals], skipped: [String], generation: Int)
    /// The spans matching a waterfall search (tree order); nil when the trace or its view was gone.
    case searched(TraceRef, query: String, [Int]?)
    /// Live watch: the sources read again after they changed and settled; the runs that are new or whose files
    /// changed (the others keep their figures), and when (`HH:MM:SS`).
    case watched(Catalog, changed: Set<String>, at: String)
    /// Live watch started (how it watches, how many folders) or stopped (nil).
    case watching(WatchStatus?)
    /// Reading the sources: how many of the run folders found are read.
    case readingSources(read: Int, of: Int)
    /// Reading the sources: runs read so far, shown as they come (the catalog, when whole, replaces them).
    case readingRuns([RunEntry])
}

/// What the live watch watches, and when the runs last changed.
public struct WatchStatus: Equatable, Sendable {
    /// `inotify` or `polling`.
    public var mode: String
    public var folders: Int
    public var lastChange: String?
    public init(mode: String, folders: Int, lastChange: String? = nil) {
        self.mode = mode
        self.folders = folders
        self.lastChange = lastChange
    }
}

public enum RunTab: Int, CaseIterable, Sendable {
    case overview, tests, performance, gpu, errors
    public var title: String {
        switch self {
        case .overview: return "Overview"
        case .tests: return "Tests"
        case .performance: return "Performance"
        case .gpu: return "GPU & energy"
        case .errors: return "Errors"
        }
    }
}

/// A scrollable list position.
public struct ListPosition: Equatable, Sendable {
    public var selected = 0
    public var offset = 0
    public init() {}
}

public struct LeaderboardView: Equatable, Sendable {
    public var query = LeaderboardQuery()
    public var list = ListPosition()
    /// Scrollable columns scrolled off to the left.
    public var hOffset = 0
    /// Marked run keys, in marking order (the first is the comparison's baseline).
    public var marked: [String] = []
    /// Show SMOLTRACE's recorded tokens and cost instead of the corrected ones.
    public var showRecorded = false
    public var groupByModel = false
    public init() {}
}

public enum TestSort: Int, CaseIterable, Sendable {
    case original, task, outcome, steps, wall, tokens, cost, difficulty
    public var title: String {
        switch self {
        case .original: return "file order"
        case .task: return "task"
        case .outcome: return "outcome"
        case .steps: return "steps"
        case .wall: return "wall time"
        case .tokens: return "tokens"
        case .cost: return "cost"
        case .difficulty: return "difficulty"
        }
    }
}

public struct RunView: Equatable, Sendable {
    public var key: String
    public var tab: RunTab = .overview
    public var tests = ListPosition()
    public var testsHOffset = 0
    public var failedOnly = false
    public var filter = ""
    /// Only these test keys (set from the Errors tab).
    public var only: [String]? = nil
    public var onlyLabel: String? = nil
    public var sort: TestSort = .original
    public var sortDescending = false
    public var errors = ListPosition()
    /// Scroll offset of the text tabs (overview, performance, GPU).
    public var scroll = 0
    public init(key: String) { self.key = key }
}

public enum WaterfallAxis: String, Sendable { case time, cost }

public enum DetailFocus: Sendable { case tree, detail }

public struct TraceView: Equatable, Sendable {
    public var ref: TraceRef
    /// The test's label for the breadcrumb.
    public var label: String
    public var list = ListPosition()
    /// The selected span (index into the trace's spans): it stays selected when folding changes the rows.
    public var selectedSpan: Int? = nil
    /// Spans matching the search, in tree order, for the query `matchedQuery` (nil: not searched yet).
    public var matches: [Int] = []
    public var matchedQuery: String?
    /// The waterfall (`Waterfall.id`) the matches are of.
    var matchesOf: UInt64?
    /// The same spans, ascending, for the rows on screen to look up.
    public var matchesSorted: [Int] = []
    /// The rows shown (tree order, folds and the kind filter applied), kept up to date by `TraceScreen.clamp`.
    public var rows: [Int] = []
    /// Folded spans (by index into the trace's spans).
    public var folded: SpanSet = [] { didSet { rowsValid = false } }
    /// `rows` were made from these folds and this kind filter, of the waterfall `rowsOf`: a key that moves the cursor
    /// does not walk a 300,000-span tree again.
    var rowsValid = false
    var rowsOf: UInt64?
    public var axis: WaterfallAxis = .time
    /// Zoom factor (1 = whole trace) and the left edge of the window as a fraction of the trace.
    public var zoom: Double = 1
    public var pan: Double = 0
    public var search = ""
    /// The query whose matches are being looked for in the background (a large trace), if any.
    public var searching: String?
    /// Only spans of this kind (and their ancestors, for context).
    public var kindFilter: SpanCategory? = nil { didSet { rowsValid = false } }
    public var focus: DetailFocus = .tree
    public var detailScroll = 0
    /// The detail pane fills the body (`m`; again to restore).
    public var detailMaximized = false
    /// Columns added to (or taken from) the span-name column by `>` / `<`.
    public var nameDelta = 0
    public var collapseGaps = true
    /// A span to select once the trace has loaded (a followed link's target).
    public var pendingSpanID: String? = nil
    /// Which of the selected span's links `f` follows next.
    public var linkCursor = 0
    public init(ref: TraceRef, label: String) {
        self.ref = ref
        self.label = label
    }
}

public enum CompareTab: Int, CaseIterable, Sendable {
    case summary, tests
    public var title: String { self == .summary ? "Summary" : "Tests" }
}

/// The last comparison made, reused while the same analyses are compared (they are immutable classes).
final class ComparisonCache: @unchecked Sendable {
    private let lock = Lock()
    private var ids: [ObjectIdentifier] = []
    private var value: Comparison?
    func comparison(_ analyses: [RunAnalysis]) -> Comparison {
        let key = analyses.map(ObjectIdentifier.init)
        return lock.withLock {
            if key == ids, let value { return value }
            let c = Comparison(analyses)
            ids = key
            value = c
            return c
        }
    }
}

/// The last alignment made, reused while the same two traces are aligned.
final class AlignmentCache: @unchecked Sendable {
    private let lock = Lock()
    private var ids: [ObjectIdentifier] = []
    private var value: TrajectoryAlignment?
    func alignment(_ left: Waterfall, _ right: Waterfall) -> TrajectoryAlignment {
        let key = [ObjectIdentifier(left), ObjectIdentifier(right)]
        return lock.withLock {
            if key == ids, let value { return value }
            let a = TrajectoryAlignment(left: left, right: right)
            ids = key
            value = a
            return a
        }
    }
}

public enum CompareFilter: Int, CaseIterable, Sendable {
    case all, flipped, regressions, fixes, failedEverywhere, missing, shared, promptDiffers
    public var title: String {
        switch self {
        case .shared: return "shared tests only"
        case .promptDiffers: return "same id, another prompt"
        case .all: return "all tests"
        case .flipped: return "flipped"
        case .regressions: return "regressions vs baseline"
        case .fixes: return "fixed vs baseline"
        case .failedEverywhere: return "failed everywhere"
        case .missing: return "missing in a run"
        }
    }
}

public enum CompareSort: Int, CaseIterable, Sendable {
    case task, deltaCost, deltaTime
    public var title: String {
        switch self {
        case .task: return "task"
        case .deltaCost: return "Δcost"
        case .deltaTime: return "Δtime"
        }
    }
}

public struct CompareView: Equatable, Sendable {
    public var keys: [String]
    public var tab: CompareTab = .summary
    public var metrics = ListPosition()
    public var tests = ListPosition()
    /// The run column the cursor is on in the test matrix (0 = baseline).
    public var column = 0
    public var filter: CompareFilter = .all
    public var sort: CompareSort = .task
    public var sortDescending = false
    public var text = ""
    public init(keys: [String]) { self.keys = keys }
}

public struct TrajectoryView: Equatable, Sendable {
    public var keys: [String]
    /// The two runs (indexes into `keys`) and the test key.
    public var left: Int
    public var right: Int
    public var testKey: String
    public var taskLabel: String
    public var list = ListPosition()
    public var positioned = false
    public init(keys: [String], left: Int, right: Int, testKey: String, taskLabel: String) {
        self.keys = keys
        self.left = left
        self.right = right
        self.testKey = testKey
        self.taskLabel = taskLabel
    }
}

public enum TrendsTab: Int, CaseIterable, Sendable {
    case trends, flaky
    public var title: String { self == .trends ? "Trends" : "Flaky tests" }
}

/// The trends screen: which figure, lines per model or per model and agent type, which tab, the selected row.
public struct TrendsView: Equatable, Sendable {
    public var tab: TrendsTab = .trends
    public var metric: RunFigure = .success
    public var grouping: TrendGrouping = .model
    public var list = ListPosition()
    public init() {}
}

public enum AnalyticsTab: Int, CaseIterable, Sendable {
    case heatmap, speed, cost
    public var title: String { ["Heatmap", "Speed vs accuracy", "Cost vs accuracy"][rawValue] }
}

/// The analytics screen: which tab, a row per model or per model and agent type, the selected row.
public struct AnalyticsView: Equatable, Sendable {
    public var tab: AnalyticsTab = .heatmap
    public var grouping: TrendGrouping = .model
    public var list = ListPosition()
    public init() {}
}

/// One screen on the navigation stack, with its own view state (going back restores it).
public enum Route: Equatable, Sendable {
    case leaderboard
    case run(RunView)
    case trace(TraceView)
    case compare(CompareView)
    case trajectory(TrajectoryView)
    case trends(TrendsView)
    case analytics(AnalyticsView)

    /// The runs this screen shows.
    public var runKeys: [String] {
        switch self {
        case .leaderboard: return []
        case .run(let v): return [v.key]
        case .trace(let v): return [v.ref.runKey]
        case .compare(let v): return v.keys
        case .trajectory(let v): return v.keys
        case .trends, .analytics: return []
        }
    }

    public var screen: ScreenID {
        switch self {
        case .leaderboard: return .leaderboard
        case .run: return .run
        case .trace: return .trace
        case .compare: return .compare
        case .trajectory: return .trajectory
        case .trends: return .trends
        case .analytics: return .analytics
        }
    }

    /// For titles (`Keys — trace`).
    public var name: String { screen.rawValue }
}

/// The facet picker: facet names with their values, and which are allowed.
public struct FacetPicker: Equatable, Sendable {
    public struct Item: Equatable, Sendable {
        public var facet: String
        public var value: String?  // nil: the facet's heading
        public var count: Int
    }
    public var items: [Item]
    public var list = ListPosition()
}

/// The column chooser: a screen's columns (id and title), which cannot be hidden, and the cursor. What is hidden is
/// `AppState.hiddenColumns`, kept for the session.
public struct ColumnChooser: Equatable, Sendable {
    public struct Item: Equatable, Sendable {
        public var id: String
        public var title: String
        /// The column that names the row (run, task): always shown.
        public var locked: Bool
    }
    public var screen: ScreenID
    public var items: [Item]
    public var list = ListPosition()
}

public enum Overlay: Equatable, Sendable {
    case help(scroll: Int)
    /// The `/` prompt: live filter (tables) or search (waterfall).
    case prompt(String)
    case facets(FacetPicker)
    case columns(ColumnChooser)
    /// A scrollable text panel (test details, raw fields).
    case text(title: String, lines: [String], scroll: Int)
    /// `w`: the name of the file the view is written to.
    case export(String)

    /// Which key bindings apply.
    public var id: OverlayID {
        switch self {
        case .help: return .help
        case .prompt: return .prompt
        case .facets: return .facets
        case .columns: return .columns
        case .text: return .text
        case .export: return .export
        }
    }
}

public struct AppState: Sendable {
    public var catalog: Catalog
    public var stack: [Route] = [.leaderboard]
    public var leaderboard = LeaderboardView()
    public var runs: [String: Loadable<RunAnalysis>] = [:]
    public var traces: [TraceRef: Loadable<Waterfall>] = [:]
    /// Cost by service, capability, tenant… of each opened run, read after the run itself (the spans are needed).
    public var breakdowns: [String: [BreakdownKey: [BreakdownRow]]] = [:]
    /// Corrected figures of runs analysed so far (by the prefetcher or by opening them).
    public var totals: [String: RunTotals] = [:]
    /// Runs too large to analyse ahead of time.
    public var notPrefetched: Set<String> = []
    /// A trace id asked for on the command line, being looked for.
    public var pendingTrace: String?
    public var overlay: Overlay?
    /// Columns hidden with the chooser (`C`), by screen, for the session: their ids.
    public var hiddenColumns: [ScreenID: Set<String>] = [:]
    public var width = 80
    public var height = 24
    /// A one-line note in the footer until the next key.
    public var message: String?
    /// Animation frame for spinners (advanced on ticks while something loads).
    public var tick = 0
    /// The leaderboard's rows after sort/filter/group, cached (recomputed when inputs change).
    public private(set) var visibleRuns: [RunEntry] = []
    /// Display rows (group headings included), ranks and the widest model name: derived once per change, not per
    /// frame (thousands of runs stay fast).
    private(set) var displayRows: [LeaderboardDisplayRow] = []
    private(set) var ranks: [String: Int] = [:]
    private(set) var modelWidth = 24
    /// The dashboard strip: what the shown runs add up to (`LeaderboardSummary`), made with the rows.
    private(set) var summary: LeaderboardSummary?
    /// The trends and flaky tests of the shown runs, for the trends screen's figure and lines (made when the runs,
    /// their figures or the screen's choices change, not every frame).
    private(set) var trends: Trends?
    private(set) var flaky: FlakyReport?
    /// The analytics of the shown runs, for the analytics screen on the stack.
    private(set) var analytics: Analytics?
    /// The comparison of the runs on screen, computed once per set of loaded runs (not per frame or key).
    let comparisons = ComparisonCache()
    /// The trajectory alignment on screen (an LCS over both traces' steps), computed once per pair of traces.
    let alignments = AlignmentCache()

    /// The catalog is being read in the background (the first frame does not wait for thousands of folders).
    public var readingSources = false

    /// Live watch, while it runs.
    public var watch: WatchStatus?

    /// While the sources are read: run folders read, of how many found.
    public var readingProgress: (read: Int, of: Int)?

    /// A waterfall search that would look through more spans than this runs in the background: the key that typed
    /// it is drawn at once (under 16 ms) and the matches follow.
    public var backgroundSearchSpans = 20_000

    public init(catalog: Catalog) {
        self.catalog = catalog
        message = AppState.loadMessage(catalog)
        refreshRuns()
    }

    /// What the footer says of a catalog just read: its problems, or that it is the demo data.
    static func loadMessage(_ catalog: Catalog) -> String? {
        let problems = catalog.diagnostics.filter { $0.severity != .note }
        if let first = problems.first {
            return "\(problems.count) problem\(problems.count == 1 ? "" : "s") loading (see stderr after quitting): \(first.description)"
        }
        return catalog.isDemo ? "showing the embedded demo data (no ./smoltrace_results here)" : nil
    }

    public var route: Route { stack.last ?? .leaderboard }

    /// Recomputes the leaderboard rows (sort, filter, grouping). Called whenever their inputs change.
    /// Recomputes the leaderboard rows; with `figures`, also what depends on the runs' figures (ranks).
    public mutating func refreshRuns(figures: Bool = false) {
        let rows = leaderboard.query.apply(catalog.runs, corrected: totals)
        if leaderboard.groupByModel {
            var order: [String] = []
            var groups: [String: [RunEntry]] = [:]
            for r in rows {
                if groups[r.row.model] == nil { order.append(r.row.model) }
                groups[r.row.model, default: []].append(r)
            }
            visibleRuns = order.flatMap { groups[$0]! }
        } else {
            visibleRuns = rows
        }
        displayRows = LeaderboardDisplayRow.rows(visibleRuns, grouped: leaderboard.groupByModel)
        if figures || ranks.isEmpty { ranks = LeaderboardFigures.ranks(catalog.runs, totals, mode: leaderboard.showRecorded ? .recorded : .countedOnce) }
        modelWidth = visibleRuns.map { TextWidth.width($0.row.model) }.max() ?? 24
        summary = LeaderboardSummary(visibleRuns, total: catalog.runs.count, totals: totals, mode: leaderboard.showRecorded ? .recorded : .countedOnce)
        refreshTrends()
    }

    /// Makes the trends and analytics of the shown runs again for those screens on the stack (nothing without them).
    public mutating func refreshTrends() {
        let mode: FigureMode = leaderboard.showRecorded ? .recorded : .countedOnce
        if let a = stack.lazy.compactMap({ r -> AnalyticsView? in if case .analytics(let v) = r { return v } else { return nil } }).last {
            analytics = Analytics(visibleRuns, totals, grouping: a.grouping, mode: mode)
        } else {
            analytics = nil
        }
        guard let v = stack.lazy.compactMap({ r -> TrendsView? in if case .trends(let v) = r { return v } else { return nil } }).last else {
            trends = nil
            flaky = nil
            return
        }
        trends = Trends(visibleRuns, totals, metric: v.metric, grouping: v.grouping, mode: mode)
        flaky = FlakyReport(visibleRuns, totals, mode: mode)
    }

    public func entry(_ key: String) -> RunEntry? { catalog.runs.first { $0.key == key } }

    public func analysis(_ key: String) -> RunAnalysis? { runs[key]?.value }

    /// Replaces the top of the stack.
    public mutating func setRoute(_ r: Route) {
        if stack.isEmpty { stack = [r] } else { stack[stack.count - 1] = r }
    }
}

/// A line of the leaderboard: a run (by its index among the visible runs), or a group heading (model, run count).
enum LeaderboardDisplayRow {
    case run(Int)
    case heading(String, Int)

    /// Display rows (group headings when grouped).
    static func rows(_ runs: [RunEntry], grouped: Bool) -> [LeaderboardDisplayRow] {
        guard grouped else { return runs.indices.map { .run($0) } }
        var out: [LeaderboardDisplayRow] = []
        var i = 0
        while i < runs.count {
            let m = runs[i].row.model
            var j = i
            while j < runs.count && runs[j].row.model == m { j += 1 }
            out.append(.heading(m, j - i))
            for k in i..<j { out.append(.run(k)) }
            i = j
        }
        return out
    }
}
