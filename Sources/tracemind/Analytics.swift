import ArgumentParser
import FoundationEssentials
import TraceMindModel
import TraceMindReport

struct AnalyticsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analytics", abstract: "Models × figures (means over their runs), speed and cost against accuracy with their Pareto fronts, passes per dollar.",
        discussion: "Counted-once figures. A model whose figure is unknown (or only a lower bound) is never placed at 0 or called best: it is listed as not placed. Passes per dollar leave out runs of unknown cost.")

    @OptionGroup var source: SourceOptions

    @Option(help: "What a row is.")
    var by: TrendGrouping = .model

    @Option(name: .shortAndLong, help: "table, markdown, csv, json, or svg (a standalone picture: the heatmap and both scatters).")
    var format: OutputFormat = .table

    @OptionGroup var figures: FigureOptions

    func run() throws {
        guard format != .text else { throw Failure(description: "analytics prints table, markdown, csv or json") }
        let catalog = source.loadCatalog(cache: !figures.noCache)
        let a = Analytics(catalog.runs, figures.totals(catalog, quiet: source.quiet), grouping: by, mode: figures.mode)
        finish(format == .svg ? Reports.analyticsSVG(a) : Reports.analytics(a, format: format))
    }
}
