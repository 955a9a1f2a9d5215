import ArgumentParser
import FoundationEssentials
import TraceMindApp
import TraceMindDemo
import TraceMindFormats
import TraceMindModel
import TraceMindReport

extension BreakdownKey: ExpressibleByArgument {}

struct BreakdownCommand: ParsableCommand {
    // Every command's configuration is made at each start, whichever command runs: the key list is put together
    // without the generic `joined(separator:)`, whose first use looks up conformances (a sixth of a millisecond).
    static let configuration = CommandConfiguration(
        commandName: "breakdown", abstract: "Cost, tokens, spans and time grouped by service, model, kind, tenant…",
        discussion: """
            Keys: \(BreakdownKey.allCases.reduce("") { $0.isEmpty ? $1.rawValue : $0 + ", " + $1.rawValue }). Context keys (service, capability, \
            tenant, session, user, prompt_template_version) are inherited from the nearest ancestor span that has one. \
            With neither --trace nor --run: every run of the sources.
            """)

    @Option(name: .customLong("by"), help: "What to group by.")
    var key: BreakdownKey

    @Option(name: .customLong("trace"), help: "One trace (id with or without 0x and leading zeros, or a unique prefix).")
    var traceID: String?

    @OptionGroup var scope: TableReportOptions

    @Flag(name: .customLong("no-cache"), help: "List the sources afresh: the kept catalogs are neither read nor written (the traces are always read from their files).")
    var noCache = false

    func run() throws {
        let catalog = scope.source.loadCatalog(cache: !noCache)
        let rows: [BreakdownRow]
        let label: String
        if let traceID {
            let match: TraceFinder.Match
            do { match = try TraceFinder.find(traceID, in: catalog, runKey: scope.runID, wholeRun: false) } catch { throw Failure(description: "\(error)") }
            let a: TraceAnalysis
            do { a = try match.traceAnalysis() } catch {
                throw Failure(description: "\(match.summary.location.path): \(error)")
            }
            rows = Breakdown.of(a, by: key)
            label = "trace \(match.summary.traceID)"
        } else {
            let runs = try scope.runs(catalog)
            // The runs read on all cores, merged in their order (the sums add up as they would one run after another).
            let key = key
            let read = Parallel.map(runs.count, progress: { ProgressBar.shared.update("reading runs", $0) }, isCancelled: nil, eachAlone: runs.count < 64) {
                i -> RecordSlot<([BreakdownRow], [Diagnostic])> in
                var diags: [Diagnostic] = []
                let rows = Breakdown.of(run: runs[i], by: key, diagnostics: &diags)
                return .value((rows, diags))
            }
            ProgressBar.shared.clear()
            var parts: [[BreakdownRow]] = []
            for case .value(let (r, diags)) in read {
                parts.append(r)
                for d in diags where !(scope.source.quiet && d.severity == .note) { warn(d.description) }
            }
            rows = Breakdown.merge(parts)
            label = scope.label(runs)
        }
        finish(Reports.breakdown(rows, by: key, scope: label, format: scope.format))
    }
}
