import Foundation
import TestSupport
import Testing
import TraceMindDemo
import TraceMindModel
import TraceMindReport

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

/// `tracemind run -f json` writes its report as it is made, without the text check every other report passes: its
/// bytes are those of the model's report (`Reports.run`), and of that report made inert, for runs whose dataset text
/// holds terminal controls, bidi overrides and line separators.
@Suite struct RunReportEndToEndTests {
    @Test(.enabled(if: tracemindBinary != nil, "needs the tracemind binary"))
    func theJSONReportIsTheModelsReportByteForByte() throws {
        let bin = try #require(tracemindBinary)
        let dir = tempDir()
        defer { removeTemp(dir) }
        var o = DemoOptions()
        o.hostileText = true
        for (p, d) in DemoGenerator(options: o).files() { write(d, to: dir + "/" + p) }
        let catalog = CatalogLoader.load(sources: [dir + "/smoltrace_results"])
        #expect(catalog.runs.count >= 4)
        for entry in catalog.runs {
            let q = TmuxSession.quote
            let out = Subprocess.shell("\(q(bin)) run --run \(q(entry.key)) \(q(dir + "/smoltrace_results")) -f json --no-cache -q", timeout: 60)
            let expected = Reports.run(RunAnalysis(entry: entry, data: RunLoader.load(entry)), format: .json)
            #expect(out.status == 0)
            #expect(out.output.utf8.elementsEqual(expected.utf8), "\(entry.key): the CLI's bytes are the model's report")
            #expect(Inert.terminal(expected).utf8.elementsEqual(expected.utf8), "\(entry.key): and nothing in it was for Inert to change")
        }
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

/// `tracemind trends` and `flaky` on a week of written runs: every format, the same figures cached or not, bad
/// options refused in one line.
@Suite struct TrendsEndToEndTests {
    @Test(.enabled(if: tracemindBinary != nil, "needs the tracemind binary"))
    func trendsAndFlakyReports() throws {
        let bin = TmuxSession.quote(tracemindBinary!)
        let data = tempDir(), cacheHome = tempDir()
        defer { removeTemp(data); removeTemp(cacheHome) }
        var o = DemoOptions()
        o.includeFixedRuns = false
        o.historyRuns = 21
        for (p, d) in DemoGenerator(options: o).files() { write(d, to: data + "/" + p) }
        func run(_ args: String, merge: Bool = false) -> Subprocess.Result {
            Subprocess.shell("XDG_CACHE_HOME=\(TmuxSession.quote(cacheHome)) \(bin) \(args) \(TmuxSession.quote(data)) -q", timeout: 120, mergeStderr: merge)
        }
        let table = run("trends")
        #expect(table.status == 0 && table.output.contains("success % by model, counted once · 21 runs on 3 lines"), "\(table.output)")
        #expect(table.output.contains("▼ regression") && table.output.contains("Regressions (worse than the previous run"))
        #expect(run("trends --no-cache").output == table.output, "cached figures are the fresh ones")
        let json = run("trends -f json --metric cost_per_test --by model-agent")
        let doc = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
        #expect(doc?["metric"] as? String == "cost_per_test" && doc?["grouping"] as? String == "model_agent")
        #expect((doc?["points"] as? [[String: Any]])?.count == 21)
        let csv = run("trends -f csv --metric wall")
        #expect(csv.output.hasPrefix("series,run,timestamp,agent_type,task_set,metric,value,lower_bound,previous_run,change,regression,noise,new_task_set\n"))
        #expect(csv.output.split(separator: "\n").count == 22)
        #expect(run("trends -f markdown").output.hasPrefix("## Trends: "))
        let flaky = run("flaky")
        #expect(flaky.status == 0 && flaky.output.contains("tests flaky") && flaky.output.contains("outcomes, oldest first"), "\(flaky.output)")
        let fj = try JSONSerialization.jsonObject(with: Data(run("flaky -f json --all").output.utf8)) as? [String: Any]
        #expect(((fj?["groups"] as? [Any])?.count ?? 0) >= 3 && ((fj?["tests"] as? [Any])?.count ?? 0) > 20)
        #expect(run("flaky -f csv").output.hasPrefix("model,agent_type,task_set,test,runs,passed,pass_rate,flips,flaky,outcomes\n"))
        for cmd in ["trends", "analytics", "card"] {
            let svg = run("\(cmd) -f svg")
            #expect(svg.status == 0 && svg.output.hasPrefix("<?xml") && svg.output.hasSuffix("</svg>\n"), "\(cmd): \(svg.output.prefix(200))")
        }
        let notPicture = run("leaderboard -f svg", merge: true)
        #expect(notPicture.status != 0 && notPicture.output.contains("--format svg is for trends, analytics and card"), "\(notPicture.output)")
        let analytics = run("analytics -f json")
        #expect(((try JSONSerialization.jsonObject(with: Data(analytics.output.utf8)) as? [String: Any])?["models"] as? [Any])?.count == 3)
        let bad = run("trends --metric speed", merge: true)
        #expect(bad.status != 0 && bad.output.contains("unknown metric 'speed'"), "\(bad.output)")
    }
}

/// Every report that reads sources takes `--no-cache`: with it nothing is written under `XDG_CACHE_HOME`, and its output
/// is the output with the caches (read cold, then warm).
@Suite struct NoCacheEndToEndTests {
    @Test(.enabled(if: tracemindBinary != nil, "needs the tracemind binary"))
    func everyReportTakesNoCacheAndWritesNoCache() throws {
        let bin = try #require(tracemindBinary)
        let data = tempDir(), cacheHome = tempDir(), untouched = tempDir()
        defer { removeTemp(data); removeTemp(cacheHome); removeTemp(untouched) }
        for (p, d) in DemoGenerator().files() { write(d, to: data + "/" + p) }
        let dir = data + "/smoltrace_results"
        let catalog = CatalogLoader.load(sources: [dir])
        #expect(catalog.runs.count >= 2)
        let keys = catalog.runs.map(\.key)
        let trace = try #require(RunAnalysis(entry: catalog.runs[0], data: RunLoader.load(catalog.runs[0])).tests.compactMap(\.trace).first?.traceID)
        let q = TmuxSession.quote
        let commands = [
            "leaderboard \(q(dir)) -f json", "run --run \(q(keys[0])) \(q(dir)) -f json", "compare --run \(q(keys[0])) --run \(q(keys[1])) \(q(dir)) -f json",
            "trace --trace \(q(trace)) \(q(dir)) -f json", "breakdown --by model \(q(dir)) -f json", "top \(q(dir)) -f json", "trends \(q(dir)) -f json",
            "flaky \(q(dir)) -f json", "analytics \(q(dir)) -f json",
        ]
        func run(_ args: String, cache: String) -> Subprocess.Result {
            Subprocess.shell("XDG_CACHE_HOME=\(q(cache)) \(q(bin)) \(args) -q", timeout: 60)
        }
        for c in commands {
            let cold = run(c, cache: cacheHome), warm = run(c, cache: cacheHome), fresh = run(c + " --no-cache", cache: untouched)
            #expect(cold.status == 0 && !cold.output.isEmpty, "\(c): \(cold.output.prefix(200))")
            #expect(fresh.status == 0, "\(c) --no-cache: \(fresh.output.prefix(200))")
            #expect(warm.output == cold.output && fresh.output == cold.output, "\(c): the same with the caches cold, warm and without them")
        }
        let card = run("card \(q(dir)) --no-cache -f svg", cache: untouched)
        #expect(card.status == 0 && card.output.contains("<svg"))
        let written = (try? FileManager.default.subpathsOfDirectory(atPath: untouched)) ?? ["?"]
        #expect(written.isEmpty, "nothing written under XDG_CACHE_HOME with --no-cache: \(written.prefix(5))")
        let cached = (try? FileManager.default.subpathsOfDirectory(atPath: cacheHome)) ?? []
        #expect(!cached.isEmpty, "the caches are written without it")
    }
}
