import FoundationEssentials

/// The leaderboard's dashboard: what the runs shown add up to, in the figure mode shown — read by the screen's
/// strip, never derived elsewhere. Unknown is never 0: a sum that misses a run's figure (unknown, not yet analysed,
/// or itself a lower bound) is a lower bound, and a sum of nothing known is unknown.
public struct LeaderboardSummary: Sendable, Equatable {
    /// Runs shown (after filters and facets) and runs in the sources.
    public var shown: Int
    public var total: Int
    /// Mean success rate (0–100) of the shown runs that have one, and how many do.
    public var meanSuccess: Double?
    public var withSuccess: Int
    public var tokens: LeaderboardFigures.Value
    public var cost: LeaderboardFigures.Value
    /// CO2 of the runs that measured it, and how many did (API runs measure none).
    public var co2Grams: Double?
    public var measuredCO2: Int
    /// Runs whose status is recorded and is not `completed` (failed, error, interrupted…).
    public var failedRuns: Int
    /// The newest shown run: its timestamp and model.
    public var newest: Newest?

    public struct Newest: Sendable, Equatable {
        public var timestamp: String
        public var model: String
    }

    public init(_ runs: [RunEntry], total: Int, totals: [String: RunTotals], mode: FigureMode) {
        shown = runs.count
        self.total = total
        var successSum = 0.0, successes = 0
        var tok = 0.0, tokKnown = 0, tokLower = false
        var usd = 0.0, usdKnown = 0, usdLower = false
        var co2 = 0.0, co2Known = 0
        var failed = 0
        var newestNs: Int64?
        var newest: Newest?
        for e in runs {
            let t = totals[e.key]
            if let s = LeaderboardFigures.successRate(e.row, t, mode) {
                successSum += s
                successes += 1
            }
            let tv = LeaderboardFigures.tokens(e.row, t, mode)
            if let v = tv.value { tok += v; tokKnown += 1 }
            if tv.value == nil || tv.lowerBound { tokLower = true }
            let cv = LeaderboardFigures.cost(e.row, t, mode)
            if let v = cv.value { usd += v; usdKnown += 1 }
            if cv.value == nil || cv.lowerBound { usdLower = true }
            if let g = LeaderboardFigures.co2Grams(e.row, t, mode) { co2 += g; co2Known += 1 }
            if let st = e.row.runStatus, !st.isEmpty, st.lowercased() != "completed" { failed += 1 }
            if let ns = e.row.timestampNs, let ts = e.row.timestamp, newestNs.map({ ns > $0 }) ?? true {
                newestNs = ns
                newest = Newest(timestamp: ts, model: e.row.model)
            }
        }
        meanSuccess = successes > 0 ? successSum / Double(successes) : nil
        withSuccess = successes
        tokens = LeaderboardFigures.Value(tokKnown > 0 ? tok : nil, lowerBound: tokKnown > 0 && tokLower)
        cost = LeaderboardFigures.Value(usdKnown > 0 ? usd : nil, lowerBound: usdKnown > 0 && usdLower)
        co2Grams = co2Known > 0 ? co2 : nil
        measuredCO2 = co2Known
        failedRuns = failed
        self.newest = newest
    }
}
