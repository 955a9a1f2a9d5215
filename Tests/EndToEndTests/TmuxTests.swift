import Foundation
import TestSupport
import Testing
import TraceMindDemo
import TraceMindFormats
import TraceMindModel

/// Runs the real binary in tmux, drives it with keys and reads the screen. Skips when tmux or the binary is missing.
@Suite(.serialized, .enabled(if: TmuxSession.available && tracemindBinary != nil, "needs tmux and the built binary")) struct TmuxTests {
    /// Starts the browser, waits for `ready`, runs `checks`, quits with `q`, and checks the terminal was restored
    /// (the alternate screen left, exit status 0).
    func drive(_ args: String, ready: String = " runs", width: Int = 100, height: Int = 30, checks: (TmuxSession) -> Void) {
        guard let bin = tracemindBinary else {
            Issue.record("the binary went missing")
            return
        }
        let t = TmuxSession(command: "\(TmuxSession.quote(bin)) \(args)", width: width, height: height)
        defer { t.close() }
        let first = t.waitFor(ready, seconds: 20)
        #expect(first.contains(ready), "\(ready) shown:\n\(first)")
        checks(t)
        t.send("q")
        let after = t.waitFor("EXITED")
        #expect(after.contains("EXITED rc=0"), "clean exit:\n\(after)")
        #expect(!after.contains("TraceMind"), "the alternate screen was left:\n\(after)")
    }

    /// Issue 16: after `r` the counted-once columns turned to `…` for good (the background analysis did not restart).
    @Test func reloadAnalysesTheRunsAgain() {
        let dir = tempDir()
        defer { removeTemp(dir) }
        for (p, d) in DemoGenerator().files() { write(d, to: dir + "/" + p) }
        drive(TmuxSession.quote(dir) + " --no-cache", ready: "4 analysed", width: 160, height: 30) { t in
            let before = t.screen()
            #expect(before.contains("$0.0"), "counted-once costs shown:\n\(before)")
            t.send("r")
            #expect(t.waitFor("reloaded").contains("reloaded 5 runs"))
            let after = t.waitFor("4 analysed", seconds: 20)
            #expect(after.contains("4 analysed") && after.contains("$0.0"), "analysed again after the reload:\n\(after)")
        }
    }

    /// Issue 18: `T` on the leaderboard of a week of runs draws the trends once they are analysed; `2` the flaky tests.
    @Test func trendsAndFlakyTestsInTheRealBinary() {
        let dir = tempDir()
        defer { removeTemp(dir) }
        var o = DemoOptions()
        o.includeFixedRuns = false
        o.historyRuns = 21
        for (p, d) in DemoGenerator(options: o).files() { write(d, to: dir + "/" + p) }
        drive(TmuxSession.quote(dir) + " --no-cache", ready: "21 of 21 runs", width: 120, height: 40) { t in
            t.send("T")
            let trends = t.waitFor("▼ regression", seconds: 30)
            #expect(trends.contains("success % by model, counted once · 21 runs on 3 lines") && trends.contains("▼ regression"), "\(trends)")
            #expect(trends.contains("┤") && trends.contains("● claude-haiku"), "axes and legend:\n\(trends)")
            t.send("2")
            let flaky = t.waitFor("outcomes, oldest first")
            #expect(flaky.contains("tests flaky"), "\(flaky)")
        }
    }

    /// Issue 18: with `--watch`, a run folder written while the browser is open appears without a key.
    @Test func aNewRunAppearsWhileWatching() {
        let dir = tempDir()
        defer { removeTemp(dir) }
        var o = DemoOptions()
        o.includeFixedRuns = false
        o.historyRuns = 2
        let files = DemoGenerator(options: o).files()
        let first = files.keys.filter { $0.contains("gpt-4o-mini") }
        for p in first { write(files[p]!, to: dir + "/" + p) }
        drive(TmuxSession.quote(dir) + " --watch", ready: "1 of 1 run", width: 140, height: 24) { t in
            #expect(t.waitFor("◉ watching").contains("◉ watching"))
            // SMOLTRACE writes a run folder, file by file.
            for (p, d) in files where !first.contains(p) { write(d, to: dir + "/" + p) }
            let s = t.waitFor("2 of 2 runs", seconds: 15)
            #expect(s.contains("2 of 2 runs") && s.contains("claude-haiku"), "the new run appeared:\n\(s)")
        }
    }

    /// Issue 16: `--trace ID` kept saying "looking for trace ID…" once the trace was on screen.
    @Test func openingATraceByIDClearsItsNote() {
        let id = DemoData.catalog().runs.lazy.compactMap { RunLoader.load($0).traces.first?.traceID }.first!
        drive("--demo --trace \(id)", ready: "test_evaluation") { t in
            let s = t.waitFor("test_evaluation")
            #expect(!s.contains("looking for trace"), "\(s)")
        }
    }

    /// Issue 16: a resized terminal is redrawn at its new size, smaller and larger, on every screen.
    @Test func resizeRedrawsAtTheNewSize() {
        drive("--demo", ready: "5 of 5 runs", width: 100, height: 30) { t in
            t.resize(width: 80, height: 24)
            let small = t.waitFor { $0.split(separator: "\n", omittingEmptySubsequences: false).count <= 25 && $0.contains("5 of 5 runs") }
            let lines = small.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.count <= 25 && lines.allSatisfy { $0.count <= 80 }, "drawn at 80×24:\n\(small)")
            t.send("Enter")
            #expect(t.waitFor("Overview").contains("Overview"))
            t.resize(width: 200, height: 50)
            let big = t.waitFor { $0.split(separator: "\n").contains { $0.count > 150 } }
            #expect(big.split(separator: "\n").contains { $0.count > 150 }, "drawn at 200 columns:\n\(big)")
            #expect(big.contains("Overview"), "the same screen after the resize")
            t.send("Escape")
            #expect(t.waitFor("5 of 5 runs").contains("tok·rec"), "the leaderboard uses the width")
        }
    }

    /// A terminal's answer to the start-up background query that arrives late (a slow link) is dropped whole: not
    /// read as Escape (back) and keys (`r` reloads, `g` goes to the top).
    @Test func aLateTerminalReplyIsNotReadAsKeys() {
        drive("--demo") { t in
            t.send("Enter")
            #expect(t.waitFor("counted once").contains("Overview"))
            t.type("\u{1b}]11;rgb:ffff/ffff/ffff\u{1b}\\")
            t.type("\u{1b}[?64;1;2;6;22c")
            t.send("2")
            let after = t.waitFor("weather_paris")
            #expect(after.contains("agent outcome") && after.contains("›"), "still in the run, on its tests tab:\n\(after)")
            #expect(!after.contains("reload"), "no reload was asked for:\n\(after)")
        }
    }

    /// `y` puts the selected id on the clipboard with OSC 52: tmux, told to accept it, holds it in its buffer.
    @Test func yCopiesTheSelectedIDToTheClipboard() {
        drive("--demo") { t in
            t.acceptClipboard()
            t.send("y")
            #expect(t.waitFor("copied the run id").contains("OSC 52"))
            var id = ""
            for _ in 0..<50 where id.isEmpty {
                id = t.clipboard()
                if id.isEmpty { usleep(100_000) }
            }
            #expect(!id.isEmpty && t.screen().contains(String(id.prefix(8))), "the clipboard holds the selected run's id: '\(id)'")
        }
    }

    @Test func demoLeaderboardRunAndTrace() {
        drive("--demo") { t in
            #expect(t.screen().contains("5 of 5 runs"))
            t.send("Enter")
            #expect(t.waitFor("counted once").contains("Overview"))
            t.send("2")
            #expect(t.waitFor("weather_paris").contains("agent outcome"), "the tests tab (wait for a row: a capture can land mid-frame)")
            t.send("Enter")
            let trace = t.waitFor("test_evaluation")
            #expect(trace.contains("duration") && trace.contains("ToolCallingAgent.run"), "the waterfall:\n\(trace)")
            #expect(trace.contains("Leaderboard › gpt-4o · tool › weather_paris"), "the breadcrumb:\n\(trace)")
            t.send("?")
            #expect(t.waitFor("Keys — trace").contains("next error"))
            // One Esc at a time: two in the same instant read as one escape sequence, as in any terminal.
            t.send("Escape")
            t.waitFor { !$0.contains("Keys — trace") }
            t.send("Escape")
            #expect(t.waitFor { !$0.contains("test_evaluation") }.contains("1 Overview"))
            t.send("Escape")
            #expect(t.waitFor { !$0.contains("›") }.contains("5 of 5 runs"))
        }
    }

    /// SMOLTRACE's Hub push (Parquet) of the current runs beside the oldest era's JSON folders.
    @Test(.enabled(if: sharedData("smoltrace-0.2.12/hub") != nil && sharedData("smoltrace-0.1") != nil, "needs ../shared/data")) func sharedDataFilterAndComparison() throws {
        let hub = try #require(sharedData("smoltrace-0.2.12/hub"))
        let old = try #require(sharedData("smoltrace-0.1"))
        drive(TmuxSession.quote(hub) + " " + TmuxSession.quote(old)) { t in
            #expect(t.waitFor("o3-mini").contains("6 of 6 runs"))
            t.send("/")
            t.type("gpt-4")
            t.send("Enter")
            #expect(t.waitFor("3 of 6").contains("3 of 6 runs"))
            // Mark the first two (gpt-4o-mini and gpt-4.1-nano) and compare.
            t.send("Space", "Space", "c")
            let summary = t.waitFor("Summary")
            #expect(summary.contains("success rate") && summary.contains("baseline"), "\(summary)")
            t.send("2", "f")
            let flipped = t.waitFor("⇄")
            #expect(flipped.contains("⇄"), "a flipped test is shown:\n\(flipped)")
            t.send("Enter")
            #expect(t.waitFor("test_evaluation", seconds: 15).contains("span"))
        }
    }

    /// The trace is read from its row of the Hub traces Parquet.
    @Test(.enabled(if: sharedData("smoltrace-0.2.12/hub") != nil, "needs ../shared/data")) func traceOpensDirectly() throws {
        let shared = try #require(sharedData("smoltrace-0.2.12/hub"))
        drive("--trace 25d7f2e0 \(TmuxSession.quote(shared))", ready: "test_evaluation") { t in
            let s = t.screen()
            #expect(s.contains("time_000") && s.contains("openai.cha"))
            #expect(s.contains("recorded by SMOLTRACE: 7,869 tok"), "\(s)")
            t.send("e")
            t.send("x")
            #expect(t.waitFor("cumulative cost").contains("│$0"))
        }
    }

    @Test(.enabled(if: sharedData("smoltrace-0.2.12/json") != nil, "needs ../shared/data")) func compareOpensDirectly() throws {
        let shared = try #require(sharedData("smoltrace-0.2.12/json"))
        drive("--compare 44044557,db753dae \(TmuxSession.quote(shared))", ready: "Summary") { t in
            #expect(t.screen().contains("cost (counted once)"))
            t.send("2", "t")
            #expect(t.waitFor("steps", seconds: 15).contains("Trajectories"))
        }
    }

    @Test func resizeRedraws() {
        drive("--demo", width: 100, height: 30) { t in
            t.resize(width: 60, height: 15)
            let s = t.waitFor { $0.split(separator: "\n").first?.count ?? 0 <= 60 && $0.contains("runs") }
            #expect(s.contains("5 of 5 runs"), "\(s)")
        }
    }

    @Test(.enabled(if: TmuxSession.available && tracemindBinary != nil, "needs tmux and the built binary")) func ctrlCRestoresTheTerminal() throws {
        let bin = try #require(tracemindBinary)
        let t = TmuxSession(command: "\(TmuxSession.quote(bin)) --demo")
        defer { t.close() }
        t.waitFor(" runs")
        t.send("C-c")
        let after = t.waitFor("EXITED")
        #expect(after.contains("EXITED rc=0"), "\(after)")
        #expect(!after.contains("Leaderboard"))
    }

    @Test(.enabled(if: TmuxSession.available && tracemindBinary != nil, "needs tmux and the built binary")) func sigtermRestoresTheTerminal() throws {
        let bin = try #require(tracemindBinary)
        let t = TmuxSession(command: "\(TmuxSession.quote(bin)) --demo")
        defer { t.close() }
        t.waitFor(" runs")
        // The process this test started, by its id (never a pattern that could match another).
        let pid = try #require(t.programPID())
        kill(pid, SIGTERM)
        let after = t.waitFor("EXITED")
        #expect(after.contains("EXITED"), "\(after)")
        #expect(!after.contains("Leaderboard"), "\(after)")
    }

    @Test(.enabled(if: tracemindBinary != nil, "needs the built tracemind binary")) func notATerminalPointsAtReports() throws {
        let bin = try #require(tracemindBinary)
        let r = Subprocess.shell("\(TmuxSession.quote(bin)) --demo </dev/null | cat", mergeStderr: true)
        #expect(r.output.contains("report commands"), "\(r.output)")
        let dumb = Subprocess.shell("TERM=dumb \(TmuxSession.quote(bin)) --demo", mergeStderr: true)
        #expect(dumb.status == 1 && dumb.output.contains("TERM=dumb"))
    }

    @Test(.enabled(if: tracemindBinary != nil, "needs the built tracemind binary")) func reportExitStatus() throws {
        let bin = try #require(tracemindBinary)
        let q = TmuxSession.quote(bin)
        let missing = Subprocess.shell("\(q) run --run nope --demo -q", mergeStderr: true)
        #expect(missing.status == 1 && missing.output.contains("no run matches 'nope'"))
        let json = Subprocess.shell("\(q) run --run 7f3c2a10 --demo -q -f json").output
        #expect(json.contains("\"recorded_total_tokens\"") && json.contains("\"wall_ms_p95\""))
    }
}
