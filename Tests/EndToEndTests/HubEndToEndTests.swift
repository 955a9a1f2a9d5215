import Foundation
import TestSupport
import Testing
import TraceMindDemo
import TraceMindFixtures
import TraceMindFormats

/// The real binary reading `hf://` datasets from a loopback server with the Hub's URL layout.
@Suite(.serialized) struct HubEndToEndTests {
    final class Fixture {
        let dir = tempDir()
        let server: HubServer
        init() throws {
            for (p, d) in HubLayout.convert(DemoGenerator().files()) { write(d, to: dir + "/serve/" + p) }
            server = try HubServer(root: dir + "/serve")
            server.token = "secret"
        }
        func env(token: String? = "secret") -> [String: String] {
            var e = ["HF_ENDPOINT": server.endpoint, "XDG_CACHE_HOME": dir + "/cache", "HOME": dir, "NO_COLOR": "1"]
            if let token { e["HF_TOKEN"] = token }
            return e
        }
        func shell(_ args: String, token: String? = "secret") -> Subprocess.Result {
            let vars = env(token: token).map { "\($0.key)=\(TmuxSession.quote($0.value))" }.sorted().joined(separator: " ")
            return Subprocess.shell("env -u HF_TOKEN -u HUGGING_FACE_HUB_TOKEN \(vars) \(TmuxSession.quote(tracemindBinary!)) \(args)", timeout: 60, mergeStderr: true)
        }
        deinit {
            server.stop()
            removeTemp(dir)
        }
    }

    static let board = "hf://demo-user/smoltrace-leaderboard"

    @Test(.enabled(if: tracemindBinary != nil, "needs the built tracemind binary")) func reportsFromTheHub() throws {
        let f = try Fixture()
        let lb = f.shell("leaderboard \(Self.board)")
        #expect(lb.status == 0 && lb.output.contains("5 runs"), "\(lb.output)")
        let run = f.shell("run --run 7f3c \(Self.board) --format csv")
        #expect(run.status == 0 && run.output.contains("weather_paris"), "\(run.output)")
        let denied = f.shell("leaderboard \(Self.board)", token: nil)
        #expect(denied.output.contains("401") && denied.output.contains("HF_TOKEN"), "\(denied.output)")
        // Offline, from the cache the first command filled.
        f.server.stop()
        let offline = f.shell("run --run 7f3c \(Self.board) --format csv")
        #expect(offline.status == 0 && offline.output.contains("weather_paris") && offline.output.contains("cached copy"), "\(offline.output)")
    }

    @Test(.enabled(if: TmuxSession.available && tracemindBinary != nil, "needs tmux and the built binary")) func browserFetchesARunWhenItOpens() throws {
        let bin = try #require(tracemindBinary)
        let f = try Fixture()
        let t = TmuxSession(command: "\(TmuxSession.quote(bin)) \(Self.board) --no-prefetch", width: 110, height: 30, environment: f.env())
        defer { t.close() }
        #expect(t.waitFor("5 of 5 runs", seconds: 20).contains("5 of 5 runs"))
        #expect(!f.server.log.contains { $0.contains("smoltrace-results") })
        t.send("Enter")
        #expect(t.waitFor("counted once", seconds: 20).contains("Overview"))
        #expect(f.server.log.contains { $0.contains("smoltrace-results") })
        t.send("q")
        #expect(t.waitFor("EXITED").contains("EXITED rc=0"))
    }
}

/// `tracemind breakdown` through the real binary.
@Suite struct BreakdownCommandTests {
    @Test(.enabled(if: tracemindBinary != nil, "needs the built tracemind binary")) func groupsAsJSONAndRefusesUnknownKeys() throws {
        let bin = try #require(tracemindBinary)
        let r = Subprocess.run([bin, "breakdown", "--by", "kind", "--run", "7f3c", "--demo", "-f", "json"], timeout: 60)
        #expect(r.status == 0)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(r.output.utf8)) as? [[String: Any]])
        #expect(rows.first?["key"] as? String == "LLM" && rows.allSatisfy { $0["spans"] is Int && $0.keys.contains("duration_ms") })
        let bad = Subprocess.run([bin, "breakdown", "--by", "colour", "--demo"], timeout: 30, mergeStderr: true)
        #expect(bad.status != 0 && bad.output.contains("colour"))
        let table = Subprocess.run([bin, "breakdown", "--by", "service", "--demo"], timeout: 60)
        #expect(table.status == 0 && table.output.contains("groups by service"))
    }

    @Test(.enabled(if: tracemindBinary != nil, "needs the built tracemind binary")) func topTracesAndOTLPExportsFromTheRealBinary() throws {
        let bin = try #require(tracemindBinary)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tm-otlp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try ForeignTraces.otlpLines(ttft: 0.3).write(to: dir.appendingPathComponent("collector.jsonl"))
        try ForeignTraces.producerDocument().write(to: dir.appendingPathComponent("producer.json"))
        let r = Subprocess.run([bin, "top", "-f", "json", dir.path], timeout: 60)
        #expect(r.status == 0)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(r.output.utf8)) as? [[String: Any]])
        #expect(rows.map { $0["trace_id"] as? String } == [ForeignTraces.traceID, ForeignTraces.linkedTraceID])
        #expect(rows.first?["cost_usd"] as? Double == 0.00165 && rows.first?["root"] as? String == "orchestrate_task")
        let trace = Subprocess.run([bin, "trace", "--trace", "4bf92f", dir.path], timeout: 60)
        #expect(trace.status == 0 && trace.output.contains("execute_code_generator") && trace.output.contains("cost $0.00165") && trace.output.contains("by service"))
        let wall = Subprocess.run([bin, "top", "--by", "wall", "-l", "1", dir.path], timeout: 60)
        #expect(wall.status == 0 && wall.output.contains("1 traces by wall"))
    }
}
