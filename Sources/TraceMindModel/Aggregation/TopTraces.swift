import FoundationEssentials
import TraceMindFormats

/// What "most expensive" means for a list of traces.
public enum TraceRanking: String, CaseIterable, Sendable {
    case cost, tokens, wall, spans, errors
}

/// One trace of a source with the run and test it belongs to, for ranking across runs.
public struct RankedTrace: Sendable {
    public var runKey: String
    public var taskID: String?
    public var summary: TraceSummary
}

/// The most expensive (slowest, largest…) traces of every run given, counted once like everything else.
public enum TopTraces {
    public static func rank(_ runs: [RunAnalysis], by ranking: TraceRanking, limit: Int) -> [RankedTrace] {
        var all: [RankedTrace] = []
        for a in runs {
            for t in a.tests { if let s = t.trace { all.append(RankedTrace(runKey: a.entry.key, taskID: t.result?.taskID ?? (t.isPlainTrace ? nil : t.taskID), summary: s)) } }
            for s in a.extraTraces { all.append(RankedTrace(runKey: a.entry.key, taskID: nil, summary: s)) }
        }
        func value(_ r: RankedTrace) -> Double {
            switch ranking {
            case .cost: return r.summary.cost.knownUSD
            case .tokens: return Double(r.summary.tokens.total)
            case .wall: return r.summary.wallMs
            case .spans: return Double(r.summary.spanCount)
            case .errors: return Double(r.summary.errorCount)
            }
        }
        // Highest first; ties: more unpriced calls first (their true cost is higher), then by id for a stable order.
        let sorted = all.sorted {
            let (x, y) = (value($0), value($1))
            if x != y { return x > y }
            if $0.summary.cost.unpriced != $1.summary.cost.unpriced { return $0.summary.cost.unpriced > $1.summary.cost.unpriced }
            return ($0.runKey, $0.summary.traceID) < ($1.runKey, $1.summary.traceID)
        }
        return Array(sorted.prefix(max(0, limit)))
    }
}
