import ArgumentParser
import Foundation
import TraceMindApp
import TraceMindDemo
import TraceMindModel
import TraceMindReport

/// Writes to stderr (Swift 6 rejects the C `stderr` global).
struct StandardError: TextOutputStream {
    mutating func write(_ string: String) { FileHandle.standardError.write(Data(string.utf8)) }
}
nonisolated(unsafe) var stderrStream = StandardError()

/// Every line this program writes goes through `Inert.terminal`: dataset text never reaches a terminal raw.
func warn(_ s: String) { print(Inert.terminal(s), to: &stderrStream) }

/// A line of output on stdout, made inert.
func say(_ s: String) { print(Inert.terminal(s)) }

/// Prints a finished report and ends the process there: a large run's parsed spans are not freed one by one on
/// the way out (the kernel takes the pages back at once). Buffered output is flushed by `exit`.
func finish(_ report: String) -> Never {
    print(Inert.terminal(report), terminator: "")
    exit(0)
}

/// A one-line progress bar on stderr for downloads, drawn only when stderr is a terminal.
final class ProgressBar: @unchecked Sendable {
    static let shared = ProgressBar()
    private let lock = NSLock()
    private var last = Date.distantPast
    private var shown = false
    var enabled = isatty(2) == 1

    func update(_ label: String, _ fraction: Double) {
        lock.withLock {
            guard enabled, Date().timeIntervalSince(last) > 0.1 || fraction >= 1 else { return }
            last = Date()
            let f = max(0, min(1, fraction))
            let width = 30
            let filled = Int(f * Double(width))
            let text = Format.oneLine(label, max: 48)
            FileHandle.standardError.write(Data("\r\u{1B}[2K\(text) [\(String(repeating: "#", count: filled))\(String(repeating: ".", count: width - filled))] \(Int(f * 100))%".utf8))
            shown = true
        }
    }

    func clear() {
        lock.withLock {
            if shown { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
            shown = false
        }
    }

    /// For `RunLoader.load`: shows its downloads.
    var loadProgress: LoadProgress {
        { phase, f in
            if phase.hasPrefix("downloading") { ProgressBar.shared.update(phase, f) }
        }
    }
}

/// A clean failure: one line on stderr, exit status 1.
struct Failure: Error, CustomStringConvertible {
    let description: String
    /// The message, made inert: it may quote an id or a path from the data.
    init(description: String) { self.description = Inert.terminal(description) }
}

extension OutputFormat: ExpressibleByArgument {}

/// Where runs come from. With no source: `./smoltrace_results` if present, else the embedded demo data.
struct SourceOptions: ParsableArguments {
    @Argument(
        help: ArgumentHelp(
            "Run folders, folders of runs (searched recursively), leaderboard/results/traces .json/.jsonl/.parquet files, folders of downloaded Hub dataset repos, hf://USER/REPO (HF_TOKEN, HF_ENDPOINT), OTLP/JSON exports or single trace documents.",
            valueName: "source"))
    var sources: [String] = []

    @Flag(name: .long, help: "Show the embedded demo data.")
    var demo = false

    @Flag(name: .shortAndLong, help: "Print nothing but errors on stderr.")
    var quiet = false

    func loadCatalog(printing: Bool = true) -> Catalog {
        let catalog: Catalog
        if demo {
            catalog = DemoData.catalog()
        } else if sources.isEmpty {
            if LocalFileSystem().isDirectory("smoltrace_results") {
                catalog = CatalogLoader.load(sources: ["smoltrace_results"])
            } else {
                if !quiet { warn("note: no source given and ./smoltrace_results not found: using the embedded demo data") }
                catalog = DemoData.catalog()
            }
        } else {
            if quiet { ProgressBar.shared.enabled = false }
            let hub = sources.filter { $0.hasPrefix(HubPath.scheme) }.joined(separator: " ")
            catalog = CatalogLoader.load(sources: sources, progress: { ProgressBar.shared.update("downloading \(hub)", $0) })
            ProgressBar.shared.clear()
        }
        if printing {
            for d in catalog.diagnostics where !(quiet && d.severity == .note) { warn(d.description) }
            // Nothing could be loaded and something went wrong: a script must see the failure.
            if catalog.runs.isEmpty && catalog.diagnostics.contains(where: { $0.severity == .error }) { Foundation.exit(1) }
        }
        return catalog
    }
}

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
            // Runs are analysed two at a time (each one's traces are already read on all cores).
            let runs = catalog.runs.filter { q.matches($0) }
            let box = TotalsBox()
            DispatchQueue.concurrentPerform(iterations: runs.count) { i in
                let e = runs[i]
                let data = RunLoader.load(e, progress: ProgressBar.shared.loadProgress)
                box.set(e.key, RunTotals(RunAnalysis(entry: e, data: data)), data.diagnostics)
            }
            ProgressBar.shared.clear()
            for d in box.diagnostics where !source.quiet || d.severity != .note { warn(d.description) }
            totals = box.totals
        }
        // Places among every run of the sources, as on the leaderboard screen (a filter hides rows, not places).
        q.mode = totals == nil ? .recorded : .countedOnce
        let ranks = LeaderboardFigures.ranks(catalog.runs, totals ?? [:], mode: q.mode)
        finish(Reports.leaderboard(q.apply(catalog.runs, corrected: totals ?? [:]), format: format, corrected: totals, ranks: ranks))
    }
}

func requireRun(_ catalog: Catalog, _ query: String) throws -> RunEntry {
    do { return try catalog.run(matching: query) } catch { throw Failure(description: error.description) }
}

func analyse(_ entry: RunEntry) -> RunAnalysis {
    let data = RunLoader.load(entry, progress: ProgressBar.shared.loadProgress)
    ProgressBar.shared.clear()
    for d in data.diagnostics { warn(d.description) }
    return RunAnalysis(entry: entry, data: data)
}

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "One run: corrected totals beside SMOLTRACE's recorded ones, and every test.")

    @Option(name: .customLong("run"), help: "Run id, folder name, or a unique prefix.")
    var runID: String

    @OptionGroup var source: SourceOptions

    @Option(name: .shortAndLong, help: "table, json, csv or markdown.")
    var format: OutputFormat = .table

    func run() throws {
        let catalog = source.loadCatalog()
        let entry = try requireRun(catalog, runID)
        finish(Reports.run(analyse(entry), format: format))
    }
}

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare", abstract: "Two or more runs side by side, metric by metric and test by test.")

    @Option(name: .customLong("run"), help: "A run to compare (repeat; the first is the baseline). Also A,B,C.")
    var runIDs: [String] = []

    @OptionGroup var source: SourceOptions

    @Option(name: .shortAndLong, help: "table, json, csv or markdown.")
    var format: OutputFormat = .table

    func run() throws {
        let ids = runIDs.flatMap { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
        guard ids.count >= 2 else { throw Failure(description: "compare needs at least two runs: --run A --run B") }
        let catalog = source.loadCatalog()
        let entries = try ids.map { try requireRun(catalog, $0) }
        let comparison = Comparison(entries.map(analyse))
        // Runs on different task sets: said on stderr too, whatever the format (JSON: `comparability`).
        if format != .table, format != .markdown, let w = comparison.comparability.warning(labels: Reports.runLabels(comparison)) {
            warn("warning: " + w)
        }
        finish(Reports.compare(comparison, format: format))
    }
}

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

extension BreakdownKey: ExpressibleByArgument {}

/// `--run`, the sources and a table format: what the cross-run table reports (breakdown, top) share.
struct TableReportOptions: ParsableArguments {
    @Option(name: .customLong("run"), help: "One run (id, folder name, or a unique prefix).")
    var runID: String?

    @OptionGroup var source: SourceOptions

    @Option(name: .shortAndLong, help: "table, json, csv or markdown.")
    var format: OutputFormat = .table

    func validate() throws {
        guard format != .text else { throw ValidationError("this report prints table, json, csv or markdown") }
    }

    /// The run given with --run, else every run of the sources.
    func runs(_ catalog: Catalog) throws -> [RunEntry] { try runID.map { [try requireRun(catalog, $0)] } ?? catalog.runs }

    func label(_ runs: [RunEntry]) -> String { runs.count == 1 ? "run \(runs[0].key)" : "\(runs.count) runs" }
}

struct BreakdownCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "breakdown", abstract: "Cost, tokens, spans and time grouped by service, model, kind, tenant…",
        discussion: """
            Keys: \(BreakdownKey.allCases.map(\.rawValue).joined(separator: ", ")). Context keys (service, capability, \
            tenant, session, user, prompt_template_version) are inherited from the nearest ancestor span that has one. \
            With neither --trace nor --run: every run of the sources.
            """)

    @Option(name: .customLong("by"), help: "What to group by.")
    var key: BreakdownKey

    @Option(name: .customLong("trace"), help: "One trace (id with or without 0x and leading zeros, or a unique prefix).")
    var traceID: String?

    @OptionGroup var scope: TableReportOptions

    func run() throws {
        let catalog = scope.source.loadCatalog()
        let rows: [BreakdownRow]
        let label: String
        if let traceID {
            let match: TraceFinder.Match
            do { match = try TraceFinder.find(traceID, in: catalog, runKey: scope.runID) } catch { throw Failure(description: "\(error)") }
            let trace: Trace
            do { trace = try RunLoader.loadTrace(match.summary, fs: match.run.files.fs) } catch {
                throw Failure(description: "\(match.summary.location.path): \(error)")
            }
            rows = Breakdown.of(TraceAnalysis(trace), by: key)
            label = "trace \(match.summary.traceID)"
        } else {
            let runs = try scope.runs(catalog)
            var diags: [Diagnostic] = []
            rows = Breakdown.merge(runs.map { Breakdown.of(run: $0, by: key, diagnostics: &diags) })
            for d in diags where !(scope.source.quiet && d.severity == .note) { warn(d.description) }
            label = scope.label(runs)
        }
        finish(Reports.breakdown(rows, by: key, scope: label, format: scope.format))
    }
}

extension TraceRanking: ExpressibleByArgument {}

struct TopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "top", abstract: "The most expensive traces of the sources (or slowest, largest, most errors).",
        discussion: "Ranks every trace of every run given (or of --run) by --by: cost, tokens, wall, spans or errors.")

    @Option(name: .customLong("by"), help: "cost, tokens, wall, spans or errors.")
    var ranking: TraceRanking = .cost

    @Option(name: .shortAndLong, help: "How many traces to list.")
    var limit: Int = 10

    @OptionGroup var scope: TableReportOptions

    func run() throws {
        guard limit > 0 else { throw Failure(description: "--limit must be at least 1") }
        let catalog = scope.source.loadCatalog()
        let runs = try scope.runs(catalog)
        var analyses: [RunAnalysis] = []
        for entry in runs {
            let a = RunAnalysis(entry: entry, data: RunLoader.load(entry))
            for d in a.diagnostics where !(scope.source.quiet && d.severity == .note) { warn(d.description) }
            analyses.append(a)
        }
        let rows = TopTraces.rank(analyses, by: ranking, limit: limit)
        finish(Reports.topTraces(rows, by: ranking, scope: scope.label(runs), format: scope.format))
    }
}

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Write the generated demo runs (SMOLTRACE-shaped folders) to a new folder.",
        discussion: "Used for fixtures and benchmarks. --scale N adds N generated runs; --tests and --spans size them.")

    @Argument(help: "A folder to create (must not exist, or be empty).")
    var output: String

    @Option(help: "Extra generated runs beyond the fixed demo set.")
    var scale: Int = 0

    @Option(help: "Tests per extra run.")
    var tests: Int = 24

    @Option(help: "Number of steps (LLM calls) per test in extra runs.")
    var steps: Int = 3

    @Option(help: "Bytes of agent system prompt repeated in every LLM span (sizes the traces).")
    var promptBytes: Int = 900

    @Flag(help: "Leave out the fixed demo runs; write only the --scale runs.")
    var onlyScale = false

    func run() throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: output), let c = try? fm.contentsOfDirectory(atPath: output), !c.isEmpty {
            throw Failure(description: "\(output): the folder exists and is not empty; refusing to write into it")
        }
        var options = DemoOptions()
        options.extraRuns = scale
        options.testsPerExtraRun = tests
        options.stepsPerTest = steps
        options.includeFixedRuns = !onlyScale
        options.systemPromptBytes = promptBytes
        let files = DemoGenerator(options: options).files()
        for (path, data) in files.sorted(by: { $0.key < $1.key }) {
            let full = URL(fileURLWithPath: output).appendingPathComponent(path)
            try fm.createDirectory(at: full.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: full)
        }
        warn("wrote \(files.count) files to \(output)")
    }
}

/// Corrected figures gathered from parallel workers.
final class TotalsBox: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var totals: [String: RunTotals] = [:]
    private(set) var diagnostics: [Diagnostic] = []
    func set(_ key: String, _ t: RunTotals, _ d: [Diagnostic]) {
        lock.withLock {
            totals[key] = t
            diagnostics += d
        }
    }
}

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect", abstract: "Show what a dataset file holds: its kind, size and first records as JSON (Parquet or JSON).")

    @Argument(help: "A .parquet, .json or .jsonl file.")
    var path: String

    @Option(help: "How many records to print.")
    var rows: Int = 1

    func run() throws {
        let fs = LocalFileSystem()
        let head: [UInt8]
        do { head = try fs.readPrefix(path, 4) } catch { throw Failure(description: "\(path): \(error)") }
        if head.elementsEqual([0x50, 0x41, 0x52, 0x31]) || path.lowercased().hasSuffix(".parquet") {
            // The footer first, then only the row groups printed: a huge or damaged file is refused at once.
            let f: ParquetFile
            do { f = try ParquetFile(source: FileParquetBytes(fs: fs, path: path), name: path) } catch { throw Failure(description: "\(path): \(error)") }
            warn("\(path): Parquet, \(f.numRows) rows in \(f.rowGroups.count) row groups; columns: \(f.topLevelColumns.joined(separator: ", "))")
            if let by = f.createdBy { warn("written by \(by)") }
            var printed = 0
            do {
                for g in f.rowGroups.indices where printed < rows {
                    for row in try f.rows(rowGroup: g).prefix(rows - printed) {
                        say(JSONWriter.string(row))
                        printed += 1
                    }
                }
            } catch { throw Failure(description: "\(error)") }
        } else {
            let data: Data
            do { data = try fs.read(path) } catch { throw Failure(description: "\(path): \(error)") }
            let j: JSON
            do { j = try JSONParser.parse(data) } catch { throw Failure(description: "\(path): invalid JSON: \(error)") }
            let items = j.arrayValue ?? [j]
            warn("\(path): JSON, \(items.count) records")
            for r in items.prefix(rows) { say(JSONWriter.string(r)) }
        }
    }
}
