import Foundation
import TerminalUI
import TestSupport
import Testing
@testable import TraceMindApp
import TraceMindDemo
import TraceMindFormats
import TraceMindModel
import TraceMindReport

/// The trends screen over a week of generated runs of three models: its chart, table and flaky tests, at both golden
/// sizes; its keys; and the same figures as the `trends` and `flaky` reports.
@Suite struct TrendsScreenTests {
    static let catalog: Catalog = {
        var o = DemoOptions()
        o.includeFixedRuns = false
        o.historyRuns = 21
        return CatalogLoader.load(sources: [DemoData.rootName], fs: MemoryFileSystem(files: DemoGenerator(options: o).files()))
    }()

    func check(_ h: Harness, _ name: String) {
        let b = h.buffer
        assertGolden(b.plainText, named: "\(name)_\(h.s.width)x\(h.s.height).txt")
        assertGolden(b.styleDump, named: "\(name)_\(h.s.width)x\(h.s.height).style")
    }

    func opened(_ size: (Int, Int)) -> Harness {
        var h = Harness(Self.catalog, width: size.0, height: size.1)
        h.press(.char("T"))
        h.s.message = nil
        return h
    }

    @Test(arguments: ScreenGoldenTests.sizes) func goldens(size: (Int, Int)) {
        var h = opened(size)
        check(h, "trends_success")
        h.press(.char("m"))
        h.s.message = nil
        check(h, "trends_cost")
        h.press(.char("b"))
        h.s.message = nil
        check(h, "trends_by_agent")
        h.press(.char("2"))
        check(h, "trends_flaky")
    }

    @Test func keysAndTheReportAgree() throws {
        var h = opened((120, 40))
        guard case .trends(let v) = h.s.route, let t = h.s.trends else { Issue.record("trends open"); return }
        #expect(v.metric == .success && t.series.count == 3 && t.series.allSatisfy { $0.points.count == 7 })
        // The screen's figures are the report's: the same Trends, the same formatting.
        let totals = h.s.totals
        #expect(t == Trends(Self.catalog.runs, totals, metric: .success, grouping: .model))
        let text = h.text
        for p in t.series[0].points.prefix(5) { #expect(text.contains(Reports.figureValue(.success, p.value.value)), "\(p.runKey)") }
        #expect(!t.regressions.isEmpty, "the history has a bad day")
        #expect(text.contains("▼ regression") && text.contains("⚠ another task set"))
        // n goes to the regressions, in table order, and Enter opens the selected run.
        h.press(.char("n"))
        let rows = TrendsScreen.rows(h.s, TrendsScreen.view(h.s.route)!)
        guard case .point(let si, let pi) = rows[TrendsScreen.view(h.s.route)!.list.selected] else { Issue.record("a point"); return }
        #expect(t.series[si].points[pi].regression != nil)
        #expect(h.s.message?.hasPrefix("regression 1 of \(t.regressions.count)") == true)
        h.press(.char("y"))
        #expect(h.copied.last == t.series[si].points[pi].runKey)
        h.press(.char("w"))
        h.type("t.csv")
        h.press(.enter)
        #expect(h.exported.last?.1 == Reports.trends(t, format: .csv), "w writes the tab as the report")
        h.press(.enter)
        guard case .run(let rv) = h.s.route else { Issue.record("the run opened"); return }
        #expect(rv.key == t.series[si].points[pi].runKey)
        h.press(.escape)
        // m cycles the figures, b the lines, Tab the tabs.
        for m in [RunFigure.costPerTest, .wallP50, .tokensPerTest, .success] {
            h.press(.char("m"))
            #expect(TrendsScreen.view(h.s.route)?.metric == m && h.s.trends?.metric == m)
        }
        h.press(.char("b"))
        #expect(h.s.trends?.grouping == .modelAgent && h.s.trends?.series.first?.label.contains(" · ") == true)
        h.press(.tab)
        #expect(TrendsScreen.view(h.s.route)?.tab == .flaky)
        let f = try #require(h.s.flaky)
        #expect(f == FlakyReport(Self.catalog.runs, totals) && !f.groups.isEmpty && f.groups.contains { !$0.flaky.isEmpty })
        let flakyText = h.text
        let first = try #require(f.groups.first { !$0.flaky.isEmpty }?.flaky.first)
        #expect(flakyText.contains(first.key) && flakyText.contains(Reports.outcomeStrip(first)))
        h.press(.char("y"))
        #expect(h.copied.last == f.groups[0].tests.first { $0.isFlaky }?.key)
        // Esc goes back to the leaderboard; a filter there narrows the trends.
        h.press(.escape)
        #expect(h.s.route == .leaderboard)
        h.press(.char("/"))
        h.type("gemini")
        h.press(.enter, .char("T"))
        #expect(h.s.trends?.series.map(\.label) == ["google/gemini-flash"])
    }

    @Test func withoutTimestampsOrRunsItSaysSo() {
        var h = Harness(Catalog(runs: [], diagnostics: [], sources: [], isDemo: false), width: 80, height: 24)
        h.press(.char("T"))
        #expect(h.text.contains("nothing to draw over time"))
        h.press(.char("2"))
        #expect(h.text.contains("No model has two or more runs"))
    }
}
