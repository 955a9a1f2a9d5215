import Foundation

/// Leaderboard sort keys (shared by the CLI and the screen).
public enum LeaderboardSortKey: String, Sendable, CaseIterable {
    case successRate = "success_rate"
    case passAt1 = "pass_at_1"
    case model
    case agentType = "agent_type"
    case provider
    case status = "run_status"
    case tests = "total_tests"
    case steps = "avg_steps"
    case duration = "avg_duration_ms"
    case tokens = "total_tokens"
    case cost = "total_cost_usd"
    case costPerPass = "cost_per_pass"
    case co2 = "co2_emissions_g"
    case gpuUtilization = "gpu_utilization_avg"
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
        case .model, .agentType, .provider, .status, .submittedBy: return true
        default: return false
        }
    }

    /// Accepts the JSON field names and a few friendly aliases.
    public static func parse(_ s: String) -> LeaderboardSortKey? {
        let k = s.lowercased().replacingOccurrences(of: "-", with: "_")
        if let v = LeaderboardSortKey(rawValue: k) { return v }
        switch k {
        case "success", "score", "rate": return .successRate
        case "pass@1", "pass1": return .passAt1
        case "agent", "type": return .agentType
        case "status": return .status
        case "tests", "num_tests": return .tests
        case "steps": return .steps
        case "duration", "time": return .duration
        case "tokens": return .tokens
        case "cost": return .cost
        case "co2": return .co2
        case "gpu": return .gpuUtilization
        case "date", "evaluation_date", "time_stamp": return .timestamp
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

    public init() {}

    public static let facetNames = ["agent_type", "provider", "model", "run_status", "use_case", "team"]

    public static func facetValue(_ row: LeaderboardRow, _ facet: String) -> String {
        switch facet {
        case "agent_type": return row.agentType
        case "provider": return row.provider ?? "—"
        case "model": return row.model
        case "run_status": return row.runStatus ?? "completed"
        case "use_case": return row.useCase ?? "—"
        case "team": return row.team ?? "—"
        default: return "—"
        }
    }

    public func matches(_ e: RunEntry) -> Bool {
        for (facet, allowed) in facets where !allowed.isEmpty {
            if !allowed.contains(LeaderboardQuery.facetValue(e.row, facet)) { return false }
        }
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        if t.isEmpty { return true }
        let r = e.row
        let hay = [
            e.key, r.runID, r.model, r.agentType, r.provider, r.runStatus, r.useCase, r.team, r.submittedBy, r.hardware,
            r.timestamp, r.purpose, r.suiteVersion,
        ].compactMap { $0?.lowercased() }
        // Every word must match somewhere.
        return t.split(separator: " ").allSatisfy { w in hay.contains { $0.contains(w) } }
    }

    public static func sortValue(_ r: LeaderboardRow, _ key: LeaderboardSortKey) -> Double? {
        switch key {
        case .successRate: return r.successRate
        case .passAt1: return r.passAt1
        case .tests: return r.totalTests.map(Double.init)
        case .steps: return r.avgSteps
        case .duration: return r.avgDurationMs
        case .tokens: return r.totalTokens.map(Double.init)
        case .cost: return r.totalCostUSD
        case .costPerPass:
            guard let c = r.totalCostUSD, let p = r.successfulTests, p > 0 else { return nil }
            return c / Double(p)
        case .co2: return r.co2Grams
        case .gpuUtilization: return r.gpuUtilizationAvg
        case .timestamp: return r.timestamp.flatMap(ISOTime.parseNs).map(Double.init)
        default: return nil
        }
    }

    public static func sortText(_ r: LeaderboardRow, _ key: LeaderboardSortKey) -> String {
        switch key {
        case .model: return r.model.lowercased()
        case .agentType: return r.agentType
        case .provider: return r.provider ?? ""
        case .status: return r.runStatus ?? "completed"
        case .submittedBy: return r.submittedBy ?? ""
        default: return ""
        }
    }

    /// Filters and sorts. Rows that must not be ranked (status-only, partial, failed runs) always come after
    /// rankable ones; rows with no value for the key come last; ties keep catalog order.
    public func apply(_ runs: [RunEntry]) -> [RunEntry] {
        let kept = runs.enumerated().filter { matches($0.element) }
        return kept.sorted { a, b in
            let ra = a.element.row, rb = b.element.row
            if ra.isRankable != rb.isRankable { return ra.isRankable }
            if sortKey.isText {
                let x = LeaderboardQuery.sortText(ra, sortKey), y = LeaderboardQuery.sortText(rb, sortKey)
                if x != y { return descending ? x > y : x < y }
                return a.offset < b.offset
            }
            let x = LeaderboardQuery.sortValue(ra, sortKey), y = LeaderboardQuery.sortValue(rb, sortKey)
            switch (x, y) {
            case (nil, nil): return a.offset < b.offset
            case (nil, _): return false
            case (_, nil): return true
            case (let x?, let y?):
                if x != y { return descending ? x > y : x < y }
                return a.offset < b.offset
            }
        }.map { $0.element }
    }
}
