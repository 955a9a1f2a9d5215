import Foundation
import TraceMindFormats

/// Finds a trace by id (exact, unique prefix, with or without `0x` and leading zeros) across a catalog.
public enum TraceFinder {
    public struct Match: Sendable {
        public var run: RunEntry
        public var analysis: RunAnalysis
        public var summary: TraceSummary
        public var test: TestRow?
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

    public static func find(_ query: String, in catalog: Catalog, runKey: String? = nil) throws -> Match {
        let needle = TraceIDs.canonical(query).lowercased()
        let candidates = try runKey.map { [try catalog.run(matching: $0)] } ?? catalog.runs
        func search(_ entries: [RunEntry]) -> [Match] {
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
                let a = RunAnalysis(entry: entry, data: RunLoader.load(entry))
                let all = a.tests.compactMap { $0.trace } + a.extraTraces
                for s in all where TraceIDs.matches(query, s.traceID) {
                    matches.append(Match(run: entry, analysis: a, summary: s, test: a.tests.first { $0.trace?.traceID == s.traceID }))
                }
            }
            return matches
        }
        // Runs on the Hub: their results (small) say which run holds the trace, so only that run's traces (large) are
        // downloaded. The other Hub runs are searched only if that finds nothing (a trace no result row points at).
        let onHub = { (e: RunEntry) in e.files.traces.map { HubPath.repo($0) != nil } ?? false }
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
        var matches = search(first)
        if matches.isEmpty { matches = search(later) }
        if matches.isEmpty { throw FindError.notFound(query) }
        let exact = matches.filter { $0.summary.traceID.lowercased() == query.lowercased() || TraceIDs.canonical($0.summary.traceID) == needle }
        if exact.count == 1 { return exact[0] }
        let ids = Set(matches.map { $0.summary.traceID })
        if ids.count == 1 && matches.count == 1 { return matches[0] }
        throw FindError.ambiguous(query, matches.map { "\($0.summary.traceID) (\($0.run.key))" })
    }

    /// Case-insensitive byte search (ids are hex, files may use upper case).
    static func contains(_ data: Data, _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, data.count >= needle.count else { return needle.isEmpty }
        let first = needle[0]
        let firstUpper = (first >= 0x61 && first <= 0x7A) ? first - 32 : first
        return data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Bool in
            let n = raw.count, m = needle.count
            var i = 0
            while i <= n - m {
                let c = raw[i]
                if c == first || c == firstUpper {
                    var k = 1
                    while k < m {
                        var b = raw[i + k]
                        if b >= 0x41 && b <= 0x5A { b += 32 }
                        if b != needle[k] { break }
                        k += 1
                    }
                    if k == m { return true }
                }
                i += 1
            }
            return false
        }
    }
}
