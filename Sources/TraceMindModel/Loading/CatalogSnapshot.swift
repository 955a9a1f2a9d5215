import FoundationEssentials
import TraceMindFormats

/// The catalog of a list of local sources kept between processes, with every path its loading looked at and what
/// that path was then (kind, size, modification and status-change times, inode: `LocalFileSystem.stamp`). When every
/// path is still what it was, the catalog is the one the loading would make again — a folder's times change when a
/// name in it comes or goes, a file's when it is written — and it is read from one file instead of listing and
/// reading 10,000 run folders. Anything else (a changed path, another version, a corrupt or unreadable file) is a
/// miss and the sources are loaded afresh. One file per list of sources and working folder under a folder the
/// executable chooses (never a data folder); written to a temporary file and renamed, so concurrent processes share
/// it safely. Not kept while a path it depends on changed moments before the loading began: a change within the
/// file system's clock tick could not be told apart later.
public struct CatalogSnapshot: Sendable {
    /// Bump when the catalog's loading, its rows' parsing or this file's form change what a catalog is.
    public static let version = 4
    public let directory: String
    /// Paths changed this recently before the loading began make the catalog too fresh to keep (ns): two seconds,
    /// many clock ticks of any file system.
    public let settle: Int64

    public init(directory: String, settle: Int64 = 2_000_000_000) {
        self.directory = directory
        self.settle = settle
    }

    /// The file of `sources` read from `cwd`.
    func path(_ sources: [String], cwd: String) -> String {
        let place = ([cwd] + sources).joined(separator: "\u{1F}")
        return PathUtil.join(PathUtil.join(directory, "v\(CatalogSnapshot.version)"), AnalysisCache.hex16(Hash64.of(place)) + ".catalog")
    }

    /// The file's first bytes: what it is, then the version.
    static let magic = Array("tracemind catalog\n".utf8)

    /// The kept catalog of `sources`, when every path its loading looked at is unchanged.
    ///
    /// The file is binary (`PackWriter`): the head (version, folder, sources), every path with its stamp, the
    /// diagnostics, each run's length, the runs (a row's fields as made and its stored fields as text, parsed only
    /// when shown), and a hash of everything before it, so a file cut short or changed is a miss. Paths are checked
    /// and runs read on all cores. The file is mapped, not read (`MappedOwnFile`: it is only ever replaced whole);
    /// one cut short under the mapping is a miss.
    public func lookup(_ sources: [String], cwd: String) -> Catalog? {
        let file = path(sources, cwd: cwd)
        if let mapped = MappedOwnFile(file) {
            let catalog = lookup(mapped.data, sources, cwd: cwd)
            return mapped.isDamaged ? nil : catalog
        }
        guard let data = try? LocalFileSystem().readFile(file).data else { return nil }
        return lookup(data, sources, cwd: cwd)
    }

    private func lookup(_ data: Data, _ sources: [String], cwd: String) -> Catalog? {
        data.withUnsafeBytes { all -> Catalog? in
            guard var r = PackReader(sealed: all, magic: CatalogSnapshot.magic), r.uint() == UInt64(CatalogSnapshot.version), r.text() == cwd, r.texts() == sources, let runCount = r.count(),
                let depCount = r.count()
            else { return nil }
            // Paths and stamps apart: the stamps compared as a whole. Each path is looked up from its bytes where they
            // lie in the file, on all cores (one pass made a text of each of 20,000 paths, on one core, before them).
            var paths: [Range<Int>] = [], stamps: [FileStamp] = []
            paths.reserveCapacity(depCount)
            stamps.reserveCapacity(depCount)
            for _ in 0..<depCount {
                guard let p = r.rawRange(), let kind = r.uint(), let size = r.int64(), let mtime = r.int64(), let ctime = r.int64(), let dev = r.uint(),
                    let ino = r.uint()
                else { return nil }
                paths.append(p)
                stamps.append(FileStamp(kind: UInt8(truncatingIfNeeded: kind), size: size, mtime: mtime, ctime: ctime, device: dev, inode: ino))
            }
            let found = LocalFileSystem().fileStamps(count: paths.count, bytes: { UnsafeRawBufferPointer(rebasing: all[paths[$0]]) })
            guard found == stamps, let diags = Diagnostic.unpackList(&r) else { return nil }
            // Where each run's bytes are (their lengths, written before the runs); then the runs, read on all cores.
            guard let ranges = r.records(runCount) else { return nil }
            let made = Parallel.map(runCount, progress: nil, isCancelled: nil, serial: runCount < 64) { i -> RecordSlot<RunEntry> in
                var rr = PackReader(all, range: ranges[i])
                guard let e = CatalogSnapshot.entry(&rr, in: data), rr.isAtEnd else { return .empty }
                return .value(e)
            }
            var runs: [RunEntry] = []
            runs.reserveCapacity(runCount)
            for case .value(let e) in made { runs.append(e) }
            guard runs.count == runCount else { return nil }
            return Catalog(runs: runs, diagnostics: diags, sources: sources, isDemo: false)
        }
    }

    /// Keeps `catalog` with the paths `log` saw, unless one of them changed within `settle` of `started` (the wall
    /// clock, ns, when the loading began); silently nothing when the folder is not writable.
    public func store(_ catalog: Catalog, cwd: String, log: DependencyLog, started: Int64) {
        let (stamps, newest) = log.snapshot()
        guard newest < started - settle else { return }
        var w = PackWriter(magic: CatalogSnapshot.magic)
        w.uint(UInt64(CatalogSnapshot.version))
        w.text(cwd)
        w.texts(catalog.sources)
        w.uint(UInt64(catalog.runs.count))
        w.uint(UInt64(stamps.count))
        for (p, s) in stamps {
            w.text(p)
            w.uint(UInt64(s.kind))
            w.int(s.size)
            w.int(s.mtime)
            w.int(s.ctime)
            w.uint(s.device)
            w.uint(s.inode)
        }
        Diagnostic.pack(catalog.diagnostics, into: &w)
        // Each run's bytes made on all cores (a row's stored fields written out as text and hashed: a fifth of the
        // first leaderboard of 10,000 runs, on one core).
        let all = catalog.runs
        w.records(
            Parallel.values(all.count, serial: all.count < 64) { i in
                var rw = PackWriter()
                CatalogSnapshot.pack(all[i], into: &rw)
                return rw.bytes
            })
        let target = path(catalog.sources, cwd: cwd)
        // Catalogs kept by earlier versions are never read again: gone (v1 kept 24 MB of JSON lines for 10,000 runs).
        for v in 1..<CatalogSnapshot.version { try? FileManager.default.removeItem(atPath: PathUtil.join(directory, "v\(v)")) }
        CacheWrite.replace(target, with: w.seal())
    }

    static func pack(_ e: RunEntry, into w: inout PackWriter) {
        let f = e.files
        w.text(e.key)
        w.text(e.source)
        w.text(e.origin.rawValue)
        w.text(f.folder)
        w.text(f.results)
        w.text(f.traces)
        w.text(f.metrics)
        w.text(f.runIDFilter)
        w.bool(f.acceptsMissingRunID)
        w.texts(e.alsoAt)
        e.row.pack(into: &w)
    }

    static func entry(_ r: inout PackReader, in data: Data) -> RunEntry? {
        guard let key = r.text(), let source = r.text(), let origin = r.text().flatMap(RunOrigin.init(rawValue:)), let folder = r.optionalText(),
            let results = r.optionalText(), let traces = r.optionalText(), let metrics = r.optionalText(), let filter = r.optionalText(),
            let accepts = r.bool(), let also = r.texts(), let row = LeaderboardRow(unpacking: &r, in: data)
        else { return nil }
        var files = RunFiles(fs: LocalFileSystem(), folder: folder, results: results, traces: traces, metrics: metrics)
        files.runIDFilter = filter
        files.acceptsMissingRunID = accepts
        return RunEntry(key: key, row: row, source: source, origin: origin, files: files, alsoAt: also)
    }
}

/// Every path a loading looked at and what it was before it was read (the first look wins), from any thread.
public final class DependencyLog: @unchecked Sendable {
    private let lock = Lock()
    private var stamps: [String: FileStamp] = [:]
    private var newest: Int64 = 0

    public init() {}

    func note(_ path: String) {
        if lock.withLock({ stamps[path] != nil }) { return }
        let s = LocalFileSystem().fileStamp(path)
        lock.withLock {
            if stamps[path] == nil { stamps[path] = s }
            newest = max(newest, s.ctime)
        }
    }

    /// The stamps, and the newest status-change time among them.
    func snapshot() -> ([(key: String, value: FileStamp)], Int64) {
        lock.withLock { (stamps.sorted { $0.key < $1.key }, newest) }
    }
}

/// The local file system, noting in a `DependencyLog` every path looked at.
struct RecordingFileSystem: DataFileSystem {
    let base = LocalFileSystem()
    let log: DependencyLog

    func readFile(_ path: String) throws -> FileContents {
        log.note(path)
        return try base.readFile(path)
    }
    func readRange(_ path: String, _ range: Range<Int>) throws -> [UInt8] {
        log.note(path)
        return try base.readRange(path, range)
    }
    func isDirectory(_ path: String) -> Bool {
        log.note(path)
        return base.isDirectory(path)
    }
    func isFile(_ path: String) -> Bool {
        log.note(path)
        return base.isFile(path)
    }
    func list(_ path: String) throws -> [String] {
        log.note(path)
        return try base.list(path)
    }
    func fileSize(_ path: String) -> Int? {
        log.note(path)
        return base.fileSize(path)
    }
    func canonicalPath(_ path: String) -> String {
        log.note(path)
        return base.canonicalPath(path)
    }
    func listFolder(_ path: String) throws -> FolderListing {
        log.note(path)
        return try base.listFolder(path)
    }
}
