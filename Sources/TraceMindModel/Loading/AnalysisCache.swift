import FoundationEssentials
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
    public static let rulesVersion = 2
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
        guard let e = AnalysisCache.read(Entry.self, path(entry)), e.version == AnalysisCache.rulesVersion, e.key == key else { return nil }
        return (e.totals, e.diagnostics)
    }

    /// Keeps the analysis of `entry` when its files are still those of `readKey` (the key taken before they were read:
    /// a file that changed meanwhile is not cached); silently nothing when the run is not cacheable or the folder is
    /// not writable.
    public func store(_ entry: RunEntry, readKey: String?, _ totals: RunTotals, _ diagnostics: [Diagnostic]) {
        guard let key = AnalysisCache.key(entry), key == readKey else { return }
        AnalysisCache.write(Entry(version: AnalysisCache.rulesVersion, key: key, totals: totals, diagnostics: diagnostics), to: path(entry))
    }

    /// A cache file's value; nil when it is missing, unreadable or not one.
    static func read<T: Decodable>(_ type: T.Type, _ path: String) -> T? {
        (try? LocalFileSystem().readFile(path).data).flatMap { try? JSONValueDecoder().decode(type, from: $0) }
    }

    /// Writes a cache file (its folder made as needed) to a temporary file renamed over the target, so a reader sees
    /// the old file or the new one; silently nothing when it cannot be written.
    static func write<T: Encodable>(_ value: T, to target: String) {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        guard let data = try? encoder.encode(value) else { return }
        CacheWrite.replace(target, with: data)
    }

    /// The run's cache file: named by a hash of where the run is (its key, source and files).
    func path(_ entry: RunEntry) -> String {
        PathUtil.join(PathUtil.join(directory, "v\(AnalysisCache.rulesVersion)"), name(entry) + ".json")
    }

    /// Where the run is (its key, source and files), hashed.
    public func name(_ entry: RunEntry) -> String { AnalysisCache.name(RunTexts(entry)) }

    static func name(_ t: RunTexts) -> String {
        var h: UInt64 = 0x243F_6A88_85A3_08D3
        // One by one, not as an array of the six (made and freed for each run).
        mix(t.key, &h)
        mix(t.source, &h)
        mix(t.folder, &h)
        mix(t.results, &h)
        mix(t.traces, &h)
        mix(t.metrics, &h)
        return AnalysisCache.hex16(h)
    }

    /// A run's texts that its name and its key both mix in, each hashed once (a path was hashed three times a run,
    /// twice for its key and once for its name: 14 hashes of 7 texts).
    struct RunTexts {
        let key, source, folder, results, traces, metrics: TextHash

        init(_ entry: RunEntry) {
            key = TextHash(entry.key)
            source = TextHash(entry.source)
            folder = TextHash(entry.folderPath ?? "")
            results = TextHash(entry.resultsPath ?? "")
            traces = TextHash(entry.tracesPath ?? "")
            metrics = TextHash(entry.metricsPath ?? "")
        }
    }

    /// What `mix(_:_:)` mixes of a text: its length and the hash of its bytes.
    struct TextHash {
        let count: UInt64, hash: UInt64
        init(_ s: String) {
            count = UInt64(s.utf8.count)
            hash = Hash64.of(s)
        }
    }

    /// Mixes a text (its length, then its bytes) into a hash, without copying it.
    static func mix(_ s: String, _ h: inout UInt64) { mix(TextHash(s), &h) }

    static func mix(_ t: TextHash, _ h: inout UInt64) {
        mix(t.count, &h)
        mix(t.hash, &h)
    }

    static func mix(_ x: UInt64, _ h: inout UInt64) {
        h = (h ^ x) &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 29
    }

    // MARK: packs

    /// The analyses of one list of runs (named by their places, in order) kept together in one file as well: a
    /// leaderboard of 10,000 runs reads one file instead of 10,000. Each analysis in it is checked against its run's key
    /// like a run's own file; the runs' own files stay the reference (a pack is only a faster way to read them).
    func packPath(_ names: [String]) -> String {
        let joined = names.joined(separator: ",")
        return PathUtil.join(PathUtil.join(directory, "v\(AnalysisCache.rulesVersion)"), "pack-" + AnalysisCache.hex16(Hash64.of(joined)) + ".bin")
    }

    /// A pack's first bytes (the fourth form: each run's length before the runs, a run's outcomes one block).
    static let packMagic = Array("tracemind analyses 4\n".utf8)

    /// The runs' analyses in one file, in the binary form of `PackWriter` (`Codable` took a third of a warm leaderboard
    /// of 10,000 runs, JSON lines 12–15%): the rules version, the count, each run's length, then a run each — its
    /// name, the hash of its key, its totals and diagnostics — and a hash of everything before, so a file cut short or
    /// changed is no pack. The key's hash stands for the key (a 64-bit change detector, as every file's identity is
    /// checked through it). A run is decoded when it is looked up, on whichever core looks it up.
    public func pack(_ names: [String]) -> PackedAnalyses {
        let path = packPath(names)
        // Mapped, not read (`MappedOwnFile`, as the kept catalogs): a pack holds every test's outcome, tens of
        // megabytes for thousands of runs of hundreds of tests, and a leaderboard reads none of them.
        if let mapped = MappedOwnFile(path) { return PackedAnalyses(mapped.data, names: names, mapped: mapped) ?? PackedAnalyses() }
        guard let data = try? LocalFileSystem().readFile(path).data else { return PackedAnalyses() }
        return PackedAnalyses(data, names: names) ?? PackedAnalyses()
    }

    /// The stand-in of a key in a pack.
    public static func packedKey(_ key: String) -> String { hex16(Hash64.of(key)) }

    /// Keeps the analyses of the runs named `names` (those with a key) in their pack; silently nothing when the folder
    /// is not writable.
    public func storePack(_ names: [String], _ items: [(name: String, key: String, totals: RunTotals, diagnostics: [Diagnostic])]) {
        var w = PackWriter(magic: AnalysisCache.packMagic)
        w.uint(UInt64(AnalysisCache.rulesVersion))
        w.uint(UInt64(items.count))
        w.records(
            items.map { it in
                var iw = PackWriter()
                iw.text(it.name)
                iw.text(AnalysisCache.packedKey(it.key))
                it.totals.pack(into: &iw)
                Diagnostic.pack(it.diagnostics, into: &iw)
                return iw.bytes
            })
        let target = packPath(names)
        // The same runs' pack as earlier versions wrote it (JSON lines) is never read again: gone.
        try? FileManager.default.removeItem(atPath: String(target.dropLast(".bin".count)) + ".ndjson")
        CacheWrite.replace(target, with: w.seal())
    }

    /// Everything the run's figures depend on — its key, filter and row, and each file's path, size, times and inode —
    /// hashed as it is taken (no text is built: the leaderboard computes 10,000 of these), as sixteen hex digits; nil
    /// when the run is not cacheable.
    public static func key(_ entry: RunEntry) -> String? { key(entry, known: nil) }

    /// `key` of every run, on all cores, the files of all their datasets looked up together
    /// (`LocalFileSystem.fileStamps`: 30,000 of them for 10,000 runs).
    public static func keys(_ entries: [RunEntry]) -> [String?] { namesAndKeys(entries, nil).keys }

    /// `keys`, and `cache`'s `name` of every run made in the same pass over them (nothing when `cache` is nil).
    static func namesAndKeys(_ entries: [RunEntry], _ cache: AnalysisCache?) -> (names: [String], keys: [String?]) {
        // Whether each run is cached at all, asked once a run (not once for each of its three files and again for
        // its key); then three places a run (results, traces, metrics), filled on all cores: nothing is gathered on one.
        let cached = Parallel.values(entries.count, serial: entries.count < 256) { cacheable(entries[$0]) }
        let stamps = LocalFileSystem().fileStamps(count: entries.count * 3) { i -> String? in
            guard cached[i / 3] else { return nil }
            switch i % 3 {
            case 0: return entries[i / 3].resultsPath
            case 1: return entries[i / 3].tracesPath
            default: return entries[i / 3].metricsPath
            }
        }
        let both = Parallel.values(entries.count, serial: entries.count < 256) { i in
            // Hashed once for the name and the key; without a cache there is no name, and the key hashes its own.
            let texts = cache == nil ? nil : RunTexts(entries[i])
            return (
                texts.map(name) ?? "",
                cached[i] ? key(entries[i], known: (stamps[i * 3], stamps[i * 3 + 1], stamps[i * 3 + 2]), cacheable: true, texts: texts) : nil
            )
        }
        return (cache == nil ? [] : both.map(\.0), both.map(\.1))
    }

    /// Whether a run's datasets are local files (a remote dataset, a Hub repository or an OpenSearch index, has no
    /// identity until it is fetched: not cached).
    static func cacheable(_ entry: RunEntry) -> Bool {
        guard entry.readsLocalFiles else { return false }
        func remote(_ d: String?) -> Bool { d.map(RemoteReference.isRemote) ?? false }
        return !remote(entry.resultsPath) && !remote(entry.tracesPath) && !remote(entry.metricsPath)
    }

    /// `key`, with the stamps of the run's results, traces and metrics when they were looked up already.
    static func key(
        _ entry: RunEntry, known: (FileStamp, FileStamp, FileStamp)?, cacheable isCacheable: Bool? = nil, texts: RunTexts? = nil
    ) -> String? {
        guard isCacheable ?? cacheable(entry) else { return nil }
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15
        func mix(_ x: UInt64) { AnalysisCache.mix(x, &h) }
        func text(_ s: String) { AnalysisCache.mix(s, &h) }
        func file(_ path: String, _ stamp: FileStamp? = nil, hashed: TextHash? = nil) -> Bool {
            let s = stamp ?? LocalFileSystem().fileStamp(path)
            guard s.kind == UInt8(ascii: "f") else { return false }
            if let hashed { AnalysisCache.mix(hashed, &h) } else { text(path) }
            mix(UInt64(bitPattern: s.size))
            mix(UInt64(bitPattern: s.mtime))
            mix(UInt64(bitPattern: s.ctime))
            mix(s.device)
            mix(s.inode)
            return true
        }
        AnalysisCache.mix(texts?.key ?? TextHash(entry.key), &h)
        text(entry.runIDFilter ?? "\u{0}")
        mix(entry.acceptsMissingRunID ? 1 : 2)
        mix(entry.row.rawDigest)
        func dataset(_ d: String?, _ stamp: FileStamp?, _ known: TextHash?) -> Bool {
            guard let d else { return true }
            let hashed = known ?? TextHash(d)
            AnalysisCache.mix(hashed, &h)
            // A dataset that is one file (a run folder's results.json): one stat, not a folder check and then one.
            if file(d, stamp, hashed: hashed) {
                mix(1)
                return true
            }
            var diags: [Diagnostic] = []
            let files = DatasetFiles.files(entry.files.fs, d, into: &diags)
            mix(UInt64(files.count) + 2)
            for p in files where !file(p) { return false }
            return true
        }
        guard dataset(entry.resultsPath, known?.0, texts?.results), dataset(entry.tracesPath, known?.1, texts?.traces),
            dataset(entry.metricsPath, known?.2, texts?.metrics)
        else { return nil }
        return hex16(h)
    }

    /// A hash of a JSON value's kinds, keys (in order) and values, without writing it out.
    static func digest(_ v: JSON) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15
        digest(v, &h)
        return h
    }

    static func digest(_ v: JSON, _ h: inout UInt64) {
        func mix(_ x: UInt64) { AnalysisCache.mix(x, &h) }
        func text(_ s: String) { mix(Hash64.of(s)) }
        switch v {
        case .null: mix(1)
        case .bool(let b): mix(b ? 2 : 3)
        case .int(let i):
            mix(4)
            mix(UInt64(bitPattern: i))
        case .double(let d):
            mix(5)
            mix(d.bitPattern)
        case .string(let s):
            mix(6)
            text(s)
        case .array(let a):
            mix(7)
            mix(UInt64(a.count))
            for x in a { digest(x, &h) }
        case .object(let o):
            mix(8)
            mix(UInt64(o.count))
            for (k, x) in zip(o.keys, o.values) {
                text(k)
                digest(x, &h)
            }
        }
    }

    /// Sixteen hex digits, zero-padded.
    static func hex16(_ v: UInt64) -> String {
        String(unsafeUninitializedCapacity: 16) { b in
            for i in 0..<16 {
                let d = UInt8(truncatingIfNeeded: v >> (60 - 4 * UInt64(i))) & 0xF
                b[i] = d < 10 ? 0x30 + d : 0x57 + d
            }
            return 16
        }
    }
}

/// The analyses of a pack, each decoded when looked up by the run's place in the list the pack was kept for: a pack
/// lists the runs in that order, so no table of 10,000 names is built and each core decodes the runs it checks.
public struct PackedAnalyses: Sendable {
    public struct Item: Sendable {
        public var name: String
        /// `AnalysisCache.packedKey` of the key the analysis was made under.
        public var key: String
        public var totals: RunTotals
        public var diagnostics: [Diagnostic]
    }
    let data: Data
    /// Each run's bytes in `data`.
    let ranges: [Range<Int>]
    /// The names of the list, and each one's run in the pack (its index in `ranges`).
    let names: [String]
    let byPlace: [Int?]
    /// The mapping `data` is, when the pack was mapped.
    let mapped: MappedOwnFile?

    init() { (data, ranges, names, byPlace, mapped) = (Data(), [], [], [], nil) }

    /// The pack in `data` (the bytes of `mapped`, when given) for the runs named `names`; nil when the bytes are not
    /// one.
    init?(_ data: Data, names: [String], mapped: MappedOwnFile? = nil) {
        let ranges = data.withUnsafeBytes { all -> [Range<Int>]? in
            guard var r = PackReader(sealed: all, magic: AnalysisCache.packMagic), r.uint() == UInt64(AnalysisCache.rulesVersion),
                let count = r.count()
            else { return nil }
            return r.records(count)
        }
        guard let ranges else { return nil }
        self.data = data
        self.ranges = ranges
        self.names = names
        self.mapped = mapped
        if ranges.count == names.count {
            byPlace = names.indices.map { $0 }
        } else {
            // Some run of the list is not in the pack (it had no key): the others found by name.
            let packed = data.withUnsafeBytes { all in
                ranges.map { range -> String? in
                    var r = PackReader(all, range: range)
                    return r.text()
                }
            }
            var index: [String: Int] = [:]
            for (i, n) in packed.enumerated() { if let n, index[n] == nil { index[n] = i } }
            byPlace = names.map { index[$0] }
        }
    }

    public var count: Int { ranges.count }
    /// Whether the mapped file was cut short under the mapping, so that zeros were read for some of its bytes (what was
    /// read from it is then not to be used).
    public var isDamaged: Bool { mapped?.isDamaged ?? false }
    public var isEmpty: Bool { ranges.isEmpty }

    /// The analysis of the run at `place` in the list, decoded; nil when the pack has none for it or its bytes are
    /// not one.
    public func at(_ place: Int) -> Item? {
        guard place < byPlace.count, let i = byPlace[place], let item = item(i), item.name == names[place] else { return nil }
        return item
    }

    /// The analysis of the run named `name`.
    public subscript(_ name: String) -> Item? { names.firstIndex(of: name).flatMap(at) }

    func item(_ i: Int) -> Item? {
        data.withUnsafeBytes { all in
            var r = PackReader(all, range: ranges[i])
            guard let name = r.text(), let key = r.text(), let totals = RunTotals(unpacking: &r, in: data), let diags = Diagnostic.unpackList(&r), r.isAtEnd
            else { return nil }
            return Item(name: name, key: key, totals: totals, diagnostics: diags)
        }
    }
}
