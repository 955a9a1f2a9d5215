import FoundationEssentials
import TraceMindFormats

/// Finds a trace by id (exact, unique prefix, with or without `0x` and leading zeros) across a catalog.
public enum TraceFinder {
    public struct Match: Sendable {
        public var run: RunEntry
        /// The run's analysis; with `wholeRun: false`, one made of its results and the found trace alone.
        public var analysis: RunAnalysis
        public var summary: TraceSummary
        public var test: TestRow?
        /// The trace itself, analysed, when finding it already read it in full.
        public var traced: TraceAnalysis?
        public var trace: Trace? { traced?.trace }

        /// The trace analysed: as found, else read from where its summary says it lives.
        public func traceAnalysis() throws -> TraceAnalysis {
            if let traced { return traced }
            return TraceAnalysis(try RunLoader.loadTrace(summary, fs: run.files.fs))
        }
    }

    public enum FindError: Error, CustomStringConvertible {
        case notFound(String)
        case ambiguous(String, [String])
        case unreadable(String)
        public var description: String {
            switch self {
            case .notFound(let q): return "no trace matches '\(q)'"
            case .ambiguous(let q, let ids):
                return "'\(q)' matches \(ids.count) traces: \(ids.prefix(5).joined(separator: ", "))\(ids.count > 5 ? ", …" : "")"
            case .unreadable(let m): return m
            }
        }
    }

    /// `wholeRun: false` (reports of one trace): a run whose traces are JSON documents with top-level ids is searched by
    /// those ids alone (a document's spans are skipped, not parsed) and the trace found is read once, in full.
    public static func find(_ query: String, in catalog: Catalog, runKey: String? = nil, wholeRun: Bool = true) throws -> Match {
        let needle = TraceIDs.canonical(query).lowercased()
        let candidates = try runKey.map { [try catalog.run(matching: $0)] } ?? catalog.runs
        /// Ids that matched in runs searched by their ids alone, several in one run (not read: the query is ambiguous
        /// unless another run holds an exact match).
        var unread: [String] = []
        func search(_ entries: [RunEntry]) throws -> [Match] {
            var matches: [Match] = []
            for entry in entries {
                guard let tp = entry.files.traces else { continue }
                // Cheap pre-check on a JSON file when there are other runs to look in: skip it when it cannot contain
                // the id (compressed Parquet can hide it). With one run to look in, it would only read the file twice.
                if entries.count > 1, !needle.isEmpty, entry.files.fs.isFile(tp), let head = try? entry.files.fs.readPrefix(tp, 4),
                    !head.elementsEqual([0x50, 0x41, 0x52, 0x31]), let data = try? entry.files.fs.read(tp),
                    !contains(data, Array(needle.utf8))
                {
                    continue
                }
                if !wholeRun, let quick = try quickFind(query, entry) {
                    switch quick {
                    case .found(let m): matches.append(m)
                    case .several(let ids): unread += ids
                    case .none: break
                    }
                    continue
                }
                let a = RunAnalysis(entry: entry, data: RunLoader.load(entry))
                let all = a.tests.compactMap { $0.trace } + a.extraTraces
                for s in all where TraceIDs.matches(query, s.traceID) {
                    matches.append(Match(run: entry, analysis: a, summary: s, test: a.tests.first { $0.trace?.traceID == s.traceID }))
                }
            }
            return matches
        }
        // Remote runs (the Hub, OpenSearch): their results (small) say which run holds the trace, so only that run's
        // traces (large) are fetched. The other remote runs are searched only if that finds nothing (a trace no
        // result row points at).
        let onHub = { (e: RunEntry) in e.files.traces.map(RemoteReference.isRemote) ?? false }
        var first = candidates, later: [RunEntry] = []
        if candidates.filter(onHub).count > 1 {
            (first, later) = ([], [])
            for e in candidates {
                if onHub(e), let ids = RunLoader.resultTraceIDs(e), !ids.isEmpty, !ids.contains(where: { TraceIDs.matches(query, $0) }) {
                    later.append(e)
                } else {
                    first.append(e)
                }
            }
        }
        var matches = try search(first)
        if matches.isEmpty && unread.isEmpty { matches = try search(later) }
        if matches.isEmpty && unread.isEmpty { throw FindError.notFound(query) }
        let exact = matches.filter { TraceIDs.isExact(query, $0.summary.traceID) }
        if exact.count == 1 { return exact[0] }
        let ids = Set(matches.map { $0.summary.traceID })
        if ids.count == 1 && matches.count == 1 && unread.isEmpty { return matches[0] }
        throw FindError.ambiguous(query, matches.map { "\($0.summary.traceID) (\($0.run.key))" } + unread)
    }

    /// The matches of one run found by the ids of its trace documents, or nil when its traces are not a local JSON
    /// file of documents with top-level ids (OTLP exports, span tables, Parquet, the Hub, a file shared by runs):
    /// those are read whole. The one trace that matches is read in full; several matching a prefix are ambiguous.
    enum Quick {
        case found(Match)
        /// Several traces of the run match (a short prefix): their ids, with the run's key.
        case several([String])
        case none
    }

    static func quickFind(_ query: String, _ entry: RunEntry) throws -> Quick? {
        var f = entry.files
        if let ref = f.traces, RemoteReference.isRemote(ref) {
            // A remote store that serves documents by id (OpenSearch) is asked for this one trace; the Hub is not.
            guard let client = f.remote, let dataset = client.datasetID(ref) else { return nil }
            var notes: [Diagnostic] = []
            let got: String?
            do { got = try client.fetchTrace(spellings(query), of: dataset, notes: &notes) } catch {
                throw FindError.unreadable("\(ref): \(error.description)")
            }
            guard let got else { return TraceIDs.canonical(query).count >= 16 || query.lowercased().hasPrefix("0x") ? Quick.none : nil }
            f.traces = got
            f.fs = LocalFileSystem()
        }
        guard let path = f.traces, HubPath.repo(path) == nil, f.runIDFilter == nil, f.fs.isFile(path),
            let head = try? f.fs.readPrefix(path, 4), !head.elementsEqual([0x50, 0x41, 0x52, 0x31])
        else { return nil }
        let found: (trace: Trace, location: TraceLocation)
        switch try findDocument(query, entry, fs: f.fs, path: path) {
        case .one(let t, let loc): found = (t, loc)
        case .several(let ids): return .several(ids)
        case .none: return Quick.none
        case .unknown: return nil
        }
        let trace = found.trace
        // Analysed once: the summary is the analysis', and the caller reads the same analysis.
        let traced = TraceAnalysis(trace)
        let summary = TraceSummary(traced, location: found.location)
        var data = RunLoader.loadResults(entry)
        data.traces = [summary]
        let a = RunAnalysis(entry: entry, data: data)
        return .found(Match(run: entry, analysis: a, summary: summary, test: a.tests.first { $0.trace?.traceID == summary.traceID }, traced: traced))
    }

    enum Document {
        case one(Trace, TraceLocation)
        case several([String])
        case none
        /// Not a file of trace documents with ids: the whole run is read instead.
        case unknown
    }

    /// The trace document of a JSON traces file that `query` names, read. The file's bytes are read once and let go
    /// here: the trace's spans read their details from the file again, so the analysis that follows does not sit
    /// beside the text of the whole file.
    static func findDocument(_ query: String, _ entry: RunEntry, fs: any DataFileSystem, path: String) throws -> Document {
        guard let ids = RunLoader.traceDocumentIDs(fs: fs, path: path) else { return .unknown }
        let hits = ids.filter { TraceIDs.matches(query, $0.traceID) }
        guard !hits.isEmpty else { return .none }
        let exact = hits.filter { TraceIDs.isExact(query, $0.traceID) }
        let chosen: (traceID: String, location: TraceLocation, bytes: Data?)
        if exact.count == 1 {
            chosen = exact[0]
        } else if Set(hits.map(\.traceID)).count == 1 && hits.count == 1 {
            chosen = hits[0]
        } else {
            return .several(hits.map { "\($0.traceID) (\(entry.key))" })
        }
        do { return .one(try RunLoader.loadTrace(at: chosen.location, traceID: chosen.traceID, fs: fs, bytes: chosen.bytes), chosen.location) } catch {
            throw FindError.unreadable("\(chosen.location.path): \(error)")
        }
    }

    /// The spellings a store may hold one trace id under: as typed, SMOLTRACE's (`0x`, lower case, no leading zeros),
    /// and the W3C form (32 hex digits).
    static func spellings(_ query: String) -> [String] {
        let q = query.trimmingBlanks()
        var out = [q]
        let c = TraceIDs.canonical(q)
        if c.allSatisfy(\.isHexDigit) {
            out += ["0x" + c, TraceIDs.display(c), c]
        }
        var seen = Set<String>()
        return out.filter { !$0.isEmpty && seen.insert($0).inserted }
    }

    /// Case-insensitive byte search (ids are hex, files may use upper case).
    static func contains(_ data: Data, _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        return data.withUnsafeBytes { ByteSearch.containsFoldingCase($0, needle) }
    }
}
