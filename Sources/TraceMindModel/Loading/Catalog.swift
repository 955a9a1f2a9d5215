import FoundationEssentials
import TraceMindFormats

/// Every run found in the sources, and every problem met on the way.
public struct Catalog: Sendable {
    public var runs: [RunEntry]
    public var diagnostics: [Diagnostic]
    public var sources: [String]
    public var isDemo: Bool

    public init(runs: [RunEntry], diagnostics: [Diagnostic], sources: [String], isDemo: Bool) {
        self.runs = runs
        self.diagnostics = diagnostics
        self.sources = sources
        self.isDemo = isDemo
    }

    public enum LookupError: Error, CustomStringConvertible, Equatable {
        case notFound(String)
        case ambiguous(String, [String])
        public var description: String {
            switch self {
            case .notFound(let q): return "no run matches '\(q)'"
            case .ambiguous(let q, let keys):
                return "'\(q)' matches \(keys.count) runs: \(keys.prefix(6).joined(separator: ", "))\(keys.count > 6 ? ", …" : "")"
            }
        }
    }

    /// A run by key, run id, or folder name, or a unique prefix of any of them.
    public func run(matching query: String) throws(LookupError) -> RunEntry {
        let q = query.trimmingBlanks()
        guard !q.isEmpty else { throw .notFound(query) }
        func names(_ r: RunEntry) -> [String] {
            var n = [r.key]
            if let id = r.row.runID { n.append(id) }
            if let f = r.files.folder { n.append(PathUtil.basename(f)) }
            return n
        }
        let exact = runs.filter { names($0).contains(q) }
        if exact.count == 1 { return exact[0] }
        if exact.count > 1 { throw .ambiguous(q, exact.map { $0.key }) }
        let pre = runs.filter { names($0).contains { $0.lowercased().hasPrefix(q.lowercased()) } }
        if pre.count == 1 { return pre[0] }
        if pre.isEmpty { throw .notFound(q) }
        throw .ambiguous(q, pre.map { $0.key })
    }
}

public enum CatalogLoader {
    public static let runFileNames = ["leaderboard_row.json", "results.json", "traces.json", "metrics.json", "metadata.json"]
    static let maxDepth = 12

    /// Loads the leaderboard of every source: run folders (found recursively), leaderboard / results / traces files.
    /// Reads only what the leaderboard needs: one small file per run folder.
    /// `hf://user/repo` sources are fetched into the cache first (`progress` gets the fraction downloaded); the
    /// datasets their leaderboard rows point to are fetched when a run opens.
    public static func load(
        sources: [String], fs: any DataFileSystem = LocalFileSystem(), isDemo: Bool = false, hub: (any RemoteDatasets)? = nil,
        openSearch: [String: any RemoteDatasets] = [:], progress: (@Sendable (Double) -> Void)? = nil,
        isCancelled: (@Sendable () -> Bool)? = nil, snapshot: CatalogSnapshot? = nil, foldersRead: (@Sendable (Int, Int) -> Void)? = nil,
        runsRead: (@Sendable ([RunEntry]) -> Void)? = nil
    ) -> Catalog {
        // Local sources only, read through a log of every path looked at, kept and reused while those paths stand.
        let keep = snapshot.flatMap { s in
            fs is LocalFileSystem && !isDemo && !sources.contains(where: RemoteReference.isRemote) ? s : nil
        }
        let cwd = FileManager.default.currentDirectoryPath
        if let keep, let kept = keep.lookup(sources, cwd: cwd) { return withHub(kept, hub) }
        let log = keep.map { _ in DependencyLog() }
        let started = Int64(Date().timeIntervalSince1970 * 1e9)
        var b = Builder(fs: log.map { RecordingFileSystem(log: $0) } ?? fs)
        b.foldersRead = foldersRead
        b.runsRead = runsRead
        b.hub = hub
        for src in sources {
            if src.hasPrefix(HubPath.scheme) {
                guard let repo = HubPath.repo(src) else {
                    b.diags.append(Diagnostic(.error, path: src, "not a Hub dataset id: expected hf://user/repo"))
                    continue
                }
                // The client (token, endpoint, cache) is the caller's: the model never reads the environment.
                guard let client = hub else {
                    b.diags.append(Diagnostic(.error, path: src, "no Hub client was given to read hf:// sources"))
                    continue
                }
                do {
                    let dir = try client.fetch(repo, progress: progress, isCancelled: isCancelled, notes: &b.diags)
                    b.datasets.append(dir)
                    b.hubNames[dir] = HubPath.scheme + repo
                } catch {
                    b.diags.append(Diagnostic(.error, path: src, error.description.replacingEvery(src + ": ", with: "")))
                }
                continue
            }
            if OpenSearchPath.isOpenSearch(src) {
                b.loadOpenSearch(src, client: openSearch[src], progress: progress, isCancelled: isCancelled)
                continue
            }
            if fs.isDirectory(src) {
                var seen = Set<String>()
                let before = (b.entries.count, b.datasets.count, b.standaloneTraces.count)
                b.scanFolder(src, depth: 0, seen: &seen)
                b.loadRunFolders()
                if b.entries.count == before.0 && b.datasets.count == before.1 && b.standaloneTraces.count == before.2 {
                    b.diags.append(Diagnostic(.note, path: src, "no SMOLTRACE runs found in this folder"))
                }
            } else if fs.isFile(src) {
                b.loadFile(src)
            } else {
                b.diags.append(Diagnostic(.error, path: src, "no such file or folder"))
            }
        }
        b.loadDatasetFolders()
        b.attachStandaloneTraces()
        var catalog = Catalog(runs: b.uniqueKeys(), diagnostics: b.diags, sources: sources, isDemo: isDemo)
        if let keep, let log {
            for i in catalog.runs.indices { catalog.runs[i].files.fs = fs }
            keep.store(catalog, cwd: cwd, log: log, started: started)
        }
        return withHub(catalog, hub)
    }

    /// Runs whose rows point at Hub datasets fetch them, when opened, with the caller's client.
    static func withHub(_ catalog: Catalog, _ hub: (any RemoteDatasets)?) -> Catalog {
        guard let hub else { return catalog }
        // The first byte first: 10,000 local runs are 30,000 paths that begin with something else. Found on all
        // cores, changed (copied) only where there is something to change.
        let h = HubPath.scheme.utf8.first
        func onHub(_ p: String?) -> Bool { p.map { $0.utf8.first == h && $0.hasPrefix(HubPath.scheme) } ?? false }
        let runs = catalog.runs
        let marks = Parallel.values(runs.count, serial: runs.count < 256) { i -> Bool in
            let r = runs[i]
            return !r.hasRemote && (onHub(r.resultsPath) || onHub(r.tracesPath) || onHub(r.metricsPath))
        }
        guard marks.contains(true) else { return catalog }
        var c = catalog
        for i in c.runs.indices where marks[i] { c.runs[i].files.remote = hub }
        return c
    }

    struct Builder {
        let fs: any DataFileSystem
        var entries: [RunEntry] = []
        var diags: [Diagnostic] = []
        var standaloneTraces: [(path: String, runIDs: [String?])] = []
        /// Dataset folders (Hub repositories) and Parquet files met while scanning, loaded once the scan is done so
        /// leaderboards come first and the datasets they point to are not listed twice.
        var datasets: [String] = []
        /// For `hf://` sources: the client, and the cached folder of each repository with its Hub name.
        var hub: (any RemoteDatasets)?
        var hubNames: [String: String] = [:]
        /// For `opensearch://` sources: the cached copy of each leaderboard index, with its source and client.
        var remoteLeaderboards: [String: (source: String, client: any RemoteDatasets)] = [:]
        /// Run folders met while scanning, read together on all cores when the scan of a source is done.
        var runFolders: [(dir: String, names: Set<String>)] = []
        /// Told how many of the run folders met are read, as they are (a browser's progress count).
        var foldersRead: (@Sendable (Int, Int) -> Void)?
        /// Given the runs of each part of the run folders as it is read, from any core and in any order (a browser
        /// shows them before the catalog is whole; the catalog, deduplicated and in order, replaces them).
        var runsRead: (@Sendable ([RunEntry]) -> Void)?

        init(fs: any DataFileSystem) { self.fs = fs }

        /// Reads the run folders the scan found (their leaderboard rows) on all cores, in scan order.
        mutating func loadRunFolders() {
            let pending = runFolders
            runFolders = []
            guard !pending.isEmpty else { return }
            let fs = self.fs
            // In chunks, each with one key table for its documents: every row has the same forty keys.
            let chunks = pending.count < 32 ? 1 : min(pending.count, Parallel.cores * 8)
            let total = pending.count, told = foldersRead, partial = runsRead
            let made = Parallel.map(chunks, progress: told.map { t in { @Sendable f in t(Int(f * Double(total)), total) } }, isCancelled: nil, serial: chunks == 1) {
                c -> RecordSlot<[(RunEntry, [Diagnostic])]> in
                let keys = JSONKeyTable()
                let lo = c * pending.count / chunks, hi = (c + 1) * pending.count / chunks
                let part = (lo..<hi).map { Builder.runFolderEntry(fs, pending[$0].dir, names: pending[$0].names, keys: keys) }
                partial?(part.map(\.0))
                return .value(part)
            }
            for m in made {
                guard case .value(let part) = m else { continue }
                for (entry, problems) in part {
                    entries.append(entry)
                    diags += problems
                }
            }
        }

        mutating func scanFolder(_ dir: String, depth: Int, seen: inout Set<String>) {
            guard depth <= CatalogLoader.maxDepth else { return }
            let listing: FolderListing
            do { listing = try fs.listFolder(dir) } catch {
                diags.append(Diagnostic(path: dir, "\(error)"))
                return
            }
            scanListed(dir, listing, depth: depth, seen: &seen)
        }

        /// A listed folder: a run folder, a dataset, or a folder of folders and loose trace files. Its subfolders are
        /// listed together on all cores (a folder of 10,000 run folders is the common case), then looked at in order.
        mutating func scanListed(_ dir: String, _ listing: FolderListing, depth: Int, seen: inout Set<String>) {
            guard seen.insert(listing.identity).inserted else { return }
            let names = listing.names
            let set = Set(names)
            if CatalogLoader.runFileNames.contains(where: set.contains) {
                runFolders.append((dir, set))
                return
            }
            let parquet = names.filter { $0.lowercased().hasSuffix(".parquet") }
            if !parquet.isEmpty && parquet.allSatisfy(Builder.isShardName) {
                datasets.append(dir)
                return
            }
            if listing.folders.contains("data"), let inner = try? fs.list(PathUtil.join(dir, "data")),
                inner.contains(where: { $0.lowercased().hasSuffix(".parquet") })
            {
                datasets.append(dir)  // a Hub dataset repository
                return
            }
            for name in parquet { datasets.append(PathUtil.join(dir, name)) }
            let visible = names.filter { !$0.hasPrefix(".") }
            let subfolders = visible.filter { listing.folders.contains($0) }
            let fs = self.fs
            let deeper = depth + 1 <= CatalogLoader.maxDepth
            let listed = Parallel.map(deeper ? subfolders.count : 0, progress: nil, isCancelled: nil, serial: subfolders.count < 32) {
                i -> RecordSlot<Result<FolderListing, FileReadError>> in
                do { return .value(.success(try fs.listFolder(PathUtil.join(dir, subfolders[i])))) } catch let e as FileReadError {
                    return .value(.failure(e))
                } catch {
                    return .value(.failure(FileReadError(description: "\(error)")))
                }
            }
            // Trace files of other systems (OTLP/JSON exports, single trace documents) lying in a folder: a folder
            // of nothing else is one entry listing its traces; mixed in with other things, each file is one.
            var otherFiles = 0
            var traceFiles: [String] = []
            var next = 0
            for name in visible {
                let p = PathUtil.join(dir, name)
                if listing.folders.contains(name) {
                    defer { next += 1 }
                    guard deeper, case .value(let result) = listed[next] else { continue }
                    switch result {
                    case .success(let child): scanListed(p, child, depth: depth + 1, seen: &seen)
                    case .failure(let e): diags.append(Diagnostic(path: p, "\(e)"))
                    }
                } else if Builder.isLooseTraceFile(fs, p) {
                    traceFiles.append(p)
                } else {
                    otherFiles += 1
                }
            }
            if !traceFiles.isEmpty && subfolders.isEmpty && otherFiles == 0 {
                standaloneTraces.append((dir, [nil]))
            } else {
                for p in traceFiles { standaloneTraces.append((p, [nil])) }
            }
        }

        /// A `.json`/`.jsonl`/`.ndjson` file whose first 64 KiB look like trace data (`resourceSpans`, or `spans` with
        /// span ids). Only those 64 KiB are read.
        static func isLooseTraceFile(_ fs: any DataFileSystem, _ path: String) -> Bool {
            let lower = path.lowercased()
            guard [".json", ".jsonl", ".ndjson"].contains(where: lower.hasSuffix),
                !CatalogLoader.runFileNames.contains(PathUtil.basename(path)),
                let bytes = try? fs.readPrefix(path, 65_536)
            else { return false }
            func has(_ s: String) -> Bool { ByteSearch.contains(bytes, s) }
            return has("\"resourceSpans\"") || (has("\"spans\"") && (has("\"span_id\"") || has("\"spanId\"")))
        }

        /// `train-00000-of-00002.parquet`: one shard of a dataset split over several files.
        static func isShardName(_ n: String) -> Bool {
            // `-\d{5}-of-\d{5}(\.[a-z]+)?\.parquet$`, letters in either case (digits: ASCII).
            var u = Array(n.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 32 : $0 })
            let suffix = Array(".parquet".utf8)
            guard u.count > suffix.count, Array(u.suffix(suffix.count)) == suffix else { return false }
            u.removeLast(suffix.count)
            func endsWithNumbering(_ u: ArraySlice<UInt8>) -> Bool {
                let tail = Array(u.suffix(15))
                guard tail.count == 15 else { return false }
                let isDigit = { (b: UInt8) in b >= 0x30 && b <= 0x39 }
                return tail[0] == UInt8(ascii: "-") && tail[1...5].allSatisfy(isDigit) && Array(tail[6...9]) == Array("-of-".utf8)
                    && tail[10...14].allSatisfy(isDigit)
            }
            if endsWithNumbering(u[...]) { return true }
            guard let dot = u.lastIndex(of: UInt8(ascii: ".")), dot < u.count - 1,
                u[(dot + 1)...].allSatisfy({ $0 >= 0x61 && $0 <= 0x7A })
            else { return false }
            return endsWithNumbering(u[..<dot])
        }

        /// A dataset's kind from its repository name (`smoltrace-results-…`), else from its Parquet columns.
        func datasetKind(_ path: String) -> DatasetKind {
            let name = PathUtil.basename(fs.isDirectory(path) ? path : PathUtil.dirname(path) == "data" ? PathUtil.dirname(PathUtil.dirname(path)) : path).lowercased()
            for (k, kind) in [("leaderboard", DatasetKind.leaderboard), ("results", .results), ("traces", .traces), ("metrics", .metrics)]
            where name.containsText("smoltrace-" + k) || name.hasPrefix(k) {
                return kind
            }
            var ignored: [Diagnostic] = []
            guard let first = DatasetFiles.files(fs, path, into: &ignored).first,
                let pq = DatasetFiles.openParquet(fs, first, into: &ignored)
            else { return .unknown }
            var o = JSONObject()
            for c in pq.topLevelColumns { o.set(c, .null) }
            return DatasetKind.detect(o)
        }

        /// Leaderboards first; then results, traces and metrics datasets no leaderboard row points to. A results
        /// repository takes the traces and metrics repositories of the same timestamp with it.
        mutating func loadDatasetFolders() {
            guard !datasets.isEmpty else { return }
            let kinds = datasets.map { datasetKind($0) }
            for (d, k) in zip(datasets, kinds) where k == .leaderboard { loadFile(d) }
            var used = Set(entries.flatMap { e in [e.files.results, e.files.traces, e.files.metrics].compactMap { $0 } }.map(fs.canonicalPath))
            for (d, k) in zip(datasets, kinds) where k == .results && !used.contains(fs.canonicalPath(d)) {
                let before = entries.count
                loadFile(d)
                for kind in ["traces", "metrics"] {
                    guard var sib = Builder.siblingRepo(d, kind: kind) else { continue }
                    if let name = hubNames[d], let remoteSib = Builder.siblingRepo(name, kind: kind) {
                        sib = remoteSib  // fetched when the run opens; a missing one is reported then
                    } else if !fs.isDirectory(sib) {
                        continue
                    }
                    used.insert(fs.canonicalPath(sib))
                    for i in before..<entries.count {
                        if kind == "traces" { entries[i].files.traces = sib } else { entries[i].files.metrics = sib }
                    }
                }
            }
            for (d, k) in zip(datasets, kinds) where k != .leaderboard && k != .results && !used.contains(fs.canonicalPath(d)) {
                loadFile(d)
            }
            // Runs read from the Hub: named by their repository, and able to fetch what their rows point to.
            for i in entries.indices {
                guard let name = hubNames[entries[i].source] else { continue }
                entries[i].source = name
                entries[i].files.remote = hub
            }
        }

        /// `…/smoltrace-results-20251027_112742` → `…/smoltrace-traces-20251027_112742`.
        static func siblingRepo(_ dir: String, kind: String) -> String? {
            let name = PathUtil.basename(dir)
            guard let r = name.firstRange(ofText: "-results-") else { return nil }
            var sibling = name
            sibling.replaceSubrange(r, with: "-\(kind)-")
            return PathUtil.join(PathUtil.dirname(dir), sibling)
        }

        mutating func loadRunFolder(_ dir: String, names: Set<String>) {
            let (entry, problems) = Builder.runFolderEntry(fs, dir, names: names)
            entries.append(entry)
            diags += problems
        }

        /// One run folder's entry: its leaderboard row (else one from its metadata, else from its name) and files.
        static func runFolderEntry(_ fs: any DataFileSystem, _ dir: String, names: Set<String>, keys: JSONKeyTable? = nil) -> (RunEntry, [Diagnostic]) {
            var diags: [Diagnostic] = []
            func path(_ n: String) -> String? { names.contains(n) ? PathUtil.join(dir, n) : nil }
            var row: LeaderboardRow?
            if let p = path("leaderboard_row.json"), let json = DatasetFiles.readJSON(fs, p, keys: keys, into: &diags) {
                if let o = json.objectValue {
                    row = LeaderboardRow(json: o)
                } else if let a = json.arrayValue, let o = a.first?.objectValue {
                    row = LeaderboardRow(json: o)
                } else {
                    diags.append(Diagnostic(path: p, "expected a JSON object (one leaderboard row)"))
                }
            }
            if row == nil, let p = path("metadata.json"), let m = DatasetFiles.readJSON(fs, p, keys: keys, into: &diags)?.objectValue {
                let ts = m["timestamp"]?.text
                row = .synthesized(
                    model: m["model"]?.text ?? "unknown model", agentType: m["agent_type"]?.text ?? "unknown",
                    timestamp: ts.flatMap(isoFromCompactTimestamp) ?? ts, totalTests: m["num_results"]?.int)
            }
            if row == nil { row = Builder.rowFromFolderName(PathUtil.basename(dir)) }
            let files = RunFiles(
                fs: fs, folder: dir, results: path("results.json"), traces: path("traces.json"),
                metrics: path("metrics.json"))
            return (RunEntry(key: row!.runID ?? PathUtil.basename(dir), row: row!, source: dir, origin: .runFolder, files: files), diags)
        }

        /// `{model_safe}_{agent_type}_{YYYYMMDD}_{HHMMSS}` → a row with what the name tells.
        static func rowFromFolderName(_ name: String) -> LeaderboardRow {
            let parts = name.split(separator: "_").map(String.init)
            if parts.count >= 4, let iso = isoFromCompactTimestamp(parts[parts.count - 2] + "_" + parts[parts.count - 1]) {
                let agent = parts[parts.count - 3]
                let model = parts[0..<(parts.count - 3)].joined(separator: "_")
                return .synthesized(model: model.isEmpty ? name : model, agentType: agent, timestamp: iso, totalTests: nil)
            }
            return .synthesized(model: name, agentType: "unknown", timestamp: nil, totalTests: nil)
        }

        mutating func loadFile(_ path: String) {
            let base = PathUtil.basename(path)
            if CatalogLoader.runFileNames.contains(base) {
                let dir = PathUtil.dirname(path)
                if let names = try? fs.list(dir) {
                    loadRunFolder(dir, names: Set(names))
                    return
                }
            }
            // Detect the dataset from the first record.
            var kind = DatasetKind.unknown
            var records: [JSONObject] = []
            var traceRunIDs: [String?] = []
            var sawNonObject = false
            let ok = DatasetFiles.forEachRecord(fs, path, into: &diags) { v, _ in
                guard let o = v.objectValue else {
                    sawNonObject = true
                    return
                }
                if kind == .unknown { kind = DatasetKind.detect(o) }
                if kind == .traces {
                    let rid = o["run_id"]?.text ?? (o["spans"]?.arrayValue?.first?["resource"]?["attributes"]?["run.id"]?.text)
                        ?? OTLP.runID(o)
                    if !traceRunIDs.contains(where: { $0 == rid }) { traceRunIDs.append(rid) }
                } else {
                    records.append(o)
                }
            }
            guard ok else { return }
            switch kind {
            case .leaderboard:
                let remote = remoteLeaderboards[path]
                for o in records where DatasetKind.detect(o) == .leaderboard || o["model"] != nil {
                    let row = LeaderboardRow(json: o)
                    var files = RunFiles(fs: fs, folder: nil, results: nil, traces: nil, metrics: nil)
                    if let remote {
                        // A row of an OpenSearch leaderboard names its run's indexes (its *_dataset fields name Hub
                        // repositories that a run exported to OpenSearch never wrote).
                        func index(_ key: String) -> String? {
                            o[key]?.text.flatMap { $0.isEmpty || $0.containsText("/") ? nil : remote.client.reference($0) }
                        }
                        files.results = index("results_index")
                        files.traces = index("traces_index")
                        files.metrics = index("metrics_index")
                        files.remote = remote.client
                    } else {
                        files.results = resolvePointer(row.resultsDataset, from: path)
                        files.traces = resolvePointer(row.tracesDataset, from: path)
                        files.metrics = resolvePointer(row.metricsDataset, from: path)
                    }
                    if let r = files.results, fs.isFile(r) { files.folder = PathUtil.dirname(r) }
                    // Rows before 2025-10-24 have no run id: name them by their run folder or results repository.
                    let key = row.runID ?? files.folder.map(PathUtil.basename) ?? row.resultsDataset.flatMap { p in
                        p.hasPrefix("local:") ? nil : p.split(separator: "/").last.map(String.init)
                    } ?? base
                    entries.append(RunEntry(key: key, row: row, source: remote?.source ?? path, origin: .leaderboardFile, files: files))
                }
            case .results:
                let results = records.map { TestResult(json: $0) }
                var groups: [(String?, [TestResult])] = []
                for r in results {
                    if let i = groups.firstIndex(where: { $0.0 == r.runID }) { groups[i].1.append(r) } else { groups.append((r.runID, [r])) }
                }
                for (rid, rs) in groups {
                    let row = Builder.rowFromResults(rs, runID: rid)
                    var files = RunFiles(fs: fs, folder: nil, results: path, traces: nil, metrics: nil)
                    files.runIDFilter = rid
                    files.acceptsMissingRunID = groups.count == 1
                    entries.append(
                        RunEntry(
                            key: rid ?? base, row: row, source: path, origin: .resultsFile, files: files))
                }
            case .traces:
                standaloneTraces.append((path, traceRunIDs))
            case .metrics:
                diags.append(Diagnostic(.note, path: path, "a metrics file on its own has no run to show; open its run folder"))
            case .unknown:
                if sawNonObject || records.isEmpty {
                    diags.append(Diagnostic(path: path, "not a SMOLTRACE dataset (expected JSON objects)"))
                } else {
                    diags.append(
                        Diagnostic(
                            path: path,
                            "not a recognised SMOLTRACE dataset (no leaderboard, results or traces fields in its first record)"))
                }
            }
        }

        /// Traces given as files of their own join the run with the same id, or make a traces-only run.
        mutating func attachStandaloneTraces() {
            for (path, ids) in standaloneTraces {
                for rid in ids {
                    if let rid, let i = entries.firstIndex(where: { ($0.row.runID == rid || $0.key == rid) && $0.files.traces == nil }) {
                        entries[i].files.traces = path
                        continue
                    }
                    if rid == nil, ids.count == 1, let i = entries.firstIndex(where: { $0.origin == .resultsFile && $0.files.traces == nil }),
                        entries.filter({ $0.origin == .resultsFile }).count == 1
                    {
                        entries[i].files.traces = path
                        continue
                    }
                    var o = JSONObject()
                    if let rid { o.set("run_id", .string(rid)) }
                    o.set("model", .string("(traces only)"))
                    o.set("agent_type", .string("unknown"))
                    var files = RunFiles(fs: fs, folder: nil, results: nil, traces: path, metrics: nil)
                    files.runIDFilter = rid
                    files.acceptsMissingRunID = ids.count == 1
                    entries.append(
                        RunEntry(
                            key: rid ?? PathUtil.basename(path), row: LeaderboardRow(json: o), source: path,
                            origin: .tracesFile, files: files))
                }
            }
        }

        static func rowFromResults(_ rs: [TestResult], runID: String?) -> LeaderboardRow {
            var o = JSONObject()
            if let runID { o.set("run_id", .string(runID)) }
            o.set("model", .string(rs.first?.model ?? "unknown model"))
            let agents = Set(rs.map { $0.agentType })
            o.set("agent_type", .string(agents.count == 1 ? agents.first! : "both"))
            let passed = rs.count { $0.passed }
            o.set("total_tests", .int(Int64(rs.count)))
            o.set("successful_tests", .int(Int64(passed)))
            o.set("failed_tests", .int(Int64(rs.count - passed)))
            o.set("success_rate", .double(rs.isEmpty ? 0 : (Double(passed) * 10000 / Double(rs.count)).rounded() / 100))
            if let ts = rs.first?.raw["evaluation_date"]?.text { o.set("timestamp", .string(ts)) }
            let tok = rs.compactMap { $0.recordedTotalTokens }
            if !tok.isEmpty { o.set("total_tokens", .int(Int64(tok.reduce(0, +)))) }
            let cost = rs.compactMap { $0.recordedCostUSD }
            if !cost.isEmpty { o.set("total_cost_usd", .double(cost.reduce(0, +))) }
            return LeaderboardRow(json: o)
        }

        /// `local:` pointers (Windows backslashes, relative to the run's working directory): tried next to the
        /// leaderboard file, by their last two parts, and as given; `local:none` is no file. Hub ids
        /// (`user/smoltrace-results-…`) resolve to the repository folder beside the leaderboard's in a local Hub
        /// layout, or (for an `hf://` leaderboard) to the remote repository, fetched when the run opens.
        func resolvePointer(_ pointer: String?, from leaderboardPath: String) -> String? {
            guard var p = pointer?.trimmingBlanks(), !p.isEmpty else { return nil }
            if !p.hasPrefix("local:") {
                let parts = p.split(separator: "/").map(String.init)
                guard parts.count == 2, !parts.contains(where: { $0 == ".." || $0 == "." }) else { return nil }
                if let hub, leaderboardPath.hasPrefix(hub.cacheRoot) { return HubPath.scheme + p }
                var repo = leaderboardPath
                if !fs.isDirectory(repo) { repo = PathUtil.dirname(repo) }
                if PathUtil.basename(repo) == "data" { repo = PathUtil.dirname(repo) }
                let userDir = PathUtil.dirname(repo)
                let candidates = [PathUtil.join(userDir, parts[1]), PathUtil.join(PathUtil.join(PathUtil.dirname(userDir), parts[0]), parts[1])]
                return candidates.first { fs.isDirectory($0) }
            }
            p = String(p.dropFirst(6)).replacingEvery("\\", with: "/")
            if p == "none" || p.isEmpty { return nil }
            let base = PathUtil.dirname(leaderboardPath)
            let parts = p.split(separator: "/").map(String.init)
            var candidates = [PathUtil.join(base, p)]
            if parts.count >= 2 { candidates.append(PathUtil.join(base, parts.suffix(2).joined(separator: "/"))) }
            candidates.append(p)
            return candidates.first { fs.isFile($0) }
        }

        /// Keys must be unique: a re-used run id or the same run from two sources gets a suffix.
        /// One entry per run: the same run id with the same model and agent type found again (its JSON folder and
        /// its Hub Parquet form, two copies) is listed once, read from where it was found first, with a note naming
        /// both places. Other clashing keys get `#2`, `#3`.
        mutating func uniqueKeys() -> [RunEntry] {
            var out: [RunEntry] = []
            var byRun: [String: Int] = [:]
            var seen: [String: Int] = [:]
            for e in entries {
                // A run's identity: its id; before run ids (2025-10-24), its start time to the second.
                let identity = e.row.runID.flatMap { $0.isEmpty ? nil : "id " + $0 } ?? e.row.timestampNs.map { "time \($0 / 1_000_000_000)" }
                if let identity {
                    let same = identity + "\u{1}" + e.row.model + "\u{1}" + e.row.agentType
                    if let i = byRun[same] {
                        out[i].alsoAt.append(e.source)
                        diags.append(Diagnostic(.note, path: e.source, "the same run as \(out[i].source) (\(e.row.runID.map { "run " + $0 } ?? "started \(e.row.timestamp ?? "?")")): listed once, read from there"))
                        continue
                    }
                    byRun[same] = out.count
                }
                var e = e
                let n = seen[e.key, default: 0] + 1
                seen[e.key] = n
                if n > 1 { e.key = "\(e.key)#\(n)" }
                out.append(e)
            }
            return out
        }
    }
}
