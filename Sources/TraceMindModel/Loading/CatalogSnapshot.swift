import Foundation
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
    /// Bump when the catalog's loading or its rows' parsing change what a catalog is.
    public static let version = 1
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
        return PathUtil.join(PathUtil.join(directory, "v\(CatalogSnapshot.version)"), AnalysisCache.hex16(Hash64.of(Array(place.utf8))) + ".ndjson")
    }

    /// The kept catalog of `sources`, when every path its loading looked at is unchanged.
    public func lookup(_ sources: [String], cwd: String) -> Catalog? {
        guard let data = try? LocalFileSystem().readFile(path(sources, cwd: cwd)).data else { return nil }
        let lines = JSONLines.lines(data)
        guard lines.count >= 3,
            let head = (try? JSONParser.parse(data, range: lines[0]))?.objectValue,
            head["version"]?.int == CatalogSnapshot.version, head["cwd"]?.text == cwd,
            head["sources"]?.arrayValue?.map({ $0.text ?? "" }) == sources,
            let count = head["runs"]?.int, count == lines.count - 3,
            let deps = (try? JSONParser.parse(data, range: lines[1]))?.arrayValue, deps.count % 2 == 0,
            let diagnostics = (try? JSONParser.parse(data, range: lines[2]))?.arrayValue
        else { return nil }
        // Every path as it was: stat them on all cores.
        let pairs = deps.count / 2
        let checked = Parallel.map(pairs, progress: nil, isCancelled: nil, serial: pairs < 64) { i -> RecordSlot<Bool> in
            guard let p = deps[2 * i].text, let s = deps[2 * i + 1].text else { return .value(false) }
            return .value(LocalFileSystem().stamp(p).stamp == s)
        }
        guard checked.allSatisfy({ if case .value(true) = $0 { return true } else { return false } }) else { return nil }
        let diags = diagnostics.compactMap(Diagnostic.init(packed:))
        guard diags.count == diagnostics.count else { return nil }
        // The runs, a line each; any line that is not one is a miss.
        let runs = JSONLines.parse(data, Array(lines[3...])).compactMap { $0.flatMap(CatalogSnapshot.entry) }
        guard runs.count == count else { return nil }
        return Catalog(runs: runs, diagnostics: diags, sources: sources, isDemo: false)
    }

    /// Keeps `catalog` with the paths `log` saw, unless one of them changed within `settle` of `started` (the wall
    /// clock, ns, when the loading began); silently nothing when the folder is not writable.
    public func store(_ catalog: Catalog, cwd: String, log: DependencyLog, started: Int64) {
        let (stamps, newest) = log.snapshot()
        guard newest < started - settle else { return }
        var out: [UInt8] = []
        func line(_ v: JSON) {
            out += JSONWriter.bytes(v, pretty: false)
            out.append(0x0A)
        }
        line(.object(JSONObject([
            ("version", .int(Int64(CatalogSnapshot.version))), ("cwd", .string(cwd)),
            ("sources", .array(catalog.sources.map { .string($0) })), ("runs", .int(Int64(catalog.runs.count))),
        ])))
        line(.array(stamps.flatMap { [JSON.string($0.key), .string($0.value)] }))
        line(.array(catalog.diagnostics.map(\.packed)))
        for e in catalog.runs { line(CatalogSnapshot.json(e)) }
        let target = path(catalog.sources, cwd: cwd)
        try? FileManager.default.createDirectory(atPath: PathUtil.dirname(target), withIntermediateDirectories: true)
        try? Data(out).write(to: URL(fileURLWithPath: target), options: .atomic)
    }

    static func json(_ e: RunEntry) -> JSON {
        let f = e.files
        return .array([
            .string(e.key), .string(e.source), .string(e.origin.rawValue), JSON.from(f.folder), JSON.from(f.results),
            JSON.from(f.traces), JSON.from(f.metrics), JSON.from(f.runIDFilter), .bool(f.acceptsMissingRunID),
            .array(e.alsoAt.map { .string($0) }), .object(e.row.raw),
        ])
    }

    static func entry(_ v: JSON) -> RunEntry? {
        guard let a = v.arrayValue, a.count == 11, let key = a[0].text, let source = a[1].text,
            let origin = a[2].text.flatMap(RunOrigin.init(rawValue:)), let accepts = a[8].bool, let also = a[9].arrayValue,
            let raw = a[10].objectValue
        else { return nil }
        var files = RunFiles(
            fs: LocalFileSystem(), folder: a[3].stringValue, results: a[4].stringValue, traces: a[5].stringValue, metrics: a[6].stringValue)
        files.runIDFilter = a[7].stringValue
        files.acceptsMissingRunID = accepts
        return RunEntry(key: key, row: LeaderboardRow(json: raw), source: source, origin: origin, files: files, alsoAt: also.compactMap(\.text))
    }
}

/// Every path a loading looked at and what it was before it was read (the first look wins), from any thread.
public final class DependencyLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stamps: [String: String] = [:]
    private var newest: Int64 = 0

    public init() {}

    func note(_ path: String) {
        if lock.withLock({ stamps[path] != nil }) { return }
        let (s, changed) = LocalFileSystem().stamp(path)
        lock.withLock {
            if stamps[path] == nil { stamps[path] = s }
            newest = max(newest, changed)
        }
    }

    /// The stamps, and the newest status-change time among them.
    func snapshot() -> ([(key: String, value: String)], Int64) {
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
