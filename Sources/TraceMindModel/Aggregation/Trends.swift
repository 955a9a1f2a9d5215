import FoundationEssentials

/// What one line of the trends is: a model, or a model with an agent type.
public enum TrendGrouping: String, CaseIterable, Sendable {
    case model
    case modelAgent = "model_agent"

    /// The other grouping (the screens' `b`).
    public var other: TrendGrouping { self == .model ? .modelAgent : .model }

    public func label(_ e: RunEntry) -> String {
        self == .model ? e.row.model : "\(e.row.model) · \(e.row.agentType)"
    }
}

/// One run on a trend line.
public struct TrendPoint: Sendable, Equatable {
    public var runKey: String
    public var timestampNs: Int64
    public var timestamp: String
    public var agentType: String
    /// What the run was evaluated on: `TaskSet.id` from its results, else what its leaderboard row says (the task
    /// dataset and the number of tests, `row: …`), so runs whose tests are unknown are still only joined to runs that
    /// say the same; nil when the row says neither.
    public var taskSet: String?
    public var value: LeaderboardFigures.Value
    /// The run this one is compared with: the previous run of the same model, agent type and task set with a
    /// figure; nil for the first of its kind.
    public var previousRunKey: String?
    /// The change from that run (signed, in the metric's unit).
    public var delta: Double?
    /// Worse than `previous` by more than the noise.
    public var regression: TrendRegression?
    /// The task set differs from the point before it on the line (the line is broken there).
    public var newTaskSet: Bool
}

/// A run whose figure is worse than the previous run of the same model, agent type and task set by more than the
/// noise of that figure.
public struct TrendRegression: Sendable, Equatable {
    public var series: String
    public var runKey: String
    public var previousRunKey: String
    public var previous: Double
    public var value: Double
    /// How far apart the two may be by chance, in the metric's unit: for success, twice the standard error of the
    /// difference of two proportions over the runs' tests; for the others, the larger of 10% of the previous value and
    /// twice the median change between consecutive runs of the same kind.
    public var noise: Double
}

/// One line: a model's (or a model and agent type's) runs in time order.
public struct TrendSeries: Sendable, Equatable {
    public var label: String
    public var points: [TrendPoint]
    /// Task sets met on the line (unknown ones count as one): more than one breaks it where they change.
    public var taskSets: Int
}

/// Every model's runs over time for one figure, with the regressions among them. The trends screen, the `trends`
/// report and its picture read this.
public struct Trends: Sendable, Equatable {
    public var metric: RunFigure
    public var grouping: TrendGrouping
    public var mode: FigureMode
    /// Lines in order of their label.
    public var series: [TrendSeries]
    /// Runs without a timestamp: not on any line.
    public var undated: Int
    /// Regressions, newest first.
    public var regressions: [TrendRegression]

    public init(_ runs: [RunEntry], _ totals: [String: RunTotals], metric: RunFigure, grouping: TrendGrouping, mode: FigureMode = .countedOnce) {
        self.metric = metric
        self.grouping = grouping
        self.mode = mode
        var byLabel: [String: [TrendPoint]] = [:]
        var entries: [String: RunEntry] = [:]
        var undated = 0
        for e in runs {
            guard let ns = e.row.timestampNs, let ts = e.row.timestamp else {
                undated += 1
                continue
            }
            entries[e.key] = e
            let p = TrendPoint(
                runKey: e.key, timestampNs: ns, timestamp: ts, agentType: e.row.agentType, taskSet: Trends.taskSet(e, totals[e.key]),
                value: metric.value(e, totals[e.key], mode), previousRunKey: nil, delta: nil, regression: nil, newTaskSet: false)
            byLabel[grouping.label(e), default: []].append(p)
        }
        self.undated = undated
        var all: [TrendSeries] = []
        var regressions: [(ns: Int64, r: TrendRegression)] = []
        for label in byLabel.keys.sorted() {
            var points = byLabel[label]!.sorted { ($0.timestampNs, $0.runKey) < ($1.timestampNs, $1.runKey) }
            // Consecutive runs of one kind (agent type and task set): their changes, and the noise of each change.
            var kinds: [String: [Int]] = [:]
            for (i, p) in points.enumerated() { kinds["\(p.agentType)\u{1F}\(p.taskSet ?? "-")", default: []].append(i) }
            for idx in kinds.values {
                let known = idx.filter { points[$0].value.value != nil }
                let changes = zip(known, known.dropFirst()).map { abs(points[$1].value.value! - points[$0].value.value!) }
                for (n, (a, b)) in zip(known, known.dropFirst()).enumerated() {
                    let prev = points[a].value.value!, cur = points[b].value.value!
                    points[b].previousRunKey = points[a].runKey
                    points[b].delta = cur - prev
                    // A lower bound on either side says nothing about the change.
                    guard !points[a].value.lowerBound, !points[b].value.lowerBound else { continue }
                    let worse = metric.higherIsBetter ? prev - cur : cur - prev
                    var others = changes
                    others.remove(at: n)
                    let noise = Trends.noise(
                        metric, prev: prev, cur: cur, others: others, prevTests: Trends.tests(entries[points[a].runKey], totals, mode),
                        curTests: Trends.tests(entries[points[b].runKey], totals, mode))
                    if worse > noise {
                        let r = TrendRegression(series: label, runKey: points[b].runKey, previousRunKey: points[a].runKey, previous: prev, value: cur, noise: noise)
                        points[b].regression = r
                        regressions.append((points[b].timestampNs, r))
                    }
                }
            }
            for i in points.indices.dropFirst() where points[i].taskSet != points[i - 1].taskSet { points[i].newTaskSet = true }
            all.append(TrendSeries(label: label, points: points, taskSets: Set(points.map { $0.taskSet ?? "-" }).count))
        }
        series = all
        self.regressions = regressions.sorted { ($0.ns, $0.r.runKey) > ($1.ns, $1.r.runKey) }.map(\.r)
    }

    /// See `TrendPoint.taskSet`.
    static func taskSet(_ e: RunEntry, _ t: RunTotals?) -> String? {
        if let id = t?.taskSet { return id }
        guard e.row.datasetUsed != nil || e.row.totalTests != nil else { return nil }
        return "row: \(e.row.datasetUsed ?? "?") · \(e.row.totalTests.map(String.init) ?? "?") tests"
    }

    static func tests(_ e: RunEntry?, _ totals: [String: RunTotals], _ mode: FigureMode) -> Int? {
        e.flatMap { LeaderboardFigures.testCount($0.row, totals[$0.key], mode) }
    }

    /// See `TrendRegression.noise`.
    static func noise(_ metric: RunFigure, prev: Double, cur: Double, others: [Double], prevTests: Int?, curTests: Int?) -> Double {
        if metric == .success {
            guard let n1 = prevTests, let n2 = curTests, n1 > 0, n2 > 0 else { return .infinity }
            let p = (prev / 100 * Double(n1) + cur / 100 * Double(n2)) / Double(n1 + n2)
            return 2 * (p * (1 - p) * (1 / Double(n1) + 1 / Double(n2))).squareRoot() * 100
        }
        let floor = abs(prev) * 0.10
        guard others.count >= 2 else { return floor }
        let sorted = others.sorted()
        return max(floor, 2 * sorted[sorted.count / 2])
    }

    /// Every value on the lines (for axes), lower bounds included.
    public var valueRange: ClosedRange<Double>? {
        let vs = series.flatMap { $0.points.compactMap(\.value.value) }
        guard let lo = vs.min(), let hi = vs.max() else { return nil }
        return lo...hi
    }

    public var timeRange: ClosedRange<Int64>? {
        let ts = series.flatMap { $0.points.map(\.timestampNs) }
        guard let lo = ts.min(), let hi = ts.max() else { return nil }
        return lo...hi
    }
}
