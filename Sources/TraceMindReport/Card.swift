import FoundationEssentials
import TraceMindFormats
import TraceMindModel

/// The summary card: the top runs by the leaderboard's places (success rate, then pass@1, then the cheaper cost),
/// medals for the first three, their figures, the totals of every run (`LeaderboardSummary`) and when the card was
/// made. Counted-once figures unless the caller gives none (recorded mode).
extension Reports {
    static let medals = ["gold", "silver", "bronze"]
    static let medalEmoji = ["🥇", "🥈", "🥉"]

    /// The top `n` runs in their leaderboard places.
    public static func cardRuns(_ runs: [RunEntry], totals: [String: RunTotals], mode: FigureMode, top n: Int) -> [(place: Int, entry: RunEntry)] {
        let ranks = LeaderboardFigures.ranks(runs, totals, mode: mode)
        let placed: [(place: Int, entry: RunEntry)] = runs.compactMap { e in ranks[e.key].map { (place: $0, entry: e) } }
        return Array(placed.sorted { $0.place < $1.place }.prefix(n))
    }

    public static func card(
        _ runs: [RunEntry], totals: [String: RunTotals], mode: FigureMode, top n: Int, madeAt: String, format: OutputFormat
    ) -> String {
        let top = cardRuns(runs, totals: totals, mode: mode, top: n)
        let sum = LeaderboardSummary(runs, total: runs.count, totals: totals, mode: mode)
        func cost(_ v: LeaderboardFigures.Value) -> String { v.value.map { Format.atLeast(Format.usd($0), v.lowerBound) } ?? "unknown" }
        func tokens(_ v: LeaderboardFigures.Value) -> String { v.value.map { Format.atLeast(Format.tokens(Int($0)), v.lowerBound) } ?? "unknown" }
        let figuresNote = mode == .recorded ? "SMOLTRACE's recorded tokens and cost" : "tokens and cost counted once"
        if format == .json || format == .csv {
            let rows: [JSON] = top.map { p, e in
                let t = totals[e.key]
                return .object(JSONObject(writing: [
                    ("place", .int(Int64(p))), ("medal", p <= 3 ? .string(medals[p - 1]) : .null), ("run_id", e.row.runID.map(JSON.string) ?? .null),
                    ("model", .string(e.row.model)), ("agent_type", .string(e.row.agentType)),
                    ("success_rate", LeaderboardFigures.successRate(e.row, t, mode).map(JSON.double) ?? .null),
                    ("tokens", LeaderboardFigures.tokens(e.row, t, mode).value.map { .int(Int64($0)) } ?? .null),
                    ("tokens_lower_bound", .bool(LeaderboardFigures.tokens(e.row, t, mode).lowerBound)),
                    ("cost_usd", LeaderboardFigures.cost(e.row, t, mode).value.map(JSON.double) ?? .null),
                    ("cost_lower_bound", .bool(LeaderboardFigures.cost(e.row, t, mode).lowerBound)),
                    ("cost_per_pass_usd", LeaderboardFigures.costPerPass(e.row, t, mode).value.map(JSON.double) ?? .null),
                ]))
            }
            let totalsJSON: JSON = .object(JSONObject(writing: [
                ("runs", .int(Int64(sum.shown))), ("mean_success_rate", sum.meanSuccess.map(JSON.double) ?? .null),
                ("tokens", sum.tokens.value.map { .int(Int64($0)) } ?? .null), ("tokens_lower_bound", .bool(sum.tokens.lowerBound)),
                ("cost_usd", sum.cost.value.map(JSON.double) ?? .null), ("cost_lower_bound", .bool(sum.cost.lowerBound)),
                ("co2_g", sum.co2Grams.map(JSON.double) ?? .null), ("runs_not_completed", .int(Int64(sum.failedRuns))),
            ]))
            // CSV, as every report's: the JSON's records (the top runs) flattened, raw numbers, empty for unknown.
            if format == .csv { return CSV.from(rows) }
            return JSONWriter.string(.object(JSONObject(writing: [
                ("made_at", .string(madeAt)), ("figures", .string(mode == .recorded ? "recorded" : "counted_once")), ("top", .array(rows)), ("totals", totalsJSON),
            ]))) + "\n"
        }
        let md = format == .markdown
        var table = TextTable(
            headers: ["place", "model", "agent", "success", "tokens", "cost", "$/pass"],
            align: [.left, .left, .left, .right, .right, .right, .right])
        for (p, e) in top {
            let t = totals[e.key]
            let medal = p <= 3 ? (md ? medalEmoji[p - 1] + " " : "") + medals[p - 1] : ""
            table.rows.append([
                "\(p)" + (medal.isEmpty ? "" : " " + medal), e.row.model, e.row.agentType, Format.percent(LeaderboardFigures.successRate(e.row, t, mode)),
                tokens(LeaderboardFigures.tokens(e.row, t, mode)), cost(LeaderboardFigures.cost(e.row, t, mode)),
                Format.figureUSD(LeaderboardFigures.costPerPass(e.row, t, mode)),
            ])
        }
        var out = md ? "## TraceMind summary card\n\n" : "TraceMind summary card\n\n"
        out += "Top \(top.count) of \(runs.count) run\(runs.count == 1 ? "" : "s") by success rate (then pass@1, then the cheaper cost); \(figuresNote).\n\n"
        out += table.render(md ? .markdown : .table)
        if !out.hasSuffix("\n") { out += "\n" }
        var totalsLine = "All \(sum.shown) runs: mean success \(Format.percent(sum.meanSuccess)) · tokens \(tokens(sum.tokens)) · cost \(cost(sum.cost))"
        if let g = sum.co2Grams { totalsLine += " · CO2 \(Format.number(g, digits: 3)) g (\(sum.measuredCO2) measured)" }
        if sum.failedRuns > 0 { totalsLine += " · \(sum.failedRuns) not completed" }
        out += "\n" + totalsLine + "\n" + (md ? "\n" : "") + "Made \(madeAt).\n"
        return out
    }
}
