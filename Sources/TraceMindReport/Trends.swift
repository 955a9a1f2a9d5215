import FoundationEssentials
import TraceMindFormats
import TraceMindModel

/// The `trends` and `flaky` reports: the model's `Trends` and `FlakyReport` as table, markdown, CSV or JSON. The
/// trends screen shows the same figures, formatted by the same functions.
extension Reports {
    /// A figure in its unit: `75.0%`, `$0.0012`, `1.4s`, `1,234`; `≥` for a lower bound; `unknown`. The trends'
    /// and the analytics' cells alike.
    public static func figureValue(_ m: RunFigure, _ v: Double?, lowerBound: Bool = false) -> String {
        guard let v else { return "unknown" }
        let text: String
        switch m {
        case .success: text = Format.percent(v)
        case .costPerTest, .costPerPass: text = Format.usd(v)
        case .wallP50: text = Format.duration(v)
        case .tokensPerTest: text = Format.grouped(Int(v.rounded()))
        }
        return Format.atLeast(text, lowerBound)
    }

    /// A change in the metric's unit: `+5.0 pp`, `-$0.0003`, `+120ms`, `+34`.
    public static func trendDelta(_ m: RunFigure, _ d: Double?) -> String {
        guard let d else { return "" }
        switch m {
        case .success: return Format.signed(d) { Format.number($0, digits: 1) } + " pp"
        case .costPerTest, .costPerPass: return Format.signed(d) { Format.usd($0) }
        case .wallP50: return Format.signed(d) { Format.duration($0) }
        case .tokensPerTest: return Format.signed(d) { Format.grouped(Int($0.rounded())) }
        }
    }

    /// The noise of a regression, in the metric's unit.
    public static func trendNoise(_ m: RunFigure, _ n: Double) -> String {
        m == .success ? Format.number(n, digits: 1) + " pp" : figureValue(m, n)
    }

    /// One line saying what the trends show.
    public static func trendsHeadline(_ t: Trends) -> String {
        let runs = t.series.reduce(0) { $0 + $1.points.count }
        var s = "\(t.metric.title) by \(t.grouping == .model ? "model" : "model and agent type"), "
        s += t.mode == .recorded ? "SMOLTRACE's recorded figures" : "counted once"
        s += " · \(runs) run\(runs == 1 ? "" : "s") on \(t.series.count) line\(t.series.count == 1 ? "" : "s")"
        s += " · \(t.regressions.count) regression\(t.regressions.count == 1 ? "" : "s")"
        if t.undated > 0 { s += " · \(t.undated) run\(t.undated == 1 ? "" : "s") without a timestamp left out" }
        return s
    }

    /// A regression in one line.
    public static func regressionLine(_ t: Trends, _ r: TrendRegression) -> String {
        "\(r.series): \(r.runKey) \(figureValue(t.metric, r.value)) (was \(figureValue(t.metric, r.previous)) in \(r.previousRunKey); noise ±\(trendNoise(t.metric, r.noise)))"
    }

    public static func trends(_ t: Trends, format: OutputFormat) -> String {
        if format == .json || format == .csv {
            let records: [JSON] = t.series.flatMap { s in
                s.points.map { p in
                    JSON.obj([
                        ("series", .string(s.label)), ("run", .string(p.runKey)), ("timestamp", .string(p.timestamp)),
                        ("agent_type", .string(p.agentType)), ("task_set", .from(p.taskSet)), ("metric", .string(t.metric.rawValue)),
                        ("value", .from(p.value.value)), ("lower_bound", .bool(p.value.lowerBound)),
                        ("previous_run", .from(p.previousRunKey)), ("change", .from(p.delta)),
                        ("regression", .bool(p.regression != nil)), ("noise", .from(p.regression?.noise)),
                        ("new_task_set", .bool(p.newTaskSet)),
                    ])
                }
            }
            if format == .csv { return CSV.from(records) }
            return JSONWriter.string(.obj([
                ("metric", .string(t.metric.rawValue)), ("grouping", .string(t.grouping.rawValue)), ("figures", .string(t.mode.rawValue)),
                ("undated_runs", .int(Int64(t.undated))), ("points", .array(records)),
                ("regressions", .array(t.regressions.map { r in
                    JSON.obj([
                        ("series", .string(r.series)), ("run", .string(r.runKey)), ("previous_run", .string(r.previousRunKey)),
                        ("previous", .double(r.previous)), ("value", .double(r.value)), ("noise", .double(r.noise)),
                    ])
                })),
            ])) + "\n"
        }
        let md = format == .markdown
        var table = TextTable(headers: ["line", "run", "when", "value", "change", ""], align: [.left, .left, .left, .right, .right, .left])
        for s in t.series {
            for (i, p) in s.points.enumerated() {
                var flag: [String] = []
                if p.regression != nil { flag.append("▼ regression") }
                if p.newTaskSet { flag.append("⚠ another task set") }
                table.rows.append([
                    i == 0 ? s.label : "", p.runKey, Format.timestamp(p.timestamp), figureValue(t.metric, p.value.value, lowerBound: p.value.lowerBound),
                    trendDelta(t.metric, p.delta), flag.joined(separator: " "),
                ])
            }
        }
        table.align = table.align.enumerated().map { $0.offset == 3 ? .right : $0.element }
        var out = (md ? "## Trends: " : "Trends: ") + trendsHeadline(t) + "\n\n"
        out += table.render(md ? .markdown : .table)
        if !out.hasSuffix("\n") { out += "\n" }
        out += "\nChanges are from the previous run of the same model, agent type and task set; a line is broken where its task set changes.\n"
        if t.regressions.isEmpty {
            out += "No regression: no run is worse than the one before it by more than the noise.\n"
        } else {
            out += "\nRegressions (worse than the previous run of the same kind by more than the noise):\n"
            for r in t.regressions { out += (md ? "- " : "  ") + regressionLine(t, r) + "\n" }
        }
        return out
    }

    /// `✓✗✓✓` for a test's outcomes in its group's runs (`·` where a run has no result for it).
    public static func outcomeStrip(_ t: FlakyTest) -> String { t.outcomes.map(Format.outcomeGlyph).joined() }

    public static func flaky(_ f: FlakyReport, format: OutputFormat, all: Bool = false) -> String {
        if format == .json || format == .csv {
            var records: [JSON] = []
            for g in f.groups {
                for t in g.tests where all || t.isFlaky {
                    records.append(JSON.obj([
                        ("model", .string(g.model)), ("agent_type", .string(g.agentType)), ("task_set", .string(g.taskSet)),
                        ("test", .string(t.key)), ("runs", .int(Int64(t.runs))), ("passed", .int(Int64(t.passed))),
                        ("pass_rate", .from(t.passRate)), ("flips", .int(Int64(t.flips))), ("flaky", .bool(t.isFlaky)),
                        ("outcomes", .string(t.outcomes.map { $0?.rawValue ?? "" }.joined(separator: " "))),
                    ]))
                }
            }
            if format == .csv { return CSV.from(records) }
            return JSONWriter.string(.obj([
                ("groups", .array(f.groups.map { g in
                    let sp = g.successSpread
                    return JSON.obj([
                        ("model", .string(g.model)), ("agent_type", .string(g.agentType)), ("task_set", .string(g.taskSet)),
                        ("runs", .array(g.runKeys.map { .string($0) })), ("success_rates", .array(g.success.map { JSON.from($0) })),
                        ("success_min", .from(sp?.min)), ("success_max", .from(sp?.max)), ("success_sd", .from(sp?.sd)),
                        ("tests", .int(Int64(g.tests.count))), ("flaky_tests", .int(Int64(g.flaky.count))),
                    ])
                })),
                ("tests", .array(records)), ("runs_left_out", .int(Int64(f.leftOut))),
            ])) + "\n"
        }
        let md = format == .markdown
        var out = md ? "## Flaky tests\n\n" : "Flaky tests\n\n"
        if f.groups.isEmpty {
            out += "No model has two or more runs of the same agent type on the same task set with known test outcomes.\n"
            return out
        }
        for g in f.groups {
            out += (md ? "### " : "") + "\(g.label) · \(g.runKeys.count) runs \(Format.timestamp(g.timestamps.first)) – \(Format.timestamp(g.timestamps.last))"
            if let sp = g.successSpread {
                out += " · success \(Format.percent(sp.min))–\(Format.percent(sp.max)) (sd \(Format.number(sp.sd, digits: 1)) pp)"
            }
            out += " · \(g.flaky.count) of \(g.tests.count) tests flaky\n"
            let shown = g.tests.filter { all || $0.isFlaky }
            if shown.isEmpty {
                out += (md ? "\n" : "") + "  every test had the same outcome in every run\n\n"
                continue
            }
            var table = TextTable(headers: ["test", "passed", "flips", "outcomes, oldest first"], align: [.left, .right, .right, .left])
            for t in shown { table.rows.append([t.key, "\(t.passed)/\(t.runs)", "\(t.flips)", outcomeStrip(t)]) }
            out += (md ? "\n" : "") + table.render(md ? .markdown : .table)
            if !out.hasSuffix("\n") { out += "\n" }
            out += "\n"
        }
        if f.leftOut > 0 { out += "\(f.leftOut) run\(f.leftOut == 1 ? "" : "s") in no group (a single run of its kind, no timestamp, or no results).\n" }
        return out
    }
}
