import ArgumentParser
import FoundationEssentials
import Glibc
import NCursesBackend
import TraceMindApp
import TraceMindDemo
import TraceMindFormats
import TraceMindHub
import TraceMindOpenSearch
import TraceMindModel
import TraceMindReport

/// Writes to stderr (Swift 6 rejects the C `stderr` global).
struct StandardError: TextOutputStream {
    mutating func write(_ string: String) { FileDescriptor.standardError.write(string) }
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

/// Writes a JSON report to standard output as it is made, a megabyte at a time, and ends the process. The writer
/// escapes every control, bidi and line-separator character inside strings (`JSONWriter.writeString`), so its bytes go
/// out as they are: no terminal control can be in them.
func finishJSON(_ value: JSON) -> Never {
    JSONWriter.stream(value, standardOutput)
    exit(0)
}

/// `finishJSON` of an object whose last member is an array of `count` elements written a run at a time as they are
/// made (`JSONWriter.stream(head:key:count:writing:)`).
func finishJSON(head: [(String, JSON)], key: String, count: Int, writing: @escaping @Sendable (Range<Int>, inout JSONElementText) -> Void) -> Never {
    JSONWriter.stream(head: head, key: key, count: count, writing: writing, standardOutput)
    exit(0)
}

/// The sink of the JSON reports: the bytes to standard output as they are.
func standardOutput(_ bytes: UnsafeRawBufferPointer) {
    guard let base = bytes.baseAddress, bytes.count > 0 else { return }
    try? FileDescriptor.standardOutput.write(contentsOf: UnsafeRawBufferPointer(start: base, count: bytes.count))
}

/// A one-line progress bar on stderr for downloads, drawn only when stderr is a terminal.
final class ProgressBar: @unchecked Sendable {
    static let shared = ProgressBar()
    private let lock = Lock()
    private var last = Date.distantPast
    private var shown = false
    var enabled = ProcessSafety.standardErrorIsTerminal

    func update(_ label: String, _ fraction: Double) {
        lock.withLock {
            guard enabled, Date().timeIntervalSince(last) > 0.1 || fraction >= 1 else { return }
            last = Date()
            let f = max(0, min(1, fraction))
            let width = 30
            let filled = Int(f * Double(width))
            let text = Format.oneLine(label, max: 48)
            FileDescriptor.standardError.write("\r\u{1B}[2K\(text) [\(String(repeating: "#", count: filled))\(String(repeating: ".", count: width - filled))] \(Int(f * 100))%")
            shown = true
        }
    }

    func clear() {
        lock.withLock {
            if shown { FileDescriptor.standardError.write("\r\u{1B}[2K") }
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

/// `--by model` or `--by model-agent` (trends, analytics).
extension TrendGrouping: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.replacingEvery("-", with: "_")) }
    public static var allValueStrings: [String] { allCases.map(\.argument) }
    public static var allValueDescriptions: [String: String] {
        ["model": "one per model", "model-agent": "one per model and agent type"]
    }
    public var defaultValueDescription: String { argument }
    var argument: String { rawValue.replacingEvery("_", with: "-") }
}

/// Where runs come from. With no source: `./smoltrace_results` if present, else the embedded demo data.
struct SourceOptions: ParsableArguments {
    @Argument(
        help: ArgumentHelp(
            "Run folders, folders of runs (searched recursively), leaderboard/results/traces .json/.jsonl/.parquet files, folders of downloaded Hub dataset repos, hf://USER/REPO (HF_TOKEN, HF_ENDPOINT), opensearch://HOST[:PORT][/PREFIX] (HTTP) or opensearchs://… (HTTPS) (OPENSEARCH_USER + OPENSEARCH_PASSWORD, or OPENSEARCH_API_KEY), OTLP/JSON exports or single trace documents.",
            valueName: "source"))
    var sources: [String] = []

    @Option(name: .customLong("opensearch-password-file"), help: ArgumentHelp("Read the OpenSearch password (for OPENSEARCH_USER) from this file.", valueName: "file"))
    var openSearchPasswordFile: String?

    @Option(name: .customLong("opensearch-ca"), help: ArgumentHelp("Verify opensearchs:// servers against the CA certificates in this PEM file.", valueName: "file"))
    var openSearchCA: String?

    @Flag(
        name: .customLong("opensearch-insecure"),
        help: "Development only: skip TLS certificate verification, and allow a non-loopback OpenSearch without TLS or credentials.")
    var openSearchInsecure = false

    @Flag(name: .long, help: "Show the embedded demo data.")
    var demo = false

    @Flag(name: .shortAndLong, help: "Print nothing but errors on stderr.")
    var quiet = false

    /// The runs of the sources (a kept catalog when `cache` and every path it was made from is unchanged).
    /// `foldersRead` and `runsRead`: told how many run folders are read and which runs, as they are (the browser's
    /// first read).
    func loadCatalog(
        printing: Bool = true, cache: Bool = true, foldersRead: (@Sendable (Int, Int) -> Void)? = nil, runsRead: (@Sendable ([RunEntry]) -> Void)? = nil
    ) -> Catalog {
        // A report (printed, then gone) tunes the allocator for its burst of objects; the browser does not.
        if printing { ProcessSafety.tuneAllocatorForReport() }
        let snapshot = cache ? catalogSnapshot() : nil
        let catalog: Catalog
        if demo {
            catalog = DemoData.catalog()
        } else if sources.isEmpty {
            if LocalFileSystem().isDirectory("smoltrace_results") {
                catalog = CatalogLoader.load(
                    sources: ["smoltrace_results"], hub: HubClient.fromEnvironment(), snapshot: snapshot, foldersRead: foldersRead, runsRead: runsRead)
            } else {
                if !quiet { warn("note: no source given and ./smoltrace_results not found: using the embedded demo data") }
                catalog = DemoData.catalog()
            }
        } else {
            if quiet { ProgressBar.shared.enabled = false }
            let remote = sources.filter(RemoteReference.isRemote).map(OpenSearchPath.redacted).joined(separator: " ")
            // The remote clients come from here (HF_TOKEN, HF_ENDPOINT, OPENSEARCH_*, the caches): the model never reads
            // the environment.
            let (openSearch, refused) = openSearchClients()
            var loaded = CatalogLoader.load(
                sources: sources.filter { !OpenSearchPath.isOpenSearch($0) || openSearch[$0] != nil }, hub: HubClient.fromEnvironment(),
                openSearch: openSearch, progress: { ProgressBar.shared.update("reading \(remote)", $0) }, snapshot: snapshot,
                foldersRead: foldersRead, runsRead: runsRead)
            ProgressBar.shared.clear()
            loaded.diagnostics = refused + loaded.diagnostics
            loaded.sources = sources
            catalog = loaded
        }
        if printing {
            for d in catalog.diagnostics where !(quiet && d.severity == .note) { warn(d.description) }
            // Nothing could be loaded and something went wrong: a script must see the failure.
            if catalog.runs.isEmpty && catalog.diagnostics.contains(where: { $0.severity == .error }) { Glibc.exit(1) }
        }
        return catalog
    }
}

extension SourceOptions {
    /// A client for each `opensearch://` source (credentials from OPENSEARCH_USER / OPENSEARCH_PASSWORD /
    /// OPENSEARCH_API_KEY or the password file, TLS options, the cache under `$XDG_CACHE_HOME/tracemind/opensearch`),
    /// and one error for each source that may not be read as given.
    func openSearchClients(_ environment: [String: String]? = nil) -> ([String: any RemoteDatasets], [Diagnostic]) {
        var clients: [String: any RemoteDatasets] = [:], problems: [Diagnostic] = []
        let wanted = sources.filter(OpenSearchPath.isOpenSearch)
        guard !wanted.isEmpty else { return ([:], []) }
        // The environment is read only when there is a server to reach (a table of it is made on each read).
        let env = environment ?? ProcessInfo.processInfo.environment
        let credentials: OpenSearchCredentials
        do { credentials = try OpenSearchCredentials.fromEnvironment(env, passwordFile: openSearchPasswordFile) } catch {
            return ([:], wanted.map { Diagnostic(.error, path: OpenSearchPath.redacted($0), error.description) })
        }
        let ca = openSearchCA ?? env["OPENSEARCH_CA_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        for src in wanted {
            switch OpenSearchClient.make(source: src, credentials: credentials, caFile: ca, insecure: openSearchInsecure, cacheRoot: cacheFolder("opensearch", env)) {
            case .success(let c): clients[src] = c
            case .failure(let e): problems.append(Diagnostic(.error, path: OpenSearchPath.redacted(src), e.description))
            }
        }
        return (clients, problems)
    }
}

func requireRun(_ catalog: Catalog, _ query: String) throws -> RunEntry {
    do { return try catalog.run(matching: query) } catch { throw Failure(description: error.description) }
}

/// One run read and analysed, its traces' summaries through the cache unless `noCache`.
func analyse(_ entry: RunEntry, noCache: Bool = false) -> RunAnalysis {
    let data = RunLoader.load(entry, progress: ProgressBar.shared.loadProgress, summaries: noCache ? nil : analysisCache().summaries)
    ProgressBar.shared.clear()
    for d in data.diagnostics { warn(d.description) }
    return RunAnalysis(entry: entry, data: data)
}

/// `--run`, the sources and a table format: what the cross-run table reports (breakdown, top) share.
struct TableReportOptions: ParsableArguments {
    @Option(name: .customLong("run"), help: "One run (id, folder name, or a unique prefix).")
    var runID: String?

    @OptionGroup var source: SourceOptions

    @Option(name: .shortAndLong, help: "table, json, csv or markdown.")
    var format: OutputFormat = .table

    func validate() throws {
        guard format != .text, format != .svg else { throw ValidationError("this report prints table, json, csv or markdown") }
    }

    /// The run given with --run, else every run of the sources.
    func runs(_ catalog: Catalog) throws -> [RunEntry] { try runID.map { [try requireRun(catalog, $0)] } ?? catalog.runs }

    func label(_ runs: [RunEntry]) -> String { runs.count == 1 ? "run \(runs[0].key)" : "\(runs.count) runs" }
}

/// The analysis cache under `$XDG_CACHE_HOME/tracemind/analysis` (default `~/.cache`): never in a data folder.
/// Counted-once figures of every run of the catalog, on all cores with a progress line on a terminal, through the
/// analysis cache unless `noCache`; its problems are warned (notes only unless `quiet`).
func countedTotals(_ catalog: Catalog, noCache: Bool, quiet: Bool) -> [String: RunTotals] {
    RunTotals.byRun(catalog.runs, countedTotalsInOrder(catalog, noCache: noCache, quiet: quiet))
}

/// `countedTotals` by each run's place in the catalog (nil where a run has none).
func countedTotalsInOrder(_ catalog: Catalog, noCache: Bool, quiet: Bool) -> [RunTotals?] {
    let all = RunTotals.analyseAllInOrder(catalog.runs, cache: noCache ? nil : analysisCache()) { ProgressBar.shared.update("analysing runs", $0) }
    ProgressBar.shared.clear()
    for d in all.diagnostics where !quiet || d.severity != .note { warn(d.description) }
    return all.totals
}

func analysisCache(_ env: [String: String] = ProcessInfo.processInfo.environment) -> AnalysisCache {
    AnalysisCache(directory: cacheFolder("analysis", env))
}

/// The catalogs of local sources, kept under `$XDG_CACHE_HOME/tracemind/catalog` beside the analysis cache.
func catalogSnapshot(_ env: [String: String] = ProcessInfo.processInfo.environment) -> CatalogSnapshot {
    CatalogSnapshot(directory: cacheFolder("catalog", env))
}

/// `$XDG_CACHE_HOME/tracemind/NAME` (default `~/.cache`).
func cacheFolder(_ name: String, _ env: [String: String]) -> String {
    let home = env["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path
    let cache = env["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? PathUtil.join(home, ".cache")
    return PathUtil.join(PathUtil.join(cache, "tracemind"), name)
}

/// Reports that are tables or documents, not pictures: `--format svg` is for `trends`, `analytics` and `card`.
func refusePicture(_ format: OutputFormat, _ command: String) throws {
    if format == .svg { throw Failure(description: "\(command) has no picture: --format svg is for trends, analytics and card") }
}

/// The figures a cross-run report shows: counted once (through the caches unless `--no-cache`) or, with
/// `--recorded`, SMOLTRACE's own. Shared by `card`, `trends` and `analytics`.
struct FigureOptions: ParsableArguments {
    @Flag(help: "SMOLTRACE's recorded tokens and cost instead of the counted-once ones (wall p50 is then unknown).")
    var recorded = false

    @Flag(name: .customLong("no-cache"), help: "Read and analyse every run afresh: the caches (kept catalogs, analyses) are neither read nor written.")
    var noCache = false

    var mode: FigureMode { recorded ? .recorded : .countedOnce }

    /// The runs' counted-once figures; none in recorded mode unless `always` (trends read task sets from the results).
    func totals(_ catalog: Catalog, quiet: Bool, always: Bool = false) -> [String: RunTotals] {
        recorded && !always ? [:] : countedTotals(catalog, noCache: noCache, quiet: quiet)
    }
}
