import Foundation

/// Two or more runs side by side; the first is the baseline.
public struct Comparison: Sendable {
    public struct Metric: Sendable {
        public var name: String
        public var values: [Double?]
        public var lowerIsBetter: Bool
        /// Index of the best value (nil when fewer than two runs have one, or all are equal).
        public var bestIndex: Int?
        public var unit: MetricUnit
    }

    public enum MetricUnit: String, Sendable { case percent, ratio, count, tokens, usd, ms, grams, number }

    public struct TestLine: Sendable {
        public var taskID: String
        public var agentType: String
        public var rows: [TestRow?]
        public var success: [Bool?] { rows.map { $0.map { $0.outcome == .passed } } }
        public var outcomes: [TestOutcome?] { rows.map { $0?.outcome } }
        public var cost: [Double?] { rows.map { $0?.cost?.value } }
        public var wallMs: [Double?] { rows.map { $0?.wallMs } }
        public var steps: [Int?] { rows.map { $0?.steps } }
        /// Outcome (pass/fail) differs between the runs that have the test.
        public var flipped: Bool {
            let s = success.compactMap { $0 }
            return Set(s).count > 1
        }
        public var missingSomewhere: Bool { rows.contains { $0 == nil } }
        public var failedEverywhere: Bool { rows.allSatisfy { $0 != nil && $0!.outcome != .passed } }
        /// Passed in the baseline, not in at least one other run.
        public var isRegression: Bool {
            guard let b = success.first ?? nil, b else { return false }
            return success.dropFirst().contains { $0 == false }
        }
        public var isFix: Bool {
            guard let b = success.first ?? nil, !b else { return false }
            return success.dropFirst().contains { $0 == true }
        }
    }

    public var runs: [RunAnalysis]
    public var metrics: [Metric]
    public var tests: [TestLine]

    public init(_ runs: [RunAnalysis]) {
        self.runs = runs
        func m(_ name: String, _ unit: MetricUnit, lower: Bool, _ f: (RunAnalysis) -> Double?) -> Metric {
            let values = runs.map(f)
            let present = values.enumerated().compactMap { i, v in v.map { (i, $0) } }
            var best: Int?
            if present.count >= 2, Set(present.map { $0.1 }).count > 1 {
                best = (lower ? present.min { $0.1 < $1.1 } : present.max { $0.1 < $1.1 })?.0
            }
            return Metric(name: name, values: values, lowerIsBetter: lower, bestIndex: best, unit: unit)
        }
        metrics = [
            m("success_rate", .percent, lower: false) { $0.successRate },
            m("pass_at_1", .ratio, lower: false) { $0.passAt1 },
            m("tests_passed", .count, lower: false) { Double($0.passed) },
            m("tests_failed", .count, lower: true) { Double($0.failed) },
            m("tests_errored", .count, lower: true) { Double($0.errored + $0.timedOut) },
            m("tokens", .tokens, lower: true) { $0.hasTraces ? Double($0.tokens.total) : nil },
            m("recorded_tokens", .tokens, lower: true) { $0.recordedTotalTokens.map(Double.init) },
            m("cost_usd", .usd, lower: true) { $0.hasTraces ? $0.cost.value : nil },
            m("recorded_cost_usd", .usd, lower: true) { $0.recordedTotalCostUSD },
            m("cost_per_test_usd", .usd, lower: true) { $0.costPerTest },
            m("cost_per_pass_usd", .usd, lower: true) { $0.costPerPass },
            m("tokens_per_pass", .tokens, lower: true) { $0.tokensPerPass },
            m("wall_ms_p50", .ms, lower: true) { $0.wall?.p50 },
            m("wall_ms_p95", .ms, lower: true) { $0.wall?.p95 },
            m("avg_steps", .number, lower: true) { $0.avgSteps },
            m("co2_g", .grams, lower: true) { $0.co2Grams.flatMap { $0 > 0 ? $0 : nil } },
            m("gpu_utilization_avg", .percent, lower: false) { $0.entry.row.gpuUtilizationAvg },
            m("gpu_memory_max_mib", .number, lower: true) { $0.entry.row.gpuMemoryMaxMiB },
            m("gpu_power_avg_w", .number, lower: true) { $0.entry.row.gpuPowerAvgW },
        ]
        var order: [String] = []
        var map: [String: TestLine] = [:]
        for (ri, r) in runs.enumerated() {
            for t in r.tests {
                let k = t.key
                if map[k] == nil {
                    order.append(k)
                    map[k] = TestLine(taskID: t.taskID, agentType: t.agentType, rows: Array(repeating: nil, count: runs.count))
                }
                if map[k]!.rows[ri] == nil { map[k]!.rows[ri] = t }
            }
        }
        tests = order.map { map[$0]! }
    }

    /// "lower is better"-aware delta of run `i` against the baseline, absolute and relative.
    public func delta(_ metric: Metric, _ i: Int) -> (abs: Double, pct: Double?)? {
        guard i > 0, let b = metric.values[0], let v = metric.values[i] else { return nil }
        return (v - b, b != 0 ? (v - b) / abs(b) * 100 : nil)
    }
}
