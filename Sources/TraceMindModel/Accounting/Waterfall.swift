import FoundationEssentials
import TraceMindFormats

/// What the waterfall needs of a trace beyond its analysis, computed once when the trace is loaded: idle gaps for
/// gap compression and each span's place on the cumulative-cost axis.
public final class Waterfall: Sendable {
    public let analysis: TraceAnalysis

    /// A period in which no leaf span is active (framework overhead, waits): `[start, end)` in ns.
    public struct Gap: Sendable, Equatable {
        public var startNs: Int64
        public var endNs: Int64
        public var ms: Double { Double(endNs - startNs) / 1e6 }
    }

    /// Idle gaps long enough to collapse (over `max(1 s, 15 % of the wall time)`), in time order.
    public let gaps: [Gap]
    /// Each span's interval on the cumulative-cost axis, in USD: the spend of its subtree in the order the money
    /// was spent (by start time). nil for spans with no known cost in their subtree.
    public let costInterval: [ClosedRange<Double>?]
    /// Where a span without cost sits on the cost axis (the spend before it started).
    public let costAt: [Double]
    public let totalKnownCost: Double
    /// Spans that call an LLM or a tool, in start order: the trace's trajectory.
    public let steps: [Int]
    /// Number of spans in each span's subtree (itself included).
    public let subtreeSize: [Int]
    /// The tools called in the trace, sorted.
    public let toolNames: [String]
    /// Cost by service (the header's split), computed once with the waterfall, not per frame.
    public let byService: [BreakdownRow]
    /// Spans with an error, in tree order.
    public let errorSpans: [Int]
    /// Tells this waterfall from any other made before or after (an address can be reused once one is freed): views
    /// keep what they derived from it under this id.
    public let id = UInt64.random(in: .min ... .max)
    /// Each span's place in tree order (`analysis.order`), for stepping through matches without a pass over the tree.
    public let position: [Int]
    /// The details of the spans shown last: the detail pane is drawn on every key, and a span's details are read
    /// from its file (a root span can hold megabytes of transcript).
    private let shown = DetailMemo()

    /// The details of span `i`, read once while it is among the last few shown.
    public func details(_ i: Int) -> SpanDetails { shown.details(i) { analysis.trace.spans[i].details } }

    public init(_ a: TraceAnalysis, gapThresholdMs: Double? = nil) {
        analysis = a
        let spans = a.trace.spans
        let n = spans.count
        // Leaf activity.
        var ivs: [(Int64, Int64)] = []
        for i in 0..<n where a.figures[i].children.isEmpty {
            if let s = spans[i].startNs, let e = spans[i].endNs, e > s { ivs.append((s, e)) }
        }
        ivs.sort { $0.0 < $1.0 }
        var gaps: [Gap] = []
        let threshold = gapThresholdMs ?? max(1000, a.wallMs * 0.15)
        if let first = ivs.first {
            var curEnd = first.1
            for (s, e) in ivs.dropFirst() {
                if s > curEnd, Double(s - curEnd) / 1e6 >= threshold { gaps.append(Gap(startNs: curEnd, endNs: s)) }
                curEnd = max(curEnd, e)
            }
        }
        self.gaps = gaps

        // Cumulative cost: spans with known self cost, in start order, laid end to end.
        let costly = (0..<n).filter { a.figures[$0].selfCost.knownUSD > 0 }
            .sorted { (spans[$0].startNs ?? .max, $0) < (spans[$1].startNs ?? .max, $1) }
        var own = [ClosedRange<Double>?](repeating: nil, count: n)
        var cum = 0.0
        for i in costly {
            let c = a.figures[i].selfCost.knownUSD
            own[i] = cum...(cum + c)
            cum += c
        }
        totalKnownCost = cum
        // A span's interval covers its subtree's (post-order union).
        var iv = own
        for i in a.order.reversed() {
            for c in a.figures[i].children {
                guard let ci = iv[c] else { continue }
                if let cur = iv[i] { iv[i] = min(cur.lowerBound, ci.lowerBound)...max(cur.upperBound, ci.upperBound) } else { iv[i] = ci }
            }
        }
        costInterval = iv
        // Spans with no cost sit where the spend stood when they started.
        let starts = costly.map { (spans[$0].startNs ?? .max, own[$0]!.lowerBound) }
        costAt = (0..<n).map { i in
            guard let s = spans[i].startNs else { return 0 }
            var lo = 0, hi = starts.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if starts[mid].0 < s { lo = mid + 1 } else { hi = mid }
            }
            return lo < starts.count ? starts[lo].1 : cum
        }

        // Trajectory: the deepest LLM span of each call (or the deepest usage-bearing one) and every tool span.
        func llmish(_ i: Int) -> Bool { spans[i].category == .llm || spans[i].usage.carriesUsage }
        var llmBelow = [Bool](repeating: false, count: n)
        for i in a.order.reversed() {
            llmBelow[i] = a.figures[i].children.contains { llmish($0) || llmBelow[$0] }
        }
        var sizes = [Int](repeating: 1, count: n)
        for i in a.order.reversed() { for c in a.figures[i].children { sizes[i] += sizes[c] } }
        subtreeSize = sizes
        var tools = Set<String>()
        for s in spans where s.category == .tool { tools.insert(s.toolName ?? s.name) }
        toolNames = tools.sorted()
        byService = Breakdown.of(analysis, by: .service).filter { $0.key != BreakdownKey.none }
        errorSpans = a.order.filter { spans[$0].isError }
        var position = [Int](repeating: 0, count: n)
        for (k, i) in a.order.enumerated() { position[i] = k }
        self.position = position
        steps = (0..<n).filter { spans[$0].category == .tool || (llmish($0) && !llmBelow[$0]) }
            .sorted { (spans[$0].startNs ?? .max, $0) < (spans[$1].startNs ?? .max, $1) }
    }
}

/// The details of the last few spans asked for, under a lock (views are drawn on one thread, reports on several).
final class DetailMemo: @unchecked Sendable {
    private let lock = Lock()
    private var kept: [(index: Int, details: SpanDetails)] = []
    static let size = 16

    func details(_ i: Int, _ read: () -> SpanDetails) -> SpanDetails {
        if let d = lock.withLock({ kept.first { $0.index == i }?.details }) { return d }
        let d = read()
        lock.withLock {
            kept.removeAll { $0.index == i }
            kept.insert((i, d), at: 0)
            if kept.count > DetailMemo.size { kept.removeLast() }
        }
        return d
    }
}
