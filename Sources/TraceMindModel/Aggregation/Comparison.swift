import FoundationEssentials
import TraceMindFormats

/// Two or more runs side by side; the first is the baseline. Every metric is judged on its own (lower is better
/// where it applies); there is deliberately no overall winner that would hide the trade-offs.
public struct Comparison: Sendable {
    public struct Metric: Sendable {
        public var name: String
        public var label: String
        public var values: [Double?]
        /// SMOLTRACE's recorded figure beside a corrected one (tokens, cost).
        public var recorded: [Double?]?
        public var lowerIsBetter: Bool
        /// Index of the best value (nil when fewer than two runs have one, or all are equal).
        public var bestIndex: Int?
        public var unit: MetricUnit

        /// Run `i` has the best value (ties share it).
        public func isBest(_ i: Int) -> Bool {
            guard let b = bestIndex, i < values.count, let v = values[i] else { return false }
            return v == values[b]
        }
    }

    public enum MetricUnit: String, Sendable { case percent, ratio, count, tokens, usd, ms, grams, number, mib, watts }

    public struct TestLine: Sendable {
        public var taskID: String
        public var agentType: String
        public var key: String
        public var rows: [TestRow?]
        public var success: [Bool?] { rows.map { $0.map { $0.outcome == .passed } } }
        public var outcomes: [TestOutcome?] { rows.map { $0?.outcome } }
        public var cost: [Double?] { rows.map { $0?.cost?.value } }
        public var wallMs: [Double?] { rows.map { $0?.wallMs } }
        public var steps: [Int?] { rows.map { $0?.steps } }
        /// The runs gave this test id different prompts: its outcomes are not comparable (never a flip, a
        /// regression or a fix).
        public var promptDiffers = false
        /// Outcome (pass/fail) differs between the runs that have the test.
        public var flipped: Bool { !promptDiffers && Set(success.compactMap { $0 }).count > 1 }
        public var missingSomewhere: Bool { rows.contains { $0 == nil } }
        public var failedEverywhere: Bool { rows.allSatisfy { $0 != nil && $0!.outcome != .passed } }
        /// Passed in the baseline, not in at least one other run.
        public var isRegression: Bool {
            guard !promptDiffers, let b = success.first ?? nil, b else { return false }
            return success.dropFirst().contains { $0 == false }
        }
        /// Failed in the baseline, passed in at least one other run.
        public var isFix: Bool {
            guard !promptDiffers, let b = success.first ?? nil, !b else { return false }
            return success.dropFirst().contains { $0 == true }
        }
        /// Run `i` against the baseline.
        public func deltaCost(_ i: Int) -> Double? {
            guard i < rows.count, let a = cost.first ?? nil, let b = cost[i] else { return nil }
            return b - a
        }
        public func deltaWall(_ i: Int) -> Double? {
            guard i < rows.count, let a = wallMs.first ?? nil, let b = wallMs[i] else { return nil }
            return b - a
        }
    }

    public var runs: [RunAnalysis]
    public var metrics: [Metric]
    public var tests: [TestLine]
    /// Whether the runs ran the same tests with the same prompts, and where not.
    public var comparability: Comparability
    /// When the task sets differ: every test metric again, on the shared tests only (empty otherwise).
    public var sharedMetrics: [Metric]

    /// A metric and its best run. A value no run has is never best; with fewer than two values there is no best.
    static func metric(
        _ name: String, _ label: String, _ unit: MetricUnit, lower: Bool, values: [Double?], recorded: [Double?]? = nil
    ) -> Metric {
        let present = values.enumerated().compactMap { i, v in v.map { (i, $0) } }
        var best: Int?
        if present.count >= 2, Set(present.map { $0.1 }).count > 1 {
            best = (lower ? present.min { $0.1 < $1.1 } : present.max { $0.1 < $1.1 })?.0
        }
        return Metric(name: name, label: label, values: values, recorded: recorded, lowerIsBetter: lower, bestIndex: best, unit: unit)
    }

    /// Steps per test over the tests that ran to an answer (passed or failed): a test that errored before its first
    /// step must not make a run look efficient.
    static func stepsOfTestsThatRan(_ rows: [TestRow]) -> Double? {
        let s = rows.filter { $0.outcome == .passed || $0.outcome == .failed }.compactMap(\.steps)
        return s.isEmpty ? nil : Double(s.reduce(0, +)) / Double(s.count)
    }

    static func ran(_ rows: [TestRow]) -> [TestRow] { rows.filter { $0.outcome == .passed || $0.outcome == .failed } }

    static func wallThatRan(_ rows: [TestRow]) -> Percentiles? { Percentiles.of(ran(rows).compactMap(\.wallMs)) }

    static func costPerTestThatRan(_ a: RunAnalysis) -> Double? {
        let rows = ran(a.tests)
        guard a.hasTraces, !rows.isEmpty else { return nil }
        return rows.reduce(CostSum.zero) { $0 + ($1.cost ?? .unknownCall) }.value.map { $0 / Double(rows.count) }
    }

    public init(_ runs: [RunAnalysis]) {
        self.runs = runs
        func m(_ name: String, _ label: String, _ unit: MetricUnit, lower: Bool, recorded: ((RunAnalysis) -> Double?)? = nil,
               _ f: (RunAnalysis) -> Double?) -> Metric
        {
            Comparison.metric(name, label, unit, lower: lower, values: runs.map(f), recorded: recorded.map { r in runs.map(r) })
        }
        metrics = [
            m("success_rate", "success rate", .percent, lower: false) { $0.successRate },
            m("pass_at_1", "pass@1", .ratio, lower: false) { $0.passAt1 },
            m("tests_passed", "tests passed", .count, lower: false) { Double($0.passed) },
            m("tests_failed", "tests failed", .count, lower: true) { Double($0.failed) },
            m("tests_errored", "errors and timeouts", .count, lower: true) { Double($0.errored + $0.timedOut) },
            m("tokens", "tokens (counted once)", .tokens, lower: true, recorded: { $0.recordedTotalTokens.map(Double.init) }) {
                $0.hasTraces ? Double($0.tokens.total) : nil
            },
            m("cost_usd", "cost (counted once)", .usd, lower: true, recorded: { $0.recordedTotalCostUSD }) { $0.hasTraces ? $0.cost.value : nil },
            // Per-test figures over the tests that ran to an answer: a run must not look cheap or fast because its
            // tests errored before doing anything.
            m("cost_per_test_usd", "cost per test that ran", .usd, lower: true) { Comparison.costPerTestThatRan($0) },
            m("cost_per_pass_usd", "cost per passing test", .usd, lower: true) { $0.costPerPass },
            m("tokens_per_pass", "tokens per passing test", .tokens, lower: true) { $0.tokensPerPass },
            m("wall_ms_p50", "wall time p50 of tests that ran", .ms, lower: true) { Comparison.wallThatRan($0.tests)?.p50 },
            m("wall_ms_p95", "wall time p95 of tests that ran", .ms, lower: true) { Comparison.wallThatRan($0.tests)?.p95 },
            m("avg_steps", "steps per test that ran", .number, lower: true) {
                $0.tests.contains { $0.steps != nil } ? Comparison.stepsOfTestsThatRan($0.tests) : nil
            },
            m("co2_g", "CO2", .grams, lower: true) { $0.co2Grams.flatMap { $0 > 0 ? $0 : nil } },
            m("gpu_utilization_avg", "GPU utilization", .percent, lower: false) { $0.entry.row.gpuUtilizationAvg },
            m("gpu_memory_max_mib", "GPU memory peak", .mib, lower: true) { $0.entry.row.gpuMemoryMaxMiB },
            m("gpu_power_avg_w", "GPU power", .watts, lower: true) { $0.entry.row.gpuPowerAvgW },
            // Kept for scripts (the JSON): SMOLTRACE's own totals.
            m("recorded_tokens", "recorded tokens", .tokens, lower: true) { $0.recordedTotalTokens.map(Double.init) },
            m("recorded_cost_usd", "recorded cost", .usd, lower: true) { $0.recordedTotalCostUSD },
        ]
        var order: [String] = []
        var map: [String: TestLine] = [:]
        for (ri, r) in runs.enumerated() {
            for t in r.tests {
                let k = t.key
                if map[k] == nil {
                    order.append(k)
                    map[k] = TestLine(taskID: t.taskID, agentType: t.agentType, key: k, rows: Array(repeating: nil, count: runs.count))
                }
                if map[k]!.rows[ri] == nil { map[k]!.rows[ri] = t }
            }
        }
        comparability = Comparability(runs.map(TaskSet.init))
        let differs = Set(comparability.promptDiffers)
        tests = order.map { k in
            var line = map[k]!
            line.promptDiffers = differs.contains(k)
            return line
        }
        sharedMetrics = comparability.isSameTaskSet ? [] : Comparison.subsetMetrics(runs, keys: Set(comparability.shared))
    }

    /// The test metrics computed over `keys` only (the shared tests), labelled as such.
    static func subsetMetrics(_ runs: [RunAnalysis], keys: Set<String>) -> [Metric] {
        var seen = [Set<String>](repeating: [], count: runs.count)
        let rows: [[TestRow]] = runs.enumerated().map { i, r in r.tests.filter { keys.contains($0.key) && seen[i].insert($0.key).inserted } }
        func m(_ name: String, _ label: String, _ unit: MetricUnit, lower: Bool, _ f: (Int, [TestRow]) -> Double?) -> Metric {
            Comparison.metric(name, label + " (shared tests)", unit, lower: lower, values: rows.enumerated().map { f($0.offset, $0.element) })
        }
        func passed(_ t: [TestRow]) -> Int { t.count { $0.outcome == .passed } }
        func cost(_ i: Int, _ t: [TestRow]) -> Double? {
            guard runs[i].hasTraces, !t.isEmpty else { return nil }
            return t.reduce(CostSum.zero) { $0 + ($1.cost ?? .unknownCall) }.value
        }
        return [
            m("success_rate", "success rate", .percent, lower: false) { _, t in t.isEmpty ? nil : Double(passed(t)) * 100 / Double(t.count) },
            m("tests_passed", "tests passed", .count, lower: false) { _, t in Double(passed(t)) },
            m("tests_errored", "errors and timeouts", .count, lower: true) { _, t in Double(t.count { $0.outcome == .error || $0.outcome == .timeout }) },
            m("tokens", "tokens (counted once)", .tokens, lower: true) { i, t in
                runs[i].hasTraces && !t.isEmpty ? Double(t.reduce(0) { $0 + ($1.tokens?.total ?? 0) }) : nil
            },
            m("cost_usd", "cost (counted once)", .usd, lower: true) { i, t in cost(i, t) },
            m("cost_per_test_usd", "cost per test that ran", .usd, lower: true) { i, t in
                Comparison.ran(t).isEmpty ? nil : cost(i, Comparison.ran(t)).map { $0 / Double(Comparison.ran(t).count) }
            },
            m("cost_per_pass_usd", "cost per passing test", .usd, lower: true) { i, t in
                passed(t) > 0 ? cost(i, t).map { $0 / Double(passed(t)) } : nil
            },
            m("wall_ms_p50", "wall time p50 of tests that ran", .ms, lower: true) { _, t in Comparison.wallThatRan(t)?.p50 },
            m("wall_ms_p95", "wall time p95 of tests that ran", .ms, lower: true) { _, t in Comparison.wallThatRan(t)?.p95 },
            m("avg_steps", "steps per test that ran", .number, lower: true) { _, t in Comparison.stepsOfTestsThatRan(t) },
        ]
    }

    /// "lower is better"-aware delta of run `i` against the baseline, absolute and relative.
    public func delta(_ metric: Metric, _ i: Int) -> (abs: Double, pct: Double?)? {
        guard i > 0, let b = metric.values[0], let v = metric.values[i] else { return nil }
        return (v - b, b != 0 ? (v - b) / abs(b) * 100 : nil)
    }

    /// One line judging a metric: which run is best and how it stands against the baseline.
    public func verdict(_ m: Metric, labels: [String]) -> String {
        let present = m.values.enumerated().compactMap { i, v in v.map { (i, $0) } }
        if present.count < 2 {
            let missing = m.values.indices.filter { m.values[$0] == nil }.map { labels[$0] }
            return present.isEmpty ? "no run has it" : "not comparable: unknown for \(missing.joined(separator: ", "))"
        }
        guard let best = m.bestIndex else { return "equal" }
        let bv = m.values[best]!
        let tied = m.values.indices.filter { m.values[$0] == bv }
        if tied.count > 1 {
            let names = tied.map { labels[$0] + ($0 == 0 ? " (the baseline)" : "") }
            return "tied best: " + names.joined(separator: ", ")
        }
        var text = "best: \(labels[best])"
        if best == 0 {
            // The baseline wins: by how much over the runner-up.
            if let second = present.filter({ $0.0 != 0 }).sorted(by: { m.lowerIsBetter ? $0.1 < $1.1 : $0.1 > $1.1 }).first {
                text += " (the baseline), " + relation(m, bv, second.1) + " than \(labels[second.0])"
            }
        } else if let base = m.values[0] {
            text += ", " + relation(m, bv, base) + " than the baseline"
        } else {
            text += "; the baseline has no value"
        }
        return text
    }

    /// "39% cheaper", "+19.7 points higher", "2.1× faster"…
    func relation(_ m: Metric, _ v: Double, _ other: Double) -> String {
        let better: String, worse: String
        switch m.unit {
        case .usd: (better, worse) = ("cheaper", "dearer")
        case .ms: (better, worse) = ("faster", "slower")
        case .tokens: (better, worse) = ("fewer tokens", "more tokens")
        case .count, .number: (better, worse) = m.lowerIsBetter ? ("fewer", "more") : ("more", "fewer")
        case .grams: (better, worse) = ("less CO2", "more CO2")
        case .percent, .ratio: (better, worse) = m.lowerIsBetter ? ("lower", "higher") : ("higher", "lower")
        case .mib, .watts: (better, worse) = ("lower", "higher")
        }
        let isBetter = m.lowerIsBetter ? v < other : v > other
        let word = isBetter ? better : worse
        if m.unit == .percent { return NumberText.fixed(abs(v - other), 1) + " points " + word }
        if m.unit == .count { return "\(Int(abs(v - other).rounded())) \(word)" }
        if other == 0 { return word }
        let ratio = v / other
        if m.lowerIsBetter && ratio > 0 && ratio < 0.5 { return NumberText.fixed(1 / ratio, 1) + "× " + word }
        if !m.lowerIsBetter && ratio > 2 { return NumberText.fixed(ratio, 1) + "× " + word }
        return NumberText.fixed(abs(v - other) / abs(other) * 100, 0) + "% " + word
    }
}
