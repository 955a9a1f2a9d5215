import Foundation
import FoundationXML
import TestSupport
import Testing
@testable import TraceMindApp
import TraceMindDemo
import TraceMindFormats
import TraceMindModel
import TraceMindReport

/// The SVG pictures of the trends, the analytics and the summary card: well-formed XML whatever the data's names
/// hold, with the figures of the reports, and written by `w` from the screens.
@Suite struct PictureTests {
    /// Parses the document; the elements met, by name, and every text.
    final class Collector: NSObject, XMLParserDelegate {
        var elements: [String: Int] = [:]
        var text = ""
        func parser(_ p: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            elements[name, default: 0] += 1
        }
        func parser(_ p: XMLParser, foundCharacters string: String) { text += string + "\n" }
    }

    func parse(_ svg: String) throws -> Collector {
        let c = Collector()
        let p = XMLParser(data: Data(svg.utf8))
        p.delegate = c
        #expect(p.parse(), "well-formed XML: \(p.parserError.map { "\($0)" } ?? "")")
        #expect(c.elements["svg"] == 1)
        return c
    }

    func history() -> (Catalog, [String: RunTotals]) {
        let c = TrendsScreenTests.catalog
        return (c, RunTotals.analyseAll(c.runs).totals)
    }

    @Test func trendsAnalyticsAndCardAreWellFormedWithTheirFigures() throws {
        let (c, totals) = history()
        let t = Trends(c.runs, totals, metric: .success, grouping: .model)
        let ts = try parse(Reports.trendsSVG(t))
        let trendsSVG = Reports.trendsSVG(t)
        for s in t.series { #expect(trendsSVG.contains(">" + s.label + (s.taskSets > 1 ? " (\(s.taskSets) task sets)" : "") + "</text>"), "\(s.label) in the legend") }
        #expect(ts.text.contains("Regressions (worse than the previous run") && !t.regressions.isEmpty)
        for r in t.regressions { #expect(ts.text.contains(Reports.regressionLine(t, r))) }
        let points = t.series.reduce(0) { $0 + $1.points.filter { $0.value.value != nil }.count }
        #expect(ts.elements["circle"] == points + 1, "a dot per run with a figure, and the legend's lower-bound sample")
        #expect(ts.elements["polygon"] == t.regressions.count + 1, "a ▼ per regression, and the legend's")

        let a = Analytics(DemoData.catalog().runs, RunTotals.analyseAll(DemoData.catalog().runs).totals, grouping: .model)
        let asvg = try parse(Reports.analyticsSVG(a))
        for r in a.rows { #expect(asvg.text.contains(r.label)) }
        #expect(asvg.text.contains("Pareto front") && asvg.text.contains("not placed (unknown, a lower bound or a cost of 0)"))
        #expect(asvg.text.contains("unknown"), "unknown cells say so")
        #expect(asvg.elements["circle"] == a.speed.count + a.cost.count)

        let card = try parse(Reports.cardSVG(c.runs, totals: totals, mode: .countedOnce, top: 3, madeAt: "2026-12-02T12:00:00Z"))
        for (place, e) in Reports.cardRuns(c.runs, totals: totals, mode: .countedOnce, top: 3) {
            #expect(card.text.contains(e.row.model) && card.text.contains("\(place)"))
        }
        #expect(card.text.contains("gold") && card.text.contains("bronze") && card.text.contains("Made 2026-12-02T12:00:00Z"))
    }

    @Test func hostileNamesAreInert() throws {
        var files = DemoGenerator().files()
        for (k, v) in files where k.hasSuffix("leaderboard_row.json") {
            let s = String(decoding: v, as: UTF8.self).replacingOccurrences(of: "\"openai/gpt-4o\"", with: #""<script>alert(1)</script> & \u001b[31mred\u202e\u0007""#)
            files[k] = Data(s.utf8)
        }
        let c = CatalogLoader.load(sources: [DemoData.rootName], fs: MemoryFileSystem(files: files))
        #expect(c.runs.contains { $0.row.model.contains("<script>") })
        let totals = RunTotals.analyseAll(c.runs).totals
        for svg in [
            Reports.trendsSVG(Trends(c.runs, totals, metric: .success, grouping: .model)), Reports.analyticsSVG(Analytics(c.runs, totals, grouping: .model)),
            Reports.cardSVG(c.runs, totals: totals, mode: .countedOnce, top: 5, madeAt: "now"),
        ] {
            let parsed = try parse(svg)
            #expect(parsed.elements["script"] == nil, "no element from the data")
            #expect(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; \u{FFFD}[31mred\u{FFFD}\u{FFFD}"), "escaped, controls and overrides replaced")
            #expect(!svg.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x202E })
        }
    }

    @Test func wWritesThePictureOfTrendsAndAnalyticsOnly() {
        var h = Harness(TrendsScreenTests.catalog, width: 120, height: 40)
        h.press(.char("w"))
        h.type("board.svg")
        h.press(.enter)
        #expect(h.exported.isEmpty && h.s.message?.contains("only the trends and the analytics are pictures") == true)
        h.press(.char("T"), .char("w"))
        h.type("trends.svg")
        h.press(.enter)
        #expect(h.exported.last?.1 == Reports.trendsSVG(h.s.trends!))
        h.press(.char("2"), .char("w"))
        h.type("flaky.svg")
        h.press(.enter)
        #expect(h.exported.count == 1 && h.s.message?.contains("the flaky tests are a table") == true)
        h.press(.escape, .char("A"), .char("w"))
        h.type("analytics.svg")
        h.press(.enter)
        #expect(h.exported.last?.1 == Reports.analyticsSVG(h.s.analytics!))
    }
}
