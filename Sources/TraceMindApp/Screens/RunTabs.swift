import FoundationEssentials
import TraceMindFormats
import TerminalUI
import TraceMindModel
import TraceMindReport

/// The run screen's text tabs, as styled lines (so they scroll alike at any size).
enum RunTabs {
    static func seg(_ t: String, _ r: Renderer, _ role: Role? = nil) -> Segment { Segment(t, role.map(r.st) ?? .plain) }

    /// `label` padded to a column, then parts.
    static func row(_ label: String, _ parts: [Segment], _ r: Renderer, labelWidth: Int = 12) -> Line {
        [Segment(TextWidth.pad(label, labelWidth), r.st(.muted))] + parts
    }

    static func ratio(_ recorded: Double?, _ corrected: Double?) -> String {
        guard let a = recorded, let b = corrected, b > 0 else { return "" }
        return "  (" + NumberText.fixed(a / b, 1) + "×)"
    }

    // MARK: overview

    static func overview(_ a: RunAnalysis, _ s: AppState, width: Int, _ r: Renderer) -> [Line] {
        let barW = max(10, min(30, width - 60))
        var out: [Line] = [[]]
        out += outcomeLines(a, barW: barW, r)
        out.append([])
        out += usageLines(a, r)
        out += costSplitLines(a, s, barW: barW, r)
        out += runLines(a, r)
        out.append([])
        out.append([seg("d shows every field of the leaderboard row, unknown ones too", r, .muted)])
        return out
    }

    /// Success rate with its bar, outcomes, and the results whose success is null.
    static func outcomeLines(_ a: RunAnalysis, barW: Int, _ r: Renderer) -> [Line] {
        var out: [Line] = []
        if let rate = a.successRate {
            out.append(row("success", [
                seg(Format.percent(rate), r, rate >= 70 ? .pass : (rate >= 40 ? .warn : .fail)), Segment(" "),
                seg(barText(rate / 100, width: barW, symbols: r.symbols), r, .pass),
                seg("  \(a.passed) of \(a.testCount) passed", r, .muted),
                seg(a.passAt1.map { " · pass@1 \(Format.number($0, digits: 3))" } ?? "", r),
                seg(a.avgSteps.map { " · avg steps \(Format.number($0))" } ?? "", r),
            ], r))
        }
        out.append(row("outcomes", [
            seg("✓ \(a.passed) passed  ", r, .pass), seg("✗ \(a.failed) failed  ", r, .fail),
            seg("! \(a.errored) errors  ", r, .error), seg("◷ \(a.timedOut) timeouts", r, .warn),
        ], r))
        let nullSuccess = a.tests.filter { $0.result != nil && $0.result!.success == nil }
        if !nullSuccess.isEmpty {
            let would = nullSuccess.filter { $0.result?.recomputedSuccess == true }.count
            out.append(row("", [seg("\(nullSuccess.count) results have success = null (a SMOLTRACE bug of its first weeks): counted as not passed; \(would) would pass recomputed (marked *)", r, .warn)], r))
        }
        return out
    }

    /// Tokens and cost counted once beside SMOLTRACE's recorded figures, per test and per pass, wall time.
    static func usageLines(_ a: RunAnalysis, _ r: Renderer) -> [Line] {
        var out: [Line] = []
        // Traces of another system (no result rows, no test ids) carry their producer's figures, not SMOLTRACE's.
        let plain = a.isOtherProducer
        out.append([seg("Tokens and cost, counted once", r, .title),
                    seg(plain ? "   recorded in the traces by their producer" : "   recorded by SMOLTRACE (counts each call up to 3×)", r, .recorded)])
        if a.hasTraces {
            let t = a.tokens
            let lb = a.tokensAreLowerBound
            var tokLine = [seg(TextWidth.pad(Format.atLeast(Format.tokens(t.total), lb), 12, right: true), r, .tokens)]
            tokLine.append(seg(t.hasSplit ? "  prompt \(Format.atLeast(Format.tokens(t.prompt), lb)) · completion \(Format.atLeast(Format.tokens(t.completion), lb))" : "", r, .muted))
            if t.reasoning > 0 { tokLine.append(seg(" · reasoning \(Format.tokens(t.reasoning))", r, .muted)) }
            if t.cacheRead > 0 || t.cacheWrite > 0 { tokLine.append(seg(" · cache read \(Format.tokens(t.cacheRead)) / write \(Format.tokens(t.cacheWrite))", r, .muted)) }
            // A ratio against a lower bound would overstate SMOLTRACE's excess: none is shown.
            tokLine.append(seg("   " + Format.tokens(a.recordedTotalTokens) + (lb ? "" : ratio(a.recordedTotalTokens.map(Double.init), Double(t.total))), r, .recorded))
            out.append(row("tokens", tokLine, r))
            var costLine = [seg(TextWidth.pad(Format.cost(a.cost, lowerBound: lb), 12, right: true), r, a.costIsLowerBound ? .warn : .cost)]
            let sp = a.cost.split
            if sp.calls > 0 {
                var parts = "  prompt \(Format.atLeast(Format.usd(sp.prompt), lb)) · completion \(Format.atLeast(Format.usd(sp.completion), lb))"
                if sp.reasoning > 0 { parts += " · reasoning \(Format.usd(sp.reasoning))" }
                if sp.cacheRead > 0 || sp.cacheWrite > 0 { parts += " · cache \(Format.usd(sp.cacheRead + sp.cacheWrite))" }
                if sp.calls < a.cost.priced { parts += " (split on \(sp.calls) of \(a.cost.priced) calls)" }
                costLine.append(seg(parts, r, .muted))
            }
            if a.cost.unpriced > 0 { costLine.append(seg("  \(a.cost.unpriced) call\(a.cost.unpriced == 1 ? "" : "s") without a price", r, .warn)) }
            costLine.append(seg("   " + Format.usd(a.recordedTotalCostUSD, unknown: "unknown") + (lb ? "" : ratio(a.recordedTotalCostUSD, a.cost.value)), r, .recorded))
            out.append(row("cost", costLine, r))
            out.append(row("per test", [seg(Format.atLeast(Format.usd(a.costPerTest), a.costIsLowerBound), r, .cost), seg(" · \(Format.atLeast(Format.compact(a.tokensPerTest), lb)) tokens", r, .tokens)], r))
            out.append(row("per pass", [seg(Format.atLeast(Format.usd(a.costPerPass), a.costIsLowerBound), r, .cost), seg(" · \(Format.atLeast(Format.compact(a.tokensPerPass), lb)) tokens", r, .tokens), seg("   what one success costs", r, .muted)], r))
            if lb { out.append(row("", [seg("≥ lower bounds: " + a.lowerBoundReasons.joined(separator: "; "), r, .warn)], r)) }
        } else {
            out.append(row("", [seg("No traces for this run: tokens and cost are unknown (recorded: \(Format.tokens(a.recordedTotalTokens)) tokens, \(Format.usd(a.recordedTotalCostUSD, unknown: "unknown")))", r, .warn)], r))
        }
        if let w = a.wall {
            out.append(row("wall time", [seg("p50 \(Format.duration(w.p50)) · p95 \(Format.duration(w.p95)) · p99 \(Format.duration(w.p99)) · max \(Format.duration(w.max))", r),
                                         seg(a.entry.row.avgDurationMs.map { "   recorded avg \(Format.duration($0)) (nested spans summed)" } ?? "", r, .recorded)], r))
        }
        return out
    }

    /// Cost by model, by span kind, and by the context keys that split the run (services, tenants…).
    static func costSplitLines(_ a: RunAnalysis, _ s: AppState, barW: Int, _ r: Renderer) -> [Line] {
        var out: [Line] = []
        if !a.tokensByModel.isEmpty {
            out.append([])
            out.append([seg("Cost by model", r, .title)])
            let maxTok = max(1, a.tokensByModel.map { $0.tokens.total }.max() ?? 1)
            for m in a.tokensByModel {
                out.append(row(m.model, [
                    seg(barText(Double(m.tokens.total) / Double(maxTok), width: barW, symbols: r.symbols), r, .barFill),
                    seg("  \(TextWidth.pad(Format.cost(m.cost), 10, right: true))", r, .cost),
                    seg("  \(Format.tokens(m.tokens.total)) tokens", r, .tokens),
                    seg(m.tokens.hasSplit ? " (prompt \(Format.compact(Double(m.tokens.prompt))), completion \(Format.compact(Double(m.tokens.completion))))" : "", r, .muted),
                ], r, labelWidth: 24))
            }
        }
        if !a.costByCategory.isEmpty {
            out.append([])
            out.append([seg("Cost by span kind", r, .title)])
            let maxC = max(1e-12, a.costByCategory.map { $0.cost.knownUSD }.max() ?? 0)
            for c in a.costByCategory {
                out.append(row(c.category.rawValue, [
                    seg(barText(c.cost.knownUSD / maxC, width: barW, symbols: r.symbols), r, r.kindRole(c.category)),
                    seg("  \(Format.cost(c.cost))", r, .cost),
                ], r, labelWidth: 24))
            }
        }
        // Success and cost by difficulty (only when the tests have two or more).
        let byDifficulty = a.byDifficulty
        if !byDifficulty.isEmpty {
            out.append([])
            out.append([seg("By difficulty", r, .title), seg("   success and cost counted once", r, .muted)])
            for d in byDifficulty {
                let lb = d.isLowerBound
                out.append(row(d.difficulty, [
                    seg(TextWidth.pad(d.successRate.map { Format.percent($0) } ?? "—", 7, right: true), r, (d.successRate ?? 0) >= 70 ? .pass : ((d.successRate ?? 0) >= 40 ? .warn : .fail)),
                    seg("  \(d.passed) of \(d.tests) passed", r, .muted),
                    seg("  \(TextWidth.pad(Format.cost(d.cost, lowerBound: lb), 10, right: true))", r, .cost),
                    seg("  \(Format.atLeast(Format.tokens(d.tokens.total), lb)) tokens", r, .tokens),
                    seg(d.costPerPass.map { " · \(Format.atLeast(Format.usd($0), lb))/pass" } ?? "", r, .muted),
                ], r))
            }
        }
        // Context breakdowns (services, tenants… of instrumented systems): only keys that split the run in two or more.
        if a.hasTraces {
            if let b = s.breakdowns[a.entry.key] {
                for key in Breakdown.contextKeys {
                    guard let rows = b[key], rows.count >= 2 else { continue }
                    out.append([])
                    out.append([seg("Cost by \(key.rawValue.replacingEvery("_", with: " "))", r, .title),
                                seg("   spans without one inherit their parent's; self time is each span's own", r, .muted)])
                    let maxC = max(1e-12, rows.map { $0.cost.knownUSD }.max() ?? 0)
                    for g in rows.prefix(12) {
                        out.append(row(g.key, [
                            seg(barText(g.cost.knownUSD / maxC, width: barW, symbols: r.symbols), r, .barFill),
                            seg("  \(TextWidth.pad(Format.cost(g.cost), 10, right: true))", r, .cost),
                            seg("  \(Format.tokens(g.tokens)) tokens", r, .tokens),
                            seg(" · \(Format.grouped(g.spans)) spans · \(Format.duration(g.durationMs))", r, .muted),
                        ], r, labelWidth: 24))
                    }
                    if rows.count > 12 { out.append(row("", [seg("… \(rows.count - 12) more (tracemind breakdown --by \(key.rawValue))", r, .muted)], r)) }
                }
            }
        }
        return out
    }

    /// Stop reasons and timeouts; the run's identity, where it was read from, and problems reading it.
    static func runLines(_ a: RunAnalysis, _ r: Renderer) -> [Line] {
        var out: [Line] = []
        if !a.stopReasons.isEmpty || a.timedOut > 0 {
            out.append([])
            out.append([seg("Stop reasons and timeouts", r, .title)])
            if !a.stopReasons.isEmpty {
                out.append(row("", a.stopReasons.map { seg("\($0.reason) \($0.count)   ", r, $0.reason == "final_answer" ? .pass : .warn) }, r, labelWidth: 0))
            }
            if a.timedOut > 0 { out.append(row("timeouts", [seg("\(a.timedOut) test\(a.timedOut == 1 ? "" : "s") timed out", r, .warn)], r)) }
            if let t = a.entry.row.raw["task_timeout_s"]?.number { out.append(row("", [seg("task timeout \(Format.number(t))s", r, .muted)], r, labelWidth: 0)) }
        }
        let row_ = a.entry.row
        out.append([])
        out.append([seg("Run", r, .title)])
        out.append(row("run id", [seg(row_.runID ?? "none recorded (key \(a.entry.key))", r)], r))
        var who: [String] = []
        if let u = row_.submittedBy { who.append("submitted by \(u)") }
        if let uc = row_.useCase { who.append("use case \(uc)") }
        if let t = row_.team { who.append("team \(t)") }
        if let p = row_.purpose { who.append("purpose \(p)") }
        if !who.isEmpty { out.append(row("", [seg(who.joined(separator: " · "), r)], r)) }
        if let d = row_.datasetUsed { out.append(row("tasks", [seg(d, r)], r)) }
        out.append(row("source", [seg(a.entry.source, r, .muted)], r))
        for other in a.entry.alsoAt { out.append(row("same run", [seg(other + " (listed once, read from the source above)", r, .muted)], r)) }
        if !a.extraTraces.isEmpty {
            out.append(row("", [seg("\(a.extraTraces.count) trace\(a.extraTraces.count == 1 ? "" : "s") outside any test (set-up, tool discovery): counted in the totals", r, .muted)], r))
        }
        if !a.diagnostics.isEmpty {
            out.append([])
            out.append([seg("Problems reading this run", r, .warn)])
            for d in a.diagnostics { out.append([seg("  " + d.description, r, .warn)]) }
        }
        return out
    }

    // MARK: performance

    static func performance(_ a: RunAnalysis, width: Int, height: Int, _ r: Renderer) -> [Line] {
        var out: [Line] = [[]]
        guard let w = a.wall else {
            return out + [[seg("No traces: no timings for this run.", r, .muted)]]
        }
        out.append([seg("Wall time per test", r, .title), seg("  last span end − first span start, not SMOLTRACE's sum of nested spans", r, .muted)])
        out.append(row("percentiles", [seg("p50 \(Format.duration(w.p50)) · p95 \(Format.duration(w.p95)) · p99 \(Format.duration(w.p99)) · min \(Format.duration(w.min)) · max \(Format.duration(w.max)) · mean \(Format.duration(w.mean))", r)], r))
        if let line = Reports.streamingLine(a) { out.append(row("streaming", [seg(line, r)], r)) }
        out.append([])
        out += histogram(a, maxMs: w.max, width: width, height: height, r)
        out.append([])
        out += slowest(a, r)
        out += scatter(a, width: width, height: height, r)
        return out
    }

    static func histogram(_ a: RunAnalysis, maxMs: Double, width: Int, height: Int, _ r: Renderer) -> [Line] {
        let walls = a.tests.compactMap { $0.wallMs }
        let buckets = max(4, min(12, (height - 8) / 2))
        let hi = max(maxMs, 0.001)
        var counts = [Int](repeating: 0, count: buckets)
        for v in walls { counts[min(buckets - 1, Int(v / hi * Double(buckets)))] += 1 }
        let maxC = max(1, counts.max() ?? 1)
        let barW = max(10, min(40, width - 40))
        var out: [Line] = [[seg("Duration histogram", r, .title)]]
        for (i, c) in counts.enumerated() {
            let lo = hi * Double(i) / Double(buckets), up = hi * Double(i + 1) / Double(buckets)
            // The count right after its bar, not at the end of the bar's room.
            var bar = barText(Double(c) / Double(maxC), width: barW, symbols: r.symbols)
            while bar.last == " " { bar.removeLast() }
            out.append([
                seg(TextWidth.pad("\(Format.duration(lo))–\(Format.duration(up))", 17, right: true) + " ", r, .muted),
                seg(bar, r, .barFill),
                seg(" \(c)", r, c == 0 ? .muted : nil),
            ])
        }
        return out
    }

    static func slowest(_ a: RunAnalysis, _ r: Renderer) -> [Line] {
        var out: [Line] = [[seg("Slowest tests", r, .title)]]
        var timed: [(ms: Double, test: TestRow)] = []
        for t in a.tests {
            if let w = t.wallMs { timed.append((w, t)) }
        }
        timed.sort { $0.ms > $1.ms }
        for (ms, t) in timed.prefix(10) {
            var steps = ""
            if let n = t.steps { steps = n == 1 ? "  1 step" : "  \(n) steps" }
            var tokens = "—"
            if let tk = t.trace?.tokens { tokens = Format.compact(Double(tk.total)) }
            let cost = Format.cost(t.trace?.cost, unknown: "unknown")
            out.append([
                seg("  ", r), seg(Format.outcomeGlyph(t.outcome), r, r.outcomeRole(t.outcome)), seg(" ", r),
                seg(TextWidth.pad(t.taskID, 24) + " " + TextWidth.pad(t.agentType, 5), r),
                seg(TextWidth.pad(Format.duration(ms), 9, right: true), r),
                seg(TextWidth.pad(tokens + " tok", 11, right: true), r, .tokens),
                seg(TextWidth.pad(cost, 11, right: true), r, .cost),
                seg(steps, r, .muted),
            ])
        }
        return out
    }

    /// Tokens against wall time: a mark per test (a cell's tests share it), coloured by outcome — a failure in a
    /// cell shows over passes, so a cluster of failures is never hidden.
    static func scatter(_ a: RunAnalysis, width: Int, height: Int, _ r: Renderer) -> [Line] {
        var points: [(x: Double, y: Double, outcome: TestOutcome)] = []
        for t in a.tests {
            guard let w = t.wallMs, let tok = t.tokens?.total else { continue }
            points.append((w, Double(tok), t.outcome))
        }
        guard points.count >= 2 else { return [] }
        let mark = r.symbols.braille ? "●" : "o"
        var out: [Line] = [[], [
            seg("Tokens against wall time", r, .title), seg("  a mark per test: ", r, .muted),
            seg(mark, r, .pass), seg(" passed ", r, .muted), seg(mark, r, .fail), seg(" failed ", r, .muted), seg(mark, r, .error), seg(" error ", r, .muted),
            seg(mark, r, .warn), seg(" timeout", r, .muted),
        ]]
        let cw = max(10, min(60, width - 16)), ch = max(4, min(10, height / 3))
        let maxW = max(0.001, points.map(\.x).max() ?? 1), maxT = max(1, points.map(\.y).max() ?? 1)
        // Per cell, the most telling outcome: failed over error and timeout over passed.
        func rank(_ o: TestOutcome) -> Int { o == .failed ? 3 : (o == .passed ? 1 : 2) }
        var grid = [[TestOutcome?]](repeating: [TestOutcome?](repeating: nil, count: cw), count: ch)
        for p in points {
            let cx = min(cw - 1, Int((p.x / maxW) * Double(cw - 1)))
            let cy = ch - 1 - min(ch - 1, Int((p.y / maxT) * Double(ch - 1)))
            if let o = grid[cy][cx], rank(o) >= rank(p.outcome) { continue }
            grid[cy][cx] = p.outcome
        }
        for (i, row) in grid.enumerated() {
            let label = i == 0 ? Format.compact(maxT) : (i == ch - 1 ? "0" : "")
            var line: Line = [seg(TextWidth.pad(label, 8, right: true) + " " + r.symbols.vline, r, .axis)]
            for o in row {
                if let o { line.append(seg(mark, r, r.outcomeRole(o))) } else { line.append(Segment(" ")) }
            }
            out.append(line)
        }
        out.append([seg(String(repeating: " ", count: 9) + r.symbols.corners[2] + String(repeating: r.symbols.hline, count: cw), r, .axis)])
        let right = Format.duration(maxW)
        out.append([seg(String(repeating: " ", count: 10) + "0" + String(repeating: " ", count: max(1, cw - 1 - TextWidth.width(right))) + right, r, .axis)])
        if let corr = correlation(points.map(\.x), points.map(\.y)) {
            let reading = corr > 0.7 ? "longer tests use more tokens" : (corr < 0.3 ? "time and tokens are mostly unrelated (waits, tools or errors dominate)" : "a moderate link")
            out.append([seg("          correlation \(Format.number(corr, digits: 2)): " + reading, r, .muted)])
        }
        return out
    }

    static func correlation(_ x: [Double], _ y: [Double]) -> Double? {
        let n = Double(x.count)
        guard x.count >= 3 else { return nil }
        let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for i in x.indices {
            sxy += (x[i] - mx) * (y[i] - my)
            sxx += (x[i] - mx) * (x[i] - mx)
            syy += (y[i] - my) * (y[i] - my)
        }
        guard sxx > 0, syy > 0 else { return nil }
        return sxy / (sxx * syy).squareRoot()
    }

    // MARK: GPU & energy

    static func gpu(_ a: RunAnalysis, width: Int, height: Int, _ r: Renderer) -> [Line] {
        var out: [Line] = [[]]
        guard let m = a.metrics, m.hasGPUData else {
            out.append([seg("No GPU data for this run", r, .warn), seg(" — expected for API models: no local GPU was measured.", r, .muted)])
            if let co2 = a.entry.row.co2Grams, co2 > 0 {
                out.append([seg("Recorded CO2 \(Format.number(co2, digits: 4)) g (before 2025-10-27 SMOLTRACE estimated it from tokens)", r, .muted)])
            }
            if let ag = a.metrics?.aggregates, !ag.isEmpty {
                out.append([])
                out.append([seg("Aggregates recorded by SMOLTRACE (from its double-counted trace totals)", r, .title)])
                for x in ag {
                    let v = x.value ?? x.sum
                    var t = "\(x.name): \(Format.number(v, digits: 4))\(x.unit.map { " " + $0 } ?? "")"
                    if let c = x.count, let avg = x.avg { t += " (count \(Format.number(c, digits: 0)), avg \(Format.number(avg))" + ")" }
                    out.append([seg("  " + t, r, .recorded)])
                }
            }
            return out
        }
        let metrics: [(String, String, String)] = [
            ("gen_ai.gpu.utilization", "utilization", "%"), ("gen_ai.gpu.memory.used", "memory used", "MiB"),
            ("gen_ai.gpu.temperature", "temperature", "°C"), ("gen_ai.gpu.power", "power", "W"),
            ("gen_ai.co2.emissions", "CO2 (cum.)", "g"), ("gen_ai.power.cost", "power cost", "$"),
        ]
        let chartRows = height >= 40 ? 3 : (height >= 30 ? 2 : 1)
        let chartW = max(10, min(72, width - 52))
        let start = m.series.flatMap { $0.points.map(\.timeNs) }.min() ?? 0
        let end = m.series.flatMap { $0.points.map(\.timeNs) }.max() ?? start
        out.append([seg("Time axis: \(Format.duration(Double(end - start) / 1e6)) of the run, left to right", r, .muted)])
        for g in m.gpuIDs {
            let name = m.series.first { $0.gpuID == g && $0.gpuName != nil }?.gpuName ?? ""
            out.append([])
            out.append([seg("GPU \(g) ", r, .title), seg(name, r, .muted)])
            for (metric, label, unit) in metrics {
                guard let sr = m.series(metric, gpu: g) ?? (metric.hasPrefix("gen_ai.gpu.") ? nil : m.series(metric)), !sr.points.isEmpty else { continue }
                let values = sr.points.map(\.value)
                var hi = sr.maxValue ?? 1
                if metric == "gen_ai.gpu.utilization" { hi = 100 }
                if metric == "gen_ai.gpu.memory.used", let total = m.series("gen_ai.gpu.memory.total", gpu: g)?.maxValue { hi = total }
                func f(_ v: Double?) -> String { unit == "$" ? Format.usd(v) : Format.number(v, digits: v.map { $0 >= 100 ? 0 : 2 } ?? 2) }
                let stats = "min \(f(sr.minValue)) · avg \(f(sr.avgValue)) · max \(f(sr.maxValue))\(unit == "$" ? "" : " " + unit)"
                    + (metric == "gen_ai.gpu.memory.used" && hi != sr.maxValue ? " of \(Format.number(hi, digits: 0))" : "")
                let lines = columnChartText(values, width: chartW, height: chartRows, lo: 0, hi: max(hi, 1e-9), symbols: r.symbols)
                for (i, l) in lines.enumerated() {
                    out.append([
                        seg("  " + TextWidth.pad(i == lines.count - 1 ? label : "", 13), r, .muted),
                        seg(l, r, metric.hasPrefix("gen_ai.gpu.") ? .barFill : .barAlt),
                        seg(i == lines.count - 1 ? "  " + stats : "", r),
                    ])
                }
            }
        }
        out.append([])
        out.append([seg("Totals", r, .title)])
        out.append(row("CO2", [seg(Format.number(m.co2TotalGrams, digits: 4) + " g", r), seg("  (sum over GPUs of each cumulative series)", r, .muted)], r))
        out.append(row("power cost", [seg(Format.usd(m.powerCostTotalUSD), r, .cost)], r))
        let row_ = a.entry.row
        if row_.gpuUtilizationAvg != nil {
            out.append(row("recorded", [seg("util avg \(Format.percent(row_.gpuUtilizationAvg)) · mem max \(Format.number(row_.gpuMemoryMaxMiB, digits: 0)) MiB · temp max \(Format.number(row_.gpuTemperatureMax, digits: 0))°C · power avg \(Format.number(row_.gpuPowerAvgW, digits: 0)) W", r, .recorded)], r))
        }
        return out
    }
}
