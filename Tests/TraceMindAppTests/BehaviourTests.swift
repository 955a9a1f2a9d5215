import Foundation
import TerminalUI
import TestSupport
import Testing
@testable import TraceMindApp
import TraceMindDemo
import TraceMindFormats
import TraceMindModel
import TraceMindReport

@Suite struct NavigationTests {
    @Test func leaderboardToRunToTraceAndBackRestoresEachScreen() {
        var h = Harness()
        h.press(.char("j"), .char("j"))
        let selected = h.s.leaderboard.list.selected
        let key = h.s.visibleRuns[selected].key
        h.press(.enter)
        guard case .run(let v) = h.s.route else { Issue.record("not on the run"); return }
        #expect(v.key == key)
        #expect(h.s.analysis(key) != nil)
        h.press(.char("2"), .char("j"), .enter)
        guard case .trace(let tv) = h.s.route else { Issue.record("not on the trace"); return }
        #expect(h.s.traces[tv.ref]?.value != nil)
        // The breadcrumb names every level.
        let top = h.text.split(separator: "\n")[0]
        #expect(top.contains("Leaderboard › ") && top.split(separator: "›").count == 3)
        h.press(.escape)
        guard case .run(let back) = h.s.route else { Issue.record("Esc did not go back to the run"); return }
        #expect(back.tab == .tests && back.tests.selected == 1, "the run screen comes back as it was left")
        h.press(.backspace)
        #expect(h.s.route == .leaderboard && h.s.leaderboard.list.selected == selected)
        h.press(.char("q"))
        #expect(h.quit)
    }

    @Test func liveFilterNextMatchAndEscape() {
        var h = Harness()
        h.type("/gpt-4o")
        #expect(h.s.visibleRuns.count == 2)
        #expect(h.text.contains("2 of 5 runs"))
        h.press(.enter)
        #expect(h.s.overlay == nil && h.s.visibleRuns.count == 2)
        h.press(.char("n"))
        #expect(h.s.leaderboard.list.selected == 1)
        h.press(.char("n"))
        #expect(h.s.leaderboard.list.selected == 0, "n wraps around the matches")
        h.press(.char("N"))
        #expect(h.s.leaderboard.list.selected == 1)
        h.press(.escape)
        #expect(h.s.visibleRuns.count == 5, "Esc clears the filter")
    }

    @Test func sortingByKeyAndByHeaderClick() {
        var h = Harness(width: 160, height: 48)
        let bySuccess = h.s.visibleRuns.map(\.key)
        h.press(.char("S"))
        let reversed = h.s.visibleRuns.filter(\.row.isRankable).map(\.key)
        #expect(reversed == bySuccess.filter { k in h.s.entry(k)!.row.isRankable }.reversed())
        // Click the "cost" header: sorted by corrected cost, cheapest first; unknown costs last.
        let text = h.text.split(separator: "\n").map(String.init)
        guard let x = text[1].range(of: " cost ").map({ text[1].distance(from: text[1].startIndex, to: $0.lowerBound) + 2 }) else {
            Issue.record("no cost header: \(text[1])")
            return
        }
        h.click(x, 1)
        #expect(h.s.leaderboard.query.sortKey == .cost && !h.s.leaderboard.query.descending)
        let costs = h.s.visibleRuns.filter(\.row.isRankable).map { h.s.totals[$0.key]?.cost?.value }
        let known = costs.compactMap { $0 }
        #expect(known == known.sorted())
        #expect(costs.prefix(known.count).allSatisfy { $0 != nil }, "unknown costs sort last: \(costs)")
        h.click(x, 1)
        #expect(h.s.leaderboard.query.descending, "a second click reverses")
    }

    @Test func clickSelectsAndASecondClickOpens() {
        var h = Harness()
        h.click(10, 4)
        #expect(h.s.leaderboard.list.selected == 2)
        #expect(h.s.stack.count == 1)
        h.click(10, 4)
        guard case .run = h.s.route else { Issue.record("a second click opens the run"); return }
    }

    @Test func marksCompareAndFilters() {
        var h = Harness()
        h.press(.char("c"))
        #expect(h.s.message?.contains("mark two or more") == true)
        // Mark gpt-4o (tool) then gpt-4o-mini (both): they share the tool tests.
        for prefix in ["7f3c2a10", "b1d2e3f4"] {
            h.s.leaderboard.list.selected = h.s.visibleRuns.firstIndex { $0.key.hasPrefix(prefix) }!
            h.press(.char(" "))
        }
        h.press(.char("c"))
        guard case .compare(let v) = h.s.route else { Issue.record("c opens the comparison"); return }
        #expect(v.keys.map { String($0.prefix(8)) } == ["7f3c2a10", "b1d2e3f4"], "the first marked is the baseline")
        h.press(.char("2"), .char("f"))
        guard case .compare(let v2) = h.s.route, let c = CompareScreen.comparison(h.s, v2.keys) else { Issue.record("no comparison"); return }
        #expect(v2.filter == .flipped)
        let shown = CompareScreen.visibleTests(v2, c)
        #expect(shown.allSatisfy { $0.flipped })
        #expect(!shown.isEmpty)
        // Enter on a cell opens that run's trace of that test.
        h.press(.char("l"), .enter)
        guard case .trace(let tv) = h.s.route else { Issue.record("Enter opens the trace"); return }
        #expect(tv.ref.runKey == v2.keys[1])
    }

    /// `C`: columns hidden on a screen stay hidden for the session (leaving and coming back), the column that names
    /// the rows cannot be hidden, `a` shows them all again, and the leaderboard and the run's tests keep their own.
    @Test func theColumnChooserHidesColumnsForTheSession() throws {
        var h = Harness(width: 220, height: 30)
        func header() -> String { h.text.split(separator: "\n").dropFirst().first.map(String.init) ?? "" }
        #expect(header().contains("provider"))
        h.press(.char("C"))
        guard case .columns(let c) = h.s.overlay else { Issue.record("C opens the column chooser"); return }
        let provider = try #require(c.items.firstIndex { $0.id == "provider" })
        let model = try #require(c.items.firstIndex { $0.id == "model" })
        for _ in 0..<provider { h.press(.char("j")) }
        h.press(.char(" "))
        #expect(h.s.hiddenColumns[.leaderboard] == ["provider"])
        // Up to the model column: it names the rows and stays.
        for _ in 0..<(provider - model) { h.press(.char("k")) }
        h.press(.char(" "))
        #expect(h.s.hiddenColumns[.leaderboard] == ["provider"])
        #expect(h.s.message?.contains("always shown") == true)
        h.press(.escape)
        #expect(h.s.overlay == nil)
        #expect(!header().contains("provider"))
        #expect(header().contains("model") && header().contains("agent"))
        // Into a run and back: still hidden. The run's tests table has columns of its own.
        h.openRun(h.s.visibleRuns[0].key)
        h.press(.char("C"))
        guard case .columns(let rc) = h.s.overlay else { Issue.record("C opens the chooser on the run"); return }
        #expect(rc.screen == .run && rc.items.contains { $0.id == "tools" } && rc.items.first { $0.id == "task" }?.locked == true)
        let tools = try #require(rc.items.firstIndex { $0.id == "tools" })
        for _ in 0..<tools { h.press(.char("j")) }
        h.press(.char(" "), .escape)
        let testsHeader = h.text.split(separator: "\n").first { $0.hasPrefix(" task") }.map(String.init) ?? ""
        #expect(testsHeader.contains("cost") && !testsHeader.contains("tools"), "\(testsHeader)")
        h.press(.escape)
        #expect(!header().contains("provider"))
        #expect(h.s.hiddenColumns[.run] == ["tools"])
        // `a` shows every column of the screen again.
        h.press(.char("C"), .char("a"), .escape)
        #expect(header().contains("provider"))
        #expect(h.s.hiddenColumns[.run] == ["tools"])
        // Hiding the sorted column: the footer still says what the order is.
        #expect(!h.text.contains("sorted by"))
        h.press(.char("C"))
        let success = try #require(c.items.firstIndex { $0.id == "success" })
        for _ in 0..<success { h.press(.char("j")) }
        h.press(.char(" "), .escape)
        #expect(!header().contains("success"))
        #expect(h.text.contains("sorted by success rate↓"), "\(h.text)")
    }

    /// The comparison summary's values line up on the decimal point when they share a unit.
    @Test func comparisonValuesAlignOnTheDecimalPoint() {
        #expect(Format.alignDecimals(["$0.0490", "$0.007152", ""]) == ["$0.049000", "$0.007152", ""])
        #expect(Format.alignDecimals(["2", "2.14"]) == ["2.00", "2.14"])
        #expect(Format.alignDecimals(["100.0%", "93.35%"]) == ["100.00%", "93.35%"])
        #expect(Format.alignDecimals(["$0.00074", "$0.000699", "≥$0.0107", "unknown", "—", "$0"]) == ["$0.000740", "$0.000699", "≥$0.010700", "unknown", "—", "$0.000000"])
        #expect(Format.alignDecimals(["1", "0.67", "0.6"]) == ["1.00", "0.67", "0.60"])
        #expect(Format.alignDecimals(["2,563", "12,001"]) == ["2,563", "12,001"], "whole numbers stay whole")
        // Different units: left as they are (right-aligned by the caller).
        #expect(Format.alignDecimals(["168ms", "1.20s"]) == ["168ms", "1.20s"])
        #expect(Format.alignDecimals(["38.3k", "950"]) == ["38.3k", "950"])
    }

    @Test func facetsFilterTheLeaderboard() {
        var h = Harness()
        h.press(.char("F"))
        guard case .facets(let p) = h.s.overlay else { Issue.record("F opens the facets"); return }
        let i = p.items.firstIndex { $0.facet == "agent_type" && $0.value == "tool" }!
        var p2 = p
        p2.list.selected = i
        h.s.overlay = .facets(p2)
        h.press(.char(" "))
        #expect(h.s.visibleRuns.allSatisfy { $0.row.agentType == "tool" })
        #expect(h.s.visibleRuns.count == 3)
        h.press(.escape)
        #expect(h.text.contains("agent type: tool"), "an active facet shows as a chip")
        // The dashboard strip follows the facet: the three tool runs of five, their mean success.
        let strip = h.text.split(separator: "\n").first { $0.contains(" of 5 runs · ") }.map(String.init) ?? ""
        #expect(strip.hasPrefix(" 3 of 5 runs"), "\(strip)")
        let shown = LeaderboardSummary(h.s.visibleRuns, total: 5, totals: h.s.totals, mode: .countedOnce)
        #expect(strip.contains("mean success " + Format.percent(shown.meanSuccess)), "\(strip)")
        h.press(.escape)
        #expect(h.s.visibleRuns.count == 5, "Esc on the leaderboard clears the facets")
        #expect(h.text.contains(" 5 of 5 runs · mean success"))
    }

    /// The overlays' keys come from `KeyMap.overlayBindings`: no key is bound twice in one overlay, the prompt types
    /// what it does not bind (j is a letter there, not a move), a text panel scrolls, hands its text to the pager and
    /// closes on any other key, and the facet picker moves, toggles, clears and stays open on unbound keys.
    @Test func overlayKeysFollowTheirBindings() {
        for o in [OverlayID.prompt, .help, .text, .facets] {
            let keys = KeyMap.overlayBindings.filter { $0.overlays.contains(o) }.flatMap(\.keys)
            #expect(Set(keys).count == keys.count, "a key bound twice in \(o)")
        }
        var h = Harness()
        h.type("/jk")
        #expect(h.s.overlay == .prompt("jk"), "letters are typed in the prompt")
        h.press(.backspace)
        #expect(h.s.overlay == .prompt("j"))
        h.press(.ctrl("u"), .enter)
        #expect(h.s.overlay == nil && h.s.visibleRuns.count == 5)

        let lines = (0..<200).map { "line \($0)" }
        h.s.overlay = .text(title: "T", lines: lines, scroll: 0)
        h.press(.char("j"), .char("j"))
        #expect(h.s.overlay == .text(title: "T", lines: lines, scroll: 2))
        h.press(.char("G"))
        guard case .text(_, _, let bottom)? = h.s.overlay else { Issue.record("G closed the panel"); return }
        #expect(bottom == lines.count - (h.s.height - 6))
        var effects = App.update(&h.s, .key(.char("o")))
        #expect(effects == [.page(title: "T", text: lines.joined(separator: "\n"))])
        effects = App.update(&h.s, .key(.char("w")))
        #expect(effects.isEmpty && h.s.overlay == nil, "an unbound key closes the panel")

        h.press(.char("F"))
        guard case .facets(let p) = h.s.overlay else { Issue.record("F opens the facets"); return }
        h.press(.char("j"), .char("j"), .char("w"))
        guard case .facets(let moved) = h.s.overlay else { Issue.record("an unbound key closed the facets"); return }
        #expect(moved.list.selected == min(p.list.selected + 2, p.items.count - 1))
        h.press(.char("G"), .char(" "))
        #expect(h.s.leaderboard.query.facets.values.contains { !$0.isEmpty })
        h.press(.char("x"))
        #expect(h.s.leaderboard.query.facets.isEmpty)
        h.press(.char("F"))
        #expect(h.s.overlay == nil)
    }

    /// Issue 16: `--trace ID` said "looking for trace ID…" until a key; Esc left grouping and recorded mode on.
    @Test func openingATraceByIDEndsItsNoteAndEscClearsEveryChip() {
        var h = Harness()
        let id = h.s.catalog.runs.lazy.compactMap { e in RunLoader.load(e).traces.first?.traceID }.first!
        h.handle(App.openTrace(&h.s, query: id))
        guard case .trace = h.s.route else { Issue.record("the trace did not open"); return }
        #expect(!h.text.contains("looking for trace"), "the footer does not say it is still looking")

        var g = Harness()
        g.press(.char("m"), .char("R"))
        #expect(g.s.leaderboard.groupByModel && g.s.leaderboard.showRecorded && g.text.contains("grouped by model"))
        g.press(.escape)
        #expect(!g.s.leaderboard.groupByModel && !g.s.leaderboard.showRecorded && g.s.leaderboard.query.mode == .countedOnce)
        #expect(!g.text.contains("grouped by model") && !g.text.contains("Esc clears"))
    }

    /// Issue 16: the help's closing note was cut at the panel's edge ("…SMOLTRACE│", "neve│"); it wraps.
    @Test func helpNotesWrapAtEveryWidth() {
        for (w, h) in [(80, 24), (120, 40), (200, 50)] {
            var hs = Harness(width: w, height: h)
            hs.press(.char("?"))
            guard case .help = hs.s.overlay else { Issue.record("? opens the help"); return }
            hs.s.overlay = .help(scroll: 80)
            let words = hs.text.split(separator: "\n").map { line in
                line.replacingOccurrences(of: "│", with: " ").replacingOccurrences(of: "█", with: " ").split(separator: " ").joined(separator: " ")
            }.joined(separator: " ")
            #expect(words.contains("SMOLTRACE's own figures are shown beside them as recorded. Unknown cost is shown as unknown, never $0."), "\(w)×\(h)")
        }
    }

    /// Issue 16: zoomed in, the waterfall's ticks read `38ms 38ms 38ms` (cost: `$0.000337` on every tick).
    @Test func zoomedTicksStayDistinct() {
        var h = Harness(width: 150, height: 50)
        h.openRun("b1d2e3f4")
        h.openTrace("long_horizon_audit")
        guard case .trace = h.s.route else { Issue.record("the trace did not open"); return }
        for axis in ["time", "cost"] {
            if axis == "cost" { h.press(.char("x")) }
            for zooms in [0, 6, 10, 14] {
                h.press(.char("0"))
                for _ in 0..<zooms { h.press(.char("+")) }
                let axis = TraceScreen.layout(h.s).axis
                let row = String(h.text.split(separator: "\n", omittingEmptySubsequences: false)[axis.y].prefix(axis.maxX))
                let ticks = row.split(separator: "│").dropFirst().map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                #expect(ticks.count >= 2, "\(axis) ×\(zooms): \(row)")
                #expect(Set(ticks).count == ticks.count, "\(axis) ×\(zooms): every tick differs: \(ticks)")
            }
        }
        #expect(Format.tick(ms: 37.5, stepMs: 0.5) == "37.5ms" && Format.tick(ms: 38_012.3, stepMs: 1) == "38.012s")
        #expect(Format.tick(usd: 0.000337, step: 0.0000005) == "$0.0003370" && Format.tick(usd: 1.5, step: 0.5) == "$1.50")
    }

    /// Issue 16: at 80×24 the first `s` sorted on a hidden column and nothing said so.
    @Test func theSortIsAlwaysOnScreen() {
        var h = Harness()
        for _ in 0..<12 {
            h.press(.char("s"))
            let q = h.s.leaderboard.query
            let shown = LeaderboardScreen.fitted(h.s, width: h.s.width).contains { $0.key == q.sortKey }
            #expect(shown, "sorted on \(q.sortKey.rawValue): its column is shown")
            #expect(h.text.contains(q.descending ? "↓" : "↑"), "the direction is shown")
        }
        // Scrolled right until the sorted column leaves the screen: the footer names the sort instead.
        var scrolledOut = false
        for _ in 0..<30 {
            h.press(.right)
            if !LeaderboardScreen.sortColumnShown(h.s) {
                scrolledOut = true
                #expect(h.text.contains("sorted by"), "scrolled out, the footer names the sort")
                break
            }
        }
        #expect(scrolledOut, "the sorted column can be scrolled out of sight at 80 columns")
    }

    /// Issue 16: the tests tab sorted on difficulty showed no arrow, and `steps` became `step…` when sorted.
    @Test func testsTabSortsShowTheirArrowWhole() {
        var h = Harness(width: 120, height: 40)
        h.openRun("b1d2e3f4")
        h.press(.char("2"))
        var seen: Set<String> = []
        for _ in 0..<TestSort.allCases.count {
            h.press(.char("s"))
            guard case .run(let v) = h.s.route, v.sort != .original else { continue }
            let header = h.text.split(separator: "\n").first { $0.contains("task") && $0.contains("outcome") }.map(String.init) ?? ""
            let title = v.sort == .difficulty ? "diff" : v.sort == .wall ? "wall" : v.sort.title
            #expect(header.contains(title + (v.sortDescending ? "↓" : "↑")), "\(v.sort): \(header)")
            #expect(!header.contains("…"), "no header is cut: \(header)")
            seen.insert(v.sort.title)
        }
        #expect(seen.contains("difficulty") && seen.contains("steps"))
    }

    /// Issue 16: the detail pane beside the tree from 160 columns; at 80×24 it can fill the body (`m`) and come back.
    @Test func detailPaneBesideOrMaximised() {
        var wide = Harness(width: 200, height: 50)
        wide.openRun("b1d2e3f4")
        wide.openTrace("long_horizon_audit")
        let l = TraceScreen.layout(wide.s)
        #expect(l.detail.x >= l.rows.maxX && l.detail.y <= l.rows.y && l.detail.maxY == l.rows.maxY, "beside the tree: \(l)")

        var h = Harness()
        h.openRun("b1d2e3f4")
        h.openTrace("long_horizon_audit")
        let below = TraceScreen.layout(h.s)
        #expect(below.detail.y >= below.rows.maxY, "below the tree at 80 columns")
        h.press(.char("m"))
        let max = TraceScreen.layout(h.s)
        #expect(max.rows.height == 0 && max.detail.height > below.detail.height)
        #expect(h.text.contains("test_evaluation") && h.text.contains("j/k scroll"), "the pane has the keys: \(h.text)")
        h.press(.char("j"), .char("j"))
        guard case .trace(let v) = h.s.route else { Issue.record("left the trace"); return }
        #expect(v.detailScroll == 2, "j scrolls the maximised pane")
        h.press(.char("m"))
        #expect(TraceScreen.layout(h.s) == below, "m again restores the tree")
    }

    /// Issue 16: the span-name column can be widened and narrowed with keys, within bounds.
    @Test func spanNameColumnWidensAndNarrows() {
        var h = Harness(width: 120, height: 40)
        h.openRun("b1d2e3f4")
        h.openTrace("long_horizon_audit")
        func nameWidth() -> Int {
            guard case .trace(let v) = h.s.route else { return -1 }
            return TraceScreen.geometry(TraceScreen.layout(h.s).rows, nameDelta: v.nameDelta).treeW
        }
        let start = nameWidth()
        h.press(.char(">"), .char(">"))
        #expect(nameWidth() == start + 8)
        #expect(h.text.contains("span names \(start + 8) columns wide"))
        for _ in 0..<40 { h.press(.char(">")) }
        #expect(nameWidth() == 60, "at most half the width")
        for _ in 0..<40 { h.press(.char("<")) }
        #expect(nameWidth() == 12, "at least 12 columns")
        h.press(.char(">"))
        #expect(nameWidth() == 16, "widening starts from the bound, not from where the presses went")
    }

    /// `tracemind trace` text is drawn in slices of rows: a trace longer than a slice reads as one waterfall (every
    /// span once, in order, the column titles once).
    @Test func traceTextOfALongTraceIsOneWaterfall() throws {
        let entry = Harness.demo.runs.first { $0.key.hasPrefix("b1d2e3f4") }!
        let a = RunAnalysis(entry: entry, data: RunLoader.load(entry))
        let test = a.tests.first { $0.taskID == "long_horizon_audit" }!
        let trace = try RunLoader.loadTrace(test.trace!, fs: entry.files.fs)
        let analysis = TraceAnalysis(trace)
        #expect(analysis.order.count > 2048, "longer than one slice")
        let text = TraceText.render(analysis, test: test, width: 200)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.filter { $0.contains("duration") && $0.contains("span") }.count == 1, "the column titles once")
        let rows = lines.filter { $0.contains("▾") || $0.contains("─ ") }
        #expect(rows.count == analysis.order.count, "every span once: \(rows.count) of \(analysis.order.count)")
        let names = analysis.order.map { trace.spans[$0].name }
        for (k, row) in rows.enumerated() where k % 97 == 0 || k == 2047 || k == 2048 {
            #expect(row.contains(names[k].prefix(10)), "row \(k) is span \(names[k])")
        }
    }

    /// Issue 15: the browser's first frame does not wait for the sources: it says it is reading them, and the runs
    /// fill the screen when the catalog arrives (without a "reloaded" note).
    @Test func theFirstFrameDoesNotWaitForTheSources() {
        var s = AppState(catalog: Catalog(runs: [], diagnostics: [], sources: ["evals/smoltrace_results"], isDemo: false))
        s.readingSources = true
        _ = App.update(&s, .resize(width: 100, height: 30))
        let r = Renderer(theme: .builtinDefault)
        let first = r.view(s).plainText
        #expect(first.contains("Reading evals/smoltrace_results…") && first.contains("reading the sources…"))
        #expect(!first.contains("No runs found"), "nothing is said to be missing while reading")
        let catalog = Harness.demo
        _ = App.reloaded(&s, Catalog(runs: catalog.runs, diagnostics: [], sources: ["evals/smoltrace_results"], isDemo: false))
        let after = r.view(s).plainText
        #expect(!s.readingSources && after.contains("of 5 runs") && !after.contains("reloaded"))
    }

    /// Issue 16: columns left out to fit 80 columns are marked (▶), and → brings them on screen.
    @Test func hiddenColumnsAreMarkedAndReachable() {
        var h = Harness()
        let header = { h.text.split(separator: "\n")[1] }
        #expect(header().hasSuffix("▶") && !header().contains("provider"), "\(header())")
        for _ in 0..<4 { h.press(.right) }
        #expect(h.s.leaderboard.hOffset > 0 && header().contains("◀"))
        for _ in 0..<8 { h.press(.left) }
        #expect(h.s.leaderboard.hOffset == 0)
        var seen = Set<String>()
        for _ in 0..<40 {
            header().split(separator: " ").forEach { seen.insert(String($0).trimmingCharacters(in: CharacterSet(charactersIn: "◀▶"))) }
            h.press(.right)
        }
        #expect(seen.contains("provider") && seen.contains("timestamp"), "every column can be reached: \(seen.sorted())")
    }

    @Test func runTabsFailedOnlyAndErrorsDrillDown() {
        var h = Harness()
        h.openRun("b1d2e3f4")
        h.press(.char("f"))
        guard case .run(let v) = h.s.route, let a = h.s.analysis(v.key) else { Issue.record("not on the run"); return }
        #expect(v.tab == .tests && RunScreen.visibleTests(v, a).allSatisfy { $0.outcome != .passed })
        h.press(.char("f"), .char("5"), .enter)
        guard case .run(let v2) = h.s.route else { Issue.record("not on the run"); return }
        #expect(v2.tab == .tests && v2.only != nil)
        let shown = RunScreen.visibleTests(v2, a)
        #expect(!shown.isEmpty && shown.allSatisfy { v2.only!.contains($0.key) })
        h.press(.escape)
        guard case .run(let v3) = h.s.route else { Issue.record("Esc leaves the drill-down first"); return }
        #expect(v3.tab == .errors && v3.only == nil)
    }

    @Test func resizeKeepsTheSelectionVisible() {
        var h = Harness()
        h.press(.end)
        h.resize(80, 12)
        let l = h.s.leaderboard.list
        #expect(l.selected >= l.offset && l.selected < l.offset + LeaderboardScreen.visibleRows(h.s))
    }
}

@Suite struct WaterfallTests {
    func trace(_ run: String = "b1d2e3f4", _ task: String = "long_horizon_audit") -> Harness {
        var h = Harness(width: 160, height: 48)
        h.openRun(run)
        h.openTrace(task)
        return h
    }

    func view(_ h: Harness) -> TraceView {
        guard case .trace(let v) = h.s.route else { fatalError("not on a trace") }
        return v
    }

    /// The folds' set of span indices (one bit each) behaves as a set of them.
    @Test func spanSetIsASetOfIndices() {
        var s: SpanSet = [3, 64, 200]
        var reference: Set<Int> = [3, 64, 200]
        for (k, i) in [5, 64, 0, 63, 1_000, 200, 5, -1, 127, 128].enumerated() {
            if k % 3 == 0 { s.remove(i); reference.remove(i) } else { s.insert(i); if i >= 0 { reference.insert(i) } }
            #expect((0...1_100).allSatisfy { s.contains($0) == reference.contains($0) } && s.count == reference.count, "after \(k)")
        }
        #expect(!s.contains(-1) && !s.contains(1 << 40))
        #expect(s == SpanSet(reference.sorted().reversed()), "equal whatever the order of insertion")
        var shorter = s
        shorter.remove(1_000)
        #expect(shorter != s && shorter == SpanSet(reference.subtracting([1_000])), "equal however far the storage reaches")
        #expect(SpanSet(count: 130) { $0 % 7 == 0 } == SpanSet(stride(from: 0, to: 130, by: 7)))
        #expect(SpanSet().isEmpty && !s.isEmpty)
    }

    @Test func foldUnfoldAndFoldAll() {
        var h = trace()
        let wf = h.s.traces[view(h).ref]!.value!
        #expect(wf.analysis.figures.count > 2000, "the demo has a trace with thousands of spans")
        let all = TraceScreen.visibleRows(view(h), wf).count
        h.press(.char("z"))
        let a = wf.analysis
        #expect(view(h).folded == SpanSet(a.order.filter { !a.figures[$0].children.isEmpty && a.figures[$0].parent != nil }), "every span with children below the roots")
        let folded = TraceScreen.visibleRows(view(h), wf).count
        #expect(folded < all)
        h.press(.char("Z"))
        #expect(TraceScreen.visibleRows(view(h), wf).count == all)
        h.press(.char("j"))  // the agent span
        h.press(.char("h"))
        #expect(TraceScreen.visibleRows(view(h), wf).count == 2, "folding the agent hides the whole run")
        #expect(h.text.contains("+\(all - 2)"), "a folded span says how many it hides")
        h.press(.char("l"))
        #expect(TraceScreen.visibleRows(view(h), wf).count == all)
    }

    @Test func nextErrorSearchAndKindFilter() {
        var h = trace("7f3c2a10", "weather_tokyo")
        let wf = h.s.traces[view(h).ref]!.value!
        h.press(.char("e"))
        let sel = view(h).selectedSpan!
        #expect(wf.analysis.trace.spans[sel].isError)
        #expect(h.s.message?.hasPrefix("error ") == true)
        h.type("/天気Tool")
        h.press(.enter)
        #expect(wf.analysis.trace.spans[view(h).selectedSpan!].name.hasPrefix("天気"))
        h.press(.char("K"))
        let rows = TraceScreen.visibleRows(view(h), wf)
        #expect(view(h).kindFilter == .llm)
        #expect(rows.allSatisfy { i in
            wf.analysis.trace.spans[i].category == .llm
                || wf.analysis.figures[i].children.contains { TraceScreen.visibleRows(view(h), wf).contains($0) }
        })
    }

    @Test func runOverviewBreaksCostDownByServiceOnceTheSpansAreRead() {
        var h = Harness(ForeignTraceFixtures.catalog, width: 160, height: 60)
        h.openRun("exports")
        let b = try! #require(h.s.breakdowns["exports"])
        #expect(b[.service]?.map(\.key) == ["tool_executor", "orchestrator", "queue_processor", "api_gateway"])
        #expect(b[.tenant]?.map(\.key) == ["acme", "(none)"])
        let text = h.buffer.plainText
        #expect(text.contains("Cost by service") && text.contains("Cost by tenant"))
        #expect(text.contains("Cost by capability"), "codegen vs the producer trace's spans without one")
        let serviceLine = text.split(separator: "\n").first { $0.contains("tool_executor") }
        #expect(serviceLine?.contains("$0.0015") == true)
    }

    @Test func aLinkIsFollowedToItsSpanInAnotherTraceAndBack() {
        var h = Harness(ForeignTraceFixtures.catalog, width: 160, height: 48)
        h.openRun("exports")
        h.openTrace(ForeignTraces.traceID)
        h.selectSpan("orchestrate_task")
        h.press(.char("f"))
        #expect(h.s.message == "this span has no links")
        h.selectSpan("process_queue_message")
        h.press(.char("f"))
        let target = view(h)
        #expect(target.ref.traceID == ForeignTraces.linkedTraceID)
        let wf = h.s.traces[target.ref]!.value!
        #expect(target.selectedSpan.map { wf.analysis.trace.spans[$0].name } == "enqueue_task")
        h.press(.escape)
        #expect(view(h).ref.traceID == ForeignTraces.traceID)
    }

    /// Folded subtrees are stepped over by their size: the rows are those of walking the whole tree and skipping
    /// what lies below a folded span, for folds anywhere, nested, and with a kind filter.
    @Test func foldedRowsAreThoseOfTheFullWalk() {
        let h = trace()
        guard let wf = h.s.traces[view(h).ref]?.value else { Issue.record("trace loaded"); return }
        let a = wf.analysis
        func reference(_ v: TraceView) -> [Int] {
            var out: [Int] = []
            var skipDepth: Int? = nil
            let keep: Set<Int>? = v.kindFilter.map { k in
                var m = Set<Int>()
                for i in a.figures.indices where a.trace.spans[i].category == k {
                    var c: Int? = i
                    while let x = c, m.insert(x).inserted { c = a.figures[x].parent }
                }
                return m
            }
            for i in a.order {
                let d = a.figures[i].depth
                if let sd = skipDepth {
                    if d > sd { continue }
                    skipDepth = nil
                }
                if let keep, !keep.contains(i) { continue }
                out.append(i)
                if v.folded.contains(i) && !a.figures[i].children.isEmpty { skipDepth = d }
            }
            return out
        }
        var v = view(h)
        var rng = SystemRandomNumberGenerator()
        let parents = a.order.filter { !a.figures[$0].children.isEmpty }
        #expect(parents.count > 10)
        for round in 0..<30 {
            v.folded = SpanSet(parents.filter { _ in Int.random(in: 0..<4, using: &rng) == 0 })
            v.kindFilter = round % 3 == 0 ? .tool : round % 3 == 1 ? .llm : nil
            #expect(TraceScreen.visibleRows(v, wf) == reference(v), "round \(round)")
        }
    }

    /// Spans read lean from a file are searched in their bytes first: a span whose bytes hold neither the query nor a
    /// `\u` escape is passed over unread; every other is read. The matches are those of its details.
    @Test func searchOfSpansReadLeanFindsWhatTheirDetailsHold() throws {
        let spans = [
            #"{"span_id": "0x1", "name": "a", "attributes": {"tool.name": "\u0077eather", "input.value": "Paris"}}"#,
            #"{"span_id": "0x2", "name": "b", "attributes": {"paris_key": "x"}}"#,
            #"{"span_id": "0x3", "name": "c", "events": [{"name": "exception", "attributes": {"exception.message": "TimeOut in PARIS"}}]}"#,
            #"{"span_id": "0x4", "name": "d", "attributes": {"q": "a/b \"quoted\""}}"#,
            #"{"span_id": "0x5", "name": "e", "attributes": {"ratio": 0.25, "ok": true, "none": "None", "nested": {"deep": "needle"}}, "events": [{"attributes": {"n": 7}}, {"name": null}]}"#,
            #"{"span_id": "0x6", "name": "f", "attributes": [{"key": "otlp.key", "value": {"stringValue": "haystack"}}]}"#,
        ]
        let doc = Data(("{\"trace_id\": \"0xabc\", \"spans\": [" + spans.joined(separator: ", ") + "]}").utf8)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tm-lean-search-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("traces.json").path
        try doc.write(to: URL(fileURLWithPath: path))
        let t = try RunLoader.loadTrace(at: TraceLocation(path: path, byteRange: 0..<doc.count, index: 0), traceID: "0xabc", fs: LocalFileSystem())
        #expect(t.spans.count == 6 && t.spans.allSatisfy { $0.byteRange != nil }, "a trace read from a file is read lean")
        func reference(_ q: String) -> [String] {
            let l = q.lowercased()
            return t.spans.filter { sp in
                let d = sp.details
                return sp.name.lowercased().contains(l) || sp.spanID.lowercased().contains(l)
                    || d.attributes.values.contains { $0.text?.lowercased().contains(l) == true }
                    || d.events.contains { e in e.name.lowercased().contains(l) || e.attributes.values.contains { $0.text?.lowercased().contains(l) == true } }
            }.map { $0.name }
        }
        for (q, expected) in [("weather", ["a"]), ("paris", ["a", "c"]), ("PARIS", ["a", "c"]), ("paris_key", []), ("a/b", ["d"]), ("\"quoted", ["d"]), ("exception", ["c"]), ("0.25", ["e"]), ("true", ["e"]), ("none", []), ("needle", []), ("event", ["e"]), ("7", ["e"]), ("haystack", ["f"]), ("otlp", [])] {
            let needle = try #require(SearchNeedle(q))
            let found = t.spans.filter { needle.matches($0) }.map { $0.name }
            #expect(found == expected, "'\(q)'")
            #expect(found == reference(q), "'\(q)' as the details say")
        }
    }

    /// `/` searches span names, ids, attribute values and events, case-insensitive; typing on narrows the matches,
    /// deleting widens them again, and `n`/`N` step through them in tree order, wrapping around. The matches are
    /// always those of a fresh search of the whole trace.
    @Test func waterfallSearchNarrowsWidensAndSteps() throws {
        var h = trace()
        guard let wf = h.s.traces[view(h).ref]?.value else { Issue.record("trace loaded"); return }
        let spans = wf.analysis.trace.spans
        func reference(_ q: String) -> [Int] {
            let t = q.lowercased()
            return wf.analysis.order.filter { i in
                let sp = spans[i]
                if sp.name.lowercased().contains(t) || sp.spanID.lowercased().contains(t) { return true }
                if sp.attributes.values.contains(where: { $0.text?.lowercased().contains(t) == true }) { return true }
                return sp.events.contains { e in e.name.lowercased().contains(t) || e.attributes.values.contains { $0.text?.lowercased().contains(t) == true } }
            }
        }
        // A large trace is searched in slices on all cores: the slices joined give the same matches, in order.
        for q in ["t", "tool", "llm", "zzz"] {
            let needle = try #require(SearchNeedle(q))
            #expect(TraceScreen.filter(wf.analysis.order, wf, needle, slices: 16) == reference(q), "'\(q)' in 16 slices")
        }
        h.press(.char("/"))
        for (typed, query) in [("T", "t"), ("O", "to"), ("o", "too"), ("L", "tool")] {
            h.type(typed)
            #expect(view(h).matches == reference(query), "after typing '\(query)'")
        }
        #expect(!view(h).matches.isEmpty)
        h.press(.backspace, .backspace)
        #expect(view(h).matches == reference("to"), "deleting widens the matches again")
        h.type("ol")
        h.press(.enter)
        let matches = view(h).matches
        #expect(matches.count >= 3)
        #expect(view(h).selectedSpan == matches.first, "the first match is selected")
        h.press(.char("n"))
        #expect(view(h).selectedSpan == matches[1])
        h.press(.char("N"), .char("N"))
        #expect(view(h).selectedSpan == matches.last, "N wraps around to the last match")
        h.press(.char("n"))
        #expect(view(h).selectedSpan == matches.first, "n wraps around to the first")
        #expect(h.s.message?.contains("match 1 of \(matches.count)") == true, "\(h.s.message ?? "")")
        // After a reload the trace is a new waterfall: rows and matches are made again from it, not kept.
        h.press(.char("r"))
        guard let again = h.s.traces[view(h).ref]?.value else { Issue.record("trace reloaded"); return }
        #expect(again.id != wf.id)
        h.press(.char("n"))
        #expect(view(h).rows == TraceScreen.visibleRows(view(h), again))
        #expect(view(h).matches == TraceScreen.matches(again, "tool"))
    }

    /// A search through many spans runs in the background: the key is drawn at once with "searching…", the matches
    /// follow and select the first; a result for text typed over since is dropped, and its search cancelled.
    @Test func aLargeSearchRunsInTheBackground() throws {
        var h = trace()
        h.s.backgroundSearchSpans = 0
        let wf = try #require(h.s.traces[view(h).ref]?.value)
        let ref = view(h).ref
        h.press(.char("/"))
        var effects = App.update(&h.s, .key(.char("t")))
        #expect(effects == [.load(.search(ref, "t"))])
        #expect(view(h).searching == "t" && view(h).matches.isEmpty && App.isBusy(h.s))
        #expect(h.s.message?.hasPrefix("searching \(Format.grouped(wf.analysis.order.count)) spans for 't'") == true, "\(h.s.message ?? "")")
        #expect(h.text.contains("searching"), "the key's frame says so")
        // Typed on before the result came: the older search is cancelled, its result dropped.
        effects = App.update(&h.s, .key(.char("o")))
        #expect(effects == [.cancel(.search(ref, "t")), .load(.search(ref, "to"))])
        _ = App.apply(&h.s, .searched(ref, query: "t", TraceScreen.matches(wf, "t")))
        #expect(view(h).searching == "to" && view(h).matches.isEmpty, "a stale result is dropped")
        // The job made from the state looks among every span, in slices, and gives the fresh matches.
        let job = Loads.job(.search(ref, "to"), h.s)
        let box = Collector()
        Loads.perform(job, post: { box.post($0) }, isCancelled: { false })
        for r in box.take() { _ = App.apply(&h.s, r) }
        let expected = TraceScreen.matches(wf, "to")
        #expect(!expected.isEmpty && view(h).matches == expected && view(h).searching == nil && !App.isBusy(h.s))
        #expect(view(h).selectedSpan == expected.first)
        #expect(h.s.message?.contains("match 1 of \(expected.count)") == true)
        // Typing on narrows the matches: the job looks among them only.
        _ = App.update(&h.s, .key(.char("o")))
        guard case .search(_, _, _, let candidates) = Loads.job(.search(ref, "too"), h.s) else { Issue.record("a search job"); return }
        #expect(candidates == expected)
        // A cancelled search posts nothing; a job whose view is gone clears the search.
        let cancelled = Collector()
        Loads.perform(Loads.job(.search(ref, "too"), h.s), post: { cancelled.post($0) }, isCancelled: { true })
        #expect(cancelled.take().isEmpty)
        h.press(.escape, .escape)
        #expect(TraceScreen.view(h.s.route) == nil)
        guard case .fail(.searched(_, "too", nil)) = Loads.job(.search(ref, "too"), h.s) else { Issue.record("nothing to search"); return }
    }

    @Test func zoomPanAndAxis() {
        var h = trace("7f3c2a10", "search_release")
        h.selectSpan("WebSearchTool")
        h.press(.char("+"), .char("+"))
        #expect(view(h).zoom == 4)
        #expect(view(h).pan > 0)
        h.press(.char("L"), .char("L"), .char("L"), .char("L"), .char("L"))
        #expect(view(h).pan <= 1 - 1 / view(h).zoom + 1e-9, "pan stops at the end")
        h.press(.char("0"))
        #expect(view(h).zoom == 1 && view(h).pan == 0)
        h.press(.char("x"))
        #expect(view(h).axis == .cost)
        #expect(h.text.contains("│$0"), "the cost axis has dollar ticks")
    }

    @Test func pagerGetsTheSpanDetails() {
        var h = trace("7f3c2a10", "search_release")
        h.selectSpan("completion")
        h.press(.char("o"))
        #expect(h.pages.count == 1)
        #expect(h.pages[0].contains("Input messages") && h.pages[0].contains("Find the release year"))
    }

    @Test func gapsCollapseOnTheTimeAxis() {
        // Two leaf calls 60 s apart under one root.
        let spans: [JSON] = [
            spanJSON("r", nil, "root", 0, 62_000),
            spanJSON("a", "r", "llm-1", 0, 1_000, attrs: [("llm.token_count.total", .int(10))]),
            spanJSON("b", "r", "llm-2", 61_000, 62_000, attrs: [("llm.token_count.total", .int(10))]),
        ]
        let wf = Waterfall(TraceAnalysis(Trace(json: JSONObject([("trace_id", "t"), ("spans", .array(spans))]))))
        #expect(wf.gaps.count == 1 && abs(wf.gaps[0].ms - 60_000) < 1)
        var v = TraceView(ref: TraceRef(runKey: "k", traceID: "t"), label: "t")
        let m = TraceScreen.AxisMap(wf, v, width: 100)
        // The active second is spread over most of the width; the gap takes two cells.
        #expect(abs(m.x(ns: m.start + 1_000_000_000) - 49) < 1.5)
        #expect(abs(m.x(ns: m.start + 61_000_000_000) - 51) < 1.5)
        v.collapseGaps = false
        let full = TraceScreen.AxisMap(wf, v, width: 100)
        #expect(full.x(ns: full.start + 1_000_000_000) < 2)
    }
}

@Suite struct ThemeAndSafetyTests {
    @Test func everyThemeFileParsesAndColourThemesDefineEveryRole() throws {
        let dir = packageRoot.appendingPathComponent("Themes")
        for name in ["default", "light", "high-contrast", "mono", "tracemind"] {
            let text = try String(contentsOf: dir.appendingPathComponent(name + ".toml"), encoding: .utf8)
            let t = try Theme.builtin(name)
            let parsed = try Theme.parse(text, fallbackName: name)
            #expect(parsed.name == name)
            if name != "mono" {
                let missing = Role.allCases.filter { t.styles[$0] == nil }
                #expect(missing.isEmpty, "\(name) lacks \(missing)")
            }
        }
    }

    @Test func monoKeepsMeaningInAttributesAndGlyphs() throws {
        let mono = try Theme.builtin("mono")
        for role: Role in [.selected, .header, .fail, .error, .critical, .costPath, .match, .best, .worse, .recorded, .keyHint] {
            #expect(!mono.style(role).attrs.isEmpty, "\(role) must carry an attribute in mono")
            #expect(mono.style(role).fg == .default && mono.style(role).bg == .default)
        }
        var h = Harness(width: 160, height: 48, theme: mono)
        #expect(h.buffer[5, 2].style.attrs.contains(.reverse), "the selected row is reversed")
        h.openRun("7f3c2a10")
        h.openTrace("search_release")
        #expect(h.text.contains("●") && h.text.contains("$"), "critical paths are marked by glyphs, not only colour")
    }

    @Test func themeResolution() throws {
        let dir = tempDir()
        defer { removeTemp(dir) }
        write("name = \"mine\"\n[roles.title]\nfg = \"#ff0000\"\n", to: dir + "/tracemind/themes/mine.toml")
        let env = ["XDG_CONFIG_HOME": dir]
        let (user, p1) = Theme.resolve("mine", environment: env)
        #expect(p1 == nil && user.name == "mine" && user.style(.title).fg == .rgb(255, 0, 0))
        #expect(user.style(.selected) == Theme.builtinDefault.style(.selected), "missing roles come from the default")
        let (fromEnv, _) = Theme.resolve(nil, environment: ["TRACEMIND_THEME": "light"])
        #expect(fromEnv.name == "light")
        write("[roles.title\nfg=", to: dir + "/broken.toml")
        let (broken, p2) = Theme.resolve(dir + "/broken.toml", environment: env)
        #expect(broken.name == "default" && p2?.contains("broken.toml") == true && p2?.contains("invalid TOML") == true)
        let (_, p3) = Theme.resolve("nope", environment: env)
        #expect(p3?.contains("unknown theme 'nope'") == true)
        #expect(Theme.available(environment: env).contains("mine (user)"))
    }

    @Test func hostileTextIsInertOnEveryScreen() {
        var o = DemoOptions()
        o.hostileText = true
        var h = Harness(DemoData.catalog(options: o), width: 160, height: 48)
        func clean(_ t: String) -> Bool {
            !t.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x9B || ($0.value < 0x20 && $0 != "\n") }
        }
        h.openRun("b1d2e3f4")
        h.press(.char("2"))
        #expect(clean(h.text))
        h.press(.enter)
        #expect(clean(h.text) && h.text.contains("\u{FFFD}[31m"), "escape sequences in the prompt are drawn as the replacement character")
        h.press(.escape, .char("d"))
        #expect(clean(h.text))
        // Every cell holds a sanitised grapheme: nothing a terminal would interpret.
        #expect(h.buffer.cells.allSatisfy { clean($0.symbol) })
    }
}

/// A span for synthetic traces (times in ms).
func spanJSON(_ id: String, _ parent: String?, _ name: String, _ startMs: Int64, _ endMs: Int64, attrs: [(String, JSON)] = []) -> JSON {
    .obj([
        ("trace_id", "t"), ("span_id", .string(id)), ("parent_span_id", .from(parent)), ("name", .string(name)),
        ("start_time", .int(1_700_000_000_000_000_000 + startMs * 1_000_000)), ("end_time", .int(1_700_000_000_000_000_000 + endMs * 1_000_000)),
        ("attributes", .obj(attrs)), ("status", .obj([("code", "UNSET")])),
    ])
}


/// `y` copies the selected item's id on every screen: the run, the test, the span.
@Suite struct CopyIDTests {
    @Test func yCopiesWhatIsSelected() throws {
        var h = Harness(width: 160, height: 48)
        h.press(.char("j"), .char("y"))
        let run = h.s.visibleRuns[1]
        #expect(h.copied.last == (run.row.runID ?? run.key))
        #expect(h.s.message?.contains("copied the run id") == true, "\(h.s.message ?? "")")
        h.openRun("b1d2e3f4")
        h.press(.char("2"), .char("j"), .char("y"))
        guard case .run(let v) = h.s.route, let a = h.s.analysis(v.key) else { Issue.record("run open"); return }
        #expect(h.copied.last == RunScreen.visibleTests(v, a)[1].taskID)
        h.openRun("7f3c2a10")
        h.openTrace("search_release")
        h.selectSpan("WebSearchTool")
        h.press(.char("y"))
        guard case .trace(let tv) = h.s.route, let wf = h.s.traces[tv.ref]?.value, let sel = tv.selectedSpan else { Issue.record("trace open"); return }
        #expect(h.copied.last == wf.analysis.trace.spans[sel].spanID && wf.analysis.trace.spans[sel].name == "WebSearchTool")
        #expect(h.copied.count == 3)
    }
}

/// `w` writes the view as its report, by the name's extension, never into a data folder nor over a file.
@Suite struct ExportTests {
    @Test func wAsksForANameAndHandsTheViewsReportToTheRunner() throws {
        var h = Harness(width: 160, height: 48)
        h.press(.char("w"))
        #expect(h.text.contains(" write to "), "the footer asks for the file name")
        h.type("runs.csv")
        h.press(.enter)
        let (name, text) = try #require(h.exported.last)
        #expect(name == "runs.csv")
        #expect(text == Reports.leaderboard(h.s.visibleRuns, format: .csv, corrected: h.s.totals, ranks: h.s.ranks), "the CLI's report of the rows shown")
        h.press(.char("w"))
        h.type("runs.xlsx")
        h.press(.enter)
        #expect(h.exported.count == 1 && h.s.message?.contains(".txt, .md, .csv or .json") == true)
        h.openRun("b1d2e3f4")
        h.press(.char("w"))
        h.type("run.md")
        h.press(.enter)
        guard case .run(let v) = h.s.route, let a = h.s.analysis(v.key) else { Issue.record("run open"); return }
        #expect(h.exported.last?.1 == Reports.run(a, format: .markdown))
        h.openRun("7f3c2a10")
        h.openTrace("search_release")
        h.press(.char("w"))
        h.type("trace.csv")
        h.press(.enter)
        #expect(h.exported.count == 2 && h.s.message == "a trace is written as .json or .txt")
        h.press(.char("w"))
        h.type("trace.json")
        h.press(.enter)
        let json = try #require(h.exported.last?.1)
        #expect((try? JSONParser.parse(Data(json.utf8))) != nil && json.contains("\"spans\""))
        // Esc cancels without writing.
        h.press(.char("w"))
        h.type("x.txt")
        h.press(.escape)
        #expect(h.exported.count == 3 && h.s.overlay == nil)
    }

    @Test func writingRefusesDataFoldersAndExistingFiles() throws {
        let dir = tempDir()
        defer { removeTemp(dir) }
        let data = dir + "/smoltrace_results"
        write("{}", to: data + "/run1/leaderboard_row.json")
        write("x", to: dir + "/taken.txt")
        let inside = Export.write("smoltrace_results/run1/out.txt", "hello", sources: [data], cwd: dir, home: nil)
        #expect(inside.hasPrefix("not written") && inside.contains("data folder"), "\(inside)")
        #expect(!FileManager.default.fileExists(atPath: data + "/run1/out.txt"))
        let fromFile = Export.write(data + "/run1/x.md", "hello", sources: [data + "/run1/leaderboard_row.json"], cwd: "/", home: nil)
        #expect(fromFile.contains("data folder"), "a source file's folder is a data folder too: \(fromFile)")
        let taken = Export.write("taken.txt", "hello", sources: [data], cwd: dir, home: nil)
        #expect(taken.contains("exists"), "\(taken)")
        #expect((try? String(contentsOfFile: dir + "/taken.txt", encoding: .utf8)) == "x", "an existing file is never overwritten")
        let ok = Export.write("~/report.md", "# hello\n", sources: [data], cwd: "/", home: dir)
        #expect(ok.hasPrefix("wrote ") && (try? String(contentsOfFile: dir + "/report.md", encoding: .utf8)) == "# hello\n", "\(ok)")
        let missing = Export.write(dir + "/no/such/folder/r.md", "x", sources: [], cwd: "/", home: nil)
        #expect(missing.hasPrefix("not written: no folder"))
    }
}

/// `tracemind card`: the leaderboard's first places with medals, their figures from the registry, the totals.
@Suite struct SummaryCardTests {
    @Test func theCardListsTheLeaderboardsFirstPlaces() throws {
        let h = Harness(width: 160, height: 48)
        let runs = h.s.catalog.runs, totals = h.s.totals
        let ranks = LeaderboardFigures.ranks(runs, totals, mode: .countedOnce)
        let top = Reports.cardRuns(runs, totals: totals, mode: .countedOnce, top: 3)
        #expect(top.map(\.place) == [1, 2, 3])
        #expect(top.map(\.entry.key) == ranks.sorted { $0.value < $1.value }.prefix(3).map(\.key), "the leaderboard's places, not another order")
        let text = Reports.card(runs, totals: totals, mode: .countedOnce, top: 3, madeAt: "2026-12-02T08:00:00Z", format: .table)
        #expect(text.contains("1 gold") && text.contains("2 silver") && text.contains("3 bronze") && !text.contains("4 "))
        let first = top[0].entry
        let cost = LeaderboardFigures.cost(first.row, totals[first.key], .countedOnce)
        #expect(text.contains(Format.atLeast(Format.usd(cost.value!), cost.lowerBound)), "the first run's cost as the registry has it")
        let sum = LeaderboardSummary(runs, total: runs.count, totals: totals, mode: .countedOnce)
        #expect(text.contains("All \(runs.count) runs: mean success \(Format.percent(sum.meanSuccess))"))
        #expect(text.contains("Made 2026-12-02T08:00:00Z."))
        let md = Reports.card(runs, totals: totals, mode: .countedOnce, top: 2, madeAt: "t", format: .markdown)
        #expect(md.contains("| 1 🥇 gold |") && md.hasPrefix("## TraceMind summary card"))
        let json = try JSONParser.parse(Data(Reports.card(runs, totals: totals, mode: .countedOnce, top: 3, madeAt: "t", format: .json).utf8))
        #expect(json["top"]?.arrayValue?.count == 3 && json["top"]?.arrayValue?.first?["medal"]?.stringValue == "gold")
        #expect(json["totals"]?["runs"] == .int(Int64(runs.count)))
        let csv = Reports.card(runs, totals: totals, mode: .countedOnce, top: 3, madeAt: "t", format: .csv)
        #expect(csv.hasPrefix("place,medal,run_id,model") && csv.split(separator: "\n").count == 4, "CSV: the top runs' records, as the JSON's\n\(csv)")
        // Unknown is never 0: a run without traces has no counted cost, and the totals say they are a lower bound.
        #expect(json["totals"]?["cost_lower_bound"] == .bool(sum.cost.lowerBound))
    }
}
