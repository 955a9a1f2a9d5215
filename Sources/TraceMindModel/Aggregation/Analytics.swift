import FoundationEssentials

/// One model's (or model and agent type's) figures over its runs.
public struct AnalyticsRow: Sendable, Equatable {
    public var label: String
    /// Its runs, newest first.
    public var runKeys: [String]
    /// Per metric: the mean over the runs whose figure is known (a lower bound when one of them is), nil when no
    /// run's is; and how many runs it is the mean of.
    public var values: [RunFigure: LeaderboardFigures.Value]
    public var known: [RunFigure: Int]
    /// Passed tests per dollar over the runs of known cost (nil without one): an upper bound when a cost in it is a
    /// lower bound. Runs of unknown cost are left out, never counted as free.
    public var successPerDollar: Double?
    public var successPerDollarIsUpperBound: Bool
    public var unknownCostRuns: Int
}

/// A point of a scatter: a model at (x, y), and whether no other model is at least as good on both axes and better
/// on one (the Pareto front).
public struct ScatterPoint: Sendable, Equatable {
    public var label: String
    public var x: Double
    public var y: Double
    public var onFront: Bool
}

/// Models × figures over the runs shown, with speed and cost against accuracy and their Pareto fronts. The analytics
/// screen, the `analytics` report and its picture read this.
public struct Analytics: Sendable, Equatable {
    public var grouping: TrendGrouping
    public var mode: FigureMode
    public var rows: [AnalyticsRow]
    /// x: wall p50 (ms, lower is better), y: success %.
    public var speed: [ScatterPoint]
    /// x: cost per test (USD, lower is better), y: success %.
    public var cost: [ScatterPoint]
    /// Models left off a scatter because that figure is unknown for them (never placed at 0).
    public var speedUnknown: [String]
    public var costUnknown: [String]

    public init(_ runs: [RunEntry], _ totals: [String: RunTotals], grouping: TrendGrouping, mode: FigureMode = .countedOnce) {
        self.grouping = grouping
        self.mode = mode
        var groups: [String: [RunEntry]] = [:]
        for e in runs { groups[grouping.label(e), default: []].append(e) }
        var rows: [AnalyticsRow] = []
        for label in groups.keys.sorted() {
            let rs = groups[label]!.sorted { ($0.row.timestampNs ?? .min) > ($1.row.timestampNs ?? .min) }
            var values: [RunFigure: LeaderboardFigures.Value] = [:]
            var known: [RunFigure: Int] = [:]
            for m in RunFigure.allCases {
                let vs = rs.map { m.value($0, totals[$0.key], mode) }.filter { $0.value != nil }
                known[m] = vs.count
                values[m] = vs.isEmpty
                    ? LeaderboardFigures.Value(nil)
                    : LeaderboardFigures.Value(vs.reduce(0) { $0 + $1.value! } / Double(vs.count), lowerBound: vs.contains { $0.lowerBound })
            }
            var passed = 0.0, usd = 0.0, priced = 0, unknownCost = 0, bound = false
            for e in rs {
                let c = LeaderboardFigures.cost(e.row, totals[e.key], mode)
                guard let v = c.value, let p = LeaderboardFigures.testCounts(e.row, totals[e.key], mode).passed else {
                    unknownCost += 1
                    continue
                }
                passed += Double(p)
                usd += v
                priced += 1
                bound = bound || c.lowerBound
            }
            rows.append(AnalyticsRow(
                label: label, runKeys: rs.map(\.key), values: values, known: known,
                successPerDollar: priced > 0 && usd > 0 ? passed / usd : nil, successPerDollarIsUpperBound: bound, unknownCostRuns: unknownCost))
        }
        self.rows = rows
        func scatter(_ m: RunFigure) -> ([ScatterPoint], [String]) {
            var pts: [ScatterPoint] = [], unknown: [String] = []
            for r in rows {
                // A lower bound is not a place on a plane: it is left off with the unknown; so is a cost of 0 (no call
                // was priced: nothing to weigh against accuracy).
                guard let x = r.values[m]?.exact, x > 0 || m.higherIsBetter, let y = r.values[.success]?.value else {
                    unknown.append(r.label)
                    continue
                }
                pts.append(ScatterPoint(label: r.label, x: x, y: y, onFront: false))
            }
            for i in pts.indices {
                pts[i].onFront = !pts.indices.contains { j in
                    j != i && pts[j].x <= pts[i].x && pts[j].y >= pts[i].y && (pts[j].x < pts[i].x || pts[j].y > pts[i].y)
                }
            }
            return (pts, unknown)
        }
        (speed, speedUnknown) = scatter(.wallP50)
        (cost, costUnknown) = scatter(.costPerTest)
    }

    /// The front of a scatter, cheapest (fastest) first.
    public static func front(_ pts: [ScatterPoint]) -> [ScatterPoint] { pts.filter(\.onFront).sorted { ($0.x, -$0.y) < ($1.x, -$1.y) } }

    /// Where a model's figure stands among the models', 0 (worst) to 1 (best), direction-aware; nil when unknown or
    /// when every known figure is the same.
    /// A figure that is lower-is-better and 0 (no call priced, no token used: the run did nothing to weigh) has no
    /// standing: never the best.
    public func standing(_ row: AnalyticsRow, _ m: RunFigure) -> Double? {
        func ranked(_ r: AnalyticsRow) -> Double? { r.values[m]?.value.flatMap { m.higherIsBetter || $0 > 0 ? $0 : nil } }
        let vs = rows.compactMap(ranked)
        guard let v = ranked(row), let lo = vs.min(), let hi = vs.max(), hi > lo else { return nil }
        let f = (v - lo) / (hi - lo)
        return m.higherIsBetter ? f : 1 - f
    }
}
