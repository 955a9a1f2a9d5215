import ArgumentParser
import Foundation
import TraceMindApp
import TraceMindDemo
import TraceMindModel
import TraceMindReport

struct LeaderboardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leaderboard", abstract: "List runs: one row each, sorted and filtered (reads only leaderboard rows).")

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

    @Flag(help: "Also read every run's traces for tokens, cost, $/pass and wall time counted once (slower; implied by sorting on them).")
    var corrected = false

    func run() throws {
        guard let key = LeaderboardSortKey.parse(sort) else {
            throw Failure(description: "unknown sort key '\(sort)'; use one of: \(LeaderboardSortKey.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let catalog = source.loadCatalog()
        var q = LeaderboardQuery()
        q.sortKey = key
        q.descending = direction.map { $0 == .desc } ?? (key.isText ? false : key.higherIsBetter)
        q.text = filter
        if !agentType.isEmpty { q.facets["agent_type"] = Set(agentType) }
        if !provider.isEmpty { q.facets["provider"] = Set(provider) }
        var totals: [String: RunTotals]? = nil
        if corrected || key.needsCorrected {
            // Every run, not only the rows shown: places are among all the runs of the sources, as on the screen.
            let all = RunTotals.analyseAll(catalog.runs, progress: ProgressBar.shared.loadProgress)
            ProgressBar.shared.clear()
            for d in all.diagnostics where !source.quiet || d.severity != .note { warn(d.description) }
            totals = all.totals
        }
        // Places among every run of the sources, as on the leaderboard screen (a filter hides rows, not places).
        q.mode = totals == nil ? .recorded : .countedOnce
        let ranks = LeaderboardFigures.ranks(catalog.runs, totals ?? [:], mode: q.mode)
        finish(Reports.leaderboard(q.apply(catalog.runs, corrected: totals ?? [:]), format: format, corrected: totals, ranks: ranks))
    }
}
