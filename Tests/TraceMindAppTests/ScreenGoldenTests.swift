import Foundation
import TerminalUI
import TestSupport
import Testing
@testable import TraceMindApp
import TraceMindDemo
import TraceMindFixtures
import TraceMindFormats
import TraceMindModel
import TraceMindReport

/// Every screen and tab rendered into a buffer and compared with a golden file: text, and a style dump so colour
/// regressions fail too. `RECORD_SNAPSHOTS=1 swift test` rewrites them.
@Suite struct ScreenGoldenTests {
    static let sizes = [(80, 24), (160, 48)]

    func check(_ h: Harness, _ name: String) {
        let b = h.buffer
        assertGolden(b.plainText, named: "\(name)_\(h.s.width)x\(h.s.height).txt")
        assertGolden(b.styleDump, named: "\(name)_\(h.s.width)x\(h.s.height).style")
    }

    @Test(arguments: sizes) func leaderboard(size: (Int, Int)) {
        let h = Harness(width: size.0, height: size.1)
        check(h, "leaderboard")
    }

    @Test(arguments: sizes) func leaderboardGroupedMarkedAndSorted(size: (Int, Int)) {
        var h = Harness(width: size.0, height: size.1)
        h.press(.char("m"), .char(" "), .char("j"), .char(" "), .char("s"), .char("s"), .char("s"))
        h.s.message = nil
        check(h, "leaderboard_grouped")
    }

    @Test(arguments: sizes) func runTabs(size: (Int, Int)) {
        for tab in RunTab.allCases {
            var h = Harness(width: size.0, height: size.1)
            h.openRun(tab == .gpu ? "gpu-qwen" : "b1d2e3f4")
            h.press(.char(Character(String(tab.rawValue + 1))))
            check(h, "run_\(tab.title.lowercased().replacingOccurrences(of: " & ", with: "_"))")
        }
    }

    @Test(arguments: sizes) func traceWithConversation(size: (Int, Int)) {
        var h = Harness(width: size.0, height: size.1)
        h.openRun("7f3c2a10")
        h.openTrace("search_release")
        h.selectSpan("completion")
        check(h, "trace_llm")
        h.selectSpan("WebSearchTool")
        check(h, "trace_tool")
    }

    @Test(arguments: sizes) func traceWithErrors(size: (Int, Int)) {
        var h = Harness(width: size.0, height: size.1)
        h.openRun("7f3c2a10")
        h.openTrace("weather_tokyo")
        h.press(.char("e"))
        h.s.message = nil
        check(h, "trace_errors")
    }

    @Test(arguments: sizes) func traceWithOrphanAndZeroLengthSpans(size: (Int, Int)) {
        var h = Harness(width: size.0, height: size.1)
        h.openRun("mistral")
        guard case .run(let v) = h.s.route, let a = h.s.analysis(v.key) else { Issue.record("run not open"); return }
        // The legacy run has one trace whose AGENT span was lost: find it.
        let orphanTest = a.tests.first { t in
            guard let tr = t.trace, let e = h.s.entry(v.key), let trace = try? RunLoader.loadTrace(tr, fs: e.files.fs) else { return false }
            return TraceAnalysis(trace).figures.contains { $0.isOrphan }
        }
        guard let t = orphanTest else { Issue.record("the demo has no orphan span"); return }
        h.openTrace(t.taskID)
        check(h, "trace_orphan")
    }

    /// Traces of instrumented services (OTLP/JSON lines): cost by service in the header; the detail pane with the
    /// tracestate, the link and the attributes in their convention groups.
    @Test(arguments: sizes) func traceFromAnOTLPExportWithLinks(size: (Int, Int)) {
        var h = Harness(ForeignTraceFixtures.catalog, width: size.0, height: size.1)
        h.openRun("exports")
        if size.1 >= 48 {
            check(h, "run_otlp_breakdowns")
            h.press(.char("2"))
            check(h, "run_otlp_tests_ttft")
        }
        h.openTrace(ForeignTraces.traceID)
        h.selectSpan("process_queue_message")
        check(h, "trace_otlp_links")
        h.selectSpan("orchestrate_task")
        h.press(.tab)
        check(h, "trace_otlp_context")
    }

    @Test(arguments: sizes) func traceWithUnicodeNamesOnTheCostAxis(size: (Int, Int)) {
        var h = Harness(width: size.0, height: size.1)
        h.openRun("b1d2e3f4")
        h.openTrace("weather_tokyo")
        h.selectSpan("天気")
        check(h, "trace_unicode")
        h.press(.char("x"))
        h.s.message = nil
        check(h, "trace_cost_axis")
    }

    @Test(arguments: sizes) func compareTwoRuns(size: (Int, Int)) {
        var h = Harness(width: size.0, height: size.1)
        h.compare(["7f3c2a10", "b1d2e3f4"])
        check(h, "compare2_summary")
        h.press(.char("2"))
        check(h, "compare2_tests")
    }

    @Test(arguments: sizes) func compareFourRuns(size: (Int, Int)) {
        var h = Harness(width: size.0, height: size.1)
        h.compare(["7f3c2a10", "b1d2e3f4", "gpu-qwen", "mistral"])
        check(h, "compare4_summary")
        h.press(.char("2"))
        check(h, "compare4_tests")
    }

    @Test(arguments: sizes) func trajectory(size: (Int, Int)) {
        var h = Harness(width: size.0, height: size.1)
        h.compare(["7f3c2a10", "b1d2e3f4"])
        h.press(.char("2"))
        guard case .compare(var v) = h.s.route, let c = CompareScreen.comparison(h.s, v.keys) else { Issue.record("no comparison"); return }
        let tests = CompareScreen.visibleTests(v, c)
        v.tests.selected = tests.firstIndex { $0.rows.allSatisfy { $0?.trace != nil } && $0.rows[0]!.steps != $0.rows[1]!.steps } ?? 0
        v.column = 1
        h.s.setRoute(.compare(v))
        h.press(.char("t"))
        check(h, "trajectory")
    }

    @Test(arguments: sizes) func columnChooser(size: (Int, Int)) {
        var h = Harness(width: size.0, height: size.1)
        h.press(.char("C"), .char("j"), .char("j"), .char("j"), .char("j"), .char(" "))
        check(h, "columns")
    }

    @Test func helpAndTooSmall() {
        var h = Harness(width: 80, height: 24)
        h.press(.char("?"))
        check(h, "help")
        h.press(.escape)
        h.resize(30, 8)
        #expect(h.text.contains("Terminal too small (30×8)"))
    }
}

enum ForeignTraceFixtures {
    static let catalog = CatalogLoader.load(
        sources: ["exports"],
        fs: MemoryFileSystem(files: [
            "exports/collector.jsonl": ForeignTraces.otlpLines(),
            "exports/producer.json": ForeignTraces.producerDocument(),
        ]))
}

/// A run whose traces file was cut short: its tokens, cost and $/pass are lower bounds on every screen.
@Suite struct PartialRunGoldenTests {
    static func truncatedCatalog() -> Catalog {
        var files = DemoGenerator().files()
        let key = files.keys.first { $0.contains("openai_gpt-4o_tool") && $0.hasSuffix("traces.json") }!
        files[key] = files[key]!.prefix(files[key]!.count / 2)
        return CatalogLoader.load(sources: [DemoData.rootName], fs: MemoryFileSystem(files: files))
    }

    @Test(arguments: ScreenGoldenTests.sizes) func truncatedTracesAreLowerBounds(size: (Int, Int)) {
        var h = Harness(Self.truncatedCatalog(), width: size.0, height: size.1)
        let board = h.text
        #expect(board.contains("≥"), "the leaderboard marks the partial run's figures:\n\(board)")
        assertGolden(h.buffer.plainText, named: "leaderboard_truncated_\(size.0)x\(size.1).txt")
        assertGolden(h.buffer.styleDump, named: "leaderboard_truncated_\(size.0)x\(size.1).style")
        h.openRun("7f3c")
        #expect(h.text.contains("≥"), "the run header:\n\(h.text)")
        assertGolden(h.buffer.plainText, named: "run_truncated_\(size.0)x\(size.1).txt")
        assertGolden(h.buffer.styleDump, named: "run_truncated_\(size.0)x\(size.1).style")
    }
}

/// One test id with another prompt: the matrix marks it, `f` finds it, and the trajectories never call it identical.
@Suite struct PromptDiffersTests {
    static func catalog() -> Catalog {
        CatalogLoader.load(sources: [DemoData.rootName], fs: MemoryFileSystem(files: DemoFixtures.promptChanged()))
    }

    @Test(arguments: ScreenGoldenTests.sizes) func promptDiffers(size: (Int, Int)) {
        var h = Harness(Self.catalog(), width: size.0, height: size.1)
        h.compare(["7f3c2a10", "a1a1a1a1"])
        #expect(h.text.contains("⚠ different task sets: 7 shared tests, 1 with the same id but another prompt"), "\(h.text)")
        h.press(.char("2"))
        #expect(h.text.contains("weather_paris ≠prompt"), "\(h.text)")
        // f cycles to "same id, another prompt".
        for _ in 0..<7 { h.press(.char("f")) }
        #expect(h.text.contains("1 of 8 tests") || h.text.contains("same id, another prompt"), "\(h.text)")
        guard case .compare(var v) = h.s.route, let c = CompareScreen.comparison(h.s, v.keys) else { Issue.record("no comparison"); return }
        #expect(CompareScreen.visibleTests(v, c).map(\.key) == ["tool:weather_paris"])
        v.column = 1
        h.s.setRoute(.compare(v))
        h.press(.char("t"))
        #expect(h.text.contains("different prompts under one id: not the same task"), "\(h.text)")
        #expect(!h.text.contains("identical trajectories"))
        h.press(.char("n"))
        #expect(h.s.message?.contains("not the same task") == true || h.s.message?.contains("difference") == true, "\(h.s.message ?? "")")
    }
}

/// The leaderboard screen and `tracemind leaderboard` agree, for every sort and both figure modes: the same runs in
/// the same order with the same places, success rates, tokens, cost, $/pass and wall times.
@Suite struct LeaderboardAgreementTests {
    @Test(arguments: [FigureMode.countedOnce, .recorded]) func screenAndReportAgreeForEverySort(_ mode: FigureMode) throws {
        let catalog = Harness.demo
        var totals: [String: RunTotals] = [:]
        for e in catalog.runs { totals[e.key] = RunTotals(RunAnalysis(entry: e, data: RunLoader.load(e))) }
        var h = Harness(width: 200, height: 40)
        if mode == .recorded { h.press(.char("R")) }
        // `tracemind leaderboard` sorting on a counted-once figure reads the traces: that is counted-once mode.
        for key in LeaderboardSortKey.allCases where mode == .countedOnce || !key.needsCorrected {
            for descending in [true, false] {
                h.s.leaderboard.query.sortKey = key
                h.s.leaderboard.query.descending = descending
                h.s.refreshRuns(figures: true)
                var q = LeaderboardQuery()
                q.sortKey = key
                q.descending = descending
                q.mode = mode
                // What `tracemind leaderboard` computes: with `--corrected` every run analysed, without it the rows alone.
                let cli: [String: RunTotals]? = mode == .countedOnce ? totals : nil
                let ranks = LeaderboardFigures.ranks(catalog.runs, cli ?? [:], mode: mode)
                let json = try JSONParser.parse(Data(Reports.leaderboard(q.apply(catalog.runs, corrected: cli ?? [:]), format: .json, corrected: cli, ranks: ranks).utf8))
                let report = json.arrayValue ?? []
                let label = "\(key.rawValue) \(descending ? "desc" : "asc") \(mode.rawValue)"
                #expect(report.map { $0["key"]?.text ?? "" } == h.s.visibleRuns.map(\.key), "order: \(label)")
                for (i, e) in h.s.visibleRuns.enumerated() where i < report.count {
                    let r = report[i]
                    #expect(r["rank"]?.int == h.s.ranks[e.key], "rank of \(e.key): \(label)")
                    #expect(LeaderboardFigures.successRate(e.row, h.s.totals[e.key], mode) == LeaderboardFigures.successRate(e.row, cli?[e.key], mode), "\(label)")
                    let counts = LeaderboardFigures.testCounts(e.row, h.s.totals[e.key], mode)
                    #expect(r["tests_passed"]?.int == counts.passed && r["tests_errored"]?.int == counts.errored, "\(label)")
                    if mode == .countedOnce {
                        let screenTotals = h.s.totals[e.key]
                        #expect(r["tokens"]?["total"]?.int == LeaderboardFigures.tokens(e.row, screenTotals, .countedOnce).value.map { Int($0) }, "\(label)")
                        #expect(r["cost_per_pass_usd"]?.number.map { ($0 * 1e6).rounded() } == LeaderboardFigures.costPerPass(e.row, screenTotals, .countedOnce).value.map { ($0 * 1e6).rounded() }, "\(label)")
                        #expect(r["wall_ms_p50"]?.number.map { ($0 * 1e3).rounded() } == LeaderboardFigures.wallMs(screenTotals).map { ($0 * 1e3).rounded() }, "\(label)")
                    }
                }
                // The places on screen are the report's, row by row.
                let all = h.text.split(separator: "\n")
                let header = all.firstIndex { $0.trimmingCharacters(in: .whitespaces).hasPrefix("#") } ?? 0
                let lines = all.dropFirst(header + 1).prefix(report.count)
                for (line, r) in zip(lines, report) {
                    let place = r["rank"]?.int.map(String.init) ?? "–"
                    #expect(line.trimmingCharacters(in: .whitespaces).hasPrefix(place), "\(label): \(line) vs rank \(place)")
                }
            }
        }
    }
}
