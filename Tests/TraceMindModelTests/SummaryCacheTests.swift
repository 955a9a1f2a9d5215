import Foundation
import TestSupport
import Testing
import TraceMindDemo
import TraceMindFormats
@testable import TraceMindModel
import TraceMindReport

/// The traces' summaries kept between processes give exactly the run of a fresh read, in every report format; a
/// changed, corrupt or foreign entry is a miss, never a figure.
@Suite struct SummaryCacheTests {
    /// A run read fresh and twice through `cache` (cold, then warm): the three must be one run.
    static func check(_ entry: RunEntry, _ cache: SummaryCache, _ label: String) {
        let fresh = RunLoader.load(entry)
        let cold = RunLoader.load(entry, summaries: cache)
        let key = SummaryCache.key(entry.files)
        #expect(key != nil && cache.lookup(entry.files, key: key!) != nil, "\(label): kept")
        let warm = RunLoader.load(entry, summaries: cache)
        for d in [cold, warm] {
            #expect(d.traces == fresh.traces && d.diagnostics == fresh.diagnostics && d.partialTraces == fresh.partialTraces, "\(label)")
            let a = RunAnalysis(entry: entry, data: d), b = RunAnalysis(entry: entry, data: fresh)
            for format in [OutputFormat.json, .csv, .markdown, .table] {
                #expect(Reports.run(a, format: format) == Reports.run(b, format: format), "\(label) \(format)")
            }
        }
        // The run screen's cost groups, fresh, kept, and read back.
        var d1: [Diagnostic] = [], d2: [Diagnostic] = [], d3: [Diagnostic] = []
        let groups = Breakdown.all(run: entry, keys: Breakdown.contextKeys, diagnostics: &d1)
        #expect(Breakdown.all(run: entry, keys: Breakdown.contextKeys, diagnostics: &d2, cache: cache) == groups, "\(label) groups, cold")
        if let key, d1.isEmpty {
            #expect(cache.breakdowns(entry.files, key: key, keys: Breakdown.contextKeys) == groups, "\(label) groups kept")
        }
        #expect(Breakdown.all(run: entry, keys: Breakdown.contextKeys, diagnostics: &d3, cache: cache) == groups, "\(label) groups, warm")
        #expect(cache.breakdowns(entry.files, key: key ?? "", keys: [.service]) == nil, "other keys: a miss")
    }

    @Test func aRunReadAgainIsTheRunReadFresh() throws {
        let dir = tempDir(), cacheDir = tempDir()
        defer { removeTemp(dir); removeTemp(cacheDir) }
        for (p, d) in DemoGenerator().files() { write(d, to: dir + "/" + p) }
        let cache = SummaryCache(directory: cacheDir)
        let runs = CatalogLoader.load(sources: [dir]).runs.filter { $0.files.traces != nil }
        #expect(runs.count >= 3)
        for e in runs { Self.check(e, cache, e.key) }
    }

    @Test(.enabled(if: sharedData("smoltrace-0.2.12/json") != nil, "needs ../shared/data"))
    func realRunsInEveryFormAreTheRunsReadFresh() {
        let cacheDir = tempDir()
        defer { removeTemp(cacheDir) }
        let cache = SummaryCache(directory: cacheDir)
        for sub in ["smoltrace-0.2.12/json", "smoltrace-0.2.12/hub", "smoltrace-0.1"] {
            guard let dir = sharedData(sub) else { continue }
            for e in CatalogLoader.load(sources: [dir]).runs where e.files.traces != nil { Self.check(e, cache, "\(sub) \(e.key)") }
        }
    }

    @Test func changedCorruptAndForeignEntriesAreMisses() throws {
        let dir = tempDir(), cacheDir = tempDir()
        defer { removeTemp(dir); removeTemp(cacheDir) }
        for (p, d) in DemoGenerator().files() { write(d, to: dir + "/" + p) }
        let cache = SummaryCache(directory: cacheDir)
        let entry = try #require(CatalogLoader.load(sources: [dir]).runs.first { $0.row.runID?.hasPrefix("7f3c") == true })
        let traces = try #require(entry.files.traces)
        _ = RunLoader.load(entry, summaries: cache)
        // The traces file rewritten with one trace fewer: read afresh.
        let all = try #require(JSONParser.parse(try Data(contentsOf: URL(fileURLWithPath: traces))).arrayValue)
        write(JSONWriter.data(.array(Array(all.dropLast()))), to: traces)
        let changed = RunLoader.load(entry, summaries: cache)
        #expect(changed.traces.count == all.count - 1 && changed.traces == RunLoader.load(entry).traces)
        // A corrupt entry, and one of another key: misses, and the figures are the fresh ones.
        let key = try #require(SummaryCache.key(entry.files))
        let file = cache.path(entry.files)
        for junk in ["{\"version\": 2, \"key\": \"", "not json", "{\"version\":999,\"key\":\"x\",\"summaries\":[],\"diagnostics\":[],\"partial\":[]}"] {
            write(junk, to: file)
            #expect(cache.lookup(entry.files, key: key) == nil)
            #expect(RunLoader.load(entry, summaries: cache).traces == RunLoader.load(entry).traces)
        }
        // Remote and in-memory runs have no key.
        var remote = entry
        remote.files.traces = "opensearch://127.0.0.1:9200/smoltrace-traces-x"
        #expect(SummaryCache.key(remote.files) == nil)
        #expect(DemoData.catalog().runs.allSatisfy { SummaryCache.key($0.files) == nil })
    }
}
