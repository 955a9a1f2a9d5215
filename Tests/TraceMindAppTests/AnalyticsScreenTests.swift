import Foundation
import TerminalUI
import TestSupport
import Testing
@testable import TraceMindApp
import TraceMindDemo
import TraceMindFormats
import TraceMindModel
import TraceMindReport

/// The analytics screen: heatmap and the two scatters at both golden sizes, on a week of runs and on the demo (whose
/// unknown costs are shown as unknown, never placed); its keys; the same figures as the `analytics` report.
@Suite struct AnalyticsScreenTests {
    func check(_ h: Harness, _ name: String) {
        let b = h.buffer
        assertGolden(b.plainText, named: "\(name)_\(h.s.width)x\(h.s.height).txt")
        assertGolden(b.styleDump, named: "\(name)_\(h.s.width)x\(h.s.height).style")
    }

    @Test(arguments: ScreenGoldenTests.sizes) func goldens(size: (Int, Int)) {
        var h = Harness(TrendsScreenTests.catalog, width: size.0, height: size.1)
        h.press(.char("A"))
        check(h, "analytics_heatmap")
        h.press(.char("2"))
        check(h, "analytics_speed")
        h.press(.char("3"))
        check(h, "analytics_cost")
        var d = Harness(width: size.0, height: size.1)
        d.press(.char("A"))
        check(d, "analytics_demo_heatmap")
        d.press(.char("3"))
        check(d, "analytics_demo_cost")
    }

    @Test func keysAndTheReportAgree() throws {
        var h = Harness(width: 120, height: 40)
        h.press(.char("A"))
        let a = try #require(h.s.analytics)
        #expect(a == Analytics(Harness.demo.runs, h.s.totals, grouping: .model))
        let text = h.text
        #expect(text.contains("unknown"), "unknown figures are shown as unknown:\n\(text)")
        for r in a.rows { #expect(text.contains(Reports.analyticsValue(.success, r.values[.success]))) }
        h.press(.char("3"))
        let cost = h.text
        #expect(cost.contains("not placed") && cost.contains("★ Pareto front"), "\(cost)")
        for label in a.costUnknown { #expect(cost.contains(label)) }
        h.press(.char("w"))
        h.type("a.json")
        h.press(.enter)
        #expect(h.exported.last?.1 == Reports.analytics(a, format: .json))
        // Enter shows the selected model's runs on the leaderboard (its facet set).
        h.press(.char("1"), .char("g"))
        let first = a.rows[0]
        h.press(.char("y"))
        #expect(h.copied.last == h.s.entry(first.runKeys[0])?.row.model)
        h.press(.enter)
        #expect(h.s.route == .leaderboard && h.s.visibleRuns.map(\.key) == first.runKeys.sorted { a, b in h.s.visibleRuns.firstIndex { $0.key == a }! < h.s.visibleRuns.firstIndex { $0.key == b }! })
        #expect(h.s.visibleRuns.allSatisfy { h.s.entry($0.key)?.row.model == h.s.entry(first.runKeys[0])?.row.model })
        // b: a row per model and agent type.
        var w = Harness(TrendsScreenTests.catalog, width: 120, height: 40)
        w.press(.char("A"), .char("b"))
        #expect(w.s.analytics?.grouping == .modelAgent && w.s.analytics?.rows.allSatisfy { $0.label.contains(" · ") } == true)
        w.press(.tab)
        guard case .analytics(let v) = w.s.route else { Issue.record("analytics"); return }
        #expect(v.tab == .speed)
    }
}
