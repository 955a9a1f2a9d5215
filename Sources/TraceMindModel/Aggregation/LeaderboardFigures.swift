import FoundationEssentials
import TraceMindFormats

/// Which tokens and cost a leaderboard shows: counted once from the traces, or SMOLTRACE's recorded figures.
public enum FigureMode: String, Sendable, Equatable {
    case countedOnce = "counted_once"
    case recorded
}

/// Every leaderboard figure, defined once. The leaderboard screen's columns, the `leaderboard` report (all
/// formats), its sort and its ranks read these; nothing re-derives a figure elsewhere.
public enum LeaderboardFigures {
    /// In recorded mode the leaderboard reads its rows alone (what `tracemind leaderboard` does without
    /// `--corrected`): figures counted from a run's files are not mixed in, so the screen and the report agree.
    static func basis(_ t: RunTotals?, _ mode: FigureMode) -> RunTotals? { mode == .recorded ? nil : t }

    /// Success rate (0–100): SMOLTRACE's figure from the leaderboard row, else the one counted from the results.
    public static func successRate(_ r: LeaderboardRow, _ t: RunTotals?, _ mode: FigureMode = .countedOnce) -> Double? {
        r.successRate ?? basis(t, mode)?.successRate
    }

    /// Wall time per test: the median (p50) over the run's tests, from the traces.
    public static func wallMs(_ t: RunTotals?) -> Double? { t?.wallP50Ms }

    /// Passed / failed / errored (errors and timeouts): from the run's results once read, else from the row.
    public static func testCounts(_ r: LeaderboardRow, _ t: RunTotals?, _ mode: FigureMode = .countedOnce) -> (passed: Int?, failed: Int?, errored: Int?) {
        if let t = basis(t, mode) { return (t.passed, t.failed, t.errored + t.timedOut) }
        let err = r.erroredTests.map { $0 + (r.timedOutTests ?? 0) }
        return (r.successfulTests, r.failedTests.map { max(0, $0 - (err ?? 0)) }, err)
    }

    /// `6/1/1`, `?` where unknown.
    public static func testCountsText(_ r: LeaderboardRow, _ t: RunTotals?, _ mode: FigureMode = .countedOnce) -> String {
        let c = testCounts(r, t, mode)
        func s(_ v: Int?) -> String { v.map(String.init) ?? "?" }
        return "\(s(c.passed))/\(s(c.failed))/\(s(c.errored))"
    }

    /// A token or cost figure: its value (nil: unknown), whether it is a lower bound, and where it comes from.
    public struct Value: Sendable, Equatable {
        public var value: Double?
        public var lowerBound: Bool
        public init(_ value: Double?, lowerBound: Bool = false) {
            self.value = value
            self.lowerBound = lowerBound
        }
        /// The value when it is exact (what sorts and ranks read: a lower bound never passes for the cheapest).
        public var exact: Double? { lowerBound ? nil : value }
    }

    public static func tokens(_ r: LeaderboardRow, _ t: RunTotals?, _ mode: FigureMode) -> Value {
        switch mode {
        case .recorded: return Value(r.totalTokens.map(Double.init))
        case .countedOnce: return Value(t?.tokens.map { Double($0.total) }, lowerBound: t?.partial ?? false)
        }
    }

    /// The recorded cost is unknown where SMOLTRACE wrote 0 beside tokens (before its cost post-calculation).
    public static func cost(_ r: LeaderboardRow, _ t: RunTotals?, _ mode: FigureMode) -> Value {
        switch mode {
        case .recorded: return Value(RecordedCost.known(r.totalCostUSD, tokens: r.totalTokens))
        case .countedOnce:
            guard let c = t?.cost, !(c.priced == 0 && c.unpriced > 0) else { return Value(nil) }
            return Value(c.knownUSD, lowerBound: c.isUnknown || (t?.partial ?? false))
        }
    }

    /// What one passing test costs, in the same figures as the cost.
    public static func costPerPass(_ r: LeaderboardRow, _ t: RunTotals?, _ mode: FigureMode) -> Value {
        switch mode {
        case .recorded:
            guard let c = cost(r, t, .recorded).value, let p = r.successfulTests, p > 0 else { return Value(nil) }
            return Value(c / Double(p))
        case .countedOnce:
            guard let t, t.passed > 0 else { return Value(nil) }
            let c = cost(r, t, .countedOnce)
            return Value(c.value.map { $0 / Double(t.passed) }, lowerBound: c.lowerBound)
        }
    }

    /// Tests the figures are of: counted from the results once read, else the row's count.
    public static func testCount(_ r: LeaderboardRow, _ t: RunTotals?, _ mode: FigureMode) -> Int? {
        basis(t, mode).map(\.tests).flatMap { $0 > 0 ? $0 : nil } ?? r.totalTests
    }

    /// Cost per test (what one test of the run costs on average), in the same figures as the cost.
    public static func costPerTest(_ r: LeaderboardRow, _ t: RunTotals?, _ mode: FigureMode) -> Value {
        let c = cost(r, t, mode)
        guard let n = testCount(r, t, mode), n > 0, let v = c.value else { return Value(nil) }
        return Value(v / Double(n), lowerBound: c.lowerBound)
    }

    /// Tokens per test, in the same figures as the tokens.
    public static func tokensPerTest(_ r: LeaderboardRow, _ t: RunTotals?, _ mode: FigureMode) -> Value {
        let k = tokens(r, t, mode)
        guard let n = testCount(r, t, mode), n > 0, let v = k.value else { return Value(nil) }
        return Value(v / Double(n), lowerBound: k.lowerBound)
    }

    /// CO2: as recorded in the row, else from the metrics; 0 means not measured.
    public static func co2Grams(_ r: LeaderboardRow, _ t: RunTotals?, _ mode: FigureMode = .countedOnce) -> Double? {
        (r.co2Grams ?? basis(t, mode)?.co2Grams).flatMap { $0 > 0 ? $0 : nil }
    }

    /// The GPUs measured (`2× NVIDIA L4`), else the hardware recorded, else GPU or API from the row's fields.
    public static func hardware(_ r: LeaderboardRow, _ t: RunTotals?) -> String? {
        t?.hardware ?? r.hardware ?? (r.hasGPU ? "GPU" : (r.provider == "litellm" || r.provider == "inference" ? "API" : nil))
    }

    /// The leaderboard's places: rankable runs by success rate, then pass@1, then the cheaper cost in the figure
    /// mode (unknown cost last), then catalog order. Ranks belong to the runs, whatever the sort or filter.
    public static func ranks(_ runs: [RunEntry], _ totals: [String: RunTotals], mode: FigureMode) -> [String: Int] {
        let ranked = rankedOrder(runs, totals: { totals.isEmpty ? nil : totals[runs[$0].key] }, mode: mode)
        var out: [String: Int] = [:]
        out.reserveCapacity(ranked.count)
        for (place, i) in ranked.enumerated() { out[runs[i].key] = place + 1 }
        return out
    }

    /// `ranks` by place in `runs` (nil: not ranked), each run's totals given by its place: no table keyed by run.
    public static func places(_ runs: [RunEntry], totals: (Int) -> RunTotals?, mode: FigureMode) -> [Int?] {
        var out = [Int?](repeating: nil, count: runs.count)
        for (place, i) in rankedOrder(runs, totals: totals, mode: mode).enumerated() { out[i] = place + 1 }
        return out
    }

    /// The rankable runs' places in `runs`, first place first.
    static func rankedOrder(_ runs: [RunEntry], totals: (Int) -> RunTotals?, mode: FigureMode) -> [Int] {
        // The sort keys computed once per run, and indices sorted (a run entry is large to move).
        struct Key { var success: Double; var passAt1: Double; var cost: Double; var index: Int }
        var keys: [Key] = []
        keys.reserveCapacity(runs.count)
        for (i, e) in runs.enumerated() where e.row.isRankable {
            let t = totals(i)
            keys.append(Key(success: successRate(e.row, t, mode) ?? -1, passAt1: e.row.passAt1 ?? -1, cost: cost(e.row, t, mode).exact ?? .infinity, index: i))
        }
        keys.sort { a, b in
            if a.success != b.success { return a.success > b.success }
            if a.passAt1 != b.passAt1 { return a.passAt1 > b.passAt1 }
            if a.cost != b.cost { return a.cost < b.cost }
            return a.index < b.index
        }
        return keys.map(\.index)
    }
}
