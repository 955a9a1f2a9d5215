import Foundation
import TestSupport
import Testing
import TraceMindDemo
import TraceMindFormats
@testable import TraceMindModel

/// A kept catalog is the catalog the sources give now, or nothing: every path its loading looked at is checked.
@Suite struct CatalogSnapshotTests {
    /// The catalog's runs as text, every field the loading sets.
    static func dump(_ c: Catalog) -> String {
        c.runs.map { e in
            let f = e.files
            return [e.key, e.source, e.origin.rawValue, f.folder ?? "-", f.results ?? "-", f.traces ?? "-", f.metrics ?? "-",
                f.runIDFilter ?? "-", "\(f.acceptsMissingRunID)", e.alsoAt.joined(separator: ","),
                JSONWriter.string(.object(e.row.raw), pretty: false)].joined(separator: " | ")
        }.joined(separator: "\n") + "\n" + c.diagnostics.map(\.description).joined(separator: "\n")
    }

    @Test func aKeptCatalogIsTheFreshOneUntilAPathChanges() throws {
        let data = AnalysisCacheTests.demoFolder(), cacheDir = tempDir()
        defer { removeTemp(data); removeTemp(cacheDir) }
        // A broken row among the runs: its warning is kept too.
        write("{\"run_id\": ", to: data + "/smoltrace_results/broken_run/leaderboard_row.json")
        let snap = CatalogSnapshot(directory: cacheDir, settle: 0)
        let cwd = FileManager.default.currentDirectoryPath
        let sources = [data]
        let fresh = CatalogLoader.load(sources: sources)
        #expect(snap.lookup(sources, cwd: cwd) == nil, "nothing kept yet")
        let first = CatalogLoader.load(sources: sources, snapshot: snap)
        #expect(Self.dump(first) == Self.dump(fresh))
        let kept = try #require(snap.lookup(sources, cwd: cwd), "kept after a loading")
        #expect(Self.dump(kept) == Self.dump(fresh) && kept.runs.count == fresh.runs.count && kept.runs.count > 5)
        #expect(kept.diagnostics.contains { $0.path.hasSuffix("broken_run/leaderboard_row.json") })
        #expect(snap.lookup([data, data], cwd: cwd) == nil && snap.lookup(sources, cwd: cwd + "/x") == nil, "other sources, another folder")

        // A row rewritten: the kept catalog is stale, the next loading reads the new row.
        usleep(30_000)
        let row = try #require(fresh.runs.first { $0.origin == .runFolder && $0.files.folder != nil })
        let rowFile = row.files.folder! + "/leaderboard_row.json"
        var o = row.row.raw
        o.set("model", .string("renamed/model"))
        write(JSONWriter.string(.object(o)), to: rowFile)
        #expect(snap.lookup(sources, cwd: cwd) == nil, "a changed row file")
        let reread = CatalogLoader.load(sources: sources, snapshot: snap)
        #expect(reread.runs.first { $0.key == row.key }?.row.model == "renamed/model")
        #expect(snap.lookup(sources, cwd: cwd).map(Self.dump) == Self.dump(reread))

        // A new run folder, then one removed: both change the folder that holds them.
        usleep(30_000)
        let newDir = data + "/smoltrace_results/added_run"
        var added = row.row.raw
        added.set("run_id", .string("added-run-0001"))
        write(JSONWriter.string(.object(added)), to: newDir + "/leaderboard_row.json")
        #expect(snap.lookup(sources, cwd: cwd) == nil, "a new run folder")
        #expect(CatalogLoader.load(sources: sources, snapshot: snap).runs.contains { $0.key == "added-run-0001" })
        usleep(30_000)
        try FileManager.default.removeItem(atPath: newDir)
        #expect(snap.lookup(sources, cwd: cwd) == nil, "a run folder removed")
        #expect(!CatalogLoader.load(sources: sources, snapshot: snap).runs.contains { $0.key == "added-run-0001" })
        // A file added inside a run folder (its traces arriving) changes what the run's entry points at.
        usleep(30_000)
        let bare = data + "/smoltrace_results/bare_run"
        write(JSONWriter.string(.object(added)), to: bare + "/leaderboard_row.json")
        #expect(CatalogLoader.load(sources: sources, snapshot: snap).runs.first { $0.key == "added-run-0001" }?.files.traces == nil)
        usleep(30_000)
        write("[]", to: bare + "/traces.json")
        #expect(CatalogLoader.load(sources: sources, snapshot: snap).runs.first { $0.key == "added-run-0001" }?.files.traces != nil)
    }

    @Test func corruptForeignFreshAndUnwritableSnapshotsAreMisses() throws {
        let data = AnalysisCacheTests.demoFolder(), cacheDir = tempDir()
        defer { removeTemp(data); removeTemp(cacheDir) }
        let cwd = FileManager.default.currentDirectoryPath
        let sources = [data]
        let fresh = CatalogSnapshotTests.dump(CatalogLoader.load(sources: sources))
        // Files written a moment ago: their stamps could not tell a change within the clock's tick, so nothing is kept.
        let careful = CatalogSnapshot(directory: cacheDir)
        #expect(CatalogSnapshotTests.dump(CatalogLoader.load(sources: sources, snapshot: careful)) == fresh)
        #expect(careful.lookup(sources, cwd: cwd) == nil, "too fresh to keep")

        let snap = CatalogSnapshot(directory: cacheDir, settle: 0)
        // A catalog an earlier version kept (its own folder) is removed when one is kept now.
        write("[]\n", to: cacheDir + "/v1/0123456789abcdef.ndjson")
        _ = CatalogLoader.load(sources: sources, snapshot: snap)
        #expect(!FileManager.default.fileExists(atPath: cacheDir + "/v1"))
        let file = snap.path(sources, cwd: cwd)
        let good = try Data(contentsOf: URL(fileURLWithPath: file))
        #expect(snap.lookup(sources, cwd: cwd) != nil)
        // Cut short, garbage, a byte changed, another version, a run record too long (sealed again, so only the
        // structure tells): misses; the loading is the fresh one.
        var flipped = good
        flipped[good.count / 2] ^= 0x40
        var otherVersion = PackWriter(magic: CatalogSnapshot.magic)
        otherVersion.uint(99)
        let body = [UInt8](good.dropLast(8).dropFirst(CatalogSnapshot.magic.count))
        var same = PackWriter(magic: CatalogSnapshot.magic)
        same.append(body)
        try Data(same.seal()).write(to: URL(fileURLWithPath: file))
        #expect(snap.lookup(sources, cwd: cwd).map(CatalogSnapshotTests.dump) == fresh, "sealed again as it was: a hit")
        var longer = PackWriter(magic: CatalogSnapshot.magic)
        longer.append(body + [0])
        for bad in [good.prefix(good.count / 2), good.prefix(good.count - 1), Data("not json\n{}\n[]\n".utf8), flipped,
            Data(otherVersion.seal()), Data(longer.seal())]
        {
            try bad.write(to: URL(fileURLWithPath: file))
            #expect(snap.lookup(sources, cwd: cwd) == nil)
            #expect(CatalogSnapshotTests.dump(CatalogLoader.load(sources: sources, snapshot: snap)) == fresh)
        }
        // A cache folder that cannot be made (a file in the way): the loading is unchanged, nothing thrown.
        let blocked = CatalogSnapshot(directory: data + "/smoltrace_results/openai_gpt-4o_tool_20261102_090000/leaderboard_row.json/x", settle: 0)
        #expect(CatalogSnapshotTests.dump(CatalogLoader.load(sources: sources, snapshot: blocked)) == fresh)
        // Nothing is written into the data folder, and Hub sources or the demo are never kept.
        #expect(!(try FileManager.default.subpathsOfDirectory(atPath: data)).contains { $0.hasSuffix(".catalog") || $0.hasSuffix(".bin") })
        let other = CatalogSnapshot(directory: tempDir(), settle: 0)
        defer { removeTemp(other.directory) }
        _ = CatalogLoader.load(sources: [data, "hf://user/repo"], snapshot: other)
        #expect((try? FileManager.default.contentsOfDirectory(atPath: other.directory))?.isEmpty ?? true)
    }

    /// The browser's count of run folders read: up to all of them, as the reading goes.
    @Test func runFoldersReadAreCounted() {
        var o = DemoOptions()
        o.includeFixedRuns = false
        o.extraRuns = 40
        o.testsPerExtraRun = 1
        let files = DemoGenerator(options: o).files()
        final class Counts: @unchecked Sendable {
            let lock = NSLock()
            var seen: [(Int, Int)] = []
        }
        let c = Counts()
        final class Runs: @unchecked Sendable {
            let lock = NSLock()
            var parts: [[String]] = []
        }
        let runs = Runs()
        let catalog = CatalogLoader.load(
            sources: [DemoData.rootName], fs: MemoryFileSystem(files: files), foldersRead: { r, t in c.lock.withLock { c.seen.append((r, t)) } },
            runsRead: { part in runs.lock.withLock { runs.parts.append(part.map(\.key)) } })
        #expect(catalog.runs.count == 40)
        #expect(!c.seen.isEmpty && c.seen.allSatisfy { $0.1 == 40 && $0.0 <= 40 } && c.seen.map(\.0).max() == 40)
        // The runs as they were read, in parts: every run of the catalog once, before the catalog was whole.
        #expect(runs.parts.count > 1, "read in parts: \(runs.parts.count)")
        #expect(runs.parts.flatMap { $0 }.sorted() == catalog.runs.map(\.key).sorted())
    }

    @Test(.enabled(if: sharedData("smoltrace-0.2.12/json") != nil, "needs ../shared/data"))
    func realRunsKeptAsLoaded() throws {
        let cacheDir = tempDir()
        defer { removeTemp(cacheDir) }
        let sources = [sharedData("smoltrace-0.2.12/json")!, sharedData("smoltrace-0.1")!]
        let snap = CatalogSnapshot(directory: cacheDir, settle: 0)
        let fresh = CatalogLoader.load(sources: sources, snapshot: snap)
        let kept = try #require(snap.lookup(sources, cwd: FileManager.default.currentDirectoryPath))
        #expect(CatalogSnapshotTests.dump(kept) == CatalogSnapshotTests.dump(fresh) && kept.runs.count == fresh.runs.count)
        #expect(RunTotals.analyseAll(kept.runs).totals == RunTotals.analyseAll(fresh.runs).totals)
    }

    /// A row kept in a catalog reads back equal, every field: a field added to the row but not to its kept form fails
    /// here (the row below has every optional field set, which the mirror checks).
    @Test func aRowWithEveryFieldReadsBackEqual() throws {
        let text = """
            {"run_id": "r-1", "model": "openai/gpt-4o", "agent_type": "tool", "provider": "litellm", "timestamp": "2026-11-02T09:00:00",
             "submitted_by": "me", "use_case": "support", "team": "evals", "purpose": "selection", "suite_version": "v3", "hardware": "L4",
             "run_status": "completed", "run_stop_reason": "max_steps", "total_tests": 8, "successful_tests": 6, "failed_tests": 2,
             "errored_tests": 1, "timed_out_tests": 3, "success_rate": 75.0, "pass_at_1": 0.75, "avg_steps": 3.5, "avg_duration_ms": 812.5,
             "total_duration_ms": 6500.0, "total_tokens": 9000, "total_prompt_tokens": 7000, "total_completion_tokens": 2000,
             "total_cost_usd": 0.0125, "co2_emissions_g": 1.5, "power_cost_total_usd": 0.001, "gpu_utilization_avg": 40.0,
             "gpu_utilization_max": 90.0, "gpu_memory_avg_mib": 1000.0, "gpu_memory_max_mib": 2000.0, "gpu_temperature_avg": 50.0,
             "gpu_temperature_max": 70.0, "gpu_power_avg_w": 60.0, "results_dataset": "u/results", "traces_dataset": "u/traces",
             "metrics_dataset": "u/metrics", "dataset_used": "tasks.json", "notes": "caf\\u00e9 \\u001b[31m", "unknown_field": [1, {"a": null}]}
            """
        let row = LeaderboardRow(json: try #require(try JSONParser.parse(text).objectValue))
        let unset = Mirror(reflecting: row.values).children.filter { child in
            let m = Mirror(reflecting: child.value)
            return m.displayStyle == .optional && m.children.isEmpty
        }.map { $0.label ?? "?" }
        #expect(unset.isEmpty, "fields the test row leaves unset: \(unset)")
        var w = PackWriter()
        w.text("before")
        row.pack(into: &w)
        let data = Data(w.bytes)
        let back = try #require(data.withUnsafeBytes { all -> LeaderboardRow? in
            var r = PackReader(all)
            _ = r.text()
            let made = LeaderboardRow(unpacking: &r, in: data)
            return r.isAtEnd ? made : nil
        })
        #expect(back == row && back.rawDigest == row.rawDigest && back.searchText == row.searchText && back.timestampNs == row.timestampNs)
        #expect(back.raw == row.raw && back.raw["unknown_field"] == row.raw["unknown_field"], "stored fields read from their text when asked for")
        #expect(back.recordsTokens && back.recordsCost)
        // Which recorded figures a row carries at all (the leaderboard's "—" against "unknown") reads back without its text.
        for (o, tokens, cost) in [("{\"model\": \"m\"}", false, false), ("{\"total_cost_usd\": null}", false, true), ("{\"total_tokens\": \"x\"}", true, false)] {
            let r = LeaderboardRow(json: try #require(try JSONParser.parse(o).objectValue))
            var w = PackWriter()
            r.pack(into: &w)
            let d = Data(w.bytes)
            let b = try #require(d.withUnsafeBytes { all -> LeaderboardRow? in
                var rr = PackReader(all)
                return LeaderboardRow(unpacking: &rr, in: d)
            })
            #expect(r.recordsTokens == tokens && r.recordsCost == cost && b.recordsTokens == tokens && b.recordsCost == cost, "\(o)")
        }
        // Cut short anywhere: no row.
        for n in stride(from: 0, to: data.count, by: 7) {
            let cut = data.prefix(n)
            #expect(cut.withUnsafeBytes { all -> LeaderboardRow? in
                var r = PackReader(all)
                _ = r.text()
                return LeaderboardRow(unpacking: &r, in: cut)
            } == nil)
        }
    }
}
