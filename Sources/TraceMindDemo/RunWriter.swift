import FoundationEssentials
import TraceMindFormats
import TraceMindModel

/// Writes one run folder as SMOLTRACE would: spans in end order, recorded totals with SMOLTRACE's own
/// (double-counting) arithmetic, every era's quirks for legacy runs.
struct RunWriter {
    let spec: RunSpec
    let options: DemoOptions
    var rng: SplitMix64
    var orphanMade = false

    init(spec: RunSpec, options: DemoOptions) {
        self.spec = spec
        self.options = options
        rng = SplitMix64(seed: spec.seed)
    }

    var legacy: Bool { spec.era == .legacy }

    struct Execution {
        var task: DemoTask
        var agent: String
        var steps: Int
        var long = false
    }

    struct Outcome {
        var result: JSONObject
        var trace: JSONObject
        var recordedTokens: Int
        var recordedCost: Double
        var recordedDuration: Double
        var promptTokens: Int
        var completionTokens: Int
        var success: Bool
        var steps: Int
        var toolCalls: Int
        var endNs: Int64
        var errored: Bool
        var timedOut: Bool
    }

    mutating func write(into out: inout [String: Data]) {
        let dir = "smoltrace_results/" + spec.folder
        func put(_ name: String, _ j: JSON) {
            out[dir + "/" + name] = legacy ? Data(asciiJSON(j).utf8) : JSONWriter.data(j)
        }
        if spec.status == .failed {
            put("leaderboard_row.json", .object(failedRow()))
            return
        }
        var executions: [Execution] = []
        if spec.runID?.hasPrefix("scale-") == true {
            for i in 0..<spec.taskCount {
                let agent = spec.agentType == "both" ? (i % 2 == 0 ? "tool" : "code") : spec.agentType
                executions.append(Execution(task: Tasks.task(i / (spec.agentType == "both" ? 2 : 1)), agent: agent, steps: rng.int(spec.steps)))
            }
        } else {
            var i = 0
            while i < 200 && (spec.agentType == "both" ? i < spec.taskCount : executions.count < spec.taskCount) {
                let t = Tasks.task(i)
                for a in ["tool", "code"] where (spec.agentType == "both" || spec.agentType == a) && t.agentTypes.contains(a) {
                    executions.append(Execution(task: t, agent: a, steps: rng.int(spec.steps)))
                }
                i += 1
            }
        }
        if spec.longTrace {
            let t = DemoTask(
                id: "long_horizon_audit", prompt: "Audit all 420 invoices in the ledger and total the overdue ones.",
                difficulty: "hard", tool: "python_interpreter", toolClass: "PythonInterpreterTool", agentTypes: ["code"],
                argJSON: #"{"code": "total += invoice.amount if invoice.overdue else 0"}"#, toolOutput: "ok",
                answer: "Overdue total: 48,210.00 €")
            executions.append(Execution(task: t, agent: "code", steps: options.longTraceSteps, long: true))
        }
        var now = spec.startNs
        var outcomes: [Outcome] = []
        for (n, e) in executions.enumerated() {
            let o = runTest(e, index: n, start: now)
            outcomes.append(o)
            now = o.endNs + Int64(rng.int(50...400)) * 1_000_000
        }
        put("results.json", .array(outcomes.map { .object($0.result) }))
        put("traces.json", .array(outcomes.map { .object($0.trace) }))
        put("metrics.json", metrics(outcomes, end: now))
        put("leaderboard_row.json", .object(leaderboardRow(outcomes, executions: executions)))
        put("metadata.json", metadata(outcomes))
    }

    // MARK: ids

    mutating func traceID(forceShort: Bool = false) -> String {
        let hi = rng.next() >> (forceShort ? 4 : 0)
        let lo = rng.next()
        let h = String(hi, radix: 16)
        let l = String(lo, radix: 16)
        return "0x" + h + String(repeating: "0", count: 16 - l.count) + l
    }

    mutating func spanID() -> String {
        // Python's hex(): no leading zeros, so some ids have 15 digits.
        let v = rng.next() >> (rng.chance(0.1) ? 4 : 0)
        return "0x" + String(v, radix: 16)
    }

    // MARK: run-level files

    func failedRow() -> JSONObject {
        JSONObject([
            ("run_id", .from(spec.runID)), ("model", .string(spec.model)), ("agent_type", .string(spec.agentType)),
            ("provider", .string(spec.provider)), ("timestamp", .string(RunSpec.iso(spec.startNs))), ("submitted_by", "local"),
            ("use_case", .from(spec.useCase)), ("team", .from(spec.team)), ("purpose", "regression"), ("suite_version", "v3"),
            ("results_dataset", .string("local:smoltrace_results/\(spec.folder)/results.json")),
            ("traces_dataset", "local:none"), ("metrics_dataset", "local:none"), ("dataset_used", "tasks/demo-tasks.json"),
            ("total_tests", .int(0)), ("successful_tests", .int(0)), ("failed_tests", .int(0)), ("success_rate", .null),
            ("pass_at_1", .null), ("total_tokens", .null), ("total_cost_usd", .null), ("total_prompt_tokens", .null),
            ("total_completion_tokens", .null), ("run_status", "failed"),
            ("run_stop_reason", "error: AuthenticationError: no API key configured for provider 'anthropic'"),
            ("planned_tests", .int(8)), ("completed_tests", .int(0)), ("errored_tests", .int(0)), ("co2_emissions_g", .int(0)),
            ("notes", .string("Evaluation on \(RunSpec.iso(spec.startNs).prefix(10)); 0 tests")),
        ])
    }

    func leaderboardRow(_ outs: [Outcome], executions: [Execution]) -> JSONObject {
        let n = outs.count
        let passed = outs.filter { $0.success }.count
        let tokens = outs.map { $0.recordedTokens }.reduce(0, +)
        let cost = outs.map { $0.recordedCost }.reduce(0, +)
        let dur = outs.map { $0.recordedDuration }.reduce(0, +)
        let steps = outs.map { Double($0.steps) }.reduce(0, +)
        let pointer = { (f: String) -> JSON in
            legacy ? .string("local:test_results\\\(spec.folder)\\\(f)") : .string("local:smoltrace_results/\(spec.folder)/\(f)")
        }
        if legacy {
            return JSONObject([
                ("evaluation_date", .string(RunSpec.iso(spec.startNs))), ("model", .string(spec.model)),
                ("agent_type", .string(spec.agentType)), ("dataset_used", "demo/legacy-tasks"),
                ("results_dataset", pointer("results.json")), ("traces_dataset", pointer("traces.json")),
                ("metrics_dataset", pointer("metrics.json")), ("num_tests", .int(Int64(n))),
                ("success_rate", .double((Double(passed) / Double(max(1, n)) * 10000).rounded() / 100)),
                ("avg_steps", .double((steps / Double(max(1, n)) * 100).rounded() / 100)),
                ("avg_duration_ms", .double((dur / Double(max(1, n)) * 100).rounded() / 100)),
                ("total_duration_ms", .double((dur * 100).rounded() / 100)), ("total_tokens", .int(Int64(tokens))),
                ("total_co2_g", .double((Double(tokens) / 1000 * 0.0004 * 10000).rounded() / 10000)), ("total_cost_usd", .double(0)),
                ("notes", .string("Eval on \(RunSpec.iso(spec.startNs).prefix(10)); \(n) traces")),
            ])
        }
        let gpu = spec.gpus.isEmpty ? nil : gpuAggregates(outs)
        let errored = outs.filter { $0.errored }.count
        let timedOut = outs.filter { $0.timedOut }.count
        var row: [(String, JSON)] = [
            ("run_id", .from(spec.runID)), ("model", .string(spec.model)), ("agent_type", .string(spec.agentType)),
            ("provider", .string(spec.provider)), ("timestamp", .string(RunSpec.iso(outs.last?.endNs ?? spec.startNs))),
            ("submitted_by", "local"), ("use_case", .from(spec.useCase)), ("team", .from(spec.team)), ("purpose", "selection"),
            ("suite_version", "v3"),
            ("hardware", .string(spec.gpus.isEmpty ? "CPU 8 vCPU · 32 GB" : "\(spec.gpus.count)× \(spec.gpus[0])")),
            ("results_dataset", pointer("results.json")), ("traces_dataset", pointer("traces.json")),
            ("metrics_dataset", pointer("metrics.json")), ("dataset_used", "tasks/demo-tasks.json"),
            ("total_tests", .int(Int64(n))), ("successful_tests", .int(Int64(passed))), ("failed_tests", .int(Int64(n - passed))),
            ("success_rate", .double((Double(passed) / Double(max(1, n)) * 10000).rounded() / 100)),
            ("pass_at_1", .double((Double(passed) / Double(max(1, n)) * 10000).rounded() / 10000)),
            ("pass_rule", "success_boolean_first_attempt"), ("pass_attempts", .int(1)),
            ("avg_steps", .double((steps / Double(max(1, n)) * 100).rounded() / 100)),
            ("avg_duration_ms", .double((dur / Double(max(1, n)) * 100).rounded() / 100)),
            ("total_duration_ms", .double((dur * 100).rounded() / 100)), ("total_tokens", .int(Int64(tokens))),
            ("avg_tokens_per_test", .int(Int64(tokens / max(1, n)))), ("total_cost_usd", .double(round6(cost))),
            ("avg_cost_per_test_usd", .double(round6(cost / Double(max(1, n))))),
            ("total_prompt_tokens", .int(Int64(outs.map { $0.promptTokens }.reduce(0, +)))),
            ("total_completion_tokens", .int(Int64(outs.map { $0.completionTokens }.reduce(0, +)))),
            ("run_status", .string(spec.status == .partial ? "partial" : "completed")),
            ("run_stop_reason", "completed"), ("planned_tests", .int(Int64(n))), ("completed_tests", .int(Int64(n))),
            ("interrupted_tests", .int(0)), ("timed_out_tests", .int(Int64(timedOut))), ("max_steps_tests", .int(0)),
            ("errored_tests", .int(Int64(errored))), ("task_timeout_s", .double(300)), ("request_timeout_s", .double(120)),
            ("generation_settings", .null),
            ("co2_emissions_g", gpu.map { .double($0.co2) } ?? .int(0)),
            ("power_cost_total_usd", gpu.map { .double($0.power) } ?? .int(0)),
            ("gpu_utilization_avg", .from(gpu?.utilAvg)), ("gpu_utilization_max", .from(gpu?.utilMax)),
            ("gpu_memory_avg_mib", .from(gpu?.memAvg)), ("gpu_memory_max_mib", .from(gpu?.memMax)),
            ("gpu_temperature_avg", .from(gpu?.tempAvg)), ("gpu_temperature_max", .from(gpu?.tempMax)),
            ("gpu_power_avg_w", .from(gpu?.powerAvg)),
            ("notes", .string("Evaluation on \(RunSpec.iso(spec.startNs).prefix(10)); \(n) tests")),
        ]
        _ = executions
        row.removeAll { $0.0 == "hardware" && spec.gpus.isEmpty && spec.runID?.hasPrefix("scale-") == true }
        return JSONObject(row)
    }

    func metadata(_ outs: [Outcome]) -> JSON {
        .obj([
            ("model", .string(spec.model)), ("agent_type", .string(spec.agentType)),
            ("dataset_used", legacy ? "demo/legacy-tasks" : "tasks/demo-tasks.json"),
            ("timestamp", .string(RunSpec.compactStamp(spec.startNs))), ("num_results", .int(Int64(outs.count))),
            ("num_traces", .int(Int64(outs.count))), ("num_metrics", .int(legacy ? 6 : 3)),
        ])
    }

    struct GPUAgg { var utilAvg, utilMax, memAvg, memMax, tempAvg, tempMax, powerAvg, co2, power: Double }

    /// GPU readings every 10 s for each GPU (deterministic, derived from the run's time span).
    func gpuSamples(_ outs: [Outcome]) -> [(ns: Int64, gpu: Int, util: Int, mem: Double, temp: Int, watts: Double, co2: Double, cost: Double)] {
        var out: [(Int64, Int, Int, Double, Int, Double, Double, Double)] = []
        let end = outs.last?.endNs ?? spec.startNs
        var ns = spec.startNs + 10_000_000_000
        var k = 0
        var co2 = [Double](repeating: 0, count: spec.gpus.count)
        var cost = [Double](repeating: 0, count: spec.gpus.count)
        var r = SplitMix64(seed: spec.seed &+ 99)
        while ns <= end + 10_000_000_000 {
            for g in 0..<spec.gpus.count {
                let busy = outs.contains { $0.endNs >= ns - 10_000_000_000 && $0.endNs <= ns + 20_000_000_000 }
                let util = busy ? 55 + r.int(0...40) - g * 12 : r.int(0...6)
                let watts = 28 + Double(util) * 0.9 + r.double() * 4
                co2[g] += watts * 10 / 3_600_000 * 380  // kWh × gCO2/kWh
                cost[g] += watts * 10 / 3_600_000 * 0.21
                out.append(
                    (ns, g, util, 14_800 + Double(util) * 60 + Double(r.int(0...200)) + 0.5, 48 + util / 3 + r.int(0...3), watts,
                     co2[g], cost[g]))
            }
            ns += 10_000_000_000
            k += 1
        }
        return out
    }

    func gpuAggregates(_ outs: [Outcome]) -> GPUAgg {
        let s = gpuSamples(outs)
        func avg(_ v: [Double]) -> Double { (v.reduce(0, +) / Double(max(1, v.count)) * 100).rounded() / 100 }
        let util = s.map { Double($0.util) }, mem = s.map { $0.mem }, temp = s.map { Double($0.temp) }
        return GPUAgg(
            utilAvg: avg(util), utilMax: util.max() ?? 0, memAvg: avg(mem), memMax: mem.max() ?? 0, tempAvg: avg(temp),
            tempMax: temp.max() ?? 0, powerAvg: avg(s.map { $0.watts }),
            co2: ((s.map { $0.co2 }.max() ?? 0) * 10000).rounded() / 10000, power: round6(s.map { $0.cost }.max() ?? 0))
    }

    /// The run's metrics dataset: the aggregates, and per-timestamp GPU samples (a GPU run) or the API client's
    /// request counter, in OTLP's resourceMetrics form. The oldest era wrote the aggregates alone.
    func metrics(_ outs: [Outcome], end: Int64) -> JSON {
        let aggregates = metricAggregates(outs)
        if legacy { return aggregates }
        let resource: JSON = .obj([
            (
                "attributes",
                .array([
                    .obj([("key", "service.name"), ("value", .obj([("stringValue", "smoltrace-eval")]))]),
                    .obj([("key", "run.id"), ("value", .obj([("stringValue", .from(spec.runID))]))]),
                ])
            )
        ])
        var rms: [JSON] = []
        if !spec.gpus.isEmpty {
            rms = gpuResourceMetrics(outs, resource: resource)
        } else if spec.apiClientMetrics {
            rms.append(apiClientResourceMetrics(outs, end: end, resource: resource))
        }
        return .obj([("run_id", .from(spec.runID)), ("resourceMetrics", .array(rms)), ("aggregates", aggregates)])
    }

    /// SMOLTRACE's aggregate rows: successes, tool calls and steps, tokens, cost and CO2.
    func metricAggregates(_ outs: [Outcome]) -> JSON {
        let n = outs.count
        let passed = outs.filter { $0.success }.count
        let tokens = outs.map { $0.recordedTokens }.reduce(0, +)
        let cost = outs.map { $0.recordedCost }.reduce(0, +)
        let tc = outs.map { $0.toolCalls }.reduce(0, +), st = outs.map { $0.steps }.reduce(0, +)
        return .array([
            .obj([
                ("name", "tests.successful"), ("type", "counter"),
                (
                    "data_points",
                    .array([
                        .obj([
                            ("value", .obj([("value", .int(Int64(passed)))])),
                            (
                                "attributes",
                                .obj([("total_tests", .int(Int64(n))), ("success_rate", .double((Double(passed) / Double(max(1, n)) * 10000).rounded() / 100))])
                            ),
                        ])
                    ])
                ),
            ]),
            hist("tests.tool_calls", tc, n), hist("tests.steps", st, n),
            .obj([("name", "llm.token_count.total"), ("type", "sum"), ("unit", "tokens"), ("data_points", .array([.obj([("value", .obj([("value", .int(Int64(tokens)))])), ("attributes", .obj([]))])]))]),
            .obj([("name", "gen_ai.usage.cost.total"), ("type", "sum"), ("unit", "USD"), ("data_points", .array([.obj([("value", .obj([("value", .double(round6(cost)))])), ("attributes", .obj([]))])]))]),
            .obj([("name", "gen_ai.co2.emissions"), ("type", "sum"), ("unit", "gCO2e"), ("data_points", .array([.obj([("value", .obj([("value", .double((Double(tokens) / 1000 * 0.0004 * 10000).rounded() / 10000))])), ("attributes", .obj([]))])]))]),
        ])
    }

    /// One resourceMetrics entry per sample time, every GPU's gauges and counters in it.
    func gpuResourceMetrics(_ outs: [Outcome], resource: JSON) -> [JSON] {
        var rms: [JSON] = []
        let samples = gpuSamples(outs)
        var byTime: [Int64: [(Int64, Int, Int, Double, Int, Double, Double, Double)]] = [:]
        for s in samples { byTime[s.ns, default: []].append(s) }
        for ns in byTime.keys.sorted() {
            let pts = byTime[ns]!
            func dp(_ g: Int, _ v: Double, asInt: Bool) -> JSON {
                .obj([
                    (
                        "attributes",
                        .array([
                            .obj([("key", "gpu_id"), ("value", .obj([("stringValue", .string(String(g)))]))]),
                            .obj([("key", "gpu_name"), ("value", .obj([("stringValue", .string(spec.gpus[g]))]))]),
                        ])
                    ),
                    ("timeUnixNano", .string(String(ns))),
                    ("asInt", asInt ? .string(String(Int(v))) : .null), ("asDouble", asInt ? .null : .double(v)),
                ])
            }
            func gauge(_ name: String, _ unit: String, _ f: ((Int64, Int, Int, Double, Int, Double, Double, Double)) -> Double, int: Bool) -> JSON {
                .obj([("name", .string(name)), ("description", .string(name)), ("unit", .string(unit)),
                      ("gauge", .obj([("dataPoints", .array(pts.map { dp($0.1, f($0), asInt: int) }))]))])
            }
            func sum(_ name: String, _ unit: String, _ f: ((Int64, Int, Int, Double, Int, Double, Double, Double)) -> Double) -> JSON {
                .obj([("name", .string(name)), ("description", .string(name)), ("unit", .string(unit)),
                      ("sum", .obj([("dataPoints", .array(pts.map { dp($0.1, f($0), asInt: false) })), ("aggregationTemporality", .int(2)), ("isMonotonic", .bool(true))]))])
            }
            rms.append(
                .obj([
                    ("resource", resource),
                    (
                        "scopeMetrics",
                        .array([
                            .obj([
                                ("scope", .obj([("name", "genai.gpu"), ("version", .null)])),
                                (
                                    "metrics",
                                    .array([
                                        gauge("gen_ai.gpu.utilization", "%", { Double($0.2) }, int: true),
                                        gauge("gen_ai.gpu.memory.used", "MiB", { $0.3 }, int: false),
                                        gauge("gen_ai.gpu.memory.total", "MiB", { _ in 23034 }, int: true),
                                        gauge("gen_ai.gpu.temperature", "Cel", { Double($0.4) }, int: true),
                                        gauge("gen_ai.gpu.power", "W", { ($0.5 * 100).rounded() / 100 }, int: false),
                                        sum("gen_ai.co2.emissions", "gCO2e", { $0.6 }),
                                        sum("gen_ai.power.cost", "USD", { $0.7 }),
                                    ])
                                ),
                            ])
                        ])
                    ),
                ]))
        }
        return rms
    }

    /// An API run's only metric: the GenAI request counter at the end of the run.
    func apiClientResourceMetrics(_ outs: [Outcome], end: Int64, resource: JSON) -> JSON {
        return .obj([
            ("resource", resource),
            (
                "scopeMetrics",
                .array([
                    .obj([
                        ("scope", .obj([("name", "genai_otel.instrumentors.base"), ("version", "")])),
                        (
                            "metrics",
                            .array([
                                .obj([
                                    ("name", "gen_ai.requests"), ("description", "Number of GenAI requests"), ("unit", ""),
                                    (
                                        "sum",
                                        .obj([
                                            ("dataPoints", .array([.obj([("attributes", .array([])), ("timeUnixNano", .string(String(end))), ("asInt", .string(String(outs.map { $0.steps }.reduce(0, +)))), ("asDouble", .null)])])),
                                            ("aggregationTemporality", .int(2)), ("isMonotonic", .bool(true)),
                                        ])
                                    ),
                                ])
                            ])
                        ),
                    ])
                ])
            ),
        ])
    }

    func hist(_ name: String, _ sum: Int, _ count: Int) -> JSON {
        .obj([
            ("name", .string(name)), ("type", "histogram"),
            (
                "data_points",
                .array([
                    .obj([
                        ("value", .obj([("sum", .int(Int64(sum))), ("count", .int(Int64(count))), ("avg", .double((Double(sum) / Double(max(1, count)) * 100).rounded() / 100))])),
                        ("attributes", .obj([])),
                    ])
                ])
            ),
        ])
    }

    /// Python's `json.dump(…, indent=2)` with `ensure_ascii=True`: non-ASCII escaped as `\uXXXX`.
    func asciiJSON(_ j: JSON) -> String {
        let s = JSONWriter.string(j)
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for u in s.unicodeScalars {
            if u.value < 0x80 {
                out.unicodeScalars.append(u)
            } else if u.value < 0x10000 {
                out += "\\u" + NumberText.hex(u.value, width: 4)
            } else {
                let v = u.value - 0x10000
                out += "\\u" + NumberText.hex(0xD800 + (v >> 10), width: 4) + "\\u" + NumberText.hex(0xDC00 + (v & 0x3FF), width: 4)
            }
        }
        return out
    }
}
