import FoundationEssentials
import TraceMindFormats

/// Leaderboard sort keys (shared by the CLI and the screen). SMOLTRACE's own field names sort by its recorded
/// figures (`total_tokens`, `total_cost_usd`, `avg_duration_ms`); `tokens`, `cost`, `cost_per_pass` and `wall_ms`
/// sort by the corrected figures, which exist once a run's traces have been read.
public enum LeaderboardSortKey: String, Sendable, CaseIterable {
    case successRate = "success_rate"
    case passAt1 = "pass_at_1"
    case model
    case agentType = "agent_type"
    case provider
    case status = "run_status"
    case tests = "total_tests"
    case steps = "avg_steps"
    case wall = "wall_ms"
    case duration = "avg_duration_ms"
    case tokens
    case cost
    case costPerPass = "cost_per_pass"
    case recordedTokens = "total_tokens"
    case recordedCost = "total_cost_usd"
    case co2 = "co2_emissions_g"
    case gpuUtilization = "gpu_utilization_avg"
    case gpuMemory = "gpu_memory_max_mib"
    case gpuTemperature = "gpu_temperature_max"
    case gpuPower = "gpu_power_avg_w"
    case hardware
    case useCase = "use_case"
    case team
    case timestamp
    case submittedBy = "submitted_by"

    /// Whether a bigger value is better (decides the default direction).
    public var higherIsBetter: Bool {
        switch self {
        case .successRate, .passAt1, .tests, .timestamp, .gpuUtilization: return true
        default: return false
        }
    }

    public var isText: Bool {
        switch self {
        case .model, .agentType, .provider, .status, .submittedBy, .hardware, .useCase, .team: return true
        default: return false
        }
    }

    /// Sorting by it needs the corrected figures (the run's traces read).
    public var needsCorrected: Bool {
        switch self {
        case .tokens, .cost, .costPerPass, .wall, .hardware: return true
        default: return false
        }
    }

    /// The default direction: better values first, text A→Z.
    public var defaultDescending: Bool { isText ? false : higherIsBetter }

    /// Accepts the JSON field names and a few friendly aliases.
    public static func parse(_ s: String) -> LeaderboardSortKey? {
        let k = s.lowercased().replacingEvery("-", with: "_")
        if let v = LeaderboardSortKey(rawValue: k) { return v }
        switch k {
        case "success", "score", "rate": return .successRate
        case "pass@1", "pass1": return .passAt1
        case "agent", "type": return .agentType
        case "status": return .status
        case "tests", "num_tests": return .tests
        case "steps": return .steps
        case "duration", "time", "wall": return .wall
        case "cost_usd", "corrected_cost": return .cost
        case "corrected_tokens": return .tokens
        case "recorded_tokens": return .recordedTokens
        case "recorded_cost", "recorded_cost_usd": return .recordedCost
        case "co2", "total_co2_g": return .co2
        case "gpu", "gpu_util": return .gpuUtilization
        case "gpu_memory", "memory": return .gpuMemory
        case "gpu_temperature", "temperature", "temp": return .gpuTemperature
        case "gpu_power", "power": return .gpuPower
        case "date", "evaluation_date": return .timestamp
        case "user": return .submittedBy
        default: return nil
        }
    }
}

/// Sort, text filter and facet filters over leaderboard rows.
public struct LeaderboardQuery: Sendable, Equatable {
    public var sortKey: LeaderboardSortKey = .successRate
    public var descending: Bool = true
    public var text: String = ""
    /// Facet → allowed values (empty: all). Facets: agent_type, provider, model, run_status, use_case, team.
    public var facets: [String: Set<String>] = [:]
    /// Which tokens, cost and $/pass the sort reads (`cost_per_pass` follows it; `tokens`/`cost` are always counted
    /// once, `total_tokens`/`total_cost_usd` always recorded).
    public var mode: FigureMode = .countedOnce

    public init() {}

    public static let facetNames = ["agent_type", "provider", "model", "run_status", "use_case", "team"]

    public static func facetValue(_ row: LeaderboardRow, _ facet: String) -> String {
        switch facet {
        case "agent_type": return row.agentType
        case "provider": return row.provider ?? "—"
        case "model": return row.model
        case "run_status": return row.runStatus ?? "—"
        case "use_case": return row.useCase ?? "—"
        case "team": return row.team ?? "—"
        default: return "—"
        }
    }

    public var hasFacets: Bool { facets.values.contains { !$0.isEmpty } }

    public func matches(_ e: RunEntry) -> Bool { matches(e, words: words) }

    /// The filter's words, lowercased (none: every run matches).
    var words: [Substring] { text.trimmingBlanks().lowercased().split(separator: " ") }

    /// `matches(e)` with the filter's `words` made once for all runs.
    func matches(_ e: RunEntry, words: [Substring]) -> Bool {
        for (facet, allowed) in facets where !allowed.isEmpty {
            if !allowed.contains(LeaderboardQuery.facetValue(e.row, facet)) { return false }
        }
        if words.isEmpty { return true }
        let hay = e.row.searchText
        let key = e.key.lowercased()
        // Every word must match somewhere.
        return words.allSatisfy { w in hay.containsText(w) || key.containsText(w) }
    }

    /// The value a run sorts by: the figure the screen and the report show (`LeaderboardFigures`).
    public static func sortValue(_ r: LeaderboardRow, _ key: LeaderboardSortKey, _ c: RunTotals?, mode: FigureMode = .countedOnce) -> Double? {
        switch key {
        case .successRate: return LeaderboardFigures.successRate(r, c, mode)
        case .passAt1: return r.passAt1
        case .tests: return r.totalTests.map(Double.init) ?? LeaderboardFigures.basis(c, mode).map { Double($0.tests) }
        case .steps: return r.avgSteps
        case .wall: return LeaderboardFigures.wallMs(c)
        case .duration: return r.avgDurationMs
        // A lower bound is not a value to sort by (it would pass for the cheapest): it sorts with the unknown, last.
        case .tokens: return LeaderboardFigures.tokens(r, c, .countedOnce).exact
        case .cost: return LeaderboardFigures.cost(r, c, .countedOnce).exact
        case .costPerPass: return LeaderboardFigures.costPerPass(r, c, mode).exact
        case .recordedTokens: return LeaderboardFigures.tokens(r, c, .recorded).value
        case .recordedCost: return LeaderboardFigures.cost(r, c, .recorded).value
        case .co2: return LeaderboardFigures.co2Grams(r, c, mode)
        case .gpuUtilization: return r.gpuUtilizationAvg
        case .gpuMemory: return r.gpuMemoryMaxMiB
        case .gpuTemperature: return r.gpuTemperatureMax
        case .gpuPower: return r.gpuPowerAvgW
        case .timestamp: return r.timestampNs.map(Double.init)
        default: return nil
        }
    }

    public static func sortText(_ r: LeaderboardRow, _ key: LeaderboardSortKey, _ c: RunTotals?) -> String? {
        switch key {
        case .model: return r.model.lowercased()
        case .agentType: return r.agentType
        case .provider: return r.provider
        case .status: return r.runStatus
        case .submittedBy: return r.submittedBy
        case .hardware: return LeaderboardFigures.hardware(r, c)
        case .useCase: return r.useCase
        case .team: return r.team
        default: return nil
        }
    }

    /// Filters and sorts. Rows that must not be ranked (status-only, partial, failed runs) always come after
    /// rankable ones; rows with no value for the key come last; ties keep catalog order.
    public func apply(_ runs: [RunEntry], corrected: [String: RunTotals] = [:]) -> [RunEntry] {
        order(runs, corrected: { corrected[runs[$0].key] }).map { runs[$0] }
    }

    /// `apply` as places in `runs`, each run's counted totals given by its place: no table keyed by run.
    public func order(_ runs: [RunEntry], corrected: (Int) -> RunTotals?) -> [Int] {
        // Each run's sort key is computed once (decorate, sort, undecorate).
        struct Decorated {
            var offset: Int
            var rankable: Bool
            var text: String?
            var value: Double?
        }
        var items: [Decorated] = []
        items.reserveCapacity(runs.count)
        let words = words
        for (i, e) in runs.enumerated() where matches(e, words: words) {
            let c = corrected(i)
            items.append(
                Decorated(
                    offset: i, rankable: e.row.isRankable,
                    text: sortKey.isText ? LeaderboardQuery.sortText(e.row, sortKey, c) : nil,
                    value: sortKey.isText ? nil : LeaderboardQuery.sortValue(e.row, sortKey, c, mode: mode)))
        }
        let desc = descending, isText = sortKey.isText
        items.sort { a, b in
            if a.rankable != b.rankable { return a.rankable }
            /// Unknown values last; ties keep the input order.
            func less<T: Comparable>(_ x: T?, _ y: T?) -> Bool {
                switch (x, y) {
                case (nil, nil): return a.offset < b.offset
                case (nil, _): return false
                case (_, nil): return true
                case (let x?, let y?):
                    if x != y { return desc ? x > y : x < y }
                    return a.offset < b.offset
                }
            }
            return isText ? less(a.text, b.text) : less(a.value, b.value)
        }
        return items.map(\.offset)
    }
}
