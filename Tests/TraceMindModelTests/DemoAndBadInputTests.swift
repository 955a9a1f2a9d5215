import Foundation
import TestSupport
import Testing
import TraceMindDemo
import TraceMindFormats
@testable import TraceMindModel

@Suite struct DemoDataTests {
    @Test func generatorIsDeterministic() {
        #expect(DemoGenerator().files() == DemoGenerator().files())
    }

    @Test func demoLoadsCleanlyWithEveryShape() throws {
        let catalog = DemoData.catalog()
        #expect(catalog.diagnostics.isEmpty, "\(catalog.diagnostics)")
        #expect(catalog.runs.count == 5)
        let failed = try catalog.run(matching: "c0ffee00")
        #expect(failed.row.runStatus == "failed" && !failed.row.isRankable && failed.row.successRate == nil)
        let gpu = try catalog.run(matching: "gpu-qwen")
        let g = RunAnalysis(entry: gpu, data: RunLoader.load(gpu))
        #expect(g.metrics?.hasGPUData == true)
        #expect(g.metrics?.gpuIDs == ["0", "1"])
        #expect(g.cost.value == nil)  // local model: no pricing
        let both = try catalog.run(matching: "b1d2e3f4")
        let b = RunAnalysis(entry: both, data: RunLoader.load(both))
        #expect(b.errored > 0 && b.timedOut > 0)
        #expect(b.tests.contains { ($0.trace?.spanCount ?? 0) > 2000 })
        #expect(b.recordedTotalTokens == 3 * b.tokens.total)
        let legacy = try catalog.run(matching: "mistral")
        let l = RunAnalysis(entry: legacy, data: RunLoader.load(legacy))
        #expect(l.tests.allSatisfy { $0.trace != nil })
        #expect(l.tests.contains { $0.trace!.traceID.count == 33 })
    }
}

/// Each bad input gives one warning naming the file; the rest still loads; nothing is written.
@Suite struct BadInputTests {
    func goodRun(_ dir: String) {
        let files = DemoGenerator().files().filter { $0.key.contains("openai_gpt-4o_tool") }
        for (p, d) in files {
            let full = dir + "/" + p
            try! FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try! d.write(to: URL(fileURLWithPath: full))
        }
    }

    func snapshot(_ dir: String) -> [String: Data] {
        var out: [String: Data] = [:]
        let e = FileManager.default.enumerator(atPath: dir)!
        while let p = e.nextObject() as? String {
            if let d = FileManager.default.contents(atPath: dir + "/" + p) { out[p] = d }
        }
        return out
    }

    @Test func brokenFilesWarnOnceEachAndTheRestLoads() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        goodRun(dir)
        write("{\"model\": \"x\", \"agent_type\": \"tool\", \"total_tests\": 3", to: dir + "/truncated/leaderboard_row.json")
        write("", to: dir + "/empty/leaderboard_row.json")
        try Data([0x7B, 0x00, 0x01, 0xFF, 0x00]).write(to: URL(fileURLWithPath: dir + "/binary.json"))
        write("42", to: dir + "/wrongtype/leaderboard_row.json")
        write("[1, 2, 3]", to: dir + "/wrongtype/results.json")
        let before = snapshot(dir)
        let catalog = CatalogLoader.load(sources: [dir, dir + "/binary.json", dir + "/nope"])
        let byPath = Dictionary(grouping: catalog.diagnostics, by: { $0.path })
        #expect(byPath[dir + "/truncated/leaderboard_row.json"]?.count == 1)
        #expect(byPath[dir + "/truncated/leaderboard_row.json"]?.first?.message.contains("invalid JSON") == true)
        #expect(byPath[dir + "/empty/leaderboard_row.json"]?.first?.message == "the file is empty")
        #expect(byPath[dir + "/binary.json"]?.first?.message.contains("binary") == true)
        #expect(byPath[dir + "/wrongtype/leaderboard_row.json"]?.count == 1)
        #expect(byPath[dir + "/nope"]?.first?.message == "no such file or folder")
        // The good run and the folders with broken rows are still listed (rows from the folder name).
        #expect(catalog.runs.contains { $0.row.model == "openai/gpt-4o" })
        #expect(catalog.runs.count == 4)
        let wrong = try catalog.run(matching: "wrongtype")
        let data = RunLoader.load(wrong)
        #expect(data.results.isEmpty)
        #expect(snapshot(dir) == before, "nothing is written into the data folders")
    }

    @Test func truncatedTracesKeepEarlierTraces() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        goodRun(dir)
        let run = try FileManager.default.contentsOfDirectory(atPath: dir + "/smoltrace_results")[0]
        let tp = dir + "/smoltrace_results/" + run + "/traces.json"
        let full = try Data(contentsOf: URL(fileURLWithPath: tp))
        try full.prefix(full.count * 2 / 3).write(to: URL(fileURLWithPath: tp))
        let catalog = CatalogLoader.load(sources: [dir])
        let data = RunLoader.load(catalog.runs[0])
        #expect(data.diagnostics.count == 1)
        #expect(data.diagnostics[0].path == tp)
        #expect(data.traces.count > 0 && data.traces.count < 8)
        #expect(data.results.count == 8)
    }

    @Test func aTracesFileOfMillionsOfNonRecordsKeepsNothingPerRecord() throws {
        // Compact, and laid out one number per line behind a real trace (the layout guess must give up at once).
        let dir = tempDir()
        defer { removeTemp(dir) }
        let numbers = (0..<1_000_000).map { _ in "7" }
        write("[" + numbers.joined(separator: ",") + "]", to: dir + "/compact/traces.json")
        write("[\n{\"trace_id\": \"0x1\", \"spans\": [],\n\"a\": [\n" + numbers.joined(separator: ",\n") + "\n]}\n]", to: dir + "/layout/traces.json")
        let compact = RunLoader.load(try #require(CatalogLoader.load(sources: [dir + "/compact"]).runs.first))
        #expect(compact.traces.isEmpty)
        #expect(compact.diagnostics.map(\.message) == ["1000000 records are not trace data (no spans, span rows or OTLP resourceSpans); skipped"])
        let layout = RunLoader.load(try #require(CatalogLoader.load(sources: [dir + "/layout"]).runs.first))
        #expect(layout.diagnostics.isEmpty, "\(layout.diagnostics)")
        #expect(layout.traces.map(\.traceID) == ["0x1"])
    }

    @Test func hugeSingleStringLoads() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let big = String(repeating: "A", count: 50 * 1024 * 1024)
        write("[{\"task_id\": \"t1\", \"agent_type\": \"tool\", \"success\": true, \"prompt\": \"\(big)\"}]", to: dir + "/results.jsonl.json")
        let catalog = CatalogLoader.load(sources: [dir + "/results.jsonl.json"])
        #expect(catalog.diagnostics.isEmpty)
        #expect(catalog.runs.count == 1 && catalog.runs[0].row.successfulTests == 1)
    }

    @Test func jsonlWithBadLinesLoadsTheGoodOnes() {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        write(
            """
            {"run_id": "r1", "model": "m1", "agent_type": "tool", "total_tests": 2, "success_rate": 50.0}
            {"run_id": "r2", "model": "m2", "agent_type": "code", "total_tests": 2,
            {"run_id": "r3", "model": "m3", "agent_type": "code", "total_tests": "4", "success_rate": "25.0"}
            """, to: dir + "/leaderboard.jsonl")
        let catalog = CatalogLoader.load(sources: [dir + "/leaderboard.jsonl"])
        #expect(catalog.runs.map { $0.key } == ["r1", "r3"])
        #expect(catalog.runs[1].row.successfulTests == 1)  // derived from rate × total
        #expect(catalog.diagnostics.count == 1 && catalog.diagnostics[0].message.contains("line 2"))
    }

    @Test(.enabled(if: sharedData("smoltrace-0.2.12/json/openai_gpt-4o_tool_20261121_132750") != nil, "needs ../shared/data")) func standaloneResultsAndTracesFilesJoin() throws {
        let root = try #require(sharedData("smoltrace-0.2.12/json/openai_gpt-4o_tool_20261121_132750"))
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.copyItem(atPath: root + "/results.json", toPath: dir + "/r.json")
        try FileManager.default.copyItem(atPath: root + "/traces.json", toPath: dir + "/t.json")
        let catalog = CatalogLoader.load(sources: [dir + "/r.json", dir + "/t.json"])
        #expect(catalog.runs.count == 1)
        let a = RunAnalysis(entry: catalog.runs[0], data: RunLoader.load(catalog.runs[0]))
        #expect(a.tests.count == 18 && a.tests.allSatisfy { $0.trace != nil })
    }
}
