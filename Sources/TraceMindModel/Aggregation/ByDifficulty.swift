import FoundationEssentials

/// A run's tests of one difficulty: how many passed and what they cost, counted once.
public struct DifficultyRow: Sendable, Equatable {
    public var difficulty: String
    public var tests: Int
    public var passed: Int
    /// Passed of the tests with a result row, percent.
    public var successRate: Double?
    public var tokens: TokenCounts
    public var cost: CostSum
    /// Some of these tests have no trace: their tokens and cost are not in the sums (a lower bound).
    public var isLowerBound: Bool
    /// What one passing test of this difficulty costs; nil without a pass or a known cost.
    public var costPerPass: Double? {
        guard passed > 0, let c = cost.value else { return nil }
        return c / Double(passed)
    }
}

extension RunAnalysis {
    /// Success and cost by the results' `difficulty` (easy, medium, hard, then other labels): empty unless the run's
    /// tests have two or more difficulties.
    public var byDifficulty: [DifficultyRow] {
        var rows: [String: DifficultyRow] = [:]
        var withResult: [String: Int] = [:]
        // Each test's fields read where it lies (a loop over the tests copied every row: its result and its trace summary).
        for k in tests.indices {
            let d = tests[k].result?.difficulty.flatMap { $0.isEmpty ? nil : $0 } ?? "unknown"
            var row = rows[d] ?? DifficultyRow(difficulty: d, tests: 0, passed: 0, successRate: nil, tokens: .zero, cost: .zero, isLowerBound: false)
            row.tests += 1
            if tests[k].outcome == .passed { row.passed += 1 }
            if tests[k].result != nil { withResult[d, default: 0] += 1 }
            if tests[k].trace != nil {
                row.tokens += tests[k].trace!.tokens
                row.cost += tests[k].trace!.cost
            } else {
                row.isLowerBound = true
            }
            rows[d] = row
        }
        guard rows.count >= 2 else { return [] }
        // Passed of the tests with a result row, as the run's own success rate counts.
        for (d, n) in withResult where n > 0 {
            let passed = rows[d]?.passed ?? 0
            rows[d]?.successRate = Double(passed) * 100 / Double(n)
        }
        func rank(_ d: String) -> (Int, String) {
            switch d.lowercased() {
            case "easy": return (0, d)
            case "medium": return (1, d)
            case "hard": return (2, d)
            case "unknown": return (4, d)
            default: return (3, d)
            }
        }
        return rows.values.sorted { rank($0.difficulty) < rank($1.difficulty) }
    }
}
