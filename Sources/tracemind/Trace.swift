import ArgumentParser
import Foundation
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

    @Option(help: "Width of the text output.")
    var width: Int = 120

    func run() throws {
        guard format == .text || format == .json || format == .table else {
            throw Failure(description: "trace prints text or json")
        }
        let catalog = source.loadCatalog()
        let match: TraceFinder.Match
        do { match = try TraceFinder.find(traceID, in: catalog, runKey: runID) } catch {
            throw Failure(description: "\(error)")
        }
        let trace: Trace
        do { trace = try RunLoader.loadTrace(match.summary, fs: match.run.files.fs) } catch {
            throw Failure(description: "\(match.summary.location.path): \(error)")
        }
        let a = TraceAnalysis(trace)
        if format == .json {
            finish(JSONWriter.string(Reports.traceJSON(a, runID: match.run.row.runID, test: match.test)) + "\n")
        } else {
            finish(TraceText.render(a, test: match.test, width: width))
        }
    }
}
