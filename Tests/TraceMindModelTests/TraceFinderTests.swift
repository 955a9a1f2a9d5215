import Foundation
import TestSupport
import Testing
import TraceMindDemo
import TraceMindFormats
@testable import TraceMindModel

/// Finding one trace for a report: by the ids of the trace documents alone, then reading that trace once.
@Suite struct TraceFinderTests {
    static let catalog = DemoData.catalog()

    @Test func theQuickFindGivesWhatReadingTheWholeRunGives() throws {
        var checked = 0
        for run in Self.catalog.runs {
            let whole = RunAnalysis(entry: run, data: RunLoader.load(run))
            for test in whole.tests.prefix(3) {
                guard let summary = test.trace else { continue }
                let full = try TraceFinder.find(summary.traceID, in: Self.catalog)
                let quick = try TraceFinder.find(summary.traceID, in: Self.catalog, wholeRun: false)
                #expect(quick.run.key == full.run.key)
                #expect(quick.summary.traceID == full.summary.traceID)
                #expect(quick.summary.location == full.summary.location)
                #expect(quick.test?.taskID == full.test?.taskID)
                #expect(quick.test?.outcome == full.test?.outcome)
                let trace = try #require(quick.trace, "the quick find reads the trace it found")
                #expect(trace.spans.count == summary.spanCount)
                // Its figures are those of the whole-run pass (which skipped long strings, not figures).
                #expect(TraceSummary(TraceAnalysis(trace), location: summary.location).tokens == summary.tokens)
                checked += 1
            }
        }
        #expect(checked >= 6)
    }

    @Test func aPrefixOfSeveralTracesIsAmbiguousAcrossRuns() throws {
        let ids = Self.catalog.runs.flatMap { run in
            RunAnalysis(entry: run, data: RunLoader.load(run)).tests.compactMap { $0.trace?.traceID }
        }
        // The shortest prefix that more than one trace shares: both paths list every trace it matches.
        var shared: String?
        for n in 3...8 where shared == nil {
            var counts: [String: Int] = [:]
            for id in ids { counts[String(id.prefix(n)), default: 0] += 1 }
            shared = counts.filter { $0.value > 1 }.keys.sorted().first
        }
        let prefix = try #require(shared)
        let expected = ids.filter { TraceIDs.matches(prefix, $0) }.count
        for wholeRun in [true, false] {
            do {
                _ = try TraceFinder.find(prefix, in: Self.catalog, wholeRun: wholeRun)
                Issue.record("'\(prefix)' matches several traces")
            } catch let TraceFinder.FindError.ambiguous(_, listed) {
                #expect(listed.count == expected, "wholeRun \(wholeRun)")
            }
        }
        #expect(throws: TraceFinder.FindError.self) { try TraceFinder.find("ffffffffffffffffffffffffffff", in: Self.catalog, wholeRun: false) }
    }

    @Test func otherFormsAreReadWhole() throws {
        // OTLP exports and span tables have no top-level trace ids: the whole run is read, as before.
        let c = CatalogLoader.load(sources: ["exports"], fs: MemoryFileSystem(files: ["exports/collector.jsonl": ForeignTraces.otlpLines()]))
        let run = try #require(c.runs.first)
        #expect(try TraceFinder.quickFind("00", run) == nil)
        let any = try #require(RunAnalysis(entry: run, data: RunLoader.load(run)).extraTraces.first ?? RunAnalysis(entry: run, data: RunLoader.load(run)).tests.compactMap(\.trace).first)
        let m = try TraceFinder.find(any.traceID, in: c, wholeRun: false)
        #expect(m.summary.traceID == any.traceID)
        #expect(m.trace == nil)
    }
}
