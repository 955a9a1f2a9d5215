import ArgumentParser
import FoundationEssentials
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


    @OptionGroup var figures: FigureOptions

    func run() throws {
        guard top > 0 else { throw Failure(description: "--top must be at least 1") }
        let catalog = source.loadCatalog(cache: !figures.noCache)
        let totals = figures.totals(catalog, quiet: source.quiet)
        let made = Date().formatted(.iso8601)
        let mode = figures.mode
        if format == .svg { finish(Reports.cardSVG(catalog.runs, totals: totals, mode: mode, top: top, madeAt: made)) }
        finish(Reports.card(catalog.runs, totals: totals, mode: mode, top: top, madeAt: made, format: format))
    }
}
