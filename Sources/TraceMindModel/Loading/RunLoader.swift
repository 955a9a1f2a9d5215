import FoundationEssentials
import TraceMindFormats

/// Everything loaded for one run: test results, a summary per trace (spans dropped), metrics.
public struct RunData: Sendable {
    public var results: [TestResult] = []
    public var traces: [TraceSummary] = []
    public var metrics: RunMetrics?
    public var diagnostics: [Diagnostic] = []
    public var cancelled = false
    /// Why the traces were read only in part (a truncated or damaged traces file, a failed download): the run's
    /// counted-once tokens and cost are then lower bounds. Empty when every trace record was read.
    public var partialTraces: [String] = []
    /// Why the results were read only in part: counts and rates are of the tests read.
    public var partialResults: [String] = []
    public init() {}
}

/// Progress of a long load, for the UI's indicator.
public typealias LoadProgress = @Sendable (_ phase: String, _ fraction: Double) -> Void

public enum RunLoader {
    /// Loads a run's results, traces (streamed; only summaries are kept) and metrics.
    /// `summaries`: where the traces' summaries are kept between processes (a traces file read before and unchanged
    /// is not read again).
    public static func load(
        _ entry: RunEntry, progress: LoadProgress? = nil, isCancelled: (@Sendable () -> Bool)? = nil, summaries: SummaryCache? = nil
    ) -> RunData {
        var data = RunData()
        let f = localFiles(entry, progress: progress, isCancelled: isCancelled, diagnostics: &data.diagnostics)
        // A remote dataset read in part (a store whose index changed while it was paged) is partial like a damaged file.
        let fetched = data.diagnostics
        let inPart = { (ref: String?) -> [String] in
            guard let ref, RemoteReference.isRemote(ref) else { return [] }
            return fetched.filter { $0.path == ref && $0.severity == .warning }.map(\.description)
        }
        let resultsInPart = inPart(entry.files.results), tracesInPart = inPart(entry.files.traces)
        let fs = f.fs
        if isCancelled?() == true { data.cancelled = true; return data }
        let belongs = belongsFilter(f)
        // The results are read on a thread of their own while the traces are read on every core (the two files are
        // independent; the results' parse, on one core, otherwise came first); their warnings still come first.
        let resultsFile = f.results, resultsPath = entry.files.results, counted = entry.row.totalTests
        if resultsFile != nil { progress?("results", 0) }
        let readResults = { @Sendable () -> (results: [TestResult], diagnostics: [Diagnostic]) in
            guard let p = resultsFile else { return ([], []) }
            var results: [TestResult] = [], diagnostics: [Diagnostic] = []
            _ = DatasetFiles.forEachRecord(fs, p, into: &diagnostics, isCancelled: isCancelled) { v, _ in
                guard let o = v.objectValue else { return }
                let r = TestResult(json: o)
                if belongs(r.runID) { results.append(r) }
            }
            // Rows the leaderboard counted and the results do not hold (overwritten in a store, a results file cut
            // short): the run's counts and rates are of the tests read.
            if let counted, !results.isEmpty, results.count < counted, isCancelled?() != true {
                diagnostics.append(
                    Diagnostic(.warning, path: resultsPath ?? p, "\(counted - results.count) of the \(counted) tests the leaderboard counts are not in the results"))
            }
            return (results, diagnostics)
        }
        let resultsRead = f.traces != nil && resultsFile != nil ? Parallel.started(readResults) : { readResults() }
        var rest = RunData()
        readTracesAndMetrics(entry, f, into: &rest, tracesInPart: tracesInPart, belongs: belongs, progress: progress, isCancelled: isCancelled, summaries: summaries)
        let r = resultsRead()
        data.results = r.results
        if resultsFile != nil { data.partialResults = resultsInPart + r.diagnostics.filter { $0.severity != .note }.map(\.description) }
        data.diagnostics += r.diagnostics + rest.diagnostics
        data.traces = rest.traces
        data.partialTraces = rest.partialTraces
        data.metrics = rest.metrics
        data.cancelled = rest.cancelled || isCancelled?() == true
        if !data.cancelled { progress?("done", 1) }
        return data
    }

    /// The traces and metrics part of `load`, into `data`.
    private static func readTracesAndMetrics(
        _ entry: RunEntry, _ f: RunFiles, into data: inout RunData, tracesInPart: [String], belongs: @escaping @Sendable (String?) -> Bool,
        progress: LoadProgress?, isCancelled: (@Sendable () -> Bool)?, summaries: SummaryCache?
    ) {
        let fs = f.fs
        if isCancelled?() == true { data.cancelled = true; return }
        if let p = f.traces {
            progress?("traces", 0)
            data.partialTraces = tracesInPart
            // The files' identity is taken once, before they are read: a hit, or the key the summaries are kept under.
            let readKey = summaries.flatMap { _ in SummaryCache.key(f) }
            if let summaries, let readKey, let hit = summaries.lookup(f, key: readKey) {
                data.traces = hit.summaries
                data.diagnostics += hit.diagnostics
                data.partialTraces += hit.partial
            } else {
                let before = data.diagnostics.count
                data.traces = summarizeTraces(
                    fs: fs, path: p, diagnostics: &data.diagnostics, belongs: belongs,
                    progress: { frac in progress?("traces", frac) }, isCancelled: isCancelled)
                // Records that could not be read: the warning says which figures it makes lower bounds.
                // (Records that are not trace data at all lose nothing: they are not counted.)
                var partial: [String] = []
                for i in before..<data.diagnostics.count where data.diagnostics[i].severity != .note && !data.diagnostics[i].message.containsText("not trace data") {
                    partial.append(data.diagnostics[i].description)
                    data.diagnostics[i].message += "; this run's tokens and cost are lower bounds (≥)"
                }
                data.partialTraces += partial
                if let summaries, let readKey, isCancelled?() != true {
                    summaries.store(f, readKey: readKey, SummaryCache.Hit(summaries: data.traces, diagnostics: Array(data.diagnostics[before...]), partial: partial))
                }
            }
        } else if entry.files.traces != nil {
            data.partialTraces.append("its traces could not be read")
        }
        if isCancelled?() == true { data.cancelled = true; return }
        if let p = f.metrics {
            progress?("metrics", 0)
            if let records = DatasetFiles.allRecords(fs, p, into: &data.diagnostics) {
                if records.contains(where: { $0.objectValue == nil }) {
                    data.diagnostics.append(Diagnostic(path: p, "expected a metrics object or a list of metric rows"))
                } else {
                    data.metrics = RunMetrics(records: records.compactMap(\.objectValue))
                }
            }
        }
    }

    /// The run's files with its remote datasets (Hub repositories, OpenSearch indexes) fetched into the cache (a
    /// failed fetch is a diagnostic and no file).
    static func localFiles(
        _ entry: RunEntry, progress: LoadProgress?, isCancelled: (@Sendable () -> Bool)?, diagnostics: inout [Diagnostic],
        only datasets: [WritableKeyPath<RunFiles, String?>] = [\RunFiles.results, \RunFiles.traces, \RunFiles.metrics]
    ) -> RunFiles {
        var f = entry.files
        for kp in datasets {
            guard let p = f[keyPath: kp], RemoteReference.isRemote(p) else { continue }
            if isCancelled?() == true { break }
            guard let client = f.remote, let id = client.datasetID(p) else {
                diagnostics.append(Diagnostic(path: p, "a remote dataset, and no client was given to fetch it"))
                f[keyPath: kp] = nil
                continue
            }
            progress?("downloading \(id)", 0)
            do {
                f[keyPath: kp] = try client.fetch(id, progress: { progress?("downloading \(id)", $0) }, isCancelled: isCancelled, notes: &diagnostics)
            } catch {
                // A run that counted no tests names datasets its exporter never made (SMOLTRACE's OpenSearch export
                // names all three indexes and creates only those it has documents for): nothing is lost.
                let nothingExpected = error.missing && entry.row.totalTests == 0
                diagnostics.append(
                    Diagnostic(
                        nothingExpected ? .note : .warning, path: p,
                        error.description.replacingEvery(p + ": ", with: "") + (nothingExpected ? " (the run counted no tests)" : "")))
                f[keyPath: kp] = nil
            }
        }
        return f
    }

    /// The trace ids the run's results point at, read from its results dataset alone (a Hub run's traces, by far its
    /// largest dataset, are not fetched). Nil when the run has no readable results.
    public static func resultTraceIDs(_ entry: RunEntry) -> [String]? {
        var diags: [Diagnostic] = []
        let f = localFiles(entry, progress: nil, isCancelled: nil, diagnostics: &diags, only: [\RunFiles.results])
        guard let p = f.results else { return nil }
        let belongs = belongsFilter(f)
        var ids: [String] = []
        let ok = DatasetFiles.forEachRecord(f.fs, p, into: &diags) { v, _ in
            guard let o = v.objectValue else { return }
            let r = TestResult(json: o)
            if belongs(r.runID), let t = r.traceID { ids.append(t) }
        }
        return ok ? ids : nil
    }

    /// Which records of a shared file are this run's.
    static func belongsFilter(_ f: RunFiles) -> @Sendable (String?) -> Bool {
        let filter = f.runIDFilter, acceptsMissing = f.acceptsMissingRunID
        return { rid in
            guard let filter else { return true }
            return rid == filter || (rid == nil && acceptsMissing)
        }
    }

    /// Every trace of a run, read in full and transformed on all cores (for passes that need the spans: breakdowns).
    public static func mapTraces<T: Sendable>(
        _ entry: RunEntry, diagnostics: inout [Diagnostic], _ transform: @escaping @Sendable (Trace, TraceLocation) -> T
    ) -> [T] {
        let f = localFiles(entry, progress: nil, isCancelled: nil, diagnostics: &diagnostics)
        guard let p = f.traces else { return [] }
        return traces(fs: f.fs, path: p, diagnostics: &diagnostics, belongs: belongsFilter(f), progress: nil, isCancelled: nil, transform)
    }

    /// Reads a traces file on all cores, keeping one summary per trace and dropping the spans. Summaries need
    /// figures, ids and error messages, not prompts: long strings are skipped undecoded.
    static func summarizeTraces(
        fs: any DataFileSystem, path: String, diagnostics: inout [Diagnostic], belongs: @escaping @Sendable (String?) -> Bool,
        progress: (@Sendable (Double) -> Void)?, isCancelled: (@Sendable () -> Bool)?
    ) -> [TraceSummary] {
        // A summary keeps none of the file's bytes: the file may be mapped for the pass.
        traces(fs: fs, path: path, diagnostics: &diagnostics, belongs: belongs, progress: progress, isCancelled: isCancelled, mapped: true) {
            TraceSummary($0, location: $1)
        }
    }

    /// The traces of a file (trace documents, or a flat table of span rows grouped by trace id), transformed on all
    /// cores. Long strings are skipped undecoded: transforms need figures, ids and error messages, not prompts.
    static func traces<T: Sendable>(
        fs: any DataFileSystem, path: String, diagnostics: inout [Diagnostic], belongs: @escaping @Sendable (String?) -> Bool,
        progress: (@Sendable (Double) -> Void)?, isCancelled: (@Sendable () -> Bool)?, mapped: Bool = false,
        _ transform: @escaping @Sendable (Trace, TraceLocation) -> T
    ) -> [T] {
        // Live watch: a JSON Lines file read before and grown since is read from where it ended.
        if let tailed = SpanTail.shared.read(fs, path) {
            var out: [T] = []
            for (k, tid) in tailed.order.enumerated() {
                let t = Trace(traceID: tid, spans: tailed.spans[tid] ?? [])
                guard belongs(t.runID) else { continue }
                out.append(transform(t, TraceLocation(path: path, index: -1 - k)))
            }
            if tailed.malformed > 0 {
                diagnostics.append(Diagnostic(path: path, "\(tailed.malformed) record\(tailed.malformed == 1 ? " is" : "s are") not trace data (no spans, span rows or OTLP resourceSpans); skipped"))
            }
            return out
        }
        let before = SpanTail.shared.stampBeforeRead(fs, path)
        // A large trace document is read lean (spans' figures; their details left in the file), its spans on all
        // cores; a small one lean in one pass on the worker that meets it. Other records (span rows, OTLP lines) are
        // parsed whole with long strings skipped.
        @Sendable func item(_ v: JSON, _ location: TraceLocation) -> TraceRecord<T>? {
            guard let o = v.objectValue else { return .malformed(location.path) }
            if o["spans"] != nil {
                guard o["spans"]?.arrayValue != nil else { return .malformed(location.path) }
                let t = Trace(json: o)
                guard belongs(t.runID) else { return nil }
                return .trace(transform(t, location))
            }
            if o["span_id"] != nil || o["spanId"] != nil {
                // A flat per-span table (as the dataset cards describe): grouped by trace id below.
                return .span(Span(json: o, traceID: nil))
            }
            // An OTLP/JSON export line: its spans may belong to several traces, and a trace may span several lines.
            if let spans = OTLP.spans(o) { return .spans(spans) }
            return .malformed(location.path)
        }
        @Sendable func made(_ record: Trace.Record?, _ location: TraceLocation) -> TraceRecord<T>?? {
            switch record {
            case .trace(let t)?:
                guard belongs(t.runID) else { return .some(nil) }
                return .some(.trace(transform(t, location)))
            case .object(let o)?: return .some(item(.object(o), location))
            case nil: return nil
            }
        }
        var large = LargeRecords<TraceRecord<T>>(minimumBytes: Trace.largeRecordBytes) { data, range, location throws(JSONParseError) in
            made(try Trace.read(data, range: range, maxStringBytes: 4096, parallel: true), location)
        }
        // The others in one pass too: each span read lean as it is met (no JSON tree of its prompts and payloads).
        large.small = { data, range, location, keys throws(JSONParseError) in
            made(try Trace.read(data, range: range, maxStringBytes: 4096, parallel: false, keys: keys), location)
        }
        let items: [TraceRecord<T>] = DatasetFiles.mapRecords(
            fs, path, into: &diagnostics, progress: progress, isCancelled: isCancelled, maxStringBytes: 4096, large: large, mapped: mapped, item)
        var out: [T] = []
        var flat: [String: [Span]] = [:]
        var flatOrder: [String] = []
        var malformed: [String: Int] = [:]
        var malformedOrder: [String] = []
        for item in items {
            switch item {
            case .trace(let t): out.append(t)
            case .span(let s):
                if flat[s.traceID] == nil { flatOrder.append(s.traceID) }
                flat[s.traceID, default: []].append(s)
            case .spans(let spans):
                for s in spans {
                    if flat[s.traceID] == nil { flatOrder.append(s.traceID) }
                    flat[s.traceID, default: []].append(s)
                }
            case .malformed(let file):
                if malformed[file] == nil { malformedOrder.append(file) }
                malformed[file, default: 0] += 1
            }
        }
        if before != nil, out.isEmpty, malformedOrder.count <= 1 {
            SpanTail.shared.remember(fs, path, before: before, spans: flat, order: flatOrder, malformed: malformed[path] ?? 0)
        }
        for (k, tid) in flatOrder.enumerated() {
            let t = Trace(traceID: tid, spans: flat[tid] ?? [])
            guard belongs(t.runID) else { continue }
            out.append(transform(t, TraceLocation(path: path, index: -1 - k)))
        }
        for file in malformedOrder {
            let n = malformed[file] ?? 0
            diagnostics.append(Diagnostic(path: file, "\(n) record\(n == 1 ? " is" : "s are") not trace data (no spans, span rows or OTLP resourceSpans); skipped"))
        }
        return out
    }

    /// The trace id and place of every record of a JSON traces file, when each is a trace document with a top-level
    /// `trace_id` (SMOLTRACE's form): a large document's spans are skipped, not parsed, and the bytes read are kept
    /// with it (`bytes`), so that opening it reads the file once. Nil for any other form.
    static func traceDocumentIDs(fs: any DataFileSystem, path: String) -> [(traceID: String, location: TraceLocation, bytes: Data?)]? {
        let large = LargeRecords<(String, TraceLocation, Data?)?>(minimumBytes: Trace.largeRecordBytes) { data, range, location throws(JSONParseError) in
            // SMOLTRACE writes the id before the spans: the spans are not read at all (the trace is, when opened).
            if let (head, reached) = try JSONParser.parseHead(data, range: range, before: "spans", maxStringBytes: 256), reached,
                let tid = head["trace_id"]?.text ?? head["traceId"]?.text
            {
                return .some((tid, location, data))
            }
            guard let (head, deferred) = try JSONParser.parseObject(data, range: range, deferring: ["spans"], maxStringBytes: 256),
                deferred["spans"] != nil, let tid = head["trace_id"]?.text ?? head["traceId"]?.text
            else { return .some(nil) }
            return .some((tid, location, data))
        }
        var diags: [Diagnostic] = []
        let found: [(String, TraceLocation, Data?)?] = DatasetFiles.mapRecords(fs, path, into: &diags, maxStringBytes: 256, large: large) { v, location in
            guard let o = v.objectValue, o["spans"]?.arrayValue != nil, let tid = o["trace_id"]?.text ?? o["traceId"]?.text else { return .some(nil) }
            return .some((tid, location, nil))
        }
        // A record of another form, or a file that did not read cleanly: the whole run is read instead (with its warnings).
        guard diags.allSatisfy({ $0.severity == .note }) else { return nil }
        var out: [(traceID: String, location: TraceLocation, bytes: Data?)] = []
        for item in found {
            guard let (tid, location, bytes) = item else { return nil }
            out.append((tid, location, bytes))
        }
        return out
    }

    /// The run's results alone (a report of one trace needs its test's row, not the other traces).
    static func loadResults(_ entry: RunEntry) -> RunData {
        var data = RunData()
        let f = localFiles(entry, progress: nil, isCancelled: nil, diagnostics: &data.diagnostics, only: [\RunFiles.results])
        guard let p = f.results else { return data }
        let belongs = belongsFilter(f)
        _ = DatasetFiles.forEachRecord(f.fs, p, into: &data.diagnostics) { v, _ in
            guard let o = v.objectValue else { return }
            let r = TestResult(json: o)
            if belongs(r.runID) { data.results.append(r) }
        }
        return data
    }

    /// Loads one trace in full (all spans and attributes) from where its summary says it lives.
    public static func loadTrace(_ summary: TraceSummary, fs: any DataFileSystem) throws -> Trace {
        try loadTrace(at: summary.location, traceID: summary.traceID, fs: fs)
    }

    /// Loads one trace in full from its place in a file (from `bytes`, the file as read a moment before, when given).
    public static func loadTrace(at loc: TraceLocation, traceID: String, fs: any DataFileSystem, bytes file: Data? = nil) throws -> Trace {
        // The spans read their details from the file again when shown: the trace's text is not kept.
        if let file, let r = loc.byteRange, r.upperBound <= file.count, loc.fileSize == file.count {
            let details = SpanBytes(file: loc.path, fs: fs, base: 0, size: file.count)
            if case .trace(let t)? = try Trace.read(file, range: r, parallel: r.count >= Trace.largeRecordBytes, details: details) { return t }
        }
        if let expected = loc.fileSize, let now = fs.fileSize(loc.path), now != expected {
            throw FileReadError(description: "\(loc.path): changed since it was loaded (\(expected) → \(now) bytes); press r to reload")
        }
        if let g = loc.rowGroup {
            let pq = try ParquetFile(source: FileParquetBytes(fs: fs, path: loc.path), name: PathUtil.basename(loc.path))
            let rows = try pq.rows(rowGroup: g, only: loc.index)
            guard let o = rows.first?.objectValue else { throw FileReadError(description: "\(loc.path): the trace is not a record") }
            return Trace(json: o)
        }
        if let r = loc.byteRange {
            // Only the trace's own bytes are read; a large document's spans are parsed on all cores.
            let bytes = Data(try fs.readRange(loc.path, r))
            if let size = loc.fileSize ?? fs.fileSize(loc.path) {
                let details = SpanBytes(file: loc.path, fs: fs, base: r.lowerBound, size: size)
                if case .trace(let t)? = try Trace.read(bytes, range: 0..<bytes.count, parallel: bytes.count >= Trace.largeRecordBytes, details: details) { return t }
            }
            let j = try JSONParser.parse(bytes)
            guard let o = j.objectValue else { throw FileReadError(description: "\(loc.path): the trace is not an object") }
            return Trace(json: o)
        }
        var spans: [Span] = []
        var diags: [Diagnostic] = []
        _ = DatasetFiles.forEachRecord(fs, loc.path, into: &diags) { v, _ in
            guard let o = v.objectValue else { return }
            if let otlp = OTLP.spans(o) {
                spans += otlp.filter { $0.traceID == traceID }
                return
            }
            let s = Span(json: o, traceID: nil)
            if s.traceID == traceID { spans.append(s) }
        }
        return Trace(traceID: traceID, spans: spans)
    }
}

/// One record of a traces file, as `RunLoader.traces` sorts it.
/// What one record of a traces dataset is. The large payloads are boxed, so that a file of millions of records that
/// are not trace data costs a few bytes per record, not a trace summary's size.
enum TraceRecord<T: Sendable>: Sendable {
    indirect case trace(T)
    indirect case span(Span)
    case spans([Span])
    case malformed(String)
}
