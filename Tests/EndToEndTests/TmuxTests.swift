import Foundation
import Testing

/// Runs the real binary in tmux, drives it with keys and reads the screen. Skips when tmux is missing.
@Suite(.serialized) struct TmuxTests {
    static var binary: String? {
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        for _ in 0..<4 {
            let c = dir.appendingPathComponent("tracemind").path
            if FileManager.default.isExecutableFile(atPath: c) { return c }
            dir = dir.deletingLastPathComponent()
        }
        let pkg = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let p = pkg.appendingPathComponent(".build/debug/tracemind").path
        return FileManager.default.isExecutableFile(atPath: p) ? p : nil
    }

    static var hasTmux: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") }

    @discardableResult
    func sh(_ cmd: String) -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", cmd]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try! p.run()
        p.waitUntilExit()
        return String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    func waitFor(_ session: String, _ text: String, seconds: Double = 10) -> String {
        let end = Date().addingTimeInterval(seconds)
        var screen = ""
        while Date() < end {
            screen = sh("tmux capture-pane -p -t \(session)")
            if screen.contains(text) { return screen }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return screen
    }

    func drive(args: String, checks: (String) -> Void) {
        guard Self.hasTmux, let bin = Self.binary else { return }
        let session = "tm\(getpid())\(Int.random(in: 0..<100000))"
        sh("tmux new-session -d -x 100 -y 30 -s \(session) 'TERM=xterm-256color \(bin) \(args); echo EXITED rc=$?; sleep 5'")
        defer { sh("tmux kill-session -t \(session)") }
        let first = waitFor(session, "runs")
        #expect(first.contains("TraceMind"), "leaderboard shown: \(first)")
        checks(session)
        sh("tmux send-keys -t \(session) q")
        let after = waitFor(session, "EXITED")
        #expect(after.contains("EXITED rc=0"))
        #expect(!after.contains("TraceMind"), "the alternate screen was left")
    }

    @Test func demoDataLeaderboardToRunDetail() {
        drive(args: "--demo") { s in
            sh("tmux send-keys -t \(s) Enter")
            let run = waitFor(s, "Overview")
            #expect(run.contains("counted once"))
            sh("tmux send-keys -t \(s) 2")
            #expect(waitFor(s, "task").contains("tests"))
            sh("tmux send-keys -t \(s) Escape ?")
            #expect(waitFor(s, "Keys").contains("quit"))
            sh("tmux send-keys -t \(s) Escape")
        }
    }

    @Test func sharedDataOpens() {
        let shared = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/data").path
        guard FileManager.default.fileExists(atPath: shared) else { return }
        drive(args: "'\(shared)'") { s in
            #expect(waitFor(s, "o3-mini").contains("6 of 6 runs"))
            sh("tmux send-keys -t \(s) / g p t - 4 o Enter")
            #expect(waitFor(s, "2 of 6").contains("gpt-4o"))
        }
    }

    @Test func notATerminalPointsAtReports() {
        guard let bin = Self.binary else { return }
        let out = sh("'\(bin)' --demo </dev/null 2>&1 | cat; echo rc=$?")
        #expect(out.contains("report commands"))
    }

    @Test func reportExitStatus() {
        guard let bin = Self.binary else { return }
        #expect(sh("'\(bin)' run --run nope --demo -q >/dev/null 2>&1; echo $?").hasPrefix("1"))
        let json = sh("'\(bin)' run --run 7f3c2a10 --demo -q -f json")
        #expect(json.contains("\"recorded_total_tokens\"") && json.contains("\"wall_ms_p95\""))
    }
}
