import Foundation
import TestSupport
import Testing
import TraceMindDemo
import TraceMindFormats
@testable import TraceMindModel

/// The analysis cache gives exactly the figures of a fresh analysis, and anything stale, corrupt, foreign or
/// unwritable is a miss, never a figure.
@Suite struct AnalysisCacheTests {
    static func demoFolder() -> String {
        let dir = tempDir()
        for (p, d) in DemoGenerator().files() { write(d, to: dir + "/" + p) }
        return dir
    }

    static func fresh(_ runs: [RunEntry]) -> [String: RunTotals] { RunTotals.analyseAll(runs).totals }

    @Test func cachedFiguresAreTheFreshOnesAndChangesAreMisses() throws {
        let data = Self.demoFolder(), cacheDir = tempDir()
        defer { removeTemp(data); removeTemp(cacheDir) }
        let cache = AnalysisCache(directory: cacheDir)
        let runs = CatalogLoader.load(sources: [data]).runs
        let expected = Self.fresh(runs)
        #expect(runs.allSatisfy { cache.lookup($0) == nil }, "an empty cache misses")
        let cold = RunTotals.analyseAll(runs, cache: cache)
        #expect(cold.totals == expected)
        #expect(runs.allSatisfy { cache.lookup($0)?.totals == expected[$0.key] }, "every run is kept")
        let warm = RunTotals.analyseAll(runs, cache: cache)
        #expect(warm.totals == expected && warm.diagnostics == cold.diagnostics)

        // A traces file rewritten in place (same size: the content check sees it) is a miss.
        let run = runs.first { $0.key.hasPrefix("7f3c2a10") }!
        let traces = run.files.traces!
        var bytes = try Data(contentsOf: URL(fileURLWithPath: traces))
        let i = bytes.firstIndex(of: UInt8(ascii: "7"))!
        bytes[i] = UInt8(ascii: "8")
        let modified = try FileManager.default.attributesOfItem(atPath: traces)[.modificationDate] as! Date
        try bytes.write(to: URL(fileURLWithPath: traces))
        #expect(cache.lookup(run) == nil, "a changed file is a miss")
        // Even with its modification time put back (`touch -d`), and the change in the middle of the file.
        try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: traces)
        #expect(cache.lookup(run) == nil, "a rewrite whose size and modification time were restored is a miss")
        _ = RunTotals.analyse(run, cache: cache)
        #expect(cache.lookup(run) != nil, "kept again after the fresh analysis")
        var middle = try Data(contentsOf: URL(fileURLWithPath: traces))
        let m = middle.count / 2 + middle[(middle.count / 2)...].firstIndex(of: UInt8(ascii: "1"))! - middle.count / 2
        middle[m] = UInt8(ascii: "2")
        let before = try FileManager.default.attributesOfItem(atPath: traces)[.modificationDate] as! Date
        try middle.write(to: URL(fileURLWithPath: traces))
        try FileManager.default.setAttributes([.modificationDate: before], ofItemAtPath: traces)
        #expect(cache.lookup(run) == nil, "a change in the middle, size and modification time restored, is a miss")
        // Appended to: a miss too, and the fresh analysis is what is kept.
        let h = FileHandle(forWritingAtPath: traces)!
        h.seekToEndOfFile()
        h.write(Data("\n".utf8))
        try h.close()
        #expect(cache.lookup(run) == nil)
        let again = RunTotals.analyse(run, cache: cache)
        #expect(again.totals == RunTotals.analyse(run).totals && cache.lookup(run)?.totals == again.totals)
    }

    @Test func corruptForeignAndUnwritableCachesNeverChangeAFigure() throws {
        let data = Self.demoFolder(), cacheDir = tempDir()
        defer { removeTemp(data); removeTemp(cacheDir) }
        let cache = AnalysisCache(directory: cacheDir)
        let runs = CatalogLoader.load(sources: [data]).runs
        let expected = Self.fresh(runs)
        _ = RunTotals.analyseAll(runs, cache: cache)
        let run = runs.first { $0.key.hasPrefix("7f3c2a10") }!
        let file = cache.path(run)
        // Corrupt: a miss, then rewritten.
        write("{\"version\": 1, \"key\": ", to: file)
        #expect(cache.lookup(run) == nil)
        #expect(RunTotals.analyse(run, cache: cache).totals == expected[run.key])
        // Another version of the rules, or another run's key with made-up figures: a miss.
        var entry = try JSONValueDecoder().decode(AnalysisCache.Entry.self, from: Data(contentsOf: URL(fileURLWithPath: file)))
        entry.totals = entry.totals.with { $0.passed += 100 }
        entry.version = AnalysisCache.rulesVersion + 1
        try JSONEncoder().encode(entry).write(to: URL(fileURLWithPath: file))
        #expect(cache.lookup(run) == nil)
        entry.version = AnalysisCache.rulesVersion
        entry.key += "\nfile elsewhere"
        try JSONEncoder().encode(entry).write(to: URL(fileURLWithPath: file))
        #expect(cache.lookup(run) == nil)
        #expect(RunTotals.analyse(run, cache: cache).totals == expected[run.key])
        // A cache folder that cannot be created (a file is in the way): figures are fresh, nothing is thrown.
        let blocked = AnalysisCache(directory: data + "/smoltrace_results/openai_gpt-4o_tool_20261102_090000/leaderboard_row.json/x")
        #expect(RunTotals.analyseAll(runs, cache: blocked).totals == expected)
    }

    @Test func aPackIsReadInsteadOfEveryRunsFileAndCheckedLikeThem() throws {
        let data = Self.demoFolder(), cacheDir = tempDir()
        defer { removeTemp(data); removeTemp(cacheDir) }
        let cache = AnalysisCache(directory: cacheDir)
        let runs = CatalogLoader.load(sources: [data]).runs
        let expected = Self.fresh(runs)
        let names = runs.map { cache.name($0) }
        #expect(cache.pack(names).isEmpty)
        // The pack of these runs as an earlier version wrote it (JSON lines) is removed when the pack is written.
        let oldPack = String(cache.packPath(names).dropLast(".bin".count)) + ".ndjson"
        write("{\"version\":2}\n", to: oldPack)
        let cold = RunTotals.analyseAll(runs, cache: cache)
        #expect(!FileManager.default.fileExists(atPath: oldPack))
        let packed = cache.pack(names)
        #expect(packed.count == runs.filter { AnalysisCache.key($0) != nil }.count && packed.count == runs.count)
        #expect(runs.allSatisfy { packed[cache.name($0)]?.totals == expected[$0.key] && packed[cache.name($0)]?.key == AnalysisCache.packedKey(AnalysisCache.key($0)!) })
        // Each run's outcomes are left in the pack until asked for, and are then the fresh ones.
        #expect(runs.allSatisfy { packed[cache.name($0)]?.totals.outcomes == expected[$0.key]?.outcomes })
        #expect(runs.contains { (expected[$0.key]?.outcomes?.count ?? 0) > 1 })
        // The runs' own files gone: the pack alone gives the same figures.
        for r in runs { try? FileManager.default.removeItem(atPath: cache.path(r)) }
        let warm = RunTotals.analyseAll(runs, cache: cache)
        #expect(warm.totals == expected && warm.diagnostics == cold.diagnostics)
        #expect(runs.allSatisfy { cache.lookup($0) == nil }, "read from the pack, not from the runs' files")
        // Another list of runs has a pack of its own.
        #expect(cache.pack(Array(names.dropFirst())).isEmpty)

        // A run's traces changed: its packed figures are stale and not used; the pack is written again.
        let run = runs.first { $0.key.hasPrefix("7f3c2a10") }!
        let h = FileHandle(forWritingAtPath: run.files.traces!)!
        h.seekToEndOfFile()
        h.write(Data("\n".utf8))
        try h.close()
        #expect(cache.pack(names)[cache.name(run)]?.key != AnalysisCache.packedKey(AnalysisCache.key(run)!))
        #expect(RunTotals.analyseAll(runs, cache: cache).totals == Self.fresh(runs))
        #expect(cache.pack(names)[cache.name(run)]?.key == AnalysisCache.packedKey(AnalysisCache.key(run)!))

        // Forged figures under a wrong key, garbage, cut short, a byte changed, another version: never a figure.
        let file = cache.packPath(names)
        let good = try Data(contentsOf: URL(fileURLWithPath: file))
        // Forged: every run's figures changed, each under a key that is not its files'.
        cache.storePack(names, runs.map { r in
            let t = expected[r.key]!.with { $0.passed = 1000 }
            return (cache.name(r), "not the key", t, [])
        })
        let forged = try Data(contentsOf: URL(fileURLWithPath: file))
        #expect(forged != good && cache.pack(names).count == runs.count, "forged figures are read, under keys that match no run")
        var flipped = good
        flipped[good.count / 2] ^= 0x40
        var other = PackWriter(magic: AnalysisCache.packMagic)
        other.uint(99)
        other.uint(0)
        for bad in [forged, Data("garbage\n{\n".utf8), good.prefix(good.count - 1), good.prefix(good.count / 2), flipped, Data(other.seal())] {
            try bad.write(to: URL(fileURLWithPath: file))
            if bad != forged { #expect(cache.pack(names).isEmpty) }
            for r in runs { try? FileManager.default.removeItem(atPath: cache.path(r)) }
            #expect(RunTotals.analyseAll(runs, cache: cache).totals == Self.fresh(runs))
        }
    }

    /// A run's outcomes in its packed totals (one block, passed over when the totals are read): read back as written
    /// when asked for; a block past the end of the run's bytes is no totals, one that is not an even list of texts is
    /// no outcomes, none written is none.
    @Test func packedOutcomesReadBackAsWrittenAndBadOnesAreNoTotals() throws {
        let dir = Self.demoFolder()
        defer { removeTemp(dir) }
        let run = CatalogLoader.load(sources: [dir]).runs.first { RunTotals(RunAnalysis(entry: $0, data: RunLoader.load($0))).outcomes != nil }!
        let totals = RunTotals(RunAnalysis(entry: run, data: RunLoader.load(run)))
        func read(_ bytes: [UInt8]) -> RunTotals? {
            let data = Data(bytes)
            return data.withUnsafeBytes { all in
                var r = PackReader(all, range: 0..<all.count)
                guard let t = RunTotals(unpacking: &r, in: data), r.isAtEnd else { return nil }
                return t
            }
        }
        func packed(outcomes texts: [String]?, cut: Int = 0) -> RunTotals? {
            var w = PackWriter()
            totals.with { $0.outcomes = nil }.pack(into: &w)
            var o = PackWriter()
            o.bool(texts != nil)
            if let texts {
                var block = PackWriter()
                block.texts(texts)
                o.raw(block.bytes)
            }
            return read(Array(w.bytes.dropLast()) + o.bytes.dropLast(cut))  // the flag of no outcomes replaced
        }
        var w = PackWriter()
        totals.pack(into: &w)
        let back = read(w.bytes)
        #expect(back == totals && back?.outcomes == totals.outcomes && (totals.outcomes?.count ?? 0) > 0)
        #expect(packed(outcomes: ["a:t1", "passed", "a:t2", "failed"])?.outcomes == ["a:t1": "passed", "a:t2": "failed"])
        #expect(packed(outcomes: [])?.outcomes == [:])
        #expect(packed(outcomes: nil)?.outcomes == nil)
        #expect(packed(outcomes: ["a:t1", "passed", "a:t2"])?.outcomes == [:], "an odd count")
        #expect(packed(outcomes: ["a:t1", "passed"], cut: 2) == nil, "a block past the end")
    }

    /// The browser's warm start: what the cache holds for the files as they are, nothing analysed.
    @Test func cachedAllGivesTheHitsOnly() throws {
        let data = Self.demoFolder(), cacheDir = tempDir()
        defer { removeTemp(data); removeTemp(cacheDir) }
        let cache = AnalysisCache(directory: cacheDir)
        let runs = CatalogLoader.load(sources: [data]).runs
        #expect(RunTotals.cachedAll(runs, cache: cache).isEmpty, "a cold cache: nothing, and nothing analysed")
        let expected = RunTotals.analyseAll(runs, cache: cache).totals
        #expect(RunTotals.cachedAll(runs, cache: cache) == expected.filter { k, _ in runs.first { $0.key == k }.flatMap(AnalysisCache.key) != nil })
        let run = runs.first { $0.key.hasPrefix("7f3c2a10") }!
        let h = FileHandle(forWritingAtPath: run.files.traces!)!
        h.seekToEndOfFile()
        h.write(Data("\n".utf8))
        try h.close()
        let after = RunTotals.cachedAll(runs, cache: cache)
        #expect(after[run.key] == nil && after.count == expected.count - 1, "a changed run is left to be analysed")
    }

    @Test func theDemoAndRemoteRunsAreNotCached() {
        let runs = DemoData.catalog().runs
        #expect(!runs.isEmpty && runs.allSatisfy { AnalysisCache.key($0) == nil })
        var remote = runs[0]
        remote.files.fs = LocalFileSystem()
        remote.files.traces = "hf://user/smoltrace-traces-x"
        #expect(AnalysisCache.key(remote) == nil)
    }

    /// A run's cache name and key are the hashes packs and cache files were written with: each text's length and the
    /// hash of its bytes mixed in, in order (a path is hashed once for the name and the key now; the values must not
    /// move, or every cache would miss once). The reference below mixes every text afresh, as the first form did.
    @Test func namesAndKeysAreTheHashesTheCachesHold() throws {
        let data = Self.demoFolder()
        defer { removeTemp(data) }
        let runs = CatalogLoader.load(sources: [data]).runs.filter { AnalysisCache.cacheable($0) }
        #expect(runs.count >= 4)
        func mix(_ x: UInt64, _ h: inout UInt64) {
            h = (h ^ x) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 29
        }
        func text(_ s: String, _ h: inout UInt64) {
            mix(UInt64(s.utf8.count), &h)
            mix(Hash64.of(s), &h)
        }
        func name(_ e: RunEntry) -> String {
            var h: UInt64 = 0x243F_6A88_85A3_08D3
            for s in [e.key, e.source, e.folderPath ?? "", e.resultsPath ?? "", e.tracesPath ?? "", e.metricsPath ?? ""] { text(s, &h) }
            return AnalysisCache.hex16(h)
        }
        func key(_ e: RunEntry) -> String? {
            var h: UInt64 = 0x9E37_79B9_7F4A_7C15
            text(e.key, &h)
            text(e.runIDFilter ?? "\u{0}", &h)
            mix(e.acceptsMissingRunID ? 1 : 2, &h)
            mix(e.row.rawDigest, &h)
            for d in [e.resultsPath, e.tracesPath, e.metricsPath] {
                guard let d else { continue }
                text(d, &h)
                let s = LocalFileSystem().fileStamp(d)
                guard s.kind == UInt8(ascii: "f") else { return nil }
                text(d, &h)
                for x in [UInt64(bitPattern: s.size), UInt64(bitPattern: s.mtime), UInt64(bitPattern: s.ctime), s.device, s.inode, 1] { mix(x, &h) }
            }
            return AnalysisCache.hex16(h)
        }
        let cache = AnalysisCache(directory: tempDir())
        defer { removeTemp(cache.directory) }
        let (names, keys) = AnalysisCache.namesAndKeys(runs, cache)
        for (i, e) in runs.enumerated() {
            #expect(cache.name(e) == name(e) && names[i] == name(e), "\(e.key)")
            #expect(AnalysisCache.key(e) == key(e) && keys[i] == key(e) && key(e) != nil, "\(e.key)")
        }
    }

    @Test func keysTakenTogetherAreEachRunsOwn() throws {
        let data = Self.demoFolder()
        defer { removeTemp(data) }
        var runs = CatalogLoader.load(sources: [data]).runs
        // A run whose traces are missing, one with no traces at all, a remote one and a demo one among them.
        let traced = try #require(runs.firstIndex { $0.files.traces != nil })
        var missing = runs[traced]
        missing.files.traces = data + "/no-such-traces.json"
        var none = runs[traced]
        none.files.traces = nil
        var remote = runs[traced]
        remote.files.traces = "hf://user/smoltrace-traces-x"
        runs += [missing, none, remote, DemoData.catalog().runs[0]]
        let one = runs.map { AnalysisCache.key($0) }
        #expect(AnalysisCache.keys(runs) == one)
        #expect(one.compactMap { $0 }.count == runs.count - 3, "the run whose traces are missing, the remote and the demo runs have no key")
        #expect(one[runs.count - 4] == nil && one[runs.count - 3] != nil && one[runs.count - 3] != one[traced], "no traces at all is a key of its own")
    }

    @Test(.enabled(if: sharedData("smoltrace-0.2.12/json") != nil, "needs ../shared/data"))
    func keysTakenTogetherAreEachRunsOwnOnRealRuns() {
        for sub in ["smoltrace-0.2.12/json", "smoltrace-0.2.12/hub", "smoltrace-0.1"] {
            guard let dir = sharedData(sub) else { continue }
            let runs = CatalogLoader.load(sources: [dir]).runs
            #expect(!runs.isEmpty && AnalysisCache.keys(runs) == runs.map { AnalysisCache.key($0) } && runs.allSatisfy { AnalysisCache.key($0) != nil }, "\(sub)")
        }
    }

    @Test(.enabled(if: sharedData("smoltrace-0.2.12/json") != nil, "needs ../shared/data"))
    func realRunsGiveTheSameFiguresFromTheCache() {
        let cacheDir = tempDir()
        defer { removeTemp(cacheDir) }
        let cache = AnalysisCache(directory: cacheDir)
        for sub in ["smoltrace-0.2.12/json", "smoltrace-0.2.12/hub", "smoltrace-0.1"] {
            guard let dir = sharedData(sub) else { continue }
            let runs = CatalogLoader.load(sources: [dir]).runs
            let expected = Self.fresh(runs)
            #expect(RunTotals.analyseAll(runs, cache: cache).totals == expected, "\(sub) cold")
            #expect(RunTotals.analyseAll(runs, cache: cache).totals == expected, "\(sub) warm")
        }
    }
}
