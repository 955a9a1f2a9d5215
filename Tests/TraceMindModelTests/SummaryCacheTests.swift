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
        let kept = try Data(contentsOf: URL(fileURLWithPath: file))
        #expect(cache.lookup(entry.files, key: key) != nil && cache.lookup(entry.files, key: key + " ") == nil, "another key: a miss")
        var flipped = kept
        flipped[flipped.count / 2] ^= 0x01
        var junks = [Data("not an entry".utf8), Data(), flipped] + stride(from: 0, to: kept.count, by: max(1, kept.count / 40)).map { kept.prefix($0) }
        junks.append(Data("{\"version\":2,\"key\":\"x\",\"summaries\":[],\"diagnostics\":[],\"partial\":[]}".utf8))
        for junk in junks {
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

    /// A summary with every field set reads back equal from the kept form: a field added to the summary but not to
    /// `pack`/`init(unpacking:)` fails here (the mirror checks that none is left unset).
    @Test func aSummaryWithEveryFieldReadsBackEqual() throws {
        let dir = tempDir()
        defer { removeTemp(dir) }
        for (p, d) in DemoGenerator().files() { write(d, to: dir + "/" + p) }
        let entry = try #require(CatalogLoader.load(sources: [dir]).runs.first { $0.files.traces != nil })
        var s = try #require(RunLoader.load(entry).traces.first)
        s.runID = "r-\u{E9}"
        s.testIDs = ["a", "b\u{1F600}"]
        s.testCaseUIDs = ["tool:a"]
        s.rootTestID = "a"
        s.rootAgentType = "tool"
        s.rootName = "root"
        s.startNs = -1_700_000_000_000_000_001
        s.wallMs = 0.1 + 0.2
        s.tokens = TokenCounts(prompt: 1, completion: 2, total: 3, hasSplit: true, reasoning: 4, cacheRead: 5, cacheWrite: 6)
        var split = CostSplit()
        (split.prompt, split.completion, split.reasoning, split.cacheRead, split.cacheWrite, split.calls) = (0.1, 0.2, 0.3, 0.4, -0.0, 7)
        s.cost = CostSum(knownUSD: 1e-9, priced: 2, unpriced: 3, split: split)
        s.rootError = "ValueError: x"
        s.tokensByModel = ["m1": s.tokens, "m2": TokenCounts(total: 9)]
        s.costByModel = ["m1": s.cost, "": .zero]
        s.costByCategory = [.llm: s.cost, .tool: .zero]
        s.recordedTotalTokens = 42
        s.recordedTotalDurationMs = .infinity
        s.recordedTotalCostUSD = 0.125
        s.ttft = [0.5, 1.5]
        s.tbt = [0.01]
        s.firstTTFT = 0.5
        s.location = TraceLocation(path: "/p/traces.json", byteRange: 4..<88, rowGroup: 2, index: 3, fileSize: 99)
        let unset = Mirror(reflecting: s).children.filter { child in
            let m = Mirror(reflecting: child.value)
            return m.displayStyle == .optional && m.children.isEmpty
        }.map { $0.label ?? "?" }
        #expect(unset.isEmpty, "fields the test summary leaves unset: \(unset)")
        var w = PackWriter()
        s.pack(into: &w)
        let bytes = w.bytes
        let back = bytes.withUnsafeBytes { all -> TraceSummary? in
            var r = PackReader(all)
            let made = TraceSummary(unpacking: &r)
            return r.isAtEnd ? made : nil
        }
        #expect(back == s)
        // Cut short anywhere: no summary.
        for n in 0..<bytes.count {
            #expect(bytes.withUnsafeBytes { all -> TraceSummary? in
                var r = PackReader(all, range: 0..<n)
                return TraceSummary(unpacking: &r)
            } == nil, "cut at \(n)")
        }
    }
}
