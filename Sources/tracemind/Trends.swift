import ArgumentParser
import FoundationEssentials
import TraceMindModel
import TraceMindReport

struct TrendsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trends", abstract: "Each model's runs over time: success, cost per test, wall p50 or tokens per test, and the regressions.",
        discussion: """
            One line per model (--by model-agent: per model and agent type), its runs in time order. A run is a \
            regression when its figure is worse than the previous run of the same model, agent type and task set by \
            more than the noise (success: twice the standard error of the two runs' pass proportions; the others: the \
            larger of 10% and twice the median run-to-run change). Runs on another task set break their line.
            """)

    @OptionGroup var source: SourceOptions

    @Option(help: "success, cost_per_test, wall_p50 or tokens_per_test.")
    var metric: String = "success"

    @Option(help: "What a line is.")
    var by: TrendGrouping = .model

    @Option(name: .shortAndLong, help: "table, markdown, csv, json, or svg (a standalone picture: the lines, axes, legend and regressions).")
    var format: OutputFormat = .table

    @OptionGroup var figures: FigureOptions

    func run() throws {
        guard let m = RunFigure.trended(metric) else {
            throw Failure(description: "unknown metric '\(metric)'; use one of: \(RunFigure.trended.map(\.rawValue).joined(separator: ", "))")
        }
        guard format != .text else { throw Failure(description: "trends prints table, markdown, csv or json") }
        let catalog = source.loadCatalog(cache: !figures.noCache)
        // Task sets come from the runs' results: they are read in recorded mode too (from the analysis cache when kept).
        let t = Trends(catalog.runs, figures.totals(catalog, quiet: source.quiet, always: true), metric: m, grouping: by, mode: figures.mode)
        finish(format == .svg ? Reports.trendsSVG(t) : Reports.trends(t, format: format))
    }
}

struct FlakyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flaky", abstract: "Tests that pass in some runs and fail in others, per model, agent type and task set.",
        discussion: "Groups of two or more runs of one model and agent type on the same task set; each test's pass rate across them, how often its outcome flipped, and the run-to-run spread of success.")

    @OptionGroup var source: SourceOptions

    @Option(name: .shortAndLong, help: "table, markdown, csv or json.")
    var format: OutputFormat = .table

    @Flag(help: "List every test, the steady ones too.")
    var all = false

    @Flag(name: .customLong("no-cache"), help: "Read and analyse every run afresh: the caches (kept catalogs, analyses) are neither read nor written.")
    var noCache = false

    func run() throws {
        guard format != .text, format != .svg else { throw Failure(description: "flaky prints table, markdown, csv or json") }
        let catalog = source.loadCatalog(cache: !noCache)
        let totals = countedTotals(catalog, noCache: noCache, quiet: source.quiet)
        finish(Reports.flaky(FlakyReport(catalog.runs, totals), format: format, all: all))
    }
}
