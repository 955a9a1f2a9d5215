import Foundation
import Testing
import TraceMindFormats
@testable import TraceMindModel

/// Trends: lines per model in time order, changes from the previous run of the same kind, regressions beyond the
/// noise only, task sets never joined silently, unknown never 0. Flaky tests: pass rates and flips per group.
@Suite struct TrendsTests {
    func entry(_ key: String, model: String = "m1", agent: String = "tool", day: Int?, success: Double? = nil, tests: Int? = 20) -> RunEntry {
        var o = JSONObject()
        o.set("run_id", .string(key))
        o.set("model", .string(model))
        o.set("agent_type", .string(agent))
        if let success { o.set("success_rate", .double(success)) }
        if let tests { o.set("total_tests", .int(Int64(tests))) }
        if let day { o.set("timestamp", .string(String(format: "2026-11-%02dT10:00:00", day))) }
        return RunEntry(
            key: key, row: LeaderboardRow(json: o), source: key, origin: .runFolder,
            files: RunFiles(fs: MemoryFileSystem(files: [:]), folder: nil, results: nil, traces: nil, metrics: nil))
    }

    /// Counted-once totals as the analysis would keep them.
    func totals(tests: Int = 10, passed: Int = 8, cost: Double? = nil, partial: Bool = false, taskSet: String? = "A", outcomes: [String: String]? = nil) throws -> RunTotals {
        var o: [(String, JSON)] = [
            ("tests", .int(Int64(tests))), ("passed", .int(Int64(passed))), ("failed", .int(Int64(tests - passed))), ("errored", 0), ("timedOut", 0),
            ("successRate", .double(Double(passed) / Double(tests) * 100)), ("partial", .bool(partial)),
        ]
        if let cost { o.append(("cost", .obj([("knownUSD", .double(cost)), ("priced", 1), ("unpriced", 0), ("split", .obj([("prompt", 0), ("completion", 0), ("reasoning", 0), ("cacheRead", 0), ("cacheWrite", 0), ("calls", 1)]))]))) }
        if let taskSet { o.append(("taskSet", .string(taskSet))) }
        if let outcomes { o.append(("outcomes", .object(JSONObject(outcomes.map { ($0.key, JSON.string($0.value)) })))) }
        return try JSONValueDecoder().decode(RunTotals.self, from: .obj(o))
    }

    @Test func successRegressionsAreBeyondTheNoiseOfTheTestsRun() {
        let runs = [
            entry("r1", day: 1, success: 80), entry("r2", day: 2, success: 75), entry("r3", day: 3, success: 30),
            entry("r4", day: 4, success: 80), entry("u", day: nil, success: 10), entry("x", day: 5, success: nil),
        ]
        let t = Trends(runs, [:], metric: .success, grouping: .model, mode: .recorded)
        #expect(t.undated == 1, "a run without a timestamp is not on a line")
        #expect(t.series.count == 1 && t.series[0].points.map(\.runKey) == ["r1", "r2", "r3", "r4", "x"])
        let p = t.series[0].points
        #expect(p[1].delta == -5 && p[1].regression == nil, "5 points down on 20 tests is within the noise")
        #expect(p[2].regression?.previousRunKey == "r2" && p[2].delta == -45, "45 points down is beyond it")
        // Two proportions over 20 tests each: twice the standard error of their difference.
        let pooled = (0.75 * 20 + 0.30 * 20) / 40
        #expect(abs(p[2].regression!.noise - 2 * (pooled * (1 - pooled) * (2.0 / 20)).squareRoot() * 100) < 1e-9)
        #expect(p[3].regression == nil && p[3].delta == 50, "getting better is never a regression")
        #expect(p[4].value.value == nil && p[4].delta == nil && p[4].regression == nil, "unknown is not 0 and not compared")
        #expect(t.regressions.map(\.runKey) == ["r3"])
        // Without results, the rows say what the runs ran: another number of tests is another task set.
        let rows = Trends([entry("a", day: 1, success: 90, tests: 20), entry("b", day: 2, success: 10, tests: 30)], [:], metric: .success, grouping: .model, mode: .recorded)
        #expect(rows.series[0].points[1].newTaskSet && rows.series[0].points[1].previousRunKey == nil && rows.regressions.isEmpty)
        #expect(rows.series[0].points[0].taskSet == "row: ? · 20 tests")
        // The same fall on 4 tests is noise.
        let few = Trends([entry("a", day: 1, success: 75, tests: 4), entry("b", day: 2, success: 25, tests: 4)], [:], metric: .success, grouping: .model, mode: .recorded)
        #expect(few.regressions.isEmpty)
    }

    @Test func kindsTaskSetsAndLowerBounds() throws {
        let runs = [
            entry("t1", day: 1), entry("t2", day: 2), entry("c1", agent: "code", day: 3), entry("t3", day: 4), entry("t4", day: 5),
            entry("t5", day: 6), entry("t6", day: 7), entry("o1", model: "m2", day: 1),
        ]
        let tot: [String: RunTotals] = [
            "t1": try totals(cost: 0.10), "t2": try totals(cost: 0.10), "c1": try totals(cost: 0.50),
            "t3": try totals(cost: 0.30, taskSet: "B"), "t4": try totals(cost: 0.30, partial: true, taskSet: "B"), "t5": try totals(cost: 0.90, taskSet: "B"),
            "t6": try totals(cost: 0.105), "o1": try totals(cost: 0.2),
        ]
        let t = Trends(runs, tot, metric: .costPerTest, grouping: .model, mode: .countedOnce)
        #expect(t.series.map(\.label) == ["m1", "m2"])
        let p = Dictionary(uniqueKeysWithValues: t.series[0].points.map { ($0.runKey, $0) })
        #expect(p["t1"]?.value == LeaderboardFigures.Value(0.01), "cost per test: $0.10 over 10 tests")
        #expect(p["c1"]?.previousRunKey == nil, "another agent type is another kind: not compared with the tool runs")
        #expect(p["t3"]?.previousRunKey == nil && p["t3"]?.newTaskSet == true, "another task set: a new start, and the line breaks")
        #expect(p["t4"]?.value.lowerBound == true && p["t4"]?.regression == nil)
        #expect(p["t5"]?.previousRunKey == "t4" && p["t5"]?.regression == nil, "a lower bound on either side says nothing")
        #expect(p["t6"]?.previousRunKey == "t2" && p["t6"]?.regression == nil, "back on task set A, compared with A's last run; +5% is noise")
        #expect(t.series[0].taskSets == 2)
        // Twice the cost on the same kind is a regression; the noise is 10% of the previous value with few changes.
        let up = Trends([entry("a", day: 1), entry("b", day: 2)], ["a": try totals(cost: 0.1), "b": try totals(cost: 0.2)], metric: .costPerTest, grouping: .model)
        #expect(up.regressions.count == 1 && abs(up.regressions[0].noise - 0.001) < 1e-12)
        let byAgent = Trends(runs, tot, metric: .costPerTest, grouping: .modelAgent)
        #expect(byAgent.series.map(\.label) == ["m1 · code", "m1 · tool", "m2 · tool"])
        // Counted once before the analysis: unknown, never 0, never compared.
        let before = Trends(runs, [:], metric: .costPerTest, grouping: .model)
        #expect(before.series[0].points.allSatisfy { $0.value.value == nil } && before.regressions.isEmpty)
        // The noise of a steady series: twice the median change of its other pairs when that is larger than 10%.
        #expect(Trends.noise(.wallP50, prev: 100, cur: 150, others: [30, 40, 50], prevTests: nil, curTests: nil) == 80)
        #expect(Trends.noise(.wallP50, prev: 100, cur: 150, others: [1, 2], prevTests: nil, curTests: nil) == 10)
    }

    @Test func flakyTestsPassRatesFlipsAndSpread() throws {
        func o(_ a: String, _ b: String, _ c: String? = nil) -> [String: String] {
            var d = ["tool:a": a, "tool:b": b]
            if let c { d["tool:c"] = c }
            return d
        }
        let runs = [entry("r1", day: 1), entry("r2", day: 2), entry("r3", day: 3), entry("s1", model: "m2", day: 1), entry("q1", day: 4)]
        let tot: [String: RunTotals] = [
            "r1": try totals(passed: 9, outcomes: o("passed", "passed", "failed")), "r2": try totals(passed: 6, outcomes: o("failed", "passed", "failed")),
            "r3": try totals(passed: 9, outcomes: o("passed", "passed")), "s1": try totals(outcomes: o("passed", "failed")),
            "q1": try totals(taskSet: "B", outcomes: o("passed", "passed")),
        ]
        let f = FlakyReport(runs, tot)
        #expect(f.groups.count == 1 && f.leftOut == 2, "a single run of its kind (or on its own task set) is in no group")
        let g = f.groups[0]
        #expect(g.runKeys == ["r1", "r2", "r3"] && g.label == "m1 · tool")
        #expect(g.tests.map(\.key) == ["tool:a", "tool:b", "tool:c"], "the flaky test first")
        let a = g.tests[0]
        #expect(a.isFlaky && a.passed == 2 && a.runs == 3 && a.flips == 2 && a.outcomes == [.passed, .failed, .passed])
        #expect(!g.tests[1].isFlaky && !g.tests[2].isFlaky && g.tests[2].outcomes == [.failed, .failed, nil] && g.tests[2].runs == 2)
        let sp = try #require(g.successSpread)
        #expect(sp.min == 60 && sp.max == 90 && abs(sp.sd - (300.0).squareRoot()) < 1e-9)
    }
}
