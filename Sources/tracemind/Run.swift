import ArgumentParser
import FoundationEssentials
import TraceMindApp
import TraceMindDemo
import TraceMindModel
import TraceMindReport

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "One run: corrected totals beside SMOLTRACE's recorded ones, and every test.")

    @Option(name: .customLong("run"), help: "Run id, folder name, or a unique prefix.")
    var runID: String

    @OptionGroup var source: SourceOptions

    @Option(name: .shortAndLong, help: "table, json, csv or markdown.")
    var format: OutputFormat = .table

    @Flag(name: .customLong("no-cache"), help: "Read the run afresh: the caches (kept catalogs, traces' summaries) are neither read nor written.")
    var noCache = false

    func run() throws {
        try refusePicture(format, "run")
        let catalog = source.loadCatalog(cache: !noCache)
        let entry = try requireRun(catalog, runID)
        let analysis = analyse(entry, noCache: noCache)
        // JSON goes out as the writer makes it (its strings are escaped: nothing for `Inert` to find), not as a text
        // made, checked and copied whole first; the bytes are those of `Reports.run(_:format: .json)`.
        if format == .json { finishJSON(Reports.runJSON(analysis)) }
        finish(Reports.run(analysis, format: format))
    }
}
