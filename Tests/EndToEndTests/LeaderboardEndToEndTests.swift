import Foundation
import TestSupport
import Testing
import TraceMindDemo
import TraceMindModel

/// `tracemind leaderboard` shows counted-once figures by default, from the analysis cache once runs are analysed,
/// exactly as a fresh analysis gives them; `--recorded` reads leaderboard rows only.
@Suite struct LeaderboardEndToEndTests {
    static var binary: String? { tracemindBinary }

    static func q(_ s: String) -> String { TmuxSession.quote(s) }

    @Test(.enabled(if: LeaderboardEndToEndTests.binary != nil, "needs the tracemind binary"))
    func countedOnceByDefaultCachedOrNot() throws {
        let bin = Self.binary!
        let data = tempDir(), cacheHome = tempDir()
        defer { removeTemp(data); removeTemp(cacheHome) }
        for (p, d) in DemoGenerator().files() { write(d, to: data + "/" + p) }
        let before = Subprocess.shell("find \(Self.q(data)) -type f | sort | xargs md5sum").output
        func run(_ args: String) -> Subprocess.Result {
            Subprocess.shell("XDG_CACHE_HOME=\(Self.q(cacheHome)) \(Self.q(bin)) leaderboard \(Self.q(data)) -q \(args)", timeout: 60)
        }
        for format in ["csv", "json", "table"] {
            let cold = run("-f \(format)"), warm = run("-f \(format)"), fresh = run("-f \(format) --no-cache")
            #expect(cold.status == 0 && !cold.output.isEmpty)
            #expect(warm.output == cold.output, "\(format): the cached figures are the fresh ones")
            #expect(fresh.output == cold.output, "\(format): --no-cache gives the same")
        }
        let csv = run("-f csv").output
        #expect(csv.split(separator: "\n")[0].contains("cost_usd") && csv.contains("counted_once"), "counted-once columns by default")
        #expect(csv.split(separator: "\n")[0].contains("recorded_total_cost_usd"), "recorded figures beside them")
        let recorded = run("-f csv --recorded").output
        #expect(!recorded.split(separator: "\n")[0].contains(",cost_usd,") && recorded.contains("recorded"))
        let files = (try? FileManager.default.subpathsOfDirectory(atPath: cacheHome + "/tracemind/analysis")) ?? []
        #expect(files.contains { $0.hasSuffix(".json") }, "the cache lives under XDG_CACHE_HOME")
        #expect(Subprocess.shell("find \(Self.q(data)) -type f | sort | xargs md5sum").output == before, "nothing is written into the data folder")
    }
}

/// Issue 16: text reports piped elsewhere were cut at 120 columns even with COLUMNS=300.
@Suite struct PipedOutputTests {
    @Test(.enabled(if: tracemindBinary != nil, "needs the tracemind binary"))
    func aPipedTraceIsNotCutToAScreen() {
        let bin = TmuxSession.quote(tracemindBinary!)
        let id = DemoData.catalog().runs.lazy.compactMap { RunLoader.load($0).traces.first?.traceID }.first!
        func widest(_ env: String, _ args: String = "") -> Int {
            let out = Subprocess.shell("\(env) \(bin) trace --trace \(id) --demo \(args) | python3 -c 'import sys; print(max(len(l.rstrip(chr(10))) for l in sys.stdin))'").output
            return Int(out.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        }
        #expect(widest("env -u COLUMNS") > 200, "not a terminal: the report's own width, not a screen's")
        #expect(widest("COLUMNS=300") > 250, "COLUMNS is honoured")
        #expect(widest("COLUMNS=300", "--width 100") <= 100, "--width wins")
    }
}
