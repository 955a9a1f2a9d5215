import ArgumentParser
import Foundation
import TraceMindApp
import TraceMindDemo
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

    func run() throws {
        guard limit > 0 else { throw Failure(description: "--limit must be at least 1") }
        let catalog = scope.source.loadCatalog()
        let runs = try scope.runs(catalog)
        var analyses: [RunAnalysis] = []
        for entry in runs {
            let a = RunAnalysis(entry: entry, data: RunLoader.load(entry))
            for d in a.diagnostics where !(scope.source.quiet && d.severity == .note) { warn(d.description) }
            analyses.append(a)
        }
        let rows = TopTraces.rank(analyses, by: ranking, limit: limit)
        finish(Reports.topTraces(rows, by: ranking, scope: scope.label(runs), format: scope.format))
    }
}
