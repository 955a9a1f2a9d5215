import FoundationEssentials
import TraceMindFormats
import TraceMindModel

/// The report commands' documents. The screens show the same numbers.
public enum Reports {
    // MARK: JSON pieces

    static func tokensJSON(_ t: TokenCounts?) -> JSON {
        t.map { t in JSONRecordBuilder.build { tokensMembers(t, into: &$0) } } ?? .null
    }

    /// `{prompt, completion, total}`: the split is null when the counts have none.
    static func tokensMembers<S: JSONRecordSink>(_ t: TokenCounts, into s: inout S) {
        s.member("prompt", t.hasSplit ? t.prompt : nil)
        s.member("completion", t.hasSplit ? t.completion : nil)
        s.member("total", t.total)
    }

    /// A member `key` of `tokensJSON(t)`.
    static func tokensMember<S: JSONRecordSink>(_ key: StaticString, _ t: TokenCounts?, into s: inout S) {
        if let t { s.object(key) { tokensMembers(t, into: &$0) } } else { s.member(key, JSON.null) }
    }

    static func round6(_ d: Double?) -> JSON { rounded6(d).map { .double($0) } ?? .null }

    /// `round6` as a number, nil where that is null: a record's member written without a value made (a text sink
    /// writes a `Double?` at once; a `JSON` member went through the writer's switch).
    static func rounded6(_ d: Double?) -> Double? {
        guard let d, d.isFinite else { return nil }
        return (d * 1e9).rounded() / 1e9
    }

    public static func leaderboardFields(_ e: RunEntry) -> [(String, JSON)] {
        JSONRecordBuilder.pairs { leaderboardMembers(e, into: &$0) }
    }

    /// The members of `leaderboardFields`, into any sink (the leaderboard report writes them as text).
    static func leaderboardMembers<S: JSONRecordSink>(_ e: RunEntry, into s: inout S) {
        let r = e.row
        s.member("key", e.key)
        s.member("run_id", r.runID)
        s.member("model", r.model)
        s.member("agent_type", r.agentType)
        s.member("provider", r.provider)
        s.member("timestamp", r.timestamp)
        s.member("run_status", r.runStatus)
        s.member("total_tests", r.totalTests)
        s.member("successful_tests", r.successfulTests)
        s.member("failed_tests", r.failedTests)
        s.member("success_rate", r.successRate)
        s.member("pass_at_1", r.passAt1)
        s.member("avg_steps", r.avgSteps)
        s.member("recorded_avg_duration_ms", r.avgDurationMs)
        s.member("recorded_total_tokens", r.totalTokens)
        s.member("recorded_total_cost_usd", r.totalCostUSD)
        s.member("co2_emissions_g", r.co2Grams)
        s.member("gpu_utilization_avg", r.gpuUtilizationAvg)
        s.member("hardware", r.hardware)
        s.member("use_case", r.useCase)
        s.member("team", r.team)
        s.member("submitted_by", r.submittedBy)
        s.member("rankable", r.isRankable)
        s.member("source", e.source)
        s.member("also_at", JSON.array(e.alsoAt.map { .string($0) }))
    }

    // MARK: leaderboard

    /// The counted-once figures of a run, beside the recorded ones.
    static func correctedMembers<S: JSONRecordSink>(_ c: RunTotals?, _ e: RunEntry, into s: inout S) {
        tokensMember("tokens", c?.tokens, into: &s)
        s.member("cost_usd", rounded6(c?.cost?.value))
        s.member("cost_unpriced_calls", c?.cost?.unpriced)
        s.member("cost_per_pass_usd", rounded6(LeaderboardFigures.costPerPass(e.row, c, .countedOnce).value))
        s.member("tokens_is_lower_bound", c.map(\.partial))
        s.member("cost_is_lower_bound", c.map { $0.partial || ($0.cost?.isUnknown ?? false) })
        s.member("wall_ms_mean", rounded6(c?.wallMeanMs))
        s.member("wall_ms_p50", rounded6(c?.wallP50Ms))
        s.member("wall_ms_p95", rounded6(c?.wallP95Ms))
        s.member("gpu_hardware", c?.hardware)
    }

    /// `corrected`: figures counted once, by run key (nil: only the recorded figures of the leaderboard rows).
    /// `ranks`: the runs' places among every loaded run (`LeaderboardFigures.ranks`; computed over `runs` when nil).
    /// Every figure is `LeaderboardFigures`', as on the leaderboard screen.
    public static func leaderboard(_ runs: [RunEntry], format: OutputFormat, corrected: [String: RunTotals]? = nil, ranks: [String: Int]? = nil) -> String {
        let ranks = ranks ?? LeaderboardFigures.ranks(runs, corrected ?? [:], mode: corrected == nil ? .recorded : .countedOnce)
        return leaderboard(LeaderboardRows(shown: runs, corrected: corrected, ranks: ranks), format: format)
    }

    /// The leaderboard report of `rows`, in the order shown.
    public static func leaderboard(_ rows: LeaderboardRows, format: OutputFormat) -> String {
        if format == .json {
            var out: [UInt8] = []
            streamLeaderboardJSON(rows) { out.append(contentsOf: $0) }
            return String(decoding: out, as: UTF8.self)
        }
        if format == .csv { return CSV.from(leaderboardJSON(rows).arrayValue ?? []) }
        // The leaderboard screen's columns (`LeaderboardColumns`), numbers in full; markdown keeps whole run ids.
        let mode = rows.mode
        let columns = LeaderboardColumns.report(mode: mode, counted: rows.counted)
        var t = TextTable(headers: columns.map(\.title), align: columns.map { $0.right ? .right : .left })
        // The cells on all cores (150,000 of them for 10,000 runs), rows in order.
        t.rows = Parallel.values(rows.count, serial: rows.count < 256) { k in
            let r = rows.row(k)
            let ctx = LeaderboardCellContext(rank: r.place, mode: mode, compact: false, shortIDs: format != .markdown)
            return columns.map { $0.cell(r.entry, r.totals, ctx).text }
        }
        return leaderboardTable(t, count: rows.count, format: format, counted: rows.counted)
    }

    /// The JSON report of the leaderboard, to `sink` as it is written: each record's text written member by member
    /// (`leaderboardRecord` into a `JSONRecordText`), a batch of runs at a time on all cores; the text of
    /// `leaderboardJSON`.
    public static func streamLeaderboardJSON(
        _ runs: [RunEntry], corrected: [String: RunTotals]?, ranks: [String: Int], _ sink: @escaping (UnsafeRawBufferPointer) -> Void
    ) {
        streamLeaderboardJSON(LeaderboardRows(shown: runs, corrected: corrected, ranks: ranks), sink)
    }

    /// `streamLeaderboardJSON` of `rows`.
    public static func streamLeaderboardJSON(_ rows: LeaderboardRows, _ sink: @escaping (UnsafeRawBufferPointer) -> Void) {
        JSONWriter.stream(
            count: rows.count,
            writing: { run, t in
                for k in run {
                    let r = rows.row(k)
                    t.record { leaderboardRecord(r.entry, totals: r.totals, counted: rows.counted, rank: r.place, into: &$0) }
                }
            }, sink)
    }

    /// The leaderboard's records as values (CSV flattens them; the JSON report is their text).
    public static func leaderboardJSON(_ runs: [RunEntry], corrected: [String: RunTotals]? = nil, ranks: [String: Int]? = nil) -> JSON {
        let ranks = ranks ?? LeaderboardFigures.ranks(runs, corrected ?? [:], mode: corrected == nil ? .recorded : .countedOnce)
        return leaderboardJSON(LeaderboardRows(shown: runs, corrected: corrected, ranks: ranks))
    }

    /// `leaderboardJSON` of `rows`.
    public static func leaderboardJSON(_ rows: LeaderboardRows) -> JSON {
        .array(
            (0..<rows.count).map { k in
                let r = rows.row(k)
                return JSONRecordBuilder.build { leaderboardRecord(r.entry, totals: r.totals, counted: rows.counted, rank: r.place, into: &$0) }
            })
    }

    /// The element of `leaderboardJSON`, into any sink: the streamed report writes it as text, member by member.
    /// `counted`: the counted-once figures are part of the record (`totals`, nil where the run has none).
    static func leaderboardRecord<S: JSONRecordSink>(_ e: RunEntry, totals c: RunTotals?, counted: Bool, rank: Int?, into s: inout S) {
        let mode: FigureMode = counted ? .countedOnce : .recorded
        let counts = LeaderboardFigures.testCounts(e.row, c, mode)
        s.member("rank", rank)
        leaderboardMembers(e, into: &s)
        s.member("tests_passed", counts.passed)
        s.member("tests_failed", counts.failed)
        s.member("tests_errored", counts.errored)
        s.member("figures", mode.rawValue)
        if counted { correctedMembers(c, e, into: &s) }
    }

    static func leaderboardTable(_ t: TextTable, count: Int, format: OutputFormat, counted: Bool) -> String {
        var out = t.render(format)
        if format == .table || format == .markdown {
            out += (format == .markdown ? "\n" : "") + (!counted
                ? "\(count) runs · tokens and cost as recorded by SMOLTRACE (--corrected adds them counted once) · # ranks by success, pass@1, then cost\n"
                : "\(count) runs · tokens, cost, $/pass and wall time counted once from the traces (≥: a lower bound); ·rec as recorded by SMOLTRACE · # ranks by success, pass@1, then cost\n")
        }
        return out
    }

    // MARK: breakdown

    /// `[{key, cost_usd, tokens, spans, duration_ms}]`; `cost_usd` is null when some calls in the group are unpriced
    /// (`cost_unpriced_calls` says how many, `cost_known_usd` what is known).
    public static func breakdownJSON(_ rows: [BreakdownRow]) -> JSON {
        .array(rows.map { r in
            .obj([
                ("key", .string(r.key)), ("cost_usd", round6(r.cost.value)), ("tokens", .int(Int64(r.tokens))), ("spans", .int(Int64(r.spans))),
                ("duration_ms", round6(r.durationMs)), ("cost_known_usd", round6(r.cost.knownUSD)), ("cost_unpriced_calls", .int(Int64(r.cost.unpriced))),
            ])
        })
    }

    public static func breakdown(_ rows: [BreakdownRow], by key: BreakdownKey, scope: String, format: OutputFormat) -> String {
        if format == .json { return JSONWriter.string(breakdownJSON(rows)) + "\n" }
        if format == .csv { return CSV.from(breakdownJSON(rows).arrayValue ?? []) }
        let total = rows.reduce(0) { $0 + $1.cost.knownUSD }
        var t = TextTable(headers: [key.rawValue, "cost", "share", "tokens", "spans", "self time"], align: [.left, .right, .right, .right, .right, .right])
        for r in rows {
            t.rows.append([
                Format.oneLine(r.key, max: 60), Format.cost(r.cost), total > 0 ? Format.percent(r.cost.knownUSD / total * 100) : "—",
                Format.tokens(r.tokens), String(r.spans), Format.duration(r.durationMs),
            ])
        }
        var out = t.render(format)
        if format == .table {
            out += "\(rows.count) groups by \(key.rawValue) · \(scope) · cost and tokens counted once; time is each span's own (not its children's)\n"
        }
        return out
    }

    // MARK: top traces

    /// `[{rank, run_id, task_id, trace_id, root, cost_usd, cost_known_usd, cost_unpriced_calls, tokens, wall_ms, spans, errors}]`.
    public static func topTracesJSON(_ rows: [RankedTrace]) -> JSON {
        .array(rows.enumerated().map { i, r in
            let s = r.summary
            return .obj([
                ("rank", .int(Int64(i + 1))), ("run_id", .string(r.runKey)), ("task_id", .from(r.taskID)), ("trace_id", .string(s.traceID)),
                ("root", .from(s.rootName)), ("cost_usd", round6(s.cost.value)), ("cost_known_usd", round6(s.cost.knownUSD)),
                ("cost_unpriced_calls", .int(Int64(s.cost.unpriced))), ("tokens", .int(Int64(s.tokens.total))), ("wall_ms", round6(s.wallMs)),
                ("spans", .int(Int64(s.spanCount))), ("errors", .int(Int64(s.errorCount))),
            ])
        })
    }

    public static func topTraces(_ rows: [RankedTrace], by ranking: TraceRanking, scope: String, format: OutputFormat) -> String {
        if format == .json { return JSONWriter.string(topTracesJSON(rows)) + "\n" }
        if format == .csv { return CSV.from(topTracesJSON(rows).arrayValue ?? []) }
        var t = TextTable(
            headers: ["#", "trace", "run", "task / root", "cost", "tokens", "wall", "spans", "errors"],
            align: [.right, .left, .left, .left, .right, .right, .right, .right, .right])
        for (i, r) in rows.enumerated() {
            let s = r.summary
            t.rows.append([
                String(i + 1), s.traceID, Format.oneLine(r.runKey, max: 40),
                Format.oneLine(r.taskID ?? s.rootName ?? "—", max: 40), Format.cost(s.cost), Format.tokens(s.tokens.total),
                Format.duration(s.wallMs), String(s.spanCount), String(s.errorCount),
            ])
        }
        var out = t.render(format)
        if format == .table {
            let unpriced = rows.contains { $0.summary.cost.unpriced > 0 }
            out += "\(rows.count) traces by \(ranking.rawValue) · \(scope) · cost and tokens counted once" + (unpriced ? " (≥: some calls unpriced)" : "") + "\n"
        }
        return out
    }

    static func short(_ key: String) -> String { key.count > 12 ? String(key.prefix(8)) + "…" : key }

    // MARK: run

    public static func testJSON(_ t: TestRow) -> JSON {
        .obj([
            ("task_id", .string(t.taskID)),
            ("agent_type", .string(t.agentType)),
            ("test_case_uid", .from(t.result?.testCaseUID)),
            ("outcome", .string(t.outcome.rawValue)),
            ("success", .from(t.result.map { $0.success == true })),
            ("success_recomputed", .from(t.result?.recomputedSuccess)),
            ("steps", .from(t.steps)),
            ("wall_ms", round6(t.wallMs)),
            ("tokens", tokensJSON(t.tokens)),
            ("cost_usd", round6(t.cost?.value)),
            ("cost_unpriced_calls", .from(t.cost?.unpriced)),
            ("llm_calls", .from(t.trace?.llmCalls)),
            ("recorded_total_tokens", .from(t.recordedTotalTokens)),
            ("recorded_cost_usd", .from(t.recordedCostUSD)),
            ("recorded_execution_time_ms", .from(t.result?.recordedExecutionMs)),
            ("trace_id", .from(t.trace?.traceID ?? t.result?.traceID)),
            ("ttft_s", round6(t.trace?.firstTTFT)),
            ("joined_by", .string(t.joinedBy.rawValue)),
            ("stop_reason", .from(t.result?.stopReason)),
            ("error", .from(t.error)),
        ])
    }

    public static func runJSON(_ a: RunAnalysis) -> JSON {
        .obj([
            ("run", .obj(leaderboardFields(a.entry))),
            (
                "by_difficulty",
                .array(a.byDifficulty.map { d in
                    .obj([
                        ("difficulty", .string(d.difficulty)), ("tests", .int(Int64(d.tests))), ("passed", .int(Int64(d.passed))),
                        ("success_rate", .from(d.successRate)), ("tokens", .int(Int64(d.tokens.total))), ("cost_usd", round6(d.cost.value)),
                        ("cost_known_usd", round6(d.cost.knownUSD)), ("cost_per_pass_usd", round6(d.costPerPass)), ("is_lower_bound", .bool(d.isLowerBound)),
                    ])
                })
            ),
            (
                "totals",
                .obj([
                    ("tests", .int(Int64(a.testCount))),
                    ("passed", .int(Int64(a.passed))),
                    ("failed", .int(Int64(a.failed))),
                    ("errored", .int(Int64(a.errored))),
                    ("timed_out", .int(Int64(a.timedOut))),
                    ("success_rate", .from(a.successRate)),
                    ("pass_at_1", .from(a.passAt1)),
                    ("avg_steps", .from(a.avgSteps)),
                    ("tokens", a.hasTraces ? tokensJSON(a.tokens) : .null),
                    ("cost_usd", a.hasTraces ? round6(a.cost.value) : .null),
                    ("cost_known_usd", a.hasTraces ? round6(a.cost.knownUSD) : .null),
                    ("cost_unpriced_calls", .int(Int64(a.cost.unpriced))),
                    ("tokens_is_lower_bound", a.hasTraces ? .bool(a.tokensAreLowerBound) : .null),
                    ("cost_is_lower_bound", a.hasTraces ? .bool(a.costIsLowerBound) : .null),
                    ("lower_bound_reasons", .array(a.lowerBoundReasons.map { .string($0) })),
                    ("results_partly_read", .bool(!a.partialResults.isEmpty)),
                    ("recorded_total_tokens", .from(a.recordedTotalTokens)),
                    ("recorded_total_cost_usd", .from(a.recordedTotalCostUSD)),
                    ("wall_ms_p50", round6(a.wall?.p50)),
                    ("wall_ms_p95", round6(a.wall?.p95)),
                    ("wall_ms_p99", round6(a.wall?.p99)),
                    ("ttft_s_p50", round6(a.ttft?.p50)),
                    ("ttft_s_p95", round6(a.ttft?.p95)),
                    ("ttft_s_p99", round6(a.ttft?.p99)),
                    ("tbt_s_p50", round6(a.tbt?.p50)),
                    ("tbt_s_p95", round6(a.tbt?.p95)),
                    ("tokens_per_test", round6(a.tokensPerTest)),
                    ("cost_per_test_usd", round6(a.costPerTest)),
                    ("tokens_per_pass", round6(a.tokensPerPass)),
                    ("cost_per_pass_usd", round6(a.costPerPass)),
                    ("co2_g", .from(a.co2Grams)),
                    (
                        "by_model",
                        .array(
                            a.tokensByModel.map {
                                .obj([("model", .string($0.model)), ("tokens", tokensJSON($0.tokens)), ("cost_usd", round6($0.cost.value))])
                            })
                    ),
                    (
                        "by_span_kind",
                        .array(
                            a.costByCategory.map {
                                .obj([("kind", .string($0.category.rawValue)), ("cost_usd", round6($0.cost.value))])
                            })
                    ),
                    ("extra_traces", .int(Int64(a.extraTraces.count))),
                    ("gpu_data", .bool(a.metrics?.hasGPUData ?? false)),
                ])
            ),
            // A test's record is made on all cores for a run of many (as `JSONWriter.stream` writes them).
            ("tests", .array(Parallel.values(a.tests.count, serial: a.tests.count < 64) { testJSON(a.tests[$0]) })),
            ("diagnostics", .array(a.diagnostics.map { .string($0.description) })),
        ])
    }

    static func runTestCells(_ r: TestRow) -> [String] {
        let cost = r.trace == nil ? "unknown" : Format.cost(r.cost)
        let steps = r.steps.map { String($0) } ?? "—"
        return [
            r.taskID, r.agentType, r.outcome.rawValue, steps, Format.duration(r.wallMs), Format.tokens(r.tokens?.total), cost,
            Format.tokens(r.recordedTotalTokens), Format.usd(r.recordedCostUSD, unknown: "unknown"), Format.oneLine(r.error, max: 60),
        ]
    }

    public static func run(_ a: RunAnalysis, format: OutputFormat) -> String {
        if format == .json { return JSONWriter.string(runJSON(a)) + "\n" }
        var t = TextTable(
            headers: ["task", "agent", "outcome", "steps", "wall", "tokens", "cost", "tokens (rec.)", "cost (rec.)", "error"],
            align: [.left, .left, .left, .right, .right, .right, .right, .right, .right, .left])
        t.rows = a.tests.map(runTestCells)
        if a.streamedCalls > 0 {
            // Streamed calls: the time to first token of each test's first call, beside its wall time.
            t.headers.insert("ttft", at: 5)
            t.align.insert(.right, at: 5)
            for (i, r) in a.tests.enumerated() { t.rows[i].insert(r.trace?.firstTTFT.map { Format.duration($0 * 1000) } ?? "—", at: 5) }
        }
        let header = runHeaderLines(a)
        switch format {
        case .csv: return CSV.from(a.tests.map(testJSON))
        case .markdown: return header.map { "- " + $0 }.joined(separator: "\n") + "\n\n" + t.markdown()
        default: return header.joined(separator: "\n") + "\n\n" + t.aligned()
        }
    }

    public static func runHeaderLines(_ a: RunAnalysis) -> [String] {
        let r = a.entry.row
        var lines = [
            "\(r.model) · \(r.agentType) · \(r.provider ?? "—") · \(r.runStatus ?? "status unknown") · \(Format.timestamp(r.timestamp))",
            "run \(a.entry.key)  source \(a.entry.source)" + (a.entry.alsoAt.isEmpty ? "" : "  (the same run is also at \(a.entry.alsoAt.joined(separator: ", ")))"),
            "tests \(a.testCount): \(a.passed) passed, \(a.failed) failed, \(a.errored) errors, \(a.timedOut) timeouts · success \(Format.percent(a.successRate)) · pass@1 \(a.passAt1.map { Format.number($0) } ?? "—")",
        ]
        if a.hasTraces {
            let lb = a.tokensAreLowerBound
            lines.append(
                "tokens \(Format.atLeast(Format.tokens(a.tokens.total), lb)) (prompt \(Format.atLeast(Format.tokens(a.tokens.prompt), lb)), completion \(Format.atLeast(Format.tokens(a.tokens.completion), lb))) · recorded \(Format.tokens(a.recordedTotalTokens))"
            )
            lines.append(
                "cost \(Format.cost(a.cost, lowerBound: lb))\(a.cost.unpriced > 0 ? " (\(a.cost.unpriced) unpriced calls)" : "") · recorded \(Format.usd(a.recordedTotalCostUSD, unknown: "unknown")) · per pass \(Format.atLeast(Format.usd(a.costPerPass), a.costIsLowerBound))"
            )
            if lb { lines.append("≥ lower bounds: " + a.lowerBoundReasons.joined(separator: "; ")) }
        } else {
            lines.append(
                "no traces: tokens and cost unknown · recorded tokens \(Format.tokens(a.recordedTotalTokens)), cost \(Format.usd(a.recordedTotalCostUSD, unknown: "unknown"))"
            )
        }
        if let w = a.wall {
            lines.append("wall time per test p50 \(Format.duration(w.p50)) · p95 \(Format.duration(w.p95)) · p99 \(Format.duration(w.p99))")
        }
        if let line = streamingLine(a) { lines.append(line) }
        return lines
    }

    /// `time to first token p50 … · between tokens p50 …` over every call that reports them; nil without any.
    public static func streamingLine(_ a: RunAnalysis) -> String? {
        guard let t = a.ttft else { return nil }
        func s(_ v: Double) -> String { Format.duration(v * 1000) }
        var line = "time to first token p50 \(s(t.p50)) · p95 \(s(t.p95)) · p99 \(s(t.p99)) (\(Format.grouped(a.streamedCalls)) call\(a.streamedCalls == 1 ? "" : "s"))"
        if let b = a.tbt { line += " · between tokens p50 \(s(b.p50)) · p95 \(s(b.p95))" }
        return line
    }

    // MARK: compare

    /// Unique short labels for the runs of a comparison.
    public static func runLabels(_ c: Comparison) -> [String] {
        let base = c.runs.map { Format.runLabel($0.entry) }
        return base.enumerated().map { i, l in base.filter { $0 == l }.count > 1 ? l + " (" + short(c.runs[i].entry.key) + ")" : l }
    }

    /// What the runs compare: shared tests, tests only some have, same ids with other prompts, task datasets.
    public static func comparabilityJSON(_ c: Comparison) -> JSON {
        let k = c.comparability
        return .obj([
            ("same_task_set", .bool(k.isSameTaskSet)),
            ("shared_tests", .int(Int64(k.shared.count))),
            ("only_in", .array(k.onlyIn.map { .array($0.map { .string($0) }) })),
            ("prompt_differs", .array(k.promptDiffers.map { .string($0) })),
            ("datasets", .array(k.datasets.map { .from($0) })),
            ("datasets_differ", .bool(k.datasetsDiffer)),
            ("warning", .from(k.warning(labels: runLabels(c)))),
        ])
    }

    static func metricsJSON(_ c: Comparison, _ metrics: [Comparison.Metric], labels: [String]) -> JSON {
        .array(
            metrics.map { m in
                        var fields: [(String, JSON)] = [
                            ("name", .string(m.name)),
                            ("label", .string(m.label)),
                            ("values", .array(m.values.map { round6($0) })),
                            ("best_index", .from(m.bestIndex)),
                            ("lower_is_better", .bool(m.lowerIsBetter)),
                            ("delta_vs_baseline", .array(m.values.indices.map { i in round6(c.delta(m, i)?.abs) })),
                            ("delta_pct_vs_baseline", .array(m.values.indices.map { i in round6(c.delta(m, i)?.pct) })),
                            ("verdict", .string(c.verdict(m, labels: labels))),
                        ]
                        if let rec = m.recorded { fields.append(("recorded_values", .array(rec.map { round6($0) }))) }
                        return .obj(fields)
                    })
    }

    public static func compareJSON(_ c: Comparison) -> JSON {
        let labels = runLabels(c)
        return .obj([
            ("runs", .array(c.runs.map { .obj(leaderboardFields($0.entry) + [("label", .string(Format.runLabel($0.entry)))]) })),
            ("baseline_index", .int(0)),
            ("comparability", comparabilityJSON(c)),
            ("metrics", metricsJSON(c, c.metrics, labels: labels)),
            ("shared_test_metrics", metricsJSON(c, c.sharedMetrics, labels: labels)),
            (
                "tests",
                .array(
                    c.tests.map { t in
                        .obj([
                            ("task_id", .string(t.taskID)),
                            ("agent_type", .string(t.agentType)),
                            ("success", .array(t.success.map { .from($0) })),
                            ("outcome", .array(t.outcomes.map { .from($0?.rawValue) })),
                            ("cost_usd", .array(t.cost.map { round6($0) })),
                            ("wall_ms", .array(t.wallMs.map { round6($0) })),
                            ("steps", .array(t.steps.map { .from($0) })),
                            ("trace_id", .array(t.rows.map { .from($0?.trace?.traceID) })),
                            ("flipped", .bool(t.flipped)),
                            ("regression", .bool(t.isRegression)),
                            ("fixed", .bool(t.isFix)),
                            ("missing_in_a_run", .bool(t.missingSomewhere)),
                            ("prompt_differs", .bool(t.promptDiffers)),
                        ])
                    })
            ),
        ])
    }

    public static func metricValue(_ m: Comparison.Metric, _ v: Double?) -> String {
        guard let v else { return "—" }
        switch m.unit {
        case .percent: return Format.percent(v)
        case .ratio: return Format.number(v, digits: 3)
        case .count: return String(Int(v))
        case .tokens: return Format.grouped(Int(v.rounded()))
        case .usd: return Format.usd(v)
        case .ms: return Format.duration(v)
        case .grams: return Format.number(v, digits: 4) + "g"
        case .number: return Format.number(v)
        case .mib: return Format.number(v, digits: 0) + " MiB"
        case .watts: return Format.number(v, digits: 1) + " W"
        }
    }

    static func metricCell(_ c: Comparison, _ m: Comparison.Metric, _ i: Int) -> String {
        var s = metricValue(m, m.values[i])
        if let d = c.delta(m, i), d.abs != 0 {
            let absText = m.unit == .percent ? NumberText.fixed(d.abs, 1, plus: true) + " pts" : Format.signed(d.abs, { metricValue(m, $0) })
            let pctText = d.pct.map { ", " + NumberText.fixed($0, 0, plus: true) + "%" } ?? ""
            s += " (" + absText + pctText + ")"
        }
        return m.isBest(i) ? "★ " + s : s
    }

    static func testCell(_ r: TestRow?) -> String {
        guard let r else { return "missing" }
        return Format.outcomeGlyph(r.outcome) + " " + Format.cost(r.cost, unknown: "?") + " " + Format.duration(r.wallMs)
    }

    public static func compareTables(_ c: Comparison) -> (metrics: TextTable, tests: TextTable) {
        let labels = runLabels(c)
        let names = labels.enumerated().map { i, l in (i == 0 ? "[base] " : "") + l }
        var mt = TextTable(headers: ["metric"] + names + ["verdict"], align: [.left] + names.map { _ in .right } + [.left])
        // Different task sets: the shared-test figures first, then the whole runs' (labelled as such).
        for m in c.sharedMetrics where m.values.contains(where: { $0 != nil }) {
            mt.rows.append([m.label + (m.lowerIsBetter ? " ↓" : " ↑")] + m.values.indices.map { metricCell(c, m, $0) } + [c.verdict(m, labels: labels)])
        }
        for m in c.metrics where m.values.contains(where: { $0 != nil }) && !m.name.hasPrefix("recorded_") {
            let label = m.label + (c.sharedMetrics.isEmpty ? "" : " (whole run)") + (m.lowerIsBetter ? " ↓" : " ↑")
            var cells = m.values.indices.map { metricCell(c, m, $0) }
            if let rec = m.recorded { cells = cells.enumerated().map { i, t in rec[i].map { t + " [rec. \(metricValue(m, $0))]" } ?? t } }
            mt.rows.append([label] + cells + [c.verdict(m, labels: labels)])
        }
        var tt = TextTable(headers: ["task", "agent"] + names + ["flipped"], align: [.left, .left] + names.map { _ in .left } + [.left])
        for t in c.tests {
            tt.rows.append([t.taskID, t.agentType] + t.rows.map(testCell) + [t.promptDiffers ? "prompt differs" : t.flipped ? "yes" : ""])
        }
        return (mt, tt)
    }

    public static func compare(_ c: Comparison, format: OutputFormat) -> String {
        if format == .json { return JSONWriter.string(compareJSON(c)) + "\n" }
        let (mt, tt) = compareTables(c)
        switch format {
        case .csv:
            // Two tables: metrics, then tests (a blank line between, as spreadsheets expect of separate tables).
            let j = compareJSON(c)
            return CSV.from(j["metrics"]?.arrayValue ?? []) + "\n" + CSV.from(j["tests"]?.arrayValue ?? [])
        case .markdown:
            let warning = c.comparability.warning(labels: runLabels(c)).map { "> " + $0 + "\n\n" } ?? ""
            return warning + "## Metrics\n\n" + mt.markdown() + "\n## Tests\n\n" + tt.markdown()
        default:
            let flipped = c.tests.filter { $0.flipped }.count
            let warning = c.comparability.warning(labels: runLabels(c)).map { $0 + "\n\n" } ?? ""
            return warning + mt.aligned() + "\n" + tt.aligned() + "\(flipped) flipped tests · ★ best (errored and missing tests never count) · ↓ lower is better\n"
        }
    }
}
