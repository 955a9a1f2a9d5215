import FoundationEssentials

/// One test across the runs of a group: how often it passed and how often its outcome changed from run to run.
public struct FlakyTest: Sendable, Equatable {
    /// `agent:task`.
    public var key: String
    /// Its outcome in each run of the group, in time order (nil: the run has no result for it).
    public var outcomes: [TestOutcome?]
    public var runs: Int { outcomes.compactMap { $0 }.count }
    public var passed: Int { outcomes.filter { $0 == .passed }.count }
    /// Passed runs over runs with a result.
    public var passRate: Double? { runs > 0 ? Double(passed) / Double(runs) : nil }
    /// Times the outcome went from pass to not-pass or back between consecutive runs with a result.
    public var flips: Int {
        let known = outcomes.compactMap { $0 }
        return zip(known, known.dropFirst()).filter { ($0 == .passed) != ($1 == .passed) }.count
    }
    /// Passed in some runs and not in others.
    public var isFlaky: Bool { passed > 0 && passed < runs }
}

/// The runs of one model and agent type on one task set, two or more, and their tests.
public struct FlakyGroup: Sendable, Equatable {
    public var model: String
    public var agentType: String
    public var taskSet: String
    /// The runs, oldest first.
    public var runKeys: [String]
    public var timestamps: [String]
    /// Flaky tests first (most flips, then pass rate nearest one half), then the steady ones by key.
    public var tests: [FlakyTest]
    /// Each run's success rate (0–100) in the same order, nil where unknown.
    public var success: [Double?]

    public var label: String { "\(model) · \(agentType)" }
    public var flaky: [FlakyTest] { tests.filter(\.isFlaky) }

    /// The run-to-run spread of success: lowest, highest and standard deviation (percentage points).
    public var successSpread: (min: Double, max: Double, sd: Double)? {
        let xs = success.compactMap { $0 }
        guard xs.count >= 2, let lo = xs.min(), let hi = xs.max() else { return nil }
        let mean = xs.reduce(0, +) / Double(xs.count)
        let sd = (xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(xs.count - 1)).squareRoot()
        return (lo, hi, sd)
    }

    public static func == (a: FlakyGroup, b: FlakyGroup) -> Bool {
        a.model == b.model && a.agentType == b.agentType && a.taskSet == b.taskSet && a.runKeys == b.runKeys && a.tests == b.tests
            && a.success == b.success
    }
}

/// Flaky tests of every model (+ agent type, + task set) with two or more runs whose tests are known. The Flaky tab
/// of the trends screen and the `flaky` report read this.
public struct FlakyReport: Sendable, Equatable {
    /// Groups in order of model, agent type and first run.
    public var groups: [FlakyGroup]
    /// Runs left out: no timestamp, or no test outcomes (not analysed, or no results).
    public var leftOut: Int

    public init(_ runs: [RunEntry], _ totals: [String: RunTotals], mode: FigureMode = .countedOnce) {
        struct Member { var entry: RunEntry; var outcomes: [String: String]; var taskSet: String }
        var groups: [String: [Member]] = [:]
        var leftOut = 0
        for e in runs {
            guard e.row.timestampNs != nil, let t = totals[e.key], let o = t.outcomes, let ts = t.taskSet else {
                leftOut += 1
                continue
            }
            groups["\(e.row.model)\u{1F}\(e.row.agentType)\u{1F}\(ts)", default: []].append(Member(entry: e, outcomes: o, taskSet: ts))
        }
        var out: [FlakyGroup] = []
        for members in groups.values where members.count >= 2 {
            let ms = members.sorted { ($0.entry.row.timestampNs ?? 0, $0.entry.key) < ($1.entry.row.timestampNs ?? 0, $1.entry.key) }
            let keys = Set(ms.flatMap { $0.outcomes.keys }).sorted()
            let tests = keys.map { k in FlakyTest(key: k, outcomes: ms.map { $0.outcomes[k].flatMap(TestOutcome.init(rawValue:)) }) }
            let ordered = tests.sorted { a, b in
                if a.isFlaky != b.isFlaky { return a.isFlaky }
                if a.isFlaky {
                    if a.flips != b.flips { return a.flips > b.flips }
                    let da = abs((a.passRate ?? 0) - 0.5), db = abs((b.passRate ?? 0) - 0.5)
                    if da != db { return da < db }
                }
                return a.key < b.key
            }
            let first = ms[0].entry
            out.append(FlakyGroup(
                model: first.row.model, agentType: first.row.agentType, taskSet: ms[0].taskSet, runKeys: ms.map(\.entry.key),
                timestamps: ms.map { $0.entry.row.timestamp ?? "" }, tests: ordered,
                success: ms.map { LeaderboardFigures.successRate($0.entry.row, totals[$0.entry.key], mode) }))
        }
        self.groups = out.sorted { ($0.model, $0.agentType, $0.timestamps.first ?? "") < ($1.model, $1.agentType, $1.timestamps.first ?? "") }
        for g in groups.values where g.count < 2 { leftOut += g.count }
        self.leftOut = leftOut
    }
}
