import Foundation

/// Everything loaded for one run: test results, a summary per trace (spans dropped), metrics.
public struct RunData: Sendable {
    public var results: [TestResult] = []
    public var traces: [TraceSummary] = []
    public var metrics: RunMetrics?
    public var diagnostics: [Diagnostic] = []
    public var cancelled = false
    public init() {}
}

/// Progress of a long load, for the UI's indicator.
public typealias LoadProgress = @Sendable (_ phase: String, _ fraction: Double) -> Void

public enum RunLoader {
    /// Loads a run's results, traces (streamed; only summaries are kept) and metrics.
    public static func load(
        _ entry: RunEntry, progress: LoadProgress? = nil, isCancelled: (@Sendable () -> Bool)? = nil
    ) -> RunData {
        var data = RunData()
        let f = entry.files
        let fs = f.fs
        func belongs(_ rid: String?) -> Bool {
            guard let filter = f.runIDFilter else { return true }
            return rid == filter || (rid == nil && f.acceptsMissingRunID)
        }
        if let p = f.results {
            progress?("results", 0)
            _ = DatasetFiles.forEachRecord(fs, p, into: &data.diagnostics, isCancelled: isCancelled) { v, _ in
                guard let o = v.objectValue else { return }
                let r = TestResult(json: o)
                if belongs(r.runID) { data.results.append(r) }
            }
        }
        if isCancelled?() == true { data.cancelled = true; return data }
        if let p = f.traces {
            progress?("traces", 0)
            data.traces = summarizeTraces(
                fs: fs, path: p, diagnostics: &data.diagnostics, belongs: belongs,
                progress: { frac in progress?("traces", frac) }, isCancelled: isCancelled)
        }
        if isCancelled?() == true { data.cancelled = true; return data }
        if let p = f.metrics {
            progress?("metrics", 0)
            if let j = DatasetFiles.readJSON(fs, p, into: &data.diagnostics) {
                switch j {
                case .object, .array: data.metrics = RunMetrics(json: j)
                default: data.diagnostics.append(Diagnostic(path: p, "expected a metrics object or list"))
                }
            }
        }
        progress?("done", 1)
        return data
    }

    /// Streams a traces file, keeping one summary per trace and dropping the spans.
    static func summarizeTraces(
        fs: any DataFileSystem, path: String, diagnostics: inout [Diagnostic], belongs: (String?) -> Bool,
        progress: ((Double) -> Void)?, isCancelled: (@Sendable () -> Bool)?
    ) -> [TraceSummary] {
        var out: [TraceSummary] = []
        var flat: [String: [Span]] = [:]
        var flatOrder: [String] = []
        var index = 0
        var malformed = 0
        // Summaries need figures, ids and error messages, not prompts: long strings are skipped undecoded.
        _ = DatasetFiles.forEachRecord(
            fs, path, into: &diagnostics, progress: progress, isCancelled: isCancelled, maxStringBytes: 4096
        ) {
            v, range in
            defer { index += 1 }
            guard let o = v.objectValue else {
                malformed += 1
                return
            }
            if o["spans"] != nil {
                guard o["spans"]?.arrayValue != nil else {
                    malformed += 1
                    return
                }
                let t = Trace(json: o)
                guard belongs(t.runID) else { return }
                out.append(
                    TraceSummary(TraceAnalysis(t), location: TraceLocation(path: path, byteRange: range, index: index)))
            } else if o["span_id"] != nil || o["spanId"] != nil {
                // A flat per-span table (as the dataset cards describe): group spans by trace id.
                let s = Span(json: o, traceID: nil)
                if flat[s.traceID] == nil { flatOrder.append(s.traceID) }
                flat[s.traceID, default: []].append(s)
            } else {
                malformed += 1
            }
        }
        for (k, tid) in flatOrder.enumerated() {
            let t = Trace(traceID: tid, spans: flat[tid] ?? [])
            guard belongs(t.runID) else { continue }
            out.append(TraceSummary(TraceAnalysis(t), location: TraceLocation(path: path, byteRange: nil, index: -1 - k)))
        }
        if malformed > 0 {
            diagnostics.append(Diagnostic(path: path, "\(malformed) records are not trace documents (no spans); skipped"))
        }
        return out
    }

    /// Loads one trace in full (all spans and attributes) from where its summary says it lives.
    public static func loadTrace(_ summary: TraceSummary, fs: any DataFileSystem) throws -> Trace {
        let loc = summary.location
        let data = try fs.read(loc.path)
        if let r = loc.byteRange {
            let j = try JSONParser.parse(data, range: r)
            guard let o = j.objectValue else { throw FileReadError(description: "\(loc.path): the trace is not an object") }
            return Trace(json: o)
        }
        var spans: [Span] = []
        var diags: [Diagnostic] = []
        _ = DatasetFiles.forEachRecord(fs, loc.path, into: &diags) { v, _ in
            guard let o = v.objectValue else { return }
            let s = Span(json: o, traceID: nil)
            if s.traceID == summary.traceID { spans.append(s) }
        }
        return Trace(traceID: summary.traceID, spans: spans)
    }
}
