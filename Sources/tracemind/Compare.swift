import ArgumentParser
import FoundationEssentials
import TraceMindFormats
import TraceMindApp
import TraceMindDemo
import TraceMindModel
import TraceMindReport

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare", abstract: "Two or more runs side by side, metric by metric and test by test.")

    @Option(name: .customLong("run"), help: "A run to compare (repeat; the first is the baseline). Also A,B,C.")
    var runIDs: [String] = []

    @OptionGroup var source: SourceOptions

    @Option(name: .shortAndLong, help: "table, json, csv or markdown.")
    var format: OutputFormat = .table

    @Flag(name: .customLong("no-cache"), help: "Read the runs afresh: the caches (kept catalogs, traces' summaries) are neither read nor written.")
    var noCache = false

    func run() throws {
        try refusePicture(format, "compare")
        let ids = runIDs.flatMap { $0.split(separator: ",").map { String($0).trimmingBlanks() } }
        guard ids.count >= 2 else { throw Failure(description: "compare needs at least two runs: --run A --run B") }
        let catalog = source.loadCatalog(cache: !noCache)
        let entries = try ids.map { try requireRun(catalog, $0) }
        let comparison = Comparison(entries.map { analyse($0, noCache: noCache) })
        // Runs on different task sets: said on stderr too, whatever the format (JSON: `comparability`).
        if format != .table, format != .markdown, let w = comparison.comparability.warning(labels: Reports.runLabels(comparison)) {
            warn("warning: " + w)
        }
        finish(Reports.compare(comparison, format: format))
    }
}
