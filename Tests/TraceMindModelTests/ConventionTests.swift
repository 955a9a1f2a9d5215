import Foundation
import TestSupport
import Testing
import TraceMindDemo
import TraceMindFormats
@testable import TraceMindModel
import TraceMindReport

/// The count-once rule beyond SMOLTRACE's shape: excess usage on a parent, disagreeing price tables, own costs.
@Suite struct GeneralAccountingTests {
    let ms: Int64 = 1_000_000
    let t0: Int64 = 1_795_267_670_000_000_000

    func figures(_ a: TraceAnalysis) -> [String: SpanFigures] {
        Dictionary(uniqueKeysWithValues: a.trace.spans.enumerated().map { ($0.element.name, a.figures[$0.offset]) })
    }

    @Test func statusCodesInEveryWrittenForm() throws {
        let forms: [(JSON, StatusCode)] = [
            (2, .error), ("2", .error), ("ERROR", .error), ("STATUS_CODE_ERROR", .error), ("StatusCode.ERROR", .error),
            ("error", .error), (.obj([("status_code", "ERROR")]), .error), (.obj([("code", 2), ("description", "boom")]), .error),
            (1, .ok), ("OK", .ok), ("STATUS_CODE_OK", .ok), ("StatusCode.OK", .ok), (0, .unset), ("UNSET", .unset),
            ("ERR", .unset), (.null, .unset),
        ]
        for (status, code) in forms {
            let o = JSONObject([("span_id", "0x1"), ("name", "s"), ("status", status.objectValue.map { .object($0) } ?? .obj([("status_code", status)]))])
            #expect(Span(json: o, traceID: "t").status.code == code, "\(status)")
            let bare = JSONObject([("span_id", "0x1"), ("name", "s"), ("status", status)])
            #expect(Span(json: bare, traceID: "t").status.code == code, "bare \(status)")
        }
    }

    @Test func aParentThatReportsMoreThanItsChildrenKeepsOnlyTheExcess() {
        // An agent reports 1,500 tokens ($0.003); its one instrumented call reports 1,100 ($0.002): 400 tokens and
        // $0.001 were spent by calls that have no span of their own.
        let a = TraceAnalysis(trace([
            spanJSON("a", nil, "agent", start: t0, end: t0 + 100 * ms, attrs: [
                ("llm.token_count.prompt", 1300), ("llm.token_count.completion", 200), ("llm.token_count.total", 1500),
                ("gen_ai.usage.cost.total", 0.003),
            ]),
            spanJSON("c", "a", "call", start: t0 + ms, end: t0 + 50 * ms, attrs: [
                ("llm.token_count.prompt", 1000), ("llm.token_count.completion", 100), ("llm.token_count.total", 1100),
                ("gen_ai.usage.cost.total", 0.002),
            ]),
        ]))
        let f = figures(a)
        #expect(f["agent"]!.isRollup)
        #expect(f["agent"]!.selfTokens.total == 400 && f["agent"]!.selfTokens.prompt == 300 && f["agent"]!.selfTokens.completion == 100)
        #expect(abs(f["agent"]!.selfCost.knownUSD - 0.001) < 1e-12)
        #expect(a.tokens.total == 1500)
        #expect(abs(a.cost.value! - 0.003) < 1e-12)
    }

    @Test func aParentRepeatingTheSameCallUnderAnotherPriceTableAddsNothing() {
        // OpenInference's completion span priced by LiteLLM ($0.0105) above genai_otel's provider span ($0.002) for
        // the same 1,100 tokens: one call, counted once, at the deepest span's price.
        let a = TraceAnalysis(trace([
            spanJSON("c", nil, "completion", start: t0, end: t0 + 10 * ms, attrs: [
                ("llm.token_count.total", 1100), ("llm.cost.total", 0.0105),
            ]),
            spanJSON("p", "c", "openai.chat.completion", start: t0 + ms, end: t0 + 9 * ms, attrs: [
                ("gen_ai.usage.total_tokens", 1100), ("gen_ai.usage.cost.total", 0.002),
            ]),
        ]))
        #expect(a.tokens.total == 1100)
        #expect(a.cost.value == 0.002)
        #expect(figures(a)["completion"]!.selfCost.isZero)
    }

    @Test func ownCostsAddUpAlongTheTreeAndAccumulatedCostIsNotAdded() {
        // The example of the conventions issue: $0.00125 in all.
        let a = TraceAnalysis(trace([
            spanJSON("o", nil, "orchestrate_task", start: t0, end: t0 + 100 * ms, attrs: [("cost_usd", 0.0001), ("service", "orchestrator")]),
            spanJSON("q", "o", "process_queue_message", start: t0 + ms, end: t0 + 90 * ms, attrs: [
                ("cost_usd", 0.00005), ("accumulated_cost_usd", 0.00115), ("service", "queue_processor"),
            ]),
            spanJSON("x", "q", "execute_code_generator", start: t0 + 2 * ms, end: t0 + 80 * ms, attrs: [("cost_usd", 0.0011), ("service", "tool_executor")]),
        ]))
        #expect(abs(a.cost.value! - 0.00125) < 1e-12)
        let f = figures(a)
        #expect(abs(f["process_queue_message"]!.inclusiveCost.knownUSD - 0.00115) < 1e-12, "the accumulated figure agrees with the tree")
        #expect(abs(f["process_queue_message"]!.selfCost.knownUSD - 0.00005) < 1e-12)
        #expect(f["orchestrate_task"]!.onCostPath && f["execute_code_generator"]!.onCostPath)
        #expect(a.trace.spans.first { $0.name == "process_queue_message" }!.usage.accumulatedCostUSD == 0.00115)
    }

    @Test func conventionsMixInOneTrace() {
        // An orchestrator with its own cost, around a SMOLTRACE-style call recorded on nested spans.
        let a = TraceAnalysis(trace([
            spanJSON("o", nil, "orchestrate", start: t0, end: t0 + 100 * ms, attrs: [("cost_usd", 0.0002)]),
            spanJSON("g", "o", "LiteLLMModel.generate", start: t0 + ms, end: t0 + 90 * ms, attrs: [
                ("openinference.span.kind", "LLM"), ("llm.token_count.total", 500), ("gen_ai.usage.cost.total", 0.001),
            ]),
            spanJSON("p", "g", "openai.chat.completion", start: t0 + 2 * ms, end: t0 + 80 * ms, attrs: [
                ("gen_ai.usage.input_tokens", 450), ("gen_ai.usage.output_tokens", 50), ("gen_ai.usage.cost.total", 0.001),
                ("gen_ai.usage.cost.prompt", 0.0006), ("gen_ai.usage.cost.completion", 0.0004),
                ("gen_ai.usage.cache_read_input_tokens", 300), ("gen_ai.usage.cost.cache_read", 0.0001),
            ]),
        ]))
        #expect(a.tokens.total == 500 && a.tokens.prompt == 450 && a.tokens.cacheRead == 300)
        #expect(abs(a.cost.value! - 0.0012) < 1e-12)
        #expect(abs(a.cost.split.prompt - 0.0006) < 1e-12 && abs(a.cost.split.cacheRead - 0.0001) < 1e-12)
        #expect(a.llmCalls == 1)
    }

    @Test func costFamilyKeysAreRead() {
        let u = UsageConventions.extract(JSONObject([
            ("cost.total_usd", 0.004), ("cost.input_cost_usd", 0.003), ("cost.output_cost_usd", 0.001),
            ("cost.prompt_tokens", 900), ("cost.completion_tokens", 100), ("cost.total_tokens", 1000), ("cost.model_name", "claude-x"),
            ("completion_tokens_details.reasoning_tokens", 40), ("cache_creation_input_tokens", 12),
        ]))
        #expect(u.costUSD == 0.004 && u.split.prompt == 0.003 && u.split.completion == 0.001)
        #expect(u.tokens.total == 1000 && u.tokens.prompt == 900 && u.tokens.reasoning == 40 && u.tokens.cacheWrite == 12)
        #expect(u.model == "claude-x")
    }

    @Test func preferenceOrderHoldsWhenSeveralConventionsAgreeOrDisagree() {
        let u = UsageConventions.extract(JSONObject([
            ("gen_ai.usage.prompt_tokens", 70), ("llm.token_count.prompt", 60), ("gen_ai.usage.cost.total", "0.5"),
            ("llm.cost.total", 9), ("gen_ai.usage.cost.pricing_source", "unpriced"),
        ]))
        #expect(u.promptTokens == 60, "llm.token_count.* first")
        #expect(u.costUSD == 0.5, "string costs are read")
        #expect(u.knownCost == nil, "unpriced means unknown")
    }
}

@Suite struct ComparisonModelTests {
    func run(_ key: String, _ tests: [(String, Bool?, Double)]) -> RunAnalysis {
        let results: [TestResult] = tests.map { t in
            var o: [(String, JSON)] = [("task_id", .string(t.0)), ("agent_type", "tool"), ("steps", 2)]
            o.append(("success", t.1.map(JSON.bool) ?? .null))
            return TestResult(json: JSONObject(o))
        }
        var data = RunData()
        data.results = results
        var row = JSONObject()
        row.set("run_id", .string(key))
        row.set("model", .string(key))
        let entry = RunEntry(
            key: key, row: LeaderboardRow(json: row), source: key, origin: .runFolder,
            files: RunFiles(fs: MemoryFileSystem(files: [:]), folder: nil, results: nil, traces: nil, metrics: nil))
        return RunAnalysis(entry: entry, data: data)
    }

    @Test func flipsRegressionsFixesAndMissing() {
        let a = run("a", [("t1", true, 0), ("t2", false, 0), ("t3", true, 0), ("t4", false, 0)])
        let b = run("b", [("t1", false, 0), ("t2", true, 0), ("t3", true, 0), ("t5", true, 0)])
        let c = Comparison([a, b])
        let byTask = Dictionary(uniqueKeysWithValues: c.tests.map { ($0.taskID, $0) })
        #expect(byTask["t1"]!.flipped && byTask["t1"]!.isRegression && !byTask["t1"]!.isFix)
        #expect(byTask["t2"]!.flipped && byTask["t2"]!.isFix)
        #expect(!byTask["t3"]!.flipped)
        #expect(byTask["t4"]!.missingSomewhere && byTask["t5"]!.missingSomewhere)
        #expect(c.tests.map(\.taskID) == ["t1", "t2", "t3", "t4", "t5"], "baseline order, then tests only the others have")
    }

    @Test func verdictsJudgeEachMetricAloneAndCallTies() {
        let a = run("a", [("t1", true, 0), ("t2", false, 0)])
        let b = run("b", [("t1", true, 0), ("t2", true, 0)])
        let c = Comparison([a, b, run("c", [("t1", true, 0), ("t2", true, 0)])])
        let success = c.metrics.first { $0.name == "success_rate" }!
        #expect(success.isBest(1) && success.isBest(2) && !success.isBest(0))
        #expect(c.verdict(success, labels: ["A", "B", "C"]) == "tied best: B, C")
        let failed = c.metrics.first { $0.name == "tests_failed" }!
        #expect(failed.lowerIsBetter)
        let two = Comparison([a, b])
        let s2 = two.metrics.first { $0.name == "success_rate" }!
        #expect(two.verdict(s2, labels: ["A", "B"]) == "best: B, 50.0 points higher than the baseline")
        #expect(two.delta(s2, 1)!.abs == 50)
        // No cost without traces: not comparable, never $0.
        let cost = two.metrics.first { $0.name == "cost_usd" }!
        #expect(cost.values.allSatisfy { $0 == nil } && two.verdict(cost, labels: ["A", "B"]) == "no run has it")
    }
}

@Suite struct TrajectoryTests {
    func step(_ kind: TrajectoryStep.Kind, _ name: String, _ detail: String = "", error: Bool = false) -> TrajectoryStep {
        TrajectoryStep(span: 0, kind: kind, name: name, detail: detail, tokens: .zero, cost: .zero, durationMs: 0, isError: error)
    }

    @Test func alignsByLCSAndFindsTheFirstDivergence() {
        let left = [step(.llm, "m", "search(x)"), step(.tool, "search", "{\"q\":\"x\"}"), step(.llm, "m", "final"), step(.tool, "final_answer", "{}")]
        let right = [step(.llm, "m", "search(x)"), step(.tool, "search", "{\"q\": \"x\"}"), step(.llm, "m", "weather"),
                     step(.tool, "get_weather", "{}"), step(.llm, "m", "final"), step(.tool, "final_answer", "{}")]
        let al = TrajectoryAlignment(left: left, right: right)
        #expect(al.rows.count == 6)
        #expect(al.rows[0].same && al.rows[1].same, "JSON spacing does not count as a difference")
        #expect(al.firstDivergence == 2)
        #expect(al.rows.filter { $0.left == nil }.count == 2, "the extra tool round trip is only on the right")
        #expect(al.rows.last!.same)
    }

    @Test func identicalTrajectoriesHaveNoDivergence() {
        let s = [step(.llm, "m", "a"), step(.tool, "t", "{}")]
        #expect(TrajectoryAlignment(left: s, right: s).firstDivergence == nil)
        let err = [step(.llm, "m", "a"), step(.tool, "t", "{}", error: true)]
        #expect(TrajectoryAlignment(left: s, right: err).firstDivergence == 1, "an error where the other succeeded diverges")
    }
}

@Suite struct TimeTests {
    @Test func isoTimestampsMatchFoundation() {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        for s in ["2026-11-21T13:27:50.123Z", "2025-10-22T20:54:34.276+02:00", "1999-12-31T23:59:59.000-05:30", "2024-02-29T00:00:00.5Z"] {
            let want = Int64((f.date(from: s)!.timeIntervalSince1970 * 1000).rounded()) * 1_000_000
            let got = ISOTime.parseNs(s)!
            #expect(abs(got - want) < 1_000_000, "\(s): \(got) vs \(want)")
        }
        #expect(ISOTime.parseNs("2025-10-22 20:54:34") != nil, "a space instead of T")
        #expect(ISOTime.parseNs("2025-13-22T20:54:34") == nil, "month 13")
        #expect(ISOTime.parseNs("yesterday") == nil)
    }

    @Test func zonelessTimesAreLocal() {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = .current
        let d = cal.date(from: DateComponents(year: 2026, month: 7, day: 1, hour: 12, minute: 30, second: 5))!
        #expect(ISOTime.parseNs("2026-07-01T12:30:05.000250") == Int64(d.timeIntervalSince1970) * 1_000_000_000 + 250_000)
    }

    /// A shard's file name, matched by hand as the regular expression `-\d{5}-of-\d{5}(\.[a-z]+)?\.parquet$` (case
    /// insensitive) matched it with Foundation.
    @Test func shardNamesAsTheExpressionMatchedThem() throws {
        let re = try NSRegularExpression(pattern: #"-\d{5}-of-\d{5}(\.[a-z]+)?\.parquet$"#, options: [.caseInsensitive])
        let names = [
            "train-00000-of-00002.parquet", "TRAIN-00001-OF-00002.PARQUET", "x-00000-of-00002.snappy.parquet", "-00000-of-00002.parquet",
            "x-0000-of-00002.parquet", "x-00000-of-0002.parquet", "x-00000-of-00002.1.parquet", "x-00000-of-00002..parquet",
            "x-00000-of-00002.parquet.bak", "x_00000-of-00002.parquet", "x-00000-of-00002.Zst.parquet", "parquet", ".parquet",
            "a-00000-of-00002.b.c.parquet", "data.parquet", "x-00000to-00002.parquet",
        ]
        for n in names {
            let regex = re.firstMatch(in: n, range: NSRange(n.startIndex..., in: n)) != nil
            #expect(CatalogLoader.Builder.isShardName(n) == regex, "\(n)")
        }
    }

    /// A UTC date and time of day from seconds since 1970, as Foundation's Gregorian calendar gives them (the
    /// binary's FoundationEssentials knows no zone named UTC: the generator's dates are computed).
    @Test func civilTimesAreFoundations() {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        var x: UInt64 = 7
        var instants: [Int64] = [0, -1, 86_399, 86_400, -86_400, 951_782_400, 4_107_542_399, -2_208_988_800, 1_795_267_670]
        for _ in 0..<3000 {
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            instants.append(Int64(bitPattern: x >> 1) % 40_000_000_000 - 12_000_000_000)
        }
        for t in instants {
            let c = cal.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: TimeInterval(t)))
            let o = ISOTime.civil(fromUnixSeconds: t)
            let ours: [Int] = [o.year, o.month, o.day, o.hour, o.minute, o.second]
            let foundations: [Int] = [c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!]
            #expect(ours == foundations, "\(t)")
        }
    }
}

/// Cost, tokens, spans and time grouped by context keys.
@Suite struct BreakdownTests {
    let ms: Int64 = 1_000_000
    let t0: Int64 = 1_795_267_670_000_000_000

    func orchestrator() -> TraceAnalysis {
        TraceAnalysis(trace([
            spanJSON("o", nil, "orchestrate_task", start: t0, end: t0 + 100 * ms, attrs: [("cost_usd", 0.0001), ("service", "orchestrator"), ("tenant", "acme")]),
            spanJSON("q", "o", "process_queue_message", start: t0 + ms, end: t0 + 90 * ms, attrs: [
                ("cost_usd", 0.00005), ("accumulated_cost_usd", 0.00115), ("service", "queue_processor"),
            ]),
            spanJSON("x", "q", "execute_code_generator", start: t0 + 2 * ms, end: t0 + 80 * ms, attrs: [("cost_usd", 0.0011), ("service", "tool_executor")]),
            // An LLM call with no service of its own: it counts for the tool that made it.
            spanJSON("l", "x", "chat", start: t0 + 3 * ms, end: t0 + 40 * ms, attrs: [
                ("gen_ai.request.model", "gpt-4o"), ("gen_ai.usage.input_tokens", 900), ("gen_ai.usage.output_tokens", 100),
            ]),
        ]))
    }

    @Test func theOrchestratorExampleByService() {
        let rows = Breakdown.of(orchestrator(), by: .service)
        #expect(rows.map(\.key) == ["tool_executor", "orchestrator", "queue_processor"])
        let cost = Dictionary(uniqueKeysWithValues: rows.map { ($0.key, $0.cost.knownUSD) })
        #expect(abs(cost["orchestrator"]! - 0.0001) < 1e-12 && abs(cost["queue_processor"]! - 0.00005) < 1e-12)
        #expect(abs(cost["tool_executor"]! - 0.0011) < 1e-12)
        #expect(abs(rows.reduce(0) { $0 + $1.cost.knownUSD } - 0.00125) < 1e-12)
        let tool = rows.first { $0.key == "tool_executor" }!
        #expect(tool.spans == 2 && tool.tokens == 1000, "the inherited LLM call")
        // Self time: 100 ms of wall time split without overlap.
        #expect(abs(rows.reduce(0) { $0 + $1.durationMs } - 100) < 1e-6)
        // Tenant set on the root only: everything inherits it.
        #expect(Breakdown.of(orchestrator(), by: .tenant).map(\.key) == ["acme"])
        // Model: only the span with usage of its own has one.
        #expect(Breakdown.of(orchestrator(), by: .model).map { "\($0.key):\($0.spans)" }.sorted() == ["(none):3", "gpt-4o:1"])
    }

    @Test func aRunsGroupsAddUpToItsTotals() throws {
        let catalog = DemoData.catalog()
        for entry in catalog.runs {
            var diags: [Diagnostic] = []
            let a = RunAnalysis(entry: entry, data: RunLoader.load(entry))
            let traces: [TraceSummary] = a.tests.compactMap { $0.trace } + a.extraTraces
            guard !traces.isEmpty else { continue }
            let tokens: Int = traces.reduce(0) { $0 + $1.tokens.total }
            let known: Double = traces.reduce(0) { $0 + $1.cost.knownUSD }
            let spans: Int = traces.reduce(0) { $0 + $1.spanCount }
            for key in [BreakdownKey.model, .kind, .service] {
                let rows = Breakdown.of(run: entry, by: key, diagnostics: &diags)
                let rowTokens: Int = rows.reduce(0) { $0 + $1.tokens }
                let rowCost: Double = rows.reduce(0) { $0 + $1.cost.knownUSD }
                let rowSpans: Int = rows.reduce(0) { $0 + $1.spans }
                #expect(rowTokens == tokens, "\(entry.key) \(key)")
                #expect(abs(rowCost - known) < 1e-9, "\(entry.key) \(key)")
                #expect(rowSpans == spans, "\(entry.key) \(key)")
            }
            #expect(diags.isEmpty, "\(diags)")
        }
    }

    @Test func theJSONShape() throws {
        let j = Reports.breakdownJSON(Breakdown.of(orchestrator(), by: .service))
        let first = try #require(j.arrayValue?.first?.objectValue)
        #expect(Array(first.keys.prefix(5)) == ["key", "cost_usd", "tokens", "spans", "duration_ms"])
        // The LLM call has tokens and no price: the group's cost is unknown, never a made-up total.
        #expect(first["key"]?.text == "tool_executor" && first["cost_usd"]?.isNull == true)
        #expect(first["cost_known_usd"]?.number == 0.0011 && first["cost_unpriced_calls"]?.int == 1)
        let orchestrator = try #require(j.arrayValue?.first { $0["key"]?.text == "orchestrator" })
        #expect(orchestrator["cost_usd"]?.number == 0.0001)
    }
}
