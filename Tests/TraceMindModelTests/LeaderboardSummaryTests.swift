import Testing
import TraceMindFormats
@testable import TraceMindModel

/// The dashboard's sums: unknown is never 0, a sum missing a run's figure is a lower bound, failures are counted.
@Suite struct LeaderboardSummaryTests {
    func entry(_ key: String, success: Double?, tokens: Int?, cost: Double?, status: String? = "completed", co2: Double? = nil, ts: String) -> RunEntry {
        var o = JSONObject()
        o.set("run_id", .string(key))
        o.set("model", .string("m-" + key))
        if let success { o.set("success_rate", .double(success)) }
        if let tokens { o.set("total_tokens", .int(Int64(tokens))) }
        if let cost { o.set("total_cost_usd", .double(cost)) }
        if let status { o.set("run_status", .string(status)) }
        if let co2 { o.set("co2_emissions_g", .double(co2)) }
        o.set("timestamp", .string(ts))
        return RunEntry(
            key: key, row: LeaderboardRow(json: o), source: key, origin: .runFolder,
            files: RunFiles(fs: MemoryFileSystem(files: [:]), folder: nil, results: nil, traces: nil, metrics: nil))
    }

    @Test func recordedSumsMeansAndBounds() {
        let a = entry("a", success: 80, tokens: 1000, cost: 0.5, ts: "2026-11-01T10:00:00")
        let b = entry("b", success: 40, tokens: 3000, cost: 0.25, status: "failed", co2: 2, ts: "2026-11-03T10:00:00")
        let c = entry("c", success: nil, tokens: nil, cost: nil, status: nil, ts: "2026-11-02T10:00:00")
        let s = LeaderboardSummary([a, b, c], total: 5, totals: [:], mode: .recorded)
        #expect(s.shown == 3 && s.total == 5)
        #expect(s.meanSuccess == 60 && s.withSuccess == 2, "the mean of the runs that have a rate; none counts as 0")
        #expect(s.tokens == LeaderboardFigures.Value(4000, lowerBound: true), "c's tokens are unknown: the sum is a lower bound")
        #expect(s.cost == LeaderboardFigures.Value(0.75, lowerBound: true))
        #expect(s.co2Grams == 2 && s.measuredCO2 == 1)
        #expect(s.failedRuns == 1, "a recorded status other than completed; no status is not a failure")
        #expect(s.newest?.model == "m-b")
        let exact = LeaderboardSummary([a, b], total: 2, totals: [:], mode: .recorded)
        #expect(exact.tokens == LeaderboardFigures.Value(4000) && exact.cost == LeaderboardFigures.Value(0.75), "every figure known: exact")
        let none = LeaderboardSummary([c], total: 1, totals: [:], mode: .recorded)
        #expect(none.tokens.value == nil && none.cost.value == nil && none.meanSuccess == nil, "nothing known is unknown, never 0")
    }

    @Test func countedOnceBeforeTheAnalysisIsUnknownNotZero() {
        let a = entry("a", success: 80, tokens: 1000, cost: 0.5, ts: "2026-11-01T10:00:00")
        let s = LeaderboardSummary([a], total: 1, totals: [:], mode: .countedOnce)
        #expect(s.tokens.value == nil && s.cost.value == nil, "not analysed yet: the recorded figures are not passed off as counted once")
    }
}
