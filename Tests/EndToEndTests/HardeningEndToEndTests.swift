import Foundation
import TestSupport
import Testing
import TraceMindDemo
import TraceMindFixtures
import TraceMindFormats
import TraceMindModel

#if canImport(Glibc)
    import Glibc
#endif

/// The real binary against files that change under it, hostile text, junk files and signals.
@Suite(.serialized) struct HardeningEndToEndTests {
    static var binary: String? { tracemindBinary }
    static var haveBinary: Bool { binary != nil }
    static var haveTmux: Bool { TmuxSession.available && binary != nil }

    /// The demo runs as folders, optionally with `edit` applied to each file's text.
    func demoFolder(_ edit: (String, String) -> String = { _, t in t }) -> String {
        let dir = tempDir()
        for (p, d) in DemoGenerator().files() {
            write(Data(edit(p, String(decoding: d, as: UTF8.self)).utf8), to: dir + "/" + p)
        }
        return dir + "/smoltrace_results"
    }

    static func q(_ s: String) -> String { TmuxSession.quote(s) }

    /// Bytes that must never reach a terminal: C0 controls other than line feed and tab, DEL, C1 controls, and the
    /// bidi and line-breaking characters.
    static func rawControls(_ s: String) -> [String] {
        var found: [String] = []
        for u in s.unicodeScalars {
            let v = u.value
            let bad = (v < 0x20 && v != 0x0A && v != 0x09) || (0x7F...0x9F).contains(v) || v == 0x061C || v == 0x200E || v == 0x200F
                || (0x2028...0x202E).contains(v) || (0x2066...0x2069).contains(v)
            if bad { found.append(String(format: "U+%04X", v)) }
        }
        return found
    }

    // MARK: 1. A file that shrinks while it is read

    @Test(.enabled(if: haveBinary)) func aTracesFileTruncatedWhileReadIsAWarningNeverASignal() throws {
        let bin = try #require(Self.binary)
        var options = DemoOptions()
        options.includeFixedRuns = false
        options.extraRuns = 1
        options.testsPerExtraRun = 120
        options.stepsPerTest = 6
        let files = DemoGenerator(options: options).files()
        let dir = tempDir()
        defer { removeTemp(dir) }
        var runDir = ""
        for (p, d) in files {
            write(d, to: dir + "/" + p)
            if p.hasSuffix("traces.json") { runDir = dir + "/" + parentOf(p) }
        }
        let traces = runDir + "/traces.json"
        let original = try Data(contentsOf: URL(fileURLWithPath: traces))
        #expect(original.count > 2_000_000, "a traces file large enough to be read while it changes: \(original.count)")
        var crashes: [Int32] = []
        for attempt in 0..<8 {
            try original.write(to: URL(fileURLWithPath: traces))
            let delayMs = [0, 2, 5, 10, 20, 30, 1, 15][attempt]
            let r = Subprocess.shell(
                "\(Self.q(bin)) run --run \(Self.q(nameOf(runDir))) \(Self.q(dir)) -f json >/dev/null 2>\(Self.q(dir + "/err")) & "
                    + "p=$!; sleep 0.\(String(format: "%03d", delayMs)); truncate -s 100 \(Self.q(traces)); wait $p; echo rc=$?",
                timeout: 60)
            let rc = Int32(r.output.split(separator: "=").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? "") ?? -1
            if rc > 128 { crashes.append(rc) }
            let err = (try? String(contentsOfFile: dir + "/err", encoding: .utf8)) ?? ""
            if rc != 0 { #expect(err.contains("traces.json"), "a failure names the file: \(err)") }
        }
        #expect(crashes.isEmpty, "exit statuses of processes killed by a signal: \(crashes)")
    }

    @Test(.enabled(if: haveBinary)) func aFIFOIsNotARegularFile() throws {
        let bin = try #require(Self.binary)
        let runs = demoFolder()
        defer { removeTemp(parentOf(runs)) }
        let run = runs + "/openai_gpt-4o_tool_20261102_090000"
        try FileManager.default.removeItem(atPath: run + "/traces.json")
        #expect(mkfifo(run + "/traces.json", 0o600) == 0)
        let r = Subprocess.shell("\(Self.q(bin)) run --run 7f3c \(Self.q(runs)) 2>&1", timeout: 20)
        #expect(!r.timedOut, "a FIFO never blocks the reader")
        #expect(r.output.contains("traces.json: not a regular file (a FIFO)"), "\(r.output)")
        #expect(!r.output.contains("permission"), "\(r.output)")
    }

    // MARK: 2, 3. Hostile text in every output; CSV injection

    static let hostileModel = #"openai/x\u001b]0;PWNED\u0007\u001b[2J\u0000\b\r\u009b31m\u202e\u2066evil"#

    func hostileRuns() -> String {
        demoFolder { path, text in
            var t = text
            if path.hasSuffix("leaderboard_row.json") || path.hasSuffix("results.json") {
                t = t.replacingOccurrences(of: "\"openai/gpt-4o\"", with: "\"\(Self.hostileModel)\"")
            }
            if path.contains("openai_gpt-4o_tool") {
                t = t.replacingOccurrences(of: "weather_paris", with: "=cmd|' /C calc'!A0")
                    .replacingOccurrences(of: "\"submitted_by\": \"", with: "\"submitted_by\": \"@SUM(A1)")
            }
            return t
        }
    }

    @Test(.enabled(if: haveBinary)) func noOutputFormatOfAnyCommandWritesARawControl() throws {
        let bin = try #require(Self.binary)
        let runs = hostileRuns()
        defer { removeTemp(parentOf(runs)) }
        let src = Self.q(runs)
        let commands = [
            "leaderboard \(src)", "leaderboard --corrected \(src)", "run --run 7f3c \(src)", "compare --run 7f3c --run b1d2 \(src)",
            "top \(src)", "breakdown --by model --run 7f3c \(src)",
        ]
        var checked = 0
        for c in commands {
            for f in ["table", "markdown", "csv", "json"] {
                let r = Subprocess.shell("\(Self.q(bin)) \(c) -f \(f) 2>&1", timeout: 30)
                #expect(r.status == 0, "\(c) -f \(f): \(r.output.prefix(300))")
                #expect(Self.rawControls(r.output).isEmpty, "\(c) -f \(f) wrote \(Self.rawControls(r.output)): \(r.output.prefix(300))")
                if f == "json" {
                    let stdout = Subprocess.shell("\(Self.q(bin)) \(c) -f json 2>/dev/null", timeout: 30).output
                    #expect((try? JSONParser.parse(Data(stdout.utf8))) != nil, "\(c) -f json stays valid JSON")
                }
                checked += 1
            }
        }
        #expect(checked == 24)
        // The model is still shown, its controls as pictures.
        let run = Subprocess.shell("\(Self.q(bin)) run --run 7f3c \(src)")
        #expect(run.output.contains("openai/x␛]0;PWNED␇␛[2J"), "\(run.output.prefix(200))")
        let json = Subprocess.shell("\(Self.q(bin)) run --run 7f3c \(src) -f json").output
        #expect(json.contains(#"\u001b]0;PWNED\u0007"#) && json.contains(#"\u009b31m\u202e\u2066evil"#), "controls escaped in JSON")
        // Trace text, errors and warnings.
        let trace = Subprocess.shell("\(Self.q(bin)) trace --trace \(Self.q("\u{1b}[2J\u{9b}")) \(src) 2>&1")
        #expect(trace.status == 1 && Self.rawControls(trace.output).isEmpty, "\(trace.output)")
        let badPath = Subprocess.shell("\(Self.q(bin)) leaderboard \(Self.q(runs + "/\u{1b}]0;x\u{07}")) 2>&1")
        #expect(Self.rawControls(badPath.output).isEmpty, "\(badPath.output)")
    }

    @Test(.enabled(if: haveBinary)) func csvTextCellsAreNeverFormulas() throws {
        let bin = try #require(Self.binary)
        let runs = hostileRuns()
        defer { removeTemp(parentOf(runs)) }
        let run = Subprocess.shell("\(Self.q(bin)) run --run 7f3c \(Self.q(runs)) -f csv").output
        #expect(run.contains(#""'=cmd|' /C calc'!A0""#), "\(run.prefix(600))")
        let board = Subprocess.shell("\(Self.q(bin)) leaderboard \(Self.q(runs)) -f csv").output
        #expect(board.contains("'@SUM(A1)"), "\(board.prefix(600))")
        for line in (run + board).split(separator: "\n") {
            for cell in line.split(separator: ",", omittingEmptySubsequences: false) {
                let c = cell.hasPrefix("\"") ? cell.dropFirst() : cell[...]
                if let first = c.first, "=+@".contains(first) { Issue.record("a cell starts a formula: \(cell)") }
                if c.hasPrefix("-"), Double(c) == nil, !c.isEmpty { Issue.record("a text cell starts with '-': \(cell)") }
            }
        }
    }

    @Test(.enabled(if: haveTmux)) func thePagerGetsNoRawControls() throws {
        let bin = try #require(Self.binary)
        var o = DemoOptions()
        o.hostileText = true
        let dir = tempDir()
        defer { removeTemp(dir) }
        for (p, d) in DemoGenerator(options: o).files() { write(d, to: dir + "/" + p) }
        let capture = dir + "/paged.txt"
        // The first test of each run has the hostile prompt; its trace id from the report.
        let report = Subprocess.shell("\(Self.q(bin)) run --run 7f3c \(Self.q(dir + "/smoltrace_results")) -f json").output
        let json = try JSONParser.parse(Data(report.utf8))
        let traceID = try #require(json["tests"]?.arrayValue?.first?["trace_id"]?.text)
        let t = TmuxSession(
            command: "\(Self.q(bin)) --trace \(traceID) \(Self.q(dir + "/smoltrace_results"))", environment: ["PAGER": "cat >> \(Self.q(capture)) <"])
        defer { t.close() }
        t.waitFor("test_evaluation", seconds: 20)
        // Every span's details, one after another.
        for _ in 0..<6 {
            t.send("o")
            usleep(150_000)
            t.send("Down")
        }
        t.send("q")
        t.waitFor("EXITED")
        let paged = (try? String(contentsOfFile: capture, encoding: .utf8)) ?? ""
        #expect(paged.count > 200, "the pager was given the details")
        #expect(paged.contains("␛]0;pwned␇"), "the hostile prompt was paged, inert")
        #expect(Self.rawControls(paged).isEmpty, "raw controls in the pager: \(Self.rawControls(paged).prefix(10))")
    }

    // MARK: 4. A download ended by a signal leaves no partial file

    @Test(.enabled(if: haveBinary)) func aSignalDuringADownloadRemovesThePartialFile() throws {
        let bin = try #require(Self.binary)
        let dir = tempDir()
        defer { removeTemp(dir) }
        for (p, d) in HubLayout.convert(DemoGenerator().files()) { write(d, to: dir + "/serve/" + p) }
        let server = try HubServer(root: dir + "/serve")
        defer { server.stop() }
        server.downloadMode = .trickle(seconds: 0.2)
        let cache = dir + "/cache"
        // (A shell's background job starts with INT and QUIT ignored, and they stay so, as for any Unix tool.)
        for sig in ["TERM", "HUP", "USR1"] {
            let r = Subprocess.shell(
                "XDG_CACHE_HOME=\(Self.q(cache)) HF_ENDPOINT=\(server.endpoint) \(Self.q(bin)) leaderboard hf://demo-user/smoltrace-leaderboard >/dev/null 2>&1 & p=$!; "
                    + "for i in $(seq 100); do find \(Self.q(cache)) -name '*.part' 2>/dev/null | grep -q . && break; sleep 0.05; done; "
                    + "find \(Self.q(cache)) -name '*.part' | wc -l; kill -\(sig) $p; wait $p; echo rc=$?; find \(Self.q(cache)) -name '*.part' | wc -l",
                timeout: 30)
            let lines = r.output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(lines.first == "1", "\(sig): a download was under way: \(r.output)")
            #expect(lines.dropFirst().first?.hasPrefix("rc=1") == true, "\(sig) ended it: \(r.output)")
            #expect(lines.last == "0", "\(sig): no partial file is left: \(r.output)")
        }
        // Started with HUP ignored (`nohup`): it stays ignored.
        let r = Subprocess.shell(
            "(trap '' HUP; exec env XDG_CACHE_HOME=\(Self.q(cache + "2")) HF_ENDPOINT=\(server.endpoint) \(Self.q(bin)) leaderboard hf://demo-user/smoltrace-leaderboard >/dev/null 2>&1) & p=$!; "
                + "sleep 0.5; kill -HUP $p; sleep 0.3; kill -0 $p && echo alive; kill -TERM $p; wait $p; echo rc=$?",
            timeout: 30)
        #expect(r.output.contains("alive") && r.output.contains("rc=143"), "an ignored HUP stays ignored: \(r.output)")
    }

    // MARK: 5. Parquet: the footer first

    @Test(.enabled(if: haveBinary)) func aHugeJunkParquetFileIsRejectedFromItsFooter() throws {
        let bin = try #require(Self.binary)
        let dir = tempDir()
        defer { removeTemp(dir) }
        let path = dir + "/junk.parquet"
        // 1 GiB: PAR1, then zeros (sparse: no disk is used).
        #expect(FileManager.default.createFile(atPath: path, contents: Data("PAR1".utf8)))
        #expect(truncate(path, 1 << 30) == 0)
        let r = Subprocess.shell("TRACEMIND_STATS=1 \(Self.q(bin)) inspect \(Self.q(path)) 2>&1", timeout: 20)
        #expect(r.status == 1 && r.output.contains("no PAR1 footer"), "\(r.output)")
        let kb = r.output.split(separator: "\n").first { $0.contains("VmHWM") }.flatMap { Int($0.split(separator: " ").dropLast().last ?? "") }
        #expect((kb ?? .max) < 50_000, "peak memory follows what is decoded, not the file: \(r.output)")
        // A footer that claims more metadata than the file holds.
        var bytes = Data("PAR1".utf8) + Data(repeating: 0, count: 100)
        bytes += Data([0xFF, 0xFF, 0xFF, 0x7F]) + Data("PAR1".utf8)
        try bytes.write(to: URL(fileURLWithPath: dir + "/claims.parquet"))
        let c = Subprocess.shell("\(Self.q(bin)) leaderboard \(Self.q(dir + "/claims.parquet")) 2>&1")
        #expect(c.output.contains("claims.parquet: the footer length"), "\(c.output)")
    }

    // MARK: 6. Signals

    @Test(.enabled(if: haveTmux)) func everyEndingSignalRestoresTheTerminal() throws {
        let bin = try #require(Self.binary)
        for (sig, name) in [(SIGQUIT, "QUIT"), (SIGUSR1, "USR1"), (SIGUSR2, "USR2"), (SIGPIPE, "PIPE"), (SIGALRM, "ALRM"), (SIGHUP, "HUP"), (SIGTERM, "TERM")] {
            let t = TmuxSession(command: "\(Self.q(bin)) --demo --no-prefetch")
            defer { t.close() }
            t.waitFor("5 of 5 runs", seconds: 20)
            #expect(t.alternateScreen(), "\(name): the browser is up")
            guard let pid = t.programPID() else {
                Issue.record("\(name): no process id")
                continue
            }
            kill(pid, sig)
            let after = t.waitFor("EXITED")
            #expect(after.contains("EXITED rc=\(128 + sig)"), "\(name) ends the program by the signal:\n\(after)")
            #expect(!t.alternateScreen(), "\(name): the alternate screen was left")
        }
    }

    /// The browser over a kept catalog maps it under the SIGBUS guard; a SIGBUS that is not the guard's (not a mapped
    /// cache cut short) still restores the terminal and ends the program by the signal.
    @Test(.enabled(if: haveTmux)) func aForeignSIGBUSWithTheCatalogMappedStillRestoresTheTerminal() throws {
        let bin = try #require(Self.binary)
        var o = DemoOptions()
        o.includeFixedRuns = false
        o.extraRuns = 5
        let dir = tempDir(), cache = tempDir()
        defer {
            removeTemp(dir)
            removeTemp(cache)
        }
        for (p, d) in DemoGenerator(options: o).files() { write(d, to: dir + "/" + p) }
        let data = dir + "/smoltrace_results"
        // A catalog is kept only of paths that settled two seconds before the loading began.
        Thread.sleep(forTimeInterval: 2.2)
        _ = Subprocess.shell("XDG_CACHE_HOME=\(Self.q(cache)) \(Self.q(bin)) leaderboard \(Self.q(data)) -q", timeout: 60)
        let kept = FileManager.default.enumerator(atPath: cache)?.allObjects.compactMap { $0 as? String }.filter { $0.hasSuffix(".catalog") } ?? []
        #expect(!kept.isEmpty, "the catalog was kept: \(kept)")
        let t = TmuxSession(command: "\(Self.q(bin)) \(Self.q(data)) --no-prefetch", environment: ["XDG_CACHE_HOME": cache])
        defer { t.close() }
        t.waitFor("5 of 5 runs", seconds: 20)
        #expect(t.alternateScreen(), "the browser is up")
        let pid = try #require(t.programPID())
        // Read to its end by `cat` (a file of /proc has no size for a reader that trusts one).
        let maps = Subprocess.shell("cat /proc/\(pid)/maps").output
        #expect(maps.contains(".catalog"), "the kept catalog is mapped (the guard is installed)")
        kill(pid, SIGBUS)
        let after = t.waitFor("EXITED")
        #expect(after.contains("EXITED rc=\(128 + SIGBUS)"), "ended by SIGBUS:\n\(after)")
        #expect(after.contains("the terminal was restored"), "\(after)")
        #expect(!t.alternateScreen(), "the alternate screen was left")
    }

    @Test(.enabled(if: haveBinary)) func aBrokenPipeEndsAReportQuietly() throws {
        let bin = try #require(Self.binary)
        let dir = tempDir()
        defer { removeTemp(dir) }
        // A report far larger than a pipe's buffer (the demo's 2,000-span trace as JSON, megabytes), so the
        // reader's early exit must reach the writer as SIGPIPE.
        let report = Subprocess.shell("\(Self.q(bin)) run --run b1d2 --demo -f json").output
        let json = try JSONParser.parse(Data(report.utf8))
        let id = try #require(json["tests"]?.arrayValue?.first { $0["task_id"]?.text == "long_horizon_audit" }?["trace_id"]?.text)
        let size = Subprocess.shell("\(Self.q(bin)) trace --trace \(id) --demo -f json | wc -c").output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect((Int(size) ?? 0) > 1 << 20, "the report is larger than any pipe buffer: \(size)")
        let r = Subprocess.shell("bash -c '\(bin) trace --trace \(id) --demo -f json 2>\(dir)/err | head -c 10 >/dev/null; echo rc=${PIPESTATUS[0]}'")
        #expect(r.output.contains("rc=141"), "ended by SIGPIPE: \(r.output)")
        #expect((try? String(contentsOfFile: dir + "/err", encoding: .utf8)) == "", "quietly: nothing on stderr")
    }
}

private func parentOf(_ p: String) -> String { (p as NSString).deletingLastPathComponent }
private func nameOf(_ p: String) -> String { (p as NSString).lastPathComponent }
