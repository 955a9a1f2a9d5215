import FoundationEssentials
import TraceMindFormats
import TraceMindModel

/// The `analytics` report: the model's `Analytics` as table, markdown, CSV or JSON (the screen formats its cells
/// with the same functions).
extension Reports {
    /// A heatmap cell: the mean in its unit, `≥` for a lower bound, `unknown` when no run's figure is known.
    public static func analyticsValue(_ m: RunFigure, _ v: LeaderboardFigures.Value?) -> String {
        figureValue(m, v?.value, lowerBound: v?.lowerBound ?? false)
    }

    /// Passed tests per dollar: `1,234`, `≤1,234` (a cost in it is a lower bound), `unknown`.
    public static func successPerDollar(_ r: AnalyticsRow) -> String {
        guard let v = r.successPerDollar else { return "unknown" }
        return (r.successPerDollarIsUpperBound ? "≤" : "") + Format.grouped(Int(v.rounded()))
    }

    /// The model with the best figure of a column (nil when no two models differ).
    public static func best(_ a: Analytics, _ m: RunFigure) -> String? {
        a.rows.first { a.standing($0, m) == 1 }?.label
    }

    public static func scatterPoint(_ m: RunFigure, _ p: ScatterPoint) -> String {
        "\(p.label) (\(analyticsValue(m, LeaderboardFigures.Value(p.x))), \(Format.percent(p.y)))"
    }

    public static func analytics(_ a: Analytics, format: OutputFormat) -> String {
        if format == .json || format == .csv {
            let records: [JSON] = a.rows.map { r in
                var f: [(String, JSON)] = [("model", .string(r.label)), ("runs", .int(Int64(r.runKeys.count)))]
                for m in RunFigure.allCases {
                    f.append((m.rawValue, .from(r.values[m]?.value)))
                    f.append((m.rawValue + "_lower_bound", .bool(r.values[m]?.lowerBound ?? false)))
                    f.append((m.rawValue + "_runs", .int(Int64(r.known[m] ?? 0))))
                }
                f.append(("passes_per_usd", .from(r.successPerDollar)))
                f.append(("passes_per_usd_upper_bound", .bool(r.successPerDollarIsUpperBound)))
                f.append(("runs_of_unknown_cost", .int(Int64(r.unknownCostRuns))))
                f.append(("speed_pareto", .bool(a.speed.contains { $0.label == r.label && $0.onFront })))
                f.append(("cost_pareto", .bool(a.cost.contains { $0.label == r.label && $0.onFront })))
                return .obj(f)
            }
            if format == .csv { return CSV.from(records) }
            func pts(_ p: [ScatterPoint]) -> JSON {
                .array(p.map { .obj([("model", .string($0.label)), ("x", .double($0.x)), ("y", .double($0.y)), ("pareto", .bool($0.onFront))]) })
            }
            return JSONWriter.string(.obj([
                ("grouping", .string(a.grouping.rawValue)), ("figures", .string(a.mode.rawValue)), ("models", .array(records)),
                ("speed_vs_accuracy", .obj([("x", "wall_p50_ms"), ("y", "success_rate"), ("points", pts(a.speed)), ("not_placed", .array(a.speedUnknown.map { .string($0) }))])),
                ("cost_vs_accuracy", .obj([("x", "cost_per_test_usd"), ("y", "success_rate"), ("points", pts(a.cost)), ("not_placed", .array(a.costUnknown.map { .string($0) }))])),
            ])) + "\n"
        }
        let md = format == .markdown
        var table = TextTable(
            headers: ["model", "runs"] + RunFigure.allCases.map(\.shortTitle) + ["passes/$"],
            align: [.left, .right] + RunFigure.allCases.map { _ in .right } + [.right])
        for r in a.rows {
            var cells = [r.label, "\(r.runKeys.count)"]
            for m in RunFigure.allCases { cells.append(analyticsValue(m, r.values[m]) + (best(a, m) == r.label ? " ★" : "")) }
            cells.append(successPerDollar(r))
            table.rows.append(cells)
        }
        var out = (md ? "## Analytics: " : "Analytics: ") + "\(a.rows.count) \(a.grouping == .model ? "models" : "models and agent types"), "
        out += (a.mode == .recorded ? "SMOLTRACE's recorded figures" : "counted once") + "; means over each model's runs, ★ the best of a column\n\n"
        out += table.render(md ? .markdown : .table)
        if !out.hasSuffix("\n") { out += "\n" }
        for (title, m, pts, unknown) in [("Speed vs accuracy (wall p50, success)", RunFigure.wallP50, a.speed, a.speedUnknown), ("Cost vs accuracy (cost per test, success)", .costPerTest, a.cost, a.costUnknown)] {
            out += "\n" + (md ? "### " : "") + title + ": Pareto front " + (pts.contains(where: \.onFront) ? Analytics.front(pts).map { scatterPoint(m, $0) }.joined(separator: ", ") : "none") + "\n"
            if !unknown.isEmpty { out += (md ? "\n" : "") + "  not placed (figure unknown, a lower bound, or a cost of 0): " + unknown.joined(separator: ", ") + "\n" }
        }
        let unpriced = a.rows.reduce(0) { $0 + $1.unknownCostRuns }
        if unpriced > 0 { out += "\nPasses per dollar leave out \(unpriced) run\(unpriced == 1 ? "" : "s") of unknown cost (never counted as free).\n" }
        return out
    }
}
