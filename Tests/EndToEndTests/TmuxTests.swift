import Foundation
import TestSupport
import Testing

/// Runs the real binary in tmux, drives it with keys and reads the screen. Skips when tmux or the binary is missing.
@Suite(.serialized) struct TmuxTests {
    /// Starts the browser, checks the leaderboard shows, runs `checks`, quits with `q`, and checks the terminal was
    /// restored (the alternate screen left, exit status 0).
    func drive(_ args: String, width: Int = 100, height: Int = 30, checks: (TmuxSession) -> Void) {
        guard TmuxSession.available, let bin = tracemindBinary else { return }
        let t = TmuxSession(command: "\(TmuxSession.quote(bin)) \(args)", width: width, height: height)
        defer { t.close() }
        let first = t.waitFor(" runs")
        #expect(first.contains("TraceMind"), "leaderboard shown:\n\(first)")
        checks(t)
        t.send("q")
        let after = t.waitFor("EXITED")
        #expect(after.contains("EXITED rc=0"), "clean exit:\n\(after)")
        #expect(!after.contains("TraceMind"), "the alternate screen was left:\n\(after)")
    }

    @Test func demoDataLeaderboardToRunDetail() {
        drive("--demo") { t in
            t.send("Enter")
            let run = t.waitFor("Overview")
            #expect(run.contains("counted once"), "\(run)")
            t.send("2")
            #expect(t.waitFor("task").contains("agent"))
            t.send("?")
            #expect(t.waitFor("Keys").contains("quit"))
            t.send("Escape", "Escape")
            #expect(t.waitFor("Leaderboard").contains("runs"))
        }
    }

    @Test func sharedDataOpensAndFilters() {
        guard let shared = sharedData() else { return }
        drive(TmuxSession.quote(shared)) { t in
            #expect(t.waitFor("o3-mini").contains("6 of 6 runs"))
            t.send("/")
            t.type("gpt-4o")
            t.send("Enter")
            let s = t.waitFor("2 of 6")
            #expect(s.contains("2 of 6 runs"), "\(s)")
        }
    }

    @Test func ctrlCRestoresTheTerminal() {
        guard TmuxSession.available, let bin = tracemindBinary else { return }
        let t = TmuxSession(command: "\(TmuxSession.quote(bin)) --demo")
        defer { t.close() }
        t.waitFor(" runs")
        t.send("C-c")
        let after = t.waitFor("EXITED")
        #expect(after.contains("EXITED rc="), "\(after)")
        #expect(!after.contains("Leaderboard"))
    }

    @Test func notATerminalPointsAtReports() {
        guard let bin = tracemindBinary else { return }
        let r = Subprocess.shell("\(TmuxSession.quote(bin)) --demo </dev/null | cat", mergeStderr: true)
        #expect(r.output.contains("report commands"), "\(r.output)")
        let dumb = Subprocess.shell("TERM=dumb \(TmuxSession.quote(bin)) --demo", mergeStderr: true)
        #expect(dumb.status == 1)
    }

    @Test func reportExitStatus() {
        guard let bin = tracemindBinary else { return }
        let q = TmuxSession.quote(bin)
        #expect(Subprocess.shell("\(q) run --run nope --demo -q").status == 1)
        let json = Subprocess.shell("\(q) run --run 7f3c2a10 --demo -q -f json").output
        #expect(json.contains("\"recorded_total_tokens\"") && json.contains("\"wall_ms_p95\""))
    }
}
