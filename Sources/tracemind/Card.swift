import ArgumentParser
import Foundation
import TraceMindApp
import TraceMindModel
import TraceMindReport

struct CardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "card", abstract: "The summary card: the top runs with medals, their figures, the totals, when it was made.",
        discussion: "Places as on the leaderboard (success rate, then pass@1, then the cheaper cost); tokens and cost counted once unless --recorded.")

    @OptionGroup var source: SourceOptions

    @Option(help: "How many runs the card lists.")
    var top: Int = 3

    @Option(name: .shortAndLong, help: "table, markdown, csv, json, or svg (the card as a standalone picture).")
    var format: OutputFormat = .table

    @Flag(help: "SMOLTRACE's recorded tokens and cost (no trace is read).")
    var recorded = false

    @Flag(name: .customLong("no-cache"), help: "Read and analyse every run afresh: the caches (kept catalogs, analyses) are neither read nor written.")
    var noCache = false

    func run() throws {
        guard top > 0 else { throw Failure(description: "--top must be at least 1") }
        let catalog = source.loadCatalog(cache: !noCache)
        let totals = recorded ? [:] : countedTotals(catalog, noCache: noCache, quiet: source.quiet)
        let made = ISO8601DateFormatter().string(from: Date())
        let mode: FigureMode = recorded ? .recorded : .countedOnce
        if format == .svg { finish(Reports.cardSVG(catalog.runs, totals: totals, mode: mode, top: top, madeAt: made)) }
        finish(Reports.card(catalog.runs, totals: totals, mode: mode, top: top, madeAt: made, format: format))
    }
}
