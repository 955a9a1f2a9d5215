import Foundation
import TestSupport
import Testing
import TraceMindDemo
import TraceMindFixtures
import TraceMindFormats
@testable import TraceMindModel
import TraceMindReport

/// A comparison says what it compares: runs on different task sets, and one test id with another prompt.
@Suite struct ComparabilityTests {
    /// The demo's gpt-4o run, and a copy of it (another run id) whose `weather_paris` asks about Lima.
    static func catalog() -> Catalog {
        CatalogLoader.load(sources: [DemoData.rootName], fs: MemoryFileSystem(files: DemoFixtures.promptChanged()))
    }

    static func analyse(_ c: Catalog, _ id: String) throws -> RunAnalysis {
        let e = try c.run(matching: id)
        return RunAnalysis(entry: e, data: RunLoader.load(e))
    }

    @Test func theSameIdWithAnotherPromptIsNeverAFlip() throws {
        let c = Self.catalog()
        let cmp = Comparison([try Self.analyse(c, "7f3c"), try Self.analyse(c, "a1a1")])
        let k = cmp.comparability
        #expect(k.promptDiffers == ["tool:weather_paris"], "\(k)")
        #expect(k.shared.count == 7 && k.onlyIn.allSatisfy(\.isEmpty))
        #expect(!k.isSameTaskSet)
        let line = try #require(cmp.tests.first { $0.key == "tool:weather_paris" })
        #expect(line.promptDiffers && !line.flipped && !line.isRegression && !line.isFix)
        #expect(k.warning(labels: ["A", "B"])?.contains("1 with the same id but another prompt") == true)
        #expect(!cmp.sharedMetrics.isEmpty && cmp.sharedMetrics.allSatisfy { $0.label.hasSuffix("(shared tests)") })
        // The same run against itself: one task set, no warning, no shared-test section.
        let same = Comparison([try Self.analyse(c, "7f3c"), try Self.analyse(c, "7f3c")])
        #expect(same.comparability.isSameTaskSet && same.comparability.warning(labels: ["A", "B"]) == nil && same.sharedMetrics.isEmpty)
    }

    @Test func differentTaskSetsWarnInEveryFormat() throws {
        let c = Self.catalog()
        let cmp = Comparison([try Self.analyse(c, "7f3c"), try Self.analyse(c, "b1d2")])
        #expect(cmp.comparability.onlyIn[1].count == 8 && cmp.comparability.shared.count == 8)
        let table = Reports.compare(cmp, format: .table)
        #expect(table.hasPrefix("⚠ different task sets: 8 shared tests, 8 only in gpt-4o-mini · both"), "\(table.prefix(200))")
        #expect(table.contains("success rate (shared tests)") && table.contains("success rate (whole run)"))
        #expect(Reports.compare(cmp, format: .markdown).hasPrefix("> ⚠ different task sets"))
        let json = try JSONParser.parse(Data(Reports.compare(cmp, format: .json).utf8))
        #expect(json["comparability"]?["same_task_set"] == .bool(false))
        #expect(json["comparability"]?["shared_tests"] == .int(8))
        #expect(json["comparability"]?["warning"]?.text?.contains("different task sets") == true)
        #expect((json["shared_test_metrics"]?.arrayValue?.count ?? 0) > 5)
        assertGolden(table, named: "compare_task_sets.txt")
        assertGolden(Reports.compare(cmp, format: .json), named: "compare_task_sets.json")
        let prompt = Comparison([try Self.analyse(c, "7f3c"), try Self.analyse(c, "a1a1")])
        assertGolden(Reports.compare(prompt, format: .table), named: "compare_prompt_differs.txt")
    }

    @Test func bestIgnoresTestsThatErroredBeforeTheirFirstStep() throws {
        let c = Self.catalog()
        let a = try Self.analyse(c, "b1d2")
        // A test that errored with 0 steps does not lower the steps per test.
        let ran = a.tests.filter { $0.outcome == .passed || $0.outcome == .failed }.compactMap(\.steps)
        let expected = Double(ran.reduce(0, +)) / Double(ran.count)
        let m = try #require(Comparison([a, try Self.analyse(c, "7f3c")]).metrics.first { $0.name == "avg_steps" })
        #expect(m.values[0] == expected && m.label == "steps per test that ran")
        #expect(a.tests.contains { $0.outcome == .error && $0.steps == 0 }, "the fixture has an errored test with 0 steps")
        // Per-test cost and wall time: over the tests that ran too.
        let cmp = Comparison([a, try Self.analyse(c, "7f3c")])
        let ranRows = a.tests.filter { $0.outcome == .passed || $0.outcome == .failed }
        let perTest = try #require(cmp.metrics.first { $0.name == "cost_per_test_usd" })
        let expectedCost = ranRows.reduce(CostSum.zero) { $0 + ($1.cost ?? .unknownCall) }.value.map { $0 / Double(ranRows.count) }
        #expect(perTest.label == "cost per test that ran" && perTest.values[0] == expectedCost)
        let wall = try #require(cmp.metrics.first { $0.name == "wall_ms_p50" })
        #expect(wall.values[0] == Percentiles.of(ranRows.compactMap(\.wallMs))?.p50)
        // A metric no run has is never a winner.
        let gpu = try #require(Comparison([a, try Self.analyse(c, "7f3c")]).metrics.first { $0.name == "gpu_power_avg_w" })
        #expect(gpu.bestIndex == nil)
    }
}

/// `breakdown --by model`: every span that names a model is that model's; usage still counts once.
@Suite struct BreakdownAttributionTests {
    @Test func spansAreTheModelTheyName() throws {
        let c = DemoData.catalog()
        let e = try c.run(matching: "7f3c")
        var diags: [Diagnostic] = []
        let rows = Breakdown.of(run: e, by: .model, diagnostics: &diags)
        let a = RunAnalysis(entry: e, data: RunLoader.load(e))
        // Counted once: the groups add up to the run's tokens and cost.
        #expect(rows.reduce(0) { $0 + $1.tokens } == a.tokens.total)
        #expect(abs(rows.reduce(0) { $0 + $1.cost.knownUSD } - a.cost.knownUSD) < 1e-12)
        // No span that names a model is left under (none).
        let counts = RunLoader.mapTraces(e, diagnostics: &diags) { t, _ -> (named: Int, misfiled: Int) in
            let keys = Breakdown.keys(TraceAnalysis(t), by: .model)
            let named = t.spans.indices.filter { !(t.spans[$0].usage.model ?? "").isEmpty }
            return (named.count, named.filter { keys[$0] != t.spans[$0].usage.model }.count)
        }
        let named = counts.reduce(0) { $0 + $1.named }
        #expect(counts.allSatisfy { $0.misfiled == 0 }, "a span that names a model is filed elsewhere")
        #expect(named > 15, "roll-up layers name their model too: \(named)")
        #expect(rows.contains { $0.key == "openai/gpt-4o" && $0.tokens == 0 && $0.spans > 0 }, "\(rows.map(\.key))")
    }
}

/// The same run found twice (its JSON folder and its Hub Parquet form) is listed once, with both places.
@Suite struct DuplicateRunTests {
    @Test func theSameRunInTwoFormsIsListedOnce() throws {
        var files: [String: Data] = [:]
        let demo = DemoGenerator().files()
        for (p, d) in demo { files["json/" + p] = d }
        for (p, d) in HubLayout.convert(demo) { files["hub/" + p] = d }
        let c = CatalogLoader.load(sources: ["json", "hub"], fs: MemoryFileSystem(files: files))
        let single = CatalogLoader.load(sources: ["json"], fs: MemoryFileSystem(files: files))
        #expect(c.runs.count == single.runs.count, "\(c.runs.map(\.key))")
        let withID = c.runs.filter { $0.row.runID != nil || $0.row.timestampNs != nil }
        #expect(!withID.isEmpty && withID.allSatisfy { $0.alsoAt.count == 1 && $0.source.hasPrefix("json") && $0.alsoAt[0].hasPrefix("hub") }, "\(withID.map(\.alsoAt))")
        #expect(c.diagnostics.filter { $0.message.contains("the same run as") }.count == withID.count)
        #expect(!c.runs.contains { $0.key.contains("#") })
        let e = try c.run(matching: "7f3c")
        #expect(Reports.run(RunAnalysis(entry: e, data: RunLoader.load(e)), format: .table).contains("the same run is also at hub"))
    }
}
