import Testing
import TraceMindDemo
@testable import TraceMindModel

/// Success and cost by difficulty add up to the run's own figures.
@Suite struct ByDifficultyTests {
    @Test func difficultiesAddUpToTheRun() {
        let runs = DemoData.catalog().runs
        var checked = 0
        for e in runs {
            let a = RunAnalysis(entry: e, data: RunLoader.load(e))
            let rows = a.byDifficulty
            guard !rows.isEmpty else { continue }
            checked += 1
            #expect(rows.map(\.tests).reduce(0, +) == a.testCount)
            #expect(rows.map(\.passed).reduce(0, +) == a.passed)
            let tokens = rows.map(\.tokens.total).reduce(0, +)
            let testTokens = a.tests.compactMap { $0.trace?.tokens.total }.reduce(0, +)
            #expect(tokens == testTokens)
            #expect(Set(rows.map(\.difficulty)).count == rows.count)
            let order = rows.map { $0.difficulty }.filter { ["easy", "medium", "hard"].contains($0) }
            #expect(order == ["easy", "medium", "hard"].filter(order.contains), "easy, medium, hard in that order")
            for r in rows where r.isLowerBound { #expect(a.tests.contains { $0.trace == nil }) }
        }
        #expect(checked >= 2)
    }
}
