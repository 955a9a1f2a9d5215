import FoundationEssentials
import TraceMindFormats

/// What cost is grouped by. Context keys (service, capability, tenant, session, user, prompt-template version) are
/// inherited: a span without one takes its nearest ancestor's, so an LLM call counts for the service that made it.
/// Model and kind belong to the span itself: a span is its model's whenever it names one (roll-up layers and failed
/// calls too, with their time); its usage still counts once, on the span that keeps it.
public enum BreakdownKey: String, CaseIterable, Sendable, Codable {
    case service, capability, tenant, model, kind, session, user
    case promptTemplateVersion = "prompt_template_version"

    /// The span attributes read, in order of preference.
    var attributeKeys: [String] {
        switch self {
        case .service: return ["service.name", "service"]
        case .capability: return ["capability"]
        case .tenant: return ["tenant", "tenant.id"]
        case .session: return ["session.id"]
        case .user: return ["user.id"]
        case .promptTemplateVersion: return ["llm.prompt_template.version"]
        case .model, .kind: return []
        }
    }

    var inherits: Bool { self != .model && self != .kind }

    public static let none = "(none)"
}

/// One group: cost and tokens counted once (each span's own share), spans, and time (each span's self time: its
/// duration not covered by its children, so nested spans are not counted twice).
public struct BreakdownRow: Sendable, Equatable, Codable {
    public var key: String
    public var cost: CostSum
    public var tokens: Int
    public var spans: Int
    public var durationMs: Double

    public init(key: String, cost: CostSum = .zero, tokens: Int = 0, spans: Int = 0, durationMs: Double = 0) {
        self.key = key
        self.cost = cost
        self.tokens = tokens
        self.spans = spans
        self.durationMs = durationMs
    }

    static func + (a: BreakdownRow, b: BreakdownRow) -> BreakdownRow {
        BreakdownRow(key: a.key, cost: a.cost + b.cost, tokens: a.tokens + b.tokens, spans: a.spans + b.spans, durationMs: a.durationMs + b.durationMs)
    }
}

public enum Breakdown {
    /// The group of every span of a trace.
    public static func keys(_ a: TraceAnalysis, by key: BreakdownKey) -> [String] {
        let spans = a.trace.spans
        var out = [String?](repeating: nil, count: spans.count)
        // Parents before children (the analysis' order), so inherited values are ready.
        for i in a.order {
            let s = spans[i]
            var v: String?
            switch key {
            case .model:
                // A roll-up's own share is zero: naming the model adds its span and time, never its tokens again.
                v = s.usage.model.flatMap { $0.isEmpty ? nil : $0 }
            case .kind: v = s.category == .other ? s.otelKind : s.category.rawValue
            default:
                for k in key.attributeKeys {
                    if let t = s.facts[k]?.text, !t.isEmpty { v = t; break }
                }
                if v == nil && key == .service { v = s.serviceName }
                if v == nil, key.inherits, let p = a.figures[i].parent { v = out[p] }
            }
            out[i] = v ?? BreakdownKey.none
        }
        return out.map { $0 ?? BreakdownKey.none }
    }

    /// The groups of one trace.
    public static func of(_ a: TraceAnalysis, by key: BreakdownKey) -> [BreakdownRow] {
        var rows: [String: BreakdownRow] = [:]
        for (i, k) in keys(a, by: key).enumerated() {
            let f = a.figures[i]
            rows[k, default: BreakdownRow(key: k)] = rows[k, default: BreakdownRow(key: k)]
                + BreakdownRow(key: k, cost: f.selfCost, tokens: f.selfTokens.total, spans: 1, durationMs: f.selfTimeMs)
        }
        return sorted(Array(rows.values))
    }

    /// Groups of several traces merged.
    public static func merge(_ parts: [[BreakdownRow]]) -> [BreakdownRow] {
        var rows: [String: BreakdownRow] = [:]
        for part in parts {
            for r in part { rows[r.key] = rows[r.key].map { $0 + r } ?? r }
        }
        return sorted(Array(rows.values))
    }

    /// Most expensive first, then most tokens, then by name.
    static func sorted(_ rows: [BreakdownRow]) -> [BreakdownRow] {
        rows.sorted {
            if $0.cost.knownUSD != $1.cost.knownUSD { return $0.cost.knownUSD > $1.cost.knownUSD }
            if $0.tokens != $1.tokens { return $0.tokens > $1.tokens }
            return $0.key < $1.key
        }
    }

    /// The context keys a run detail breaks cost down by (model and kind come with every run's summaries).
    public static let contextKeys: [BreakdownKey] = [.service, .capability, .tenant, .session, .user, .promptTemplateVersion]

    /// Every key's groups for a whole run in one read of its traces; through `cache` (kept beside the traces'
    /// summaries, keyed the same way), a run read before is not read again.
    public static func all(
        run entry: RunEntry, keys: [BreakdownKey], diagnostics: inout [Diagnostic], cache: SummaryCache? = nil
    ) -> [BreakdownKey: [BreakdownRow]] {
        let readKey = cache.flatMap { _ in SummaryCache.key(entry.files) }
        if let cache, let readKey, let hit = cache.breakdowns(entry.files, key: readKey, keys: keys) { return hit }
        let parts = RunLoader.mapTraces(entry, diagnostics: &diagnostics) { t, _ in
            let a = TraceAnalysis(t)
            return keys.map { Breakdown.of(a, by: $0) }
        }
        var out: [BreakdownKey: [BreakdownRow]] = [:]
        for (i, k) in keys.enumerated() { out[k] = merge(parts.map { $0[i] }) }
        // Kept only when every trace was read: a partial read's groups are not the run's.
        if let cache, let readKey, !diagnostics.contains(where: { $0.severity != .note }) {
            cache.storeBreakdowns(entry.files, readKey: readKey, keys: keys, out)
        }
        return out
    }

    /// The groups of a whole run: its traces read again in full (the run's summaries keep no spans).
    public static func of(run entry: RunEntry, by key: BreakdownKey, diagnostics: inout [Diagnostic]) -> [BreakdownRow] {
        let parts = RunLoader.mapTraces(entry, diagnostics: &diagnostics) { t, _ in Breakdown.of(TraceAnalysis(t), by: key) }
        return merge(parts)
    }
}
