import ArgumentParser
import FoundationEssentials
import TraceMindApp
import TraceMindDemo
import TraceMindFormats
import TraceMindModel
import TraceMindReport

extension TraceRanking: ExpressibleByArgument {}

struct TopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "top", abstract: "The most expensive traces of the sources (or slowest, largest, most errors).",
        discussion: "Ranks every trace of every run given (or of --run) by --by: cost, tokens, wall, spans or errors.")

    @Option(name: .customLong("by"), help: "cost, tokens, wall, spans or errors.")
    var ranking: TraceRanking = .cost

    @Option(name: .shortAndLong, help: "How many traces to list.")
    var limit: Int = 10

    @OptionGroup var scope: TableReportOptions

    @Flag(name: .customLong("no-cache"), help: "Read every trace afresh: the caches (kept catalogs, traces' summaries) are neither read nor written.")
    var noCache = false

    func run() throws {
        guard limit > 0 else { throw Failure(description: "--limit must be at least 1") }
        let catalog = scope.source.loadCatalog(cache: !noCache)
        let runs = try scope.runs(catalog)
        // Every run read on all cores, each trace's figures from the summaries kept for it when its file is unchanged.
        let summaries = noCache ? nil : analysisCache().summaries
        let read = Parallel.map(runs.count, progress: { ProgressBar.shared.update("reading runs", $0) }, isCancelled: nil, eachAlone: runs.count < 64) {
            i -> RecordSlot<RunAnalysis> in .value(RunAnalysis(entry: runs[i], data: RunLoader.load(runs[i], summaries: summaries)))
        }
        ProgressBar.shared.clear()
        var analyses: [RunAnalysis] = []
        for case .value(let a) in read {
            for d in a.diagnostics where !(scope.source.quiet && d.severity == .note) { warn(d.description) }
            analyses.append(a)
        }
        let rows = TopTraces.rank(analyses, by: ranking, limit: limit)
        finish(Reports.topTraces(rows, by: ranking, scope: scope.label(runs), format: scope.format))
    }
}
