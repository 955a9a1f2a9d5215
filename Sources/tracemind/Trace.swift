import ArgumentParser
import FoundationEssentials
import NCursesBackend
import TraceMindApp
import TraceMindDemo
import TraceMindFormats
import TraceMindModel
import TraceMindReport

struct TraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace", abstract: "One trace: its span tree with time, tokens and cost counted once.")

    @Option(name: .customLong("trace"), help: "Trace id, with or without 0x and leading zeros, or a unique prefix.")
    var traceID: String

    @Option(name: .customLong("run"), help: "Look only in this run.")
    var runID: String?

    @OptionGroup var source: SourceOptions

    @Option(name: .shortAndLong, help: "text or json.")
    var format: OutputFormat = .text

    @Flag(name: .customLong("no-cache"), help: "List the sources afresh: the kept catalogs are neither read nor written (a trace is always read from its file).")
    var noCache = false

    @Option(help: "Width of the text output (default: COLUMNS, else the terminal's width, else 240 when not a terminal: a pipe is not cut to a screen).")
    var width: Int?

    func run() throws {
        try refusePicture(format, "trace")
        guard format == .text || format == .json || format == .table else {
            throw Failure(description: "trace prints text or json")
        }
        let catalog = source.loadCatalog(cache: !noCache)
        let match: TraceFinder.Match
        do { match = try TraceFinder.find(traceID, in: catalog, runKey: runID, wholeRun: false) } catch {
            throw Failure(description: "\(error)")
        }
        let a: TraceAnalysis
        do { a = try match.traceAnalysis() } catch {
            throw Failure(description: "\(match.summary.location.path): \(error)")
        }
        if format == .json {
            // The spans are made and written in batches on all cores: a trace of a million spans is never held as JSON.
            finishJSON(head: Reports.traceJSONHead(a, runID: match.run.row.runID, test: match.test), key: "spans", count: a.order.count) {
                Reports.writeTraceSpans(a, $0, into: &$1)
            }
        } else {
            let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap { Int($0) }.flatMap { $0 >= 40 ? $0 : nil }
            finish(TraceText.render(a, test: match.test, width: width ?? columns ?? ProcessSafety.standardOutputColumns ?? 240))
        }
    }
}
