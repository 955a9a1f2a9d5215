import TraceMindModel

/// What a leaderboard cell needs beyond its run.
public struct LeaderboardCellContext: Sendable {
    /// The run's place (`LeaderboardFigures.ranks`), nil when it is not ranked.
    public var rank: Int?
    /// Its position among the marked runs (the screen's comparison marks).
    public var marked: Int?
    /// Its counted-once figures are being computed (`…`), or could not be (`?`).
    public var pending: Bool
    public var failed: Bool
    /// Which tokens, cost and $/pass are shown.
    public var mode: FigureMode
    /// Numbers in short form (`10.3k`) for a narrow screen; full (`10,312`) in reports.
    public var compact: Bool
    /// Run ids cut to 8 characters (an aligned table); whole in markdown, JSON and CSV.
    public var shortIDs: Bool

    public init(
        rank: Int? = nil, marked: Int? = nil, pending: Bool = false, failed: Bool = false, mode: FigureMode, compact: Bool, shortIDs: Bool = true
    ) {
        self.shortIDs = shortIDs
        self.rank = rank
        self.marked = marked
        self.pending = pending
        self.failed = failed
        self.mode = mode
        self.compact = compact
    }
}

/// A leaderboard column, declared once: its title, the sort key behind it, alignment, the screen's layout hints
/// (width, and which columns go first when space runs out) and its cell — text and meaning — for a run. The
/// leaderboard screen and `tracemind leaderboard` both draw from `LeaderboardColumns.all`; adding a column is one
/// entry there.
public struct LeaderboardColumn: Sendable {
    /// What a cell means, for the screen's colours (the report prints the text alone).
    public enum Meaning: Sendable { case accent, muted, pass, warn, fail, tokens, cost, recorded, marked }

    public let id: String
    public let title: String
    public let sortKey: LeaderboardSortKey?
    public let right: Bool
    public let width: Int
    /// 0: always shown; higher numbers are dropped first on a narrow screen.
    public let priority: Int
    public let frozen: Bool
    /// Shown on the screen (the report may add columns a narrow screen has no room for, such as the run id).
    public let onScreen: Bool
    public let cell: @Sendable (_ e: RunEntry, _ t: RunTotals?, _ ctx: LeaderboardCellContext) -> (text: String, meaning: Meaning?)

    init(
        _ id: String, _ title: String, key: LeaderboardSortKey?, right: Bool = false, width: Int, priority: Int, frozen: Bool = false,
        onScreen: Bool = true, cell: @escaping @Sendable (RunEntry, RunTotals?, LeaderboardCellContext) -> (text: String, meaning: Meaning?)
    ) {
        self.id = id
        self.title = title
        self.sortKey = key
        self.right = right
        self.width = width
        self.priority = priority
        self.frozen = frozen
        self.onScreen = onScreen
        self.cell = cell
    }
}

public enum LeaderboardColumns {
    /// A counted-once cell: the figure once the run is analysed, else `…` (pending), `?` (failed) or `·`.
    static func counted(_ t: RunTotals?, _ ctx: LeaderboardCellContext, _ f: (RunTotals) -> (text: String, meaning: LeaderboardColumn.Meaning?))
        -> (text: String, meaning: LeaderboardColumn.Meaning?)
    {
        if let t { return f(t) }
        return (ctx.pending ? "…" : (ctx.failed ? "?" : "·"), .muted)
    }

    static func tokensText(_ v: Double?, _ ctx: LeaderboardCellContext) -> String {
        ctx.compact ? Format.compact(v) : Format.tokens(v.map { Int($0) })
    }

    /// Every column, in screen order, for the figure mode shown (recorded figures move forward under `R`).
    public static func all(mode: FigureMode) -> [LeaderboardColumn] {
        let recorded = mode == .recorded
        var cols: [LeaderboardColumn] = [
            LeaderboardColumn("rank", "#", key: nil, right: true, width: 3, priority: 0, frozen: true) { _, _, ctx in (ctx.rank.map(String.init) ?? "–", .muted) },
            LeaderboardColumn("mark", " ", key: nil, width: 1, priority: 0, frozen: true) { _, _, ctx in (ctx.marked.map { $0 < 9 ? String($0 + 1) : "●" } ?? " ", .marked) },
            LeaderboardColumn("run", "run", key: nil, width: 10, priority: 9, onScreen: false) { e, _, ctx in
                (ctx.shortIDs && e.key.count > 12 ? String(e.key.prefix(8)) + "…" : e.key, .muted)
            },
            LeaderboardColumn("model", "model", key: .model, width: 24, priority: 0, frozen: true) { e, _, _ in (e.row.model, nil) },
            LeaderboardColumn("agent", "agent", key: .agentType, width: 5, priority: 1) { e, _, _ in (e.row.agentType, .accent) },
            LeaderboardColumn("provider", "provider", key: .provider, width: 11, priority: 6) { e, _, _ in (e.row.provider ?? "—", .muted) },
            LeaderboardColumn("status", "status", key: .status, width: 9, priority: 3) { e, _, _ in
                let st = e.row.runStatus ?? "—"
                return (st, st == "completed" ? .pass : (st == "—" ? .muted : .warn))
            },
            LeaderboardColumn("success", "success", key: .successRate, right: true, width: 8, priority: 0) { e, c, ctx in
                let v = LeaderboardFigures.successRate(e.row, c, ctx.mode)
                return (Format.percent(v), v == nil ? .muted : (v! >= 70 ? .pass : (v! >= 40 ? .warn : .fail)))
            },
            LeaderboardColumn("pass_at_1", "pass@1", key: .passAt1, right: true, width: 6, priority: 5) { e, _, _ in
                (e.row.passAt1.map { Format.fixed($0, 2) } ?? "—", nil)
            },
            LeaderboardColumn("tests", "P/F/E", key: .tests, right: true, width: 9, priority: 2) { e, c, ctx in (LeaderboardFigures.testCountsText(e.row, c, ctx.mode), nil) },
            LeaderboardColumn("steps", "steps", key: .steps, right: true, width: 5, priority: 8) { e, _, _ in (Format.number(e.row.avgSteps, digits: 1), nil) },
            LeaderboardColumn("wall", "wall p50", key: .wall, right: true, width: 8, priority: 4) { _, c, ctx in
                if let c, LeaderboardFigures.wallMs(c) == nil { return ("—", .muted) }
                return counted(c, ctx) { (Format.duration(LeaderboardFigures.wallMs($0)), nil) }
            },
        ]
        let countedCols = [
            LeaderboardColumn("tokens", "tokens", key: .tokens, right: true, width: 7, priority: recorded ? 7 : 1) { e, c, ctx in
                if let c, c.tokens == nil { return ("unknown", .muted) }
                return counted(c, ctx) { c in
                    let v = LeaderboardFigures.tokens(e.row, c, .countedOnce)
                    return (Format.atLeast(tokensText(v.value, ctx), v.lowerBound), .tokens)
                }
            },
            LeaderboardColumn("cost", "cost", key: .cost, right: true, width: 10, priority: recorded ? 7 : 1) { e, c, ctx in
                if let c, c.cost == nil { return ("unknown", .muted) }
                return counted(c, ctx) { c in
                    (Format.figureUSD(LeaderboardFigures.cost(e.row, c, .countedOnce)), c.cost?.isUnknown == true || c.partial ? .warn : .cost)
                }
            },
        ]
        let recordedCols = [
            LeaderboardColumn("recorded_tokens", "tok·rec", key: .recordedTokens, right: true, width: 7, priority: recorded ? 1 : 7) { e, _, ctx in
                (tokensText(LeaderboardFigures.tokens(e.row, nil, .recorded).value, ctx), .recorded)
            },
            LeaderboardColumn("recorded_cost", "cost·rec", key: .recordedCost, right: true, width: 10, priority: recorded ? 1 : 7) { e, _, _ in
                (Format.usd(LeaderboardFigures.cost(e.row, nil, .recorded).value, unknown: e.row.recordsCost ? "unknown" : "—"), .recorded)
            },
        ]
        cols += recorded ? recordedCols + countedCols : countedCols + recordedCols
        cols += [
            LeaderboardColumn("cost_per_pass", recorded ? "$/pass·rec" : "$/pass", key: .costPerPass, right: true, width: 10, priority: 3) { e, c, ctx in
                // In the figures shown: recorded cost per recorded pass under `R`.
                if ctx.mode == .recorded { return (Format.usd(LeaderboardFigures.costPerPass(e.row, c, .recorded).value), .recorded) }
                if let c, LeaderboardFigures.costPerPass(e.row, c, .countedOnce).value == nil { return ("—", .muted) }
                return counted(c, ctx) { c in (Format.figureUSD(LeaderboardFigures.costPerPass(e.row, c, .countedOnce)), .cost) }
            },
            LeaderboardColumn("recorded_duration", "dur·rec", key: .duration, right: true, width: 7, priority: 9) { e, _, _ in (Format.duration(e.row.avgDurationMs), .recorded) },
            LeaderboardColumn("co2", "CO2", key: .co2, right: true, width: 8, priority: 8) { e, c, ctx in
                (LeaderboardFigures.co2Grams(e.row, c, ctx.mode).map { Format.number($0, digits: 3) + "g" } ?? "—", .muted)
            },
            LeaderboardColumn("gpu_utilization", "GPU%", key: .gpuUtilization, right: true, width: 5, priority: 8) { e, _, _ in
                (e.row.gpuUtilizationAvg.map { Format.percent($0, digits: 0) } ?? "—", .muted)
            },
            LeaderboardColumn("gpu_memory", "mem", key: .gpuMemory, right: true, width: 6, priority: 9) { e, _, _ in
                (e.row.gpuMemoryMaxMiB.map { Format.compact($0) + "M" } ?? "—", .muted)
            },
            LeaderboardColumn("gpu_temperature", "temp", key: .gpuTemperature, right: true, width: 5, priority: 9) { e, _, _ in
                (e.row.gpuTemperatureMax.map { Format.number($0, digits: 0) + "°" } ?? "—", .muted)
            },
            LeaderboardColumn("gpu_power", "power", key: .gpuPower, right: true, width: 6, priority: 9) { e, _, _ in
                (e.row.gpuPowerAvgW.map { Format.number($0, digits: 0) + "W" } ?? "—", .muted)
            },
            LeaderboardColumn("hardware", "hardware", key: .hardware, width: 16, priority: 8) { e, c, _ in (LeaderboardFigures.hardware(e.row, c) ?? "—", .muted) },
            LeaderboardColumn("use_case", "use case", key: .useCase, width: 12, priority: 8) { e, _, _ in (e.row.useCase ?? "—", .muted) },
            LeaderboardColumn("team", "team", key: .team, width: 10, priority: 8) { e, _, _ in (e.row.team ?? "—", .muted) },
            LeaderboardColumn("timestamp", "timestamp", key: .timestamp, width: 16, priority: 5) { e, _, _ in (Format.timestamp(e.row.timestamp), .muted) },
            LeaderboardColumn("submitted_by", "submitted by", key: .submittedBy, width: 12, priority: 9) { e, _, _ in (e.row.submittedBy ?? "—", .muted) },
        ]
        return cols
    }

    /// The columns of the `leaderboard` report: the screen's, minus the screen's marks, plus the run id; the
    /// counted-once figures only when the traces were read.
    public static func report(mode: FigureMode, counted: Bool) -> [LeaderboardColumn] {
        let wanted = ["rank", "run", "model", "agent", "provider", "status", "success", "pass_at_1", "tests"]
            + (counted ? ["tokens", "cost", "cost_per_pass", "wall"] : []) + ["recorded_tokens", "recorded_cost", "timestamp"]
        let byID = Dictionary(uniqueKeysWithValues: all(mode: mode).map { ($0.id, $0) })
        return wanted.compactMap { byID[$0] }
    }
}
