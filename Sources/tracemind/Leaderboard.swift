import ArgumentParser
import FoundationEssentials
import Glibc
import TraceMindApp
import TraceMindDemo
import TraceMindModel
import TraceMindReport

struct LeaderboardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leaderboard", abstract: "List runs: one row each, sorted and filtered, with tokens, cost, $/pass and wall time counted once.",
        discussion: """
            Counted-once figures need every run's traces read once; they are kept in an analysis cache \
            ($XDG_CACHE_HOME/tracemind/analysis, default ~/.cache) keyed by each file's size, time and content, so \
            later calls read only what changed. SMOLTRACE's recorded figures are shown beside them (tok·rec, cost·rec); \
            --recorded reads leaderboard rows only.
            """)

    @OptionGroup var source: SourceOptions

    @Option(help: "Sort key: \(LeaderboardSortKey.allCases.map(\.rawValue).joined(separator: ", ")).")
    var sort: String = "success_rate"

    @Flag(exclusivity: .exclusive, help: "Sort direction (default: the better values first).")
    var direction: Direction?

    enum Direction: String, EnumerableFlag { case desc, asc }

    @Option(help: "Keep runs whose model, agent, provider, id, status, team… contain every word.")
    var filter: String = ""

    @Option(name: .customLong("agent-type"), help: "Keep only this agent type (tool, code, both).")
    var agentType: [String] = []

    @Option(help: "Keep only this provider.")
    var provider: [String] = []

    @Option(name: .shortAndLong, help: "table, json, csv or markdown.")
    var format: OutputFormat = .table

    @Flag(help: "Only SMOLTRACE's recorded figures, from the leaderboard rows alone (no trace is read).")
    var recorded = false

    @Flag(name: .customLong("no-cache"), help: "Read and analyse every run afresh: the caches (kept catalogs, analyses) are neither read nor written.")
    var noCache = false

    /// Counted-once figures are the default; the flag of earlier versions is still accepted.
    @Flag(help: .hidden)
    var corrected = false

    func run() throws {
        try refusePicture(format, "leaderboard")
        guard let key = LeaderboardSortKey.parse(sort) else {
            throw Failure(description: "unknown sort key '\(sort)'; use one of: \(LeaderboardSortKey.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let catalog = source.loadCatalog(cache: !noCache)
        var q = LeaderboardQuery()
        q.sortKey = key
        q.descending = direction.map { $0 == .desc } ?? (key.isText ? false : key.higherIsBetter)
        q.text = filter
        if !agentType.isEmpty { q.facets["agent_type"] = Set(agentType) }
        if !provider.isEmpty { q.facets["provider"] = Set(provider) }
        var totals: [RunTotals?]? = nil
        if !recorded || key.needsCorrected {
            // Every run, not only the rows shown: places are among all the runs of the sources, as on the screen.
            totals = countedTotalsInOrder(catalog, noCache: noCache, quiet: source.quiet)
        }
        // Places among every run of the sources, as on the leaderboard screen (a filter hides rows, not places).
        q.mode = totals == nil ? .recorded : .countedOnce
        let rows = LeaderboardRows(catalog.runs, query: q, totals: totals)
        // JSON goes out as it is written (the writer escapes every control character: nothing to make inert).
        if format == .json {
            Reports.streamLeaderboardJSON(rows, standardOutput)
            Glibc.exit(0)
        }
        finish(Reports.leaderboard(rows, format: format))
    }
}
