import ArgumentParser
import FoundationEssentials
import TraceMindFormats
import NCursesBackend
import TerminalUI
import TraceMindApp
import TraceMindModel

struct BrowseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "browse", abstract: "Open the full-screen browser (the default).",
        discussion: "Keys: ? shows them on every screen. q quits, Esc goes back, / filters, Enter opens.")

    @OptionGroup var source: SourceOptions

    @Option(name: .customLong("trace"), help: "Open this trace's waterfall directly (id with or without 0x and leading zeros, or a unique prefix).")
    var traceID: String?

    @Option(name: .customLong("compare"), help: "Open the comparison of these runs directly: A,B[,C…] (the first is the baseline).")
    var compare: String?

    @Option(help: "Theme name (default, light, high-contrast, mono, tracemind, or a user theme) or a .toml path. Also TRACEMIND_THEME.")
    var theme: String?

    @Option(help: "Colours: auto, 256, 16, 8 or none (auto honours NO_COLOR).")
    var color: String = "auto"

    @Flag(help: "Do not analyse runs in the background for the leaderboard's corrected columns.")
    var noPrefetch = false

    @Flag(name: .customLong("no-cache"), help: "Do not read or write the caches: every run folder is listed and read, every run analysed afresh.")
    var noCache = false

    @Flag(help: "Live watch: new run folders appear as SMOLTRACE writes them, changed runs are read again once their files settle (also W in the browser).")
    var watch = false

    @Flag(name: .customLong("watch-poll"), help: "Watch by looking every two seconds instead of the kernel's notifications (network file systems).")
    var watchPoll = false

    func run() throws {
        // No theme asked for: the terminal's background picks the dark or the light one (asked before the screen
        // starts, so its answer is not read as keys).
        let asked = theme ?? ProcessInfo.processInfo.environment["TRACEMIND_THEME"].flatMap { $0.isEmpty ? nil : $0 }
        let terminalBackground = color != "none" && color != "mono" ? TerminalBackground.detect() : nil
        let (th, problem) = Theme.resolve(asked ?? (terminalBackground == .light ? "light" : nil))
        if let problem { warn(problem) }
        let depth: ColorDepth?
        switch color {
        case "auto": depth = nil
        case "256": depth = .c256
        case "16": depth = .c16
        case "8": depth = .c8
        case "none", "mono": depth = .mono
        default: throw Failure(description: "--color takes auto, 256, 16, 8 or none")
        }
        // Local folders are read in the background: the first frame does not wait for thousands of run folders. A
        // --trace or --compare needs the runs first, and remote sources (the Hub, OpenSearch) show their progress
        // before the screen (Ctrl-C stops them there).
        let background = traceID == nil && compare == nil && !source.demo && !source.sources.isEmpty
            && !source.sources.contains(where: RemoteReference.isRemote)
        var catalog = background
            ? Catalog(runs: [], diagnostics: [], sources: source.sources, isDemo: false) : source.loadCatalog(printing: false, cache: !noCache)
        if let problem { catalog.diagnostics.insert(Diagnostic(path: "theme", problem), at: 0) }
        var state = AppState(catalog: catalog)
        state.readingSources = background
        func report() {
            if background, let problem { warn(Diagnostic(path: "theme", problem).description) }
            for d in state.catalog.diagnostics where !(source.quiet && d.severity == .note) { warn(d.description) }
        }
        var initial: [Effect] = background ? [.reload] : []
        if let compare {
            let ids = compare.split(separator: ",").map { String($0).trimmingBlanks() }.filter { !$0.isEmpty }
            guard ids.count >= 2 else { throw Failure(description: "--compare needs two or more runs: --compare A,B") }
            let keys = try ids.map { try requireRun(catalog, $0).key }
            initial = App.openComparison(&state, keys)
        }
        if let traceID {
            initial += App.openTrace(&state, query: traceID)
        }
        let term: NCursesTerminal
        do { term = try NCursesTerminal(colorMode: depth) } catch {
            report()
            throw Failure(description: "\(error)")
        }
        // The theme as this terminal draws it: 16/8-colour variants, no bold on a brightenable black, and without
        // colour (--color none, NO_COLOR, a mono terminal) the mono theme's attributes.
        // A theme made for the other background paints its own (high-contrast on a white terminal).
        let renderer = Renderer(theme: th.on(terminalBackground).adapted(to: term.depth), symbols: term.unicode ? .unicode : .ascii)
        let src = source, keepCatalog = !noCache
        let runner = Runner(renderer: renderer, reloadCatalog: { told, runs in
            src.loadCatalog(printing: false, cache: keepCatalog, foldersRead: told, runsRead: runs)
        })
        runner.prefetchEnabled = !noPrefetch
        runner.analysisCache = noCache ? nil : analysisCache()
        runner.watchRequested = watch || watchPoll
        if runner.watchRequested && (catalog.isDemo || catalog.sources.allSatisfy(RemoteReference.isRemote)) {
            state.message = "nothing to watch: live watch follows local folders and files (the demo and remote sources are not watched)"
        }
        runner.watchPolling = watchPoll
        runner.run(&state, on: term, initial: initial)
        term.close()
        // Problems met while loading were summed up on screen; list them where they can be read and copied.
        report()
        term.endIfSignalled()
    }
}
