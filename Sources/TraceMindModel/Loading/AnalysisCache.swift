import Foundation
import TraceMindFormats

/// Counted-once totals of runs kept between processes, so the leaderboard shows them at the speed of the recorded
/// figures. One small file per run under a folder the executable chooses (`$XDG_CACHE_HOME/tracemind/analysis`: never
/// a data folder), keyed by the identity of every file the analysis read (path, size, modification and status-change
/// times, inode: a rewrite shows even when size and modification time are put back) and by the accounting rules'
/// version. Anything stale, corrupt, of another version or
/// unreadable is a miss, never a figure; writes are atomic (a temporary file renamed), so concurrent processes share
/// the folder safely. Runs read from memory (the demo) or from a remote source are not cached.
public struct AnalysisCache: Sendable {
    /// Bump when loading, accounting or `RunTotals` change what a run's figures are: every entry becomes a miss.
    public static let rulesVersion = 1
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// What a cache file holds.
    struct Entry: Codable {
        var version: Int
        var key: String
        var totals: RunTotals
        var diagnostics: [Diagnostic]
    }

    /// The cached analysis of `entry`, when every file it read is unchanged.
    public func lookup(_ entry: RunEntry) -> (totals: RunTotals, diagnostics: [Diagnostic])? {
        AnalysisCache.key(entry).flatMap { lookup(entry, key: $0) }
    }

    /// The cached analysis of `entry` when it was made from files whose identity is `key` (see `key(_:)`).
    public func lookup(_ entry: RunEntry, key: String) -> (totals: RunTotals, diagnostics: [Diagnostic])? {
        guard let data = try? LocalFileSystem().readFile(path(entry)).data,
            let e = try? JSONValueDecoder().decode(Entry.self, from: data),
            e.version == AnalysisCache.rulesVersion, e.key == key
        else { return nil }
        return (e.totals, e.diagnostics)
    }

    /// Keeps the analysis of `entry` when its files are still those of `readKey` (the key taken before they were read:
    /// a file that changed meanwhile is not cached); silently nothing when the run is not cacheable or the folder is
    /// not writable.
    public func store(_ entry: RunEntry, readKey: String?, _ totals: RunTotals, _ diagnostics: [Diagnostic]) {
        guard let key = AnalysisCache.key(entry), key == readKey else { return }
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        guard let data = try? encoder.encode(Entry(version: AnalysisCache.rulesVersion, key: key, totals: totals, diagnostics: diagnostics))
        else { return }
        let target = path(entry)
        try? FileManager.default.createDirectory(atPath: PathUtil.dirname(target), withIntermediateDirectories: true)
        // Written to a temporary file and renamed over the target: a reader sees the old file or the new one.
        try? data.write(to: URL(fileURLWithPath: target), options: .atomic)
    }

    /// The run's cache file: named by a hash of where the run is (its key, source and files).
    func path(_ entry: RunEntry) -> String {
        let f = entry.files
        let place = [entry.key, entry.source, f.folder ?? "", f.results ?? "", f.traces ?? "", f.metrics ?? ""].joined(separator: "\u{1F}")
        return PathUtil.join(PathUtil.join(directory, "v\(AnalysisCache.rulesVersion)"), AnalysisCache.hex16(Hash64.of(Array(place.utf8))) + ".json")
    }

    /// Everything the run's figures depend on, as one string; nil when the run is not cacheable.
    public static func key(_ entry: RunEntry) -> String? {
        let f = entry.files
        guard f.fs is LocalFileSystem else { return nil }
        let datasets = [f.results, f.traces, f.metrics].compactMap { $0 }
        guard !datasets.contains(where: { HubPath.repo($0) != nil }) else { return nil }
        var parts = [
            "run \(entry.key)", "filter \(f.runIDFilter ?? "-") \(f.acceptsMissingRunID)",
            "row \(String(Hash64.of(JSONWriter.bytes(.object(entry.row.raw), pretty: false)), radix: 16))",
        ]
        var diags: [Diagnostic] = []
        for d in datasets {
            // A dataset that is one file (a run folder's results.json): one stat, not a folder check and then one.
            if let id = identity(d) {
                parts.append("dataset \(d) 1")
                parts.append(id)
                continue
            }
            let files = DatasetFiles.files(f.fs, d, into: &diags)
            parts.append("dataset \(d) \(files.count)")
            for file in files {
                guard let id = identity(file) else { return nil }
                parts.append(id)
            }
        }
        return parts.joined(separator: "\n")
    }

    /// Path, size, modification and status-change times and inode of a file (`LocalFileSystem.identity`).
    static func identity(_ path: String) -> String? {
        LocalFileSystem().identity(path).map { "file \(path) \($0)" }
    }

    /// Sixteen hex digits, zero-padded.
    static func hex16(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
