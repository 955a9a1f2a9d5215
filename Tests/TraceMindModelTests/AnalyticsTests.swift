import Foundation
import Testing
import TraceMindFormats
@testable import TraceMindModel

/// Analytics: means per model from the registry, unknown never 0 and never best, Pareto fronts of the placed models,
/// passes per dollar without runs of unknown cost.
@Suite struct AnalyticsTests {
    let t = TrendsTests()

    @Test func meansFrontsAndUnknowns() throws {
        let runs = [
            t.entry("a1", model: "fast", day: 1), t.entry("a2", model: "fast", day: 2), t.entry("b1", model: "accurate", day: 1),
            t.entry("c1", model: "dominated", day: 1), t.entry("d1", model: "unpriced", day: 1), t.entry("e1", model: "cheap-partial", day: 1),
        ]
        let tot: [String: RunTotals] = [
            "a1": try t.totals(passed: 5, cost: 0.01), "a2": try t.totals(passed: 7, cost: 0.03),
            "b1": try t.totals(passed: 10, cost: 0.50), "c1": try t.totals(passed: 5, cost: 0.60),
            "d1": try t.totals(passed: 9), "e1": try t.totals(passed: 6, cost: 0.001, partial: true),
        ]
        let a = Analytics(runs, tot, grouping: .model)
        let fast = try #require(a.rows.first { $0.label == "fast" })
        #expect(fast.values[.success]?.value == 60 && fast.known[.success] == 2, "the mean of 50% and 70%")
        #expect(fast.values[.costPerTest] == LeaderboardFigures.Value(0.002), "($0.001 + $0.003) / 2 per test")
        #expect(abs(fast.successPerDollar! - 12 / 0.04) < 1e-9, "12 passes for $0.04")
        let unpriced = try #require(a.rows.first { $0.label == "unpriced" })
        #expect(unpriced.values[.costPerTest]?.value == nil && unpriced.successPerDollar == nil && unpriced.unknownCostRuns == 1)
        #expect(a.standing(unpriced, .costPerTest) == nil, "unknown has no standing: never the cheapest")
        let partial = try #require(a.rows.first { $0.label == "cheap-partial" })
        #expect(partial.values[.costPerTest]?.lowerBound == true && partial.successPerDollarIsUpperBound)
        // Cost vs accuracy: the dominated model is off the front, unknown and lower-bound costs are not placed.
        #expect(Set(a.cost.map(\.label)) == ["fast", "accurate", "dominated"])
        #expect(Set(a.costUnknown) == ["unpriced", "cheap-partial"])
        #expect(Analytics.front(a.cost).map(\.label) == ["fast", "accurate"], "cheapest first")
        #expect(a.cost.first { $0.label == "dominated" }?.onFront == false)
        // Standing is direction-aware: the most accurate is best on success, the cheapest on cost.
        #expect(a.standing(a.rows.first { $0.label == "accurate" }!, .success) == 1)
        #expect(a.standing(a.rows.first { $0.label == "cheap-partial" }!, .costPerTest) == 1)
        #expect(a.standing(a.rows.first { $0.label == "dominated" }!, .costPerTest) == 0)
        // A run whose calls all failed cost $0: shown as $0, but never the cheapest and not placed.
        let idle = Analytics(runs + [t.entry("z1", model: "idle", day: 1)], tot.merging(["z1": try t.totals(passed: 0, cost: 0)]) { a, _ in a }, grouping: .model)
        let z = try #require(idle.rows.first { $0.label == "idle" })
        #expect(z.values[.costPerTest]?.value == 0 && idle.standing(z, .costPerTest) == nil && z.successPerDollar == nil)
        #expect(idle.costUnknown.contains("idle") && Analytics.front(idle.cost).map(\.label) == ["fast", "accurate"])
        // Without an analysis (counted once): nothing is placed, nothing is 0.
        let before = Analytics(runs, [:], grouping: .model)
        #expect(before.cost.isEmpty && before.speed.isEmpty && before.rows.allSatisfy { $0.values[.costPerTest]?.value == nil })
    }
}
