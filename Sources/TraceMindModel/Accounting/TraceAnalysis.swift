import FoundationEssentials
import TraceMindFormats

/// Per-span figures after correction.
public struct SpanFigures: Sendable, Equatable {
    /// Index into `Trace.spans`.
    public var index: Int
    public var parent: Int?
    public var children: [Int]
    public var depth: Int
    /// Usage and cost counted on this span: its own cost, plus call usage only where it is not a repeat of its
    /// descendants'.
    public var selfTokens: TokenCounts
    public var selfCost: CostSum
    /// Sum over the subtree.
    public var inclusiveTokens: TokenCounts
    public var inclusiveCost: CostSum
    /// The span reports call usage that is (wholly or partly) a roll-up of its descendants'.
    public var isRollup: Bool
    public var startOffsetMs: Double
    public var durationMs: Double
    /// Duration not covered by any child: what the span spent itself.
    public var selfTimeMs: Double
    /// Parent id named but not found (or a cycle): shown as a root.
    public var isOrphan: Bool
    public var onLatencyPath: Bool
    public var onCostPath: Bool
}

/// The span tree of one trace with usage counted once.
///
/// The rule, for every convention:
/// 1. **Call usage** (tokens and their cost) is reported on nested spans that describe the same LLM call —
///    SMOLTRACE records one call on three (`LiteLLMModel.generate` → `completion` → `openai.chat.completion`), and
///    agent spans hold a roll-up of their calls. A span's call usage counts only where no descendant reports it:
///    a span whose tokens do not exceed its descendants' is a pure roll-up and keeps nothing (even when its price
///    table disagrees with theirs); a span that reports *more* tokens than its descendants keeps only the excess
///    (and the matching share of its cost) as its own.
/// 2. **Own cost** (`cost_usd`) is what a span itself cost — an orchestrator step, a queue hop, a tool. It is never
///    a roll-up, so own costs add up along the tree. `accumulated_cost_usd` is a roll-up and is only shown.
/// 3. An unknown price stays unknown: it is counted as an unpriced call, never as $0.
public final class TraceAnalysis: Sendable {
    public let trace: Trace
    public let figures: [SpanFigures]
    /// Root indices, sorted by start time.
    public let roots: [Int]
    /// Depth-first order (children by start time): the waterfall's row order.
    public let order: [Int]
    public let startNs: Int64?
    public let endNs: Int64?
    public let wallMs: Double
    /// The trace's counted-once totals (what its summary keeps).
    let totals: TraceTotals
    public var tokens: TokenCounts { totals.tokens }
    public var cost: CostSum { totals.cost }
    /// The deepest spans that report call usage: one per LLM call.
    public var llmCalls: Int { totals.llmCalls }
    public var toolCalls: Int { totals.toolCalls }
    public var errorCount: Int { totals.errorCount }
    public var tokensByModel: [String: TokenCounts] { totals.tokensByModel }
    public var costByModel: [String: CostSum] { totals.costByModel }
    public var costByCategory: [SpanCategory: CostSum] { totals.costByCategory }
    public var tokensByCategory: [SpanCategory: TokenCounts] { totals.tokensByCategory }

    public init(_ trace: Trace) {
        self.trace = trace
        let spans = trace.spans
        let tree = SpanTree(spans)
        // Usage and the cost path on one core, times and the latency path on the other, for a trace large enough to
        // be worth it (a 300,000-span trace's analysis was half a second on one core).
        let large = spans.count >= 20_000
        let usagePart = { () -> (UsageAccounting, [Bool]) in
            let usage = UsageAccounting(spans, tree)
            return (usage, TraceAnalysis.costPath(tree, usage))
        }
        let timePart = { () -> ((start: Int64?, end: Int64?, wallMs: Double), [Double], [Bool]) in
            (TraceAnalysis.timeSpan(spans), TraceAnalysis.selfTimes(spans, tree), TraceAnalysis.latencyPath(spans, tree))
        }
        let ((usage, onCost), (span, selfTime, onLatency)) = large ? Parallel.both(usagePart, timePart) : (usagePart(), timePart())
        startNs = span.start
        endNs = span.end
        wallMs = span.wallMs
        roots = tree.roots
        order = tree.order

        // Fields are read in place (`spans[i].x`): a copy of a span retains every one of its strings and tables.
        func figure(_ i: Int) -> SpanFigures {
            let startNs = spans[i].startNs
            let off = (startNs != nil && span.start != nil) ? Double(startNs! - span.start!) / 1e6 : 0
            return SpanFigures(
                index: i, parent: tree.parent[i], children: tree.children[i], depth: tree.depth[i],
                selfTokens: usage.selfTokens[i], selfCost: usage.selfCost[i], inclusiveTokens: usage.inclusiveTokens[i],
                inclusiveCost: usage.inclusiveCost[i], isRollup: usage.rollup[i], startOffsetMs: off, durationMs: spans[i].durationMs,
                selfTimeMs: max(0, selfTime[i]), isOrphan: tree.orphan[i], onLatencyPath: onLatency[i], onCostPath: onCost[i])
        }
        let n = spans.count
        let figuresPart = { () -> [SpanFigures] in
            [SpanFigures](unsafeUninitializedCapacity: n) { buffer, initialized in
                for i in 0..<n { (buffer.baseAddress! + i).initialize(to: figure(i)) }
                initialized = n
            }
        }
        // The totals on one core, the spans' figures on the other.
        let totalsPart = { TraceTotals(spans, tree, usage) }
        (totals, figures) = large ? Parallel.both(totalsPart, figuresPart) : (totalsPart(), figuresPart())
    }

    /// The first start and last end of the trace, and the wall time between them (the longest span's duration when
    /// the spans carry no times).
    static func timeSpan(_ spans: [Span]) -> (start: Int64?, end: Int64?, wallMs: Double) {
        let minStart = spans.compactMap { $0.startNs }.min()
        let maxEnd = spans.compactMap { $0.endNs ?? $0.startNs }.max()
        if let a = minStart, let b = maxEnd, b >= a { return (minStart, maxEnd, Double(b - a) / 1e6) }
        return (minStart, maxEnd, spans.map { $0.durationMs }.max() ?? 0)
    }

    /// Self time: each span's duration minus the union of its children's intervals inside it.
    static func selfTimes(_ spans: [Span], _ tree: SpanTree) -> [Double] {
        var selfTime = [Double](repeating: 0, count: spans.count)
        for i in spans.indices {
            guard let a = spans[i].startNs, let b = spans[i].endNs, b > a else {
                selfTime[i] = tree.children[i].isEmpty ? spans[i].durationMs : 0
                continue
            }
            var covered: Int64 = 0
            var curStart: Int64 = a, curEnd: Int64 = a
            let intervals = tree.children[i].compactMap { c -> (Int64, Int64)? in
                guard let cs = spans[c].startNs, let ce = spans[c].endNs else { return nil }
                let lo = max(a, cs), hi = min(b, ce)
                return hi > lo ? (lo, hi) : nil
            }.sorted { $0.0 < $1.0 }
            for (lo, hi) in intervals {
                if lo > curEnd {
                    covered += curEnd - curStart
                    curStart = lo
                    curEnd = hi
                } else if hi > curEnd {
                    curEnd = hi
                }
            }
            covered += curEnd - curStart
            selfTime[i] = Double(b - a - covered) / 1e6
        }
        return selfTime
    }

    /// The latency critical path (Jaeger's method): from the longest root, go to the last-finishing child; when a
    /// span has no child finishing before the point reached, go back up and continue from the previous child that
    /// finished before this one started.
    static func latencyPath(_ spans: [Span], _ tree: SpanTree) -> [Bool] {
        let n = spans.count
        var onPath = [Bool](repeating: false, count: n)
        func endKey(_ i: Int) -> Int64 { spans[i].endNs ?? spans[i].startNs ?? Int64.min }
        guard let root = tree.roots.max(by: { spans[$0].durationMs < spans[$1].durationMs }) else { return onPath }
        // Each span's children by end time, latest first, and a cursor per span: the limit only moves back in time,
        // so every child is looked at once (a trace with thousands of steps stays linear).
        var byEnd: [[Int]] = Array(repeating: [], count: n)
        var cursor = [Int](repeating: 0, count: n)
        var cur = root
        var limit: Int64? = nil
        var steps = 0
        while steps < 4 * n + 8 {
            steps += 1
            onPath[cur] = true
            if byEnd[cur].isEmpty && !tree.children[cur].isEmpty {
                byEnd[cur] = tree.children[cur].sorted { endKey($0) != endKey($1) ? endKey($0) > endKey($1) : $0 > $1 }
            }
            let list = byEnd[cur]
            var k = cursor[cur]
            if let limit { while k < list.count && endKey(list[k]) >= limit { k += 1 } }
            if k < list.count {
                cursor[cur] = k + 1
                cur = list[k]
                limit = nil
            } else {
                cursor[cur] = k
                guard cur != root, let p = tree.parent[cur] else { break }
                limit = spans[cur].startNs ?? Int64.min
                cur = p
            }
        }
        return onPath
    }

    /// The cost critical path: from the most expensive root, follow the child that carries the most spend.
    static func costPath(_ tree: SpanTree, _ usage: UsageAccounting) -> [Bool] {
        let incl = usage.inclusiveCost
        var onPath = [Bool](repeating: false, count: incl.count)
        guard let root = tree.roots.max(by: { incl[$0].knownUSD < incl[$1].knownUSD }), incl[root].knownUSD > 0 else { return onPath }
        var cur = root
        onPath[cur] = true
        while let c = tree.children[cur].max(by: { incl[$0].knownUSD < incl[$1].knownUSD }), incl[c].knownUSD > 0 {
            cur = c
            onPath[cur] = true
        }
        return onPath
    }

    /// The root span that describes the test (SMOLTRACE's `test_evaluation`), if any.
    public var testRoot: Span? { TraceAnalysis.testRoot(trace.spans, roots: roots) }

    static func testRoot(_ spans: [Span], roots: [Int]) -> Span? {
        if let r = roots.first(where: { spans[$0].facts["test.id"] != nil }) { return spans[r] }
        return spans.first { $0.facts["test.id"] != nil }
    }

    /// Span indices from `i` up to its root.
    public func ancestry(_ i: Int) -> [Int] {
        var out: [Int] = []
        var c: Int? = i
        while let k = c, out.count <= figures.count {
            out.append(k)
            c = figures[k].parent
        }
        return out
    }
}

/// What a run keeps of each trace once its spans are dropped: enough for the run view, the joins and lazy reload.
public struct TraceSummary: Sendable, Equatable, Codable {
    public var traceID: String
    public var runID: String?
    public var testIDs: [String]
    public var testCaseUIDs: [String]
    /// `(test.id, agent.type)` from the root span, for re-deriving joins in old data.
    public var rootTestID: String?
    public var rootAgentType: String?
    public var rootName: String?
    public var spanCount: Int
    public var startNs: Int64?
    public var wallMs: Double
    public var tokens: TokenCounts
    public var cost: CostSum
    public var llmCalls: Int
    public var toolCalls: Int
    public var errorCount: Int
    public var rootError: String?
    public var tokensByModel: [String: TokenCounts]
    public var costByModel: [String: CostSum]
    public var costByCategory: [SpanCategory: CostSum]
    public var recordedTotalTokens: Int?
    public var recordedTotalDurationMs: Double?
    public var recordedTotalCostUSD: Double?
    /// Time to first token and time between tokens of the LLM calls (when the producer reports them), seconds.
    public var ttft: [Double]
    public var tbt: [Double]
    /// Time to first token of the trace's first streamed call (what its user waited for), seconds.
    public var firstTTFT: Double?
    /// Where the trace lives, for loading it again on demand.
    public var location: TraceLocation

    public init(_ a: TraceAnalysis, location: TraceLocation) {
        self.init(a.trace, roots: a.roots, startNs: a.startNs, wallMs: a.wallMs, totals: a.totals, location: location)
    }

    /// The summary of a trace made without the analysis' per-span figures (what a run keeps of a trace of a million
    /// spans: the same summary as `init(TraceAnalysis(t), location:)`, without a million `SpanFigures`).
    public init(_ t: Trace, location: TraceLocation) {
        let tree = SpanTree(t.spans)
        let span = TraceAnalysis.timeSpan(t.spans)
        let totals = TraceTotals(t.spans, tree, UsageAccounting(selfOnly: t.spans, tree))
        self.init(t, roots: tree.roots, startNs: span.start, wallMs: span.wallMs, totals: totals, location: location)
    }

    private init(_ t: Trace, roots: [Int], startNs: Int64?, wallMs: Double, totals a: TraceTotals, location: TraceLocation) {
        traceID = t.traceID
        runID = t.runID
        testIDs = t.testIDs
        testCaseUIDs = t.testCaseUIDs
        let root = TraceAnalysis.testRoot(t.spans, roots: roots)
        rootTestID = root?.facts["test.id"]?.text
        rootAgentType = root?.facts["agent.type"]?.text ?? t.agentType
        rootName = roots.first.map { t.spans[$0].name }
        if testIDs.isEmpty, let r = rootTestID { testIDs = [r] }
        if testCaseUIDs.isEmpty, let u = root?.facts["test.case_uid"]?.text { testCaseUIDs = [u] }
        spanCount = t.spans.count
        self.startNs = startNs
        self.wallMs = wallMs
        tokens = a.tokens
        cost = a.cost
        llmCalls = a.llmCalls
        toolCalls = a.toolCalls
        errorCount = a.errorCount
        rootError = roots.first.flatMap { t.spans[$0].errorMessage }
        tokensByModel = a.tokensByModel
        costByModel = a.costByModel
        costByCategory = a.costByCategory
        recordedTotalTokens = t.recordedTotalTokens
        recordedTotalDurationMs = t.recordedTotalDurationMs
        recordedTotalCostUSD = t.recordedTotalCostUSD
        // Read in place: a copy of a span retains every one of its strings and tables.
        var ttft: [Double] = [], tbt: [Double] = []
        var first: (start: Int64, value: Double)?
        for i in t.spans.indices {
            if let v = t.spans[i].facts["gen_ai.server.ttft"]?.number {
                ttft.append(v)
                let start = t.spans[i].startNs ?? .max
                if first == nil || start < first!.start { first = (start, v) }
            }
            if let v = t.spans[i].facts["gen_ai.server.tbt"]?.number { tbt.append(v) }
        }
        self.ttft = ttft
        self.tbt = tbt
        firstTTFT = first?.value
        self.location = location
    }
}

/// A record's place in its file: the byte range of a JSON document (array element or JSONL line), a Parquet row
/// (row group and row within it), or (negative index, no range) a group of flat span rows.
extension TraceAnalysis {
    /// The trace was written by SMOLTRACE (it names a test or an agent type, or carries SMOLTRACE's recorded totals):
    /// its recorded figures are SMOLTRACE's; otherwise they are the producer's own.
    public var isSmoltraceTrace: Bool {
        !trace.testIDs.isEmpty || trace.agentType != nil || testRoot != nil || trace.recordedTotalTokens != nil
    }
}

extension RunAnalysis {
    /// Every test is a trace of another system (no result rows, no test identity): recorded figures are its producer's.
    public var isOtherProducer: Bool { !tests.isEmpty && tests.allSatisfy(\.isPlainTrace) }
}

public struct TraceLocation: Sendable, Equatable, Codable {
    public var path: String
    public var byteRange: Range<Int>?
    public var rowGroup: Int?
    public var index: Int
    /// The file's size when the record was read: a trace opened later from a file of another size is refused
    /// (the file changed; its byte ranges and rows no longer hold).
    public var fileSize: Int?

    public init(path: String, byteRange: Range<Int>? = nil, rowGroup: Int? = nil, index: Int, fileSize: Int? = nil) {
        self.path = path
        self.byteRange = byteRange
        self.rowGroup = rowGroup
        self.index = index
        self.fileSize = fileSize
    }
}

/// The span tree of a trace: parents (an unknown parent or a cycle makes a root, marked orphan), children and roots
/// by start time, and the depth-first order of the waterfall's rows.
struct SpanTree {
    var parent: [Int?]
    var orphan: [Bool]
    var children: [[Int]]
    var roots: [Int]
    var order: [Int]
    var depth: [Int]

    init(_ spans: [Span]) {
        let n = spans.count
        let byID = SpanIDTable(spans)
        parent = [Int?](repeating: nil, count: n)
        orphan = [Bool](repeating: false, count: n)
        for i in spans.indices {
            guard let p = spans[i].parentSpanID else { continue }
            if let pi = byID.index(of: p), pi != i { parent[i] = pi } else { orphan[i] = true }
        }
        SpanTree.breakCycles(&parent, &orphan)

        func startKey(_ i: Int) -> Int64 { spans[i].startNs ?? Int64.max }
        let byStart: (Int, Int) -> Bool = { a, b in
            let sa = startKey(a), sb = startKey(b)
            return sa != sb ? sa < sb : a < b
        }
        children = [[Int]](repeating: [], count: n)
        roots = []
        for i in 0..<n {
            if let p = parent[i] { children[p].append(i) } else { roots.append(i) }
        }
        for i in 0..<n where children[i].count > 1 { children[i].sort(by: byStart) }
        roots.sort(by: byStart)

        // Depth-first order and depths (iterative: traces can be deep).
        depth = [Int](repeating: 0, count: n)
        order = []
        order.reserveCapacity(n)
        var stack: [Int] = roots.reversed()
        while let i = stack.popLast() {
            order.append(i)
            for c in children[i].reversed() {
                depth[c] = depth[i] + 1
                stack.append(c)
            }
        }
    }

    /// Walks up from each span; a revisit inside the walk makes that span a root (an orphan).
    static func breakCycles(_ parent: inout [Int?], _ orphan: inout [Bool]) {
        var state = [UInt8](repeating: 0, count: parent.count)  // 0 new, 1 on path, 2 done
        for i in parent.indices where state[i] == 0 {
            var path: [Int] = []
            var cur: Int? = i
            while let c = cur, state[c] == 0 {
                state[c] = 1
                path.append(c)
                cur = parent[c]
            }
            if let c = cur, state[c] == 1 {
                parent[c] = nil
                orphan[c] = true
            }
            for p in path { state[p] = 2 }
        }
    }
}

/// Usage and cost counted once, in post-order (the rule is on `TraceAnalysis`).
struct UsageAccounting {
    var selfTokens: [TokenCounts]
    var selfCost: [CostSum]
    var inclusiveTokens: [TokenCounts]
    var inclusiveCost: [CostSum]
    /// The span's call usage is (wholly or partly) a roll-up of its descendants'.
    var rollup: [Bool]
    /// The span's call usage is counted whole: it is the deepest span of one LLM call.
    var counted: [Bool]

    init(_ spans: [Span], _ tree: SpanTree) {
        let n = spans.count
        var usageBelow = [Bool](repeating: false, count: n)
        var usageInclTok = [TokenCounts](repeating: .zero, count: n)
        var usageInclCost = [CostSum](repeating: .zero, count: n)
        selfTokens = [TokenCounts](repeating: .zero, count: n)
        selfCost = [CostSum](repeating: .zero, count: n)
        inclusiveTokens = [TokenCounts](repeating: .zero, count: n)
        inclusiveCost = [CostSum](repeating: .zero, count: n)
        rollup = [Bool](repeating: false, count: n)
        counted = [Bool](repeating: false, count: n)
        for i in tree.order.reversed() {
            let u = spans[i].usage
            var below = false
            var childTok = TokenCounts.zero, childCost = CostSum.zero
            var allTok = TokenCounts.zero, allCost = CostSum.zero
            for ch in tree.children[i] {
                below = below || usageBelow[ch] || spans[ch].usage.carriesUsage
                childTok += usageInclTok[ch]
                childCost += usageInclCost[ch]
                allTok += inclusiveTokens[ch]
                allCost += inclusiveCost[ch]
            }
            usageBelow[i] = below
            var ownTok = TokenCounts.zero
            var ownUsageCost = CostSum.zero
            if u.carriesUsage {
                if !below {
                    ownTok = u.tokens
                    ownUsageCost = u.callCost
                    counted[i] = true
                } else {
                    rollup[i] = true
                    (ownTok, ownUsageCost) = UsageAccounting.excess(u, childTok, childCost)
                }
            }
            usageInclTok[i] = childTok + ownTok
            usageInclCost[i] = childCost + ownUsageCost
            selfTokens[i] = ownTok
            selfCost[i] = ownUsageCost + u.ownCost
            inclusiveTokens[i] = allTok + selfTokens[i]
            inclusiveCost[i] = allCost + selfCost[i]
        }
    }

    /// Only what each span counts as its own (`selfTokens`, `selfCost`, `rollup`, `counted`; no inclusive sums), for a
    /// summary: a walk that keeps the sums of the open spans of one path, not of every span. The same figures, added
    /// in the same order, as `init(_:_:)`.
    init(selfOnly spans: [Span], _ tree: SpanTree) {
        let n = spans.count
        selfTokens = [TokenCounts](repeating: .zero, count: n)
        selfCost = [CostSum](repeating: .zero, count: n)
        inclusiveTokens = []
        inclusiveCost = []
        rollup = [Bool](repeating: false, count: n)
        counted = [Bool](repeating: false, count: n)
        /// A span whose children are being walked: the next child, and what its children below report so far.
        struct Open {
            var node: Int
            var next = 0
            var below = false
            var tok = TokenCounts.zero
            var cost = CostSum.zero
        }
        var path: [Open] = []
        for root in tree.roots {
            path.append(Open(node: root))
            while let top = path.indices.last {
                let i = path[top].node
                if path[top].next < tree.children[i].count {
                    let c = tree.children[i][path[top].next]
                    path[top].next += 1
                    path.append(Open(node: c))
                    continue
                }
                let done = path.removeLast()
                let u = spans[i].usage
                var ownTok = TokenCounts.zero
                var ownUsageCost = CostSum.zero
                if u.carriesUsage {
                    if !done.below {
                        ownTok = u.tokens
                        ownUsageCost = u.callCost
                        counted[i] = true
                    } else {
                        rollup[i] = true
                        (ownTok, ownUsageCost) = UsageAccounting.excess(u, done.tok, done.cost)
                    }
                }
                selfTokens[i] = ownTok
                selfCost[i] = ownUsageCost + u.ownCost
                if let p = path.indices.last {
                    path[p].below = path[p].below || done.below || u.carriesUsage
                    path[p].tok += done.tok + ownTok
                    path[p].cost += done.cost + ownUsageCost
                }
            }
        }
    }

    /// What a span whose descendants also report call usage keeps as its own: the tokens (and the matching cost)
    /// it reports beyond theirs, or the cost beyond theirs when nobody reports tokens.
    static func excess(_ u: SpanUsage, _ childTok: TokenCounts, _ childCost: CostSum) -> (TokenCounts, CostSum) {
        let mine = u.tokens
        if mine.total > childTok.total {
            // Reports calls its descendants do not: keep the excess.
            let ownTok = mine.excess(over: childTok)
            guard let pc = u.knownCost else { return (ownTok, .unknownCall) }
            let share = mine.total > 0 ? Double(ownTok.total) / Double(mine.total) : 0
            let byDifference = childCost.unpriced == 0 ? max(0, pc - childCost.knownUSD) : pc * share
            return (ownTok, .known(byDifference))
        }
        if mine.total == 0 && childTok.total == 0, let pc = u.knownCost, childCost.unpriced == 0, pc > childCost.knownUSD {
            // Cost-only usage (no tokens anywhere): the same rule on the cost.
            return (.zero, .known(pc - childCost.knownUSD))
        }
        return (.zero, .zero)
    }
}

/// A trace's totals over the counted-once figures: tokens, cost, calls, errors, and their splits by model and kind.
struct TraceTotals {
    var tokens = TokenCounts.zero
    var cost = CostSum.zero
    var llmCalls = 0, toolCalls = 0, errorCount = 0
    var tokensByModel: [String: TokenCounts] = [:]
    var costByModel: [String: CostSum] = [:]
    var costByCategory: [SpanCategory: CostSum] = [:]
    var tokensByCategory: [SpanCategory: TokenCounts] = [:]

    init(_ spans: [Span], _ tree: SpanTree, _ usage: UsageAccounting) {
        // The model of a span: its own, else the nearest ancestor's (own costs of an LLM wrapper, say).
        func modelOf(_ i: Int) -> String? {
            var c: Int? = i
            var hops = 0
            while let k = c, hops < 64 {
                if let m = spans[k].usage.model { return m }
                c = tree.parent[k]
                hops += 1
            }
            return nil
        }
        for i in spans.indices {
            let category = spans[i].category, carriesUsage = spans[i].usage.carriesUsage
            let selfTok = usage.selfTokens[i], selfCost = usage.selfCost[i]
            tokens += selfTok
            cost += selfCost
            if usage.counted[i] { llmCalls += 1 }
            if !selfTok.isZero || !selfCost.isZero {
                if !selfTok.isZero || carriesUsage {
                    let model = modelOf(i) ?? "unknown model"
                    tokensByModel[model, default: .zero] += selfTok
                    costByModel[model, default: .zero] += selfCost
                }
                let cat = category == .other && carriesUsage ? SpanCategory.llm : category
                costByCategory[cat, default: .zero] += selfCost
                tokensByCategory[cat, default: .zero] += selfTok
            }
            if category == .tool { toolCalls += 1 }
            // Read field by field where the span lies (`spans[i].isError` copied the whole span to ask it).
            if Span.isError(spans[i].status.code, spans[i].hasExceptionEvent) { errorCount += 1 }
        }
    }
}
