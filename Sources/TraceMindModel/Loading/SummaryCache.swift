import FoundationEssentials
import TraceMindFormats

/// The per-test figures of a run kept between processes: the summary of every trace of its traces dataset (ids,
/// counted-once tokens and cost by model and kind, wall time, calls, errors, where the trace lives), so a run opens —
/// `tracemind run`, the browser's run screen — without reading a traces file it read before. Kept beside the analysis
/// cache (never in a data folder), keyed like it by the identity of every file read (path, size, modification and
/// status-change times, inode) and the accounting rules' version; only local files. A stale, corrupt or foreign
/// entry is a miss, never a figure; a file that changed while it was read is not kept; writes are atomic.
public struct SummaryCache: Sendable {
    public let directory: String
    public init(directory: String) { self.directory = directory }

    /// The traces as read (a hit), or nil.
    public struct Hit: Sendable {
        public var summaries: [TraceSummary]
        public var diagnostics: [Diagnostic]
        public var partial: [String]
        public init(summaries: [TraceSummary], diagnostics: [Diagnostic], partial: [String]) {
            self.summaries = summaries
            self.diagnostics = diagnostics
            self.partial = partial
        }
    }

    /// What the summaries of `files`' traces depend on; nil when they cannot be kept (remote, in memory, being
    /// tailed by the live watch, or gone).
    public static func key(_ files: RunFiles) -> String? {
        guard files.fs is LocalFileSystem, let traces = files.traces, !RemoteReference.isRemote(traces), !SpanTail.shared.enabled else { return nil }
        var parts = ["v \(AnalysisCache.rulesVersion)", "filter \(files.runIDFilter ?? "-") \(files.acceptsMissingRunID)"]
        var diags: [Diagnostic] = []
        let paths = LocalFileSystem().isDirectory(traces) ? DatasetFiles.files(files.fs, traces, into: &diags) : [traces]
        guard !paths.isEmpty else { return nil }
        for p in paths {
            guard let id = LocalFileSystem().identity(p) else { return nil }
            parts.append("file \(p) \(id)")
        }
        return parts.joined(separator: "\n")
    }

    /// The entry's file: named by a hash of the traces dataset's path and the run filter (one entry per place; a
    /// changed file replaces it).
    func path(_ files: RunFiles) -> String { place(files) + ".bin" }

    /// The entry's file without its extension.
    func place(_ files: RunFiles) -> String {
        let place = [files.traces ?? "", files.runIDFilter ?? "-", "\(files.acceptsMissingRunID)"].joined(separator: "\u{1F}")
        return PathUtil.join(PathUtil.join(directory, "v\(AnalysisCache.rulesVersion)"), AnalysisCache.hex16(Hash64.of(place)))
    }

    /// An entry's first bytes (the second binary form: token counts as the analysis pack writes them; the first form
    /// was JSON through `Codable`, read barely faster than the traces themselves).
    static let magic = Array("tracemind summaries 2\n".utf8)

    /// The summaries kept for `files` when they were made from files whose identity is `key` (see `key(_:)`): the
    /// entry's rules version and key, its summaries (`TraceSummary.pack`), diagnostics and partial reasons, and a hash
    /// of all of it (`PackWriter.seal`), so an entry cut short or changed is a miss.
    public func lookup(_ files: RunFiles, key: String) -> Hit? {
        guard let data = try? LocalFileSystem().readFile(path(files)).data else { return nil }
        return data.withUnsafeBytes { all -> Hit? in
            guard var r = PackReader(sealed: all, magic: SummaryCache.magic), r.uint() == UInt64(AnalysisCache.rulesVersion), r.text() == key,
                let n = r.count()
            else { return nil }
            var summaries: [TraceSummary] = []
            summaries.reserveCapacity(n)
            for _ in 0..<n {
                guard let s = TraceSummary(unpacking: &r) else { return nil }
                summaries.append(s)
            }
            guard let diagnostics = Diagnostic.unpackList(&r), let partial = r.texts(), r.isAtEnd else { return nil }
            return Hit(summaries: summaries, diagnostics: diagnostics, partial: partial)
        }
    }

    /// Keeps the summaries when the files are still those of `readKey` (taken before they were read).
    public func store(_ files: RunFiles, readKey: String, _ hit: Hit) {
        guard SummaryCache.key(files) == readKey else { return }
        var w = PackWriter(magic: SummaryCache.magic)
        w.uint(UInt64(AnalysisCache.rulesVersion))
        w.text(readKey)
        w.uint(UInt64(hit.summaries.count))
        for s in hit.summaries { s.pack(into: &w) }
        Diagnostic.pack(hit.diagnostics, into: &w)
        w.texts(hit.partial)
        // The same place's entry as the first form wrote it (JSON) is never read again: gone.
        try? FileManager.default.removeItem(atPath: place(files) + ".json")
        CacheWrite.replace(path(files), with: w.seal())
    }
}

extension SummaryCache {
    struct Groups: Codable {
        var version: Int
        var key: String
        var keys: [BreakdownKey]
        var groups: [[BreakdownRow]]
    }

    func groupsPath(_ files: RunFiles) -> String {
        place(files) + "-groups.json"
    }

    /// The run's cost groups by `keys` (the run screen's context breakdowns), kept for its traces as they are now.
    public func breakdowns(_ files: RunFiles, key: String, keys: [BreakdownKey]) -> [BreakdownKey: [BreakdownRow]]? {
        guard let g = AnalysisCache.read(Groups.self, groupsPath(files)), g.version == AnalysisCache.rulesVersion, g.key == key, g.keys == keys,
            g.groups.count == keys.count
        else { return nil }
        return Dictionary(uniqueKeysWithValues: zip(keys, g.groups))
    }

    /// Keeps the groups when the traces are still those of `readKey`.
    public func storeBreakdowns(_ files: RunFiles, readKey: String, keys: [BreakdownKey], _ groups: [BreakdownKey: [BreakdownRow]]) {
        guard SummaryCache.key(files) == readKey else { return }
        AnalysisCache.write(Groups(version: AnalysisCache.rulesVersion, key: readKey, keys: keys, groups: keys.map { groups[$0] ?? [] }), to: groupsPath(files))
    }
}

extension AnalysisCache {
    /// The per-test summaries kept beside the runs' totals.
    public var summaries: SummaryCache { SummaryCache(directory: PathUtil.join(directory, "summaries")) }
}
