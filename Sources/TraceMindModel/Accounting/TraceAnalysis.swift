import Foundation

/// Per-span figures after correction.
public struct SpanFigures: Sendable, Equatable {
    /// Index into `Trace.spans`.
    public var index: Int
    public var parent: Int?
    public var children: [Int]
    public var depth: Int
    /// Usage counted on this span (only the deepest usage-bearing spans count).
    public var selfTokens: TokenCounts
    public var selfCost: CostSum
    /// Sum over the subtree.
    public var inclusiveTokens: TokenCounts
    public var inclusiveCost: CostSum
    /// The span reports usage, but it is a roll-up of its descendants' (not counted again).
    public var isRollup: Bool
    public var startOffsetMs: Double
    public var durationMs: Double
    /// Parent id named but not found: shown as a root.
    public var isOrphan: Bool
}

/// The span tree of one trace with usage counted once.
///
/// Rule: a span's tokens and cost count only if no descendant carries usage. SMOLTRACE records one LLM call on
/// three nested spans (`LiteLLMModel.generate` → `completion` → `openai.chat.completion`) and AGENT spans hold a
/// roll-up of their children; counting every one of them is what makes its recorded totals 3× too high.
public struct TraceAnalysis: Sendable {
    public let trace: Trace
    public let figures: [SpanFigures]
    /// Root indices, sorted by start time.
    public let roots: [Int]
    /// Depth-first order (children by start time): the waterfall's row order.
    public let order: [Int]
    public let startNs: Int64?
    public let endNs: Int64?
    public let wallMs: Double
    public let tokens: TokenCounts
    public let cost: CostSum
    public let llmCalls: Int
    public let toolCalls: Int
    public let errorCount: Int
    public let tokensByModel: [String: TokenCounts]
    public let costByModel: [String: CostSum]
    public let costByCategory: [SpanCategory: CostSum]
    public let tokensByCategory: [SpanCategory: TokenCounts]

    public init(_ trace: Trace) {
        self.trace = trace
        let spans = trace.spans
        let n = spans.count
        var byID: [String: Int] = [:]
        byID.reserveCapacity(n)
        for (i, s) in spans.enumerated() where byID[s.spanID] == nil { byID[s.spanID] = i }

        var parent = [Int?](repeating: nil, count: n)
        var orphan = [Bool](repeating: false, count: n)
        for (i, s) in spans.enumerated() {
            guard let p = s.parentSpanID else { continue }
            if let pi = byID[p], pi != i { parent[i] = pi } else { orphan[i] = true }
        }
        // Break cycles: walk up from each span; a revisit inside the walk makes that span a root.
        var state = [UInt8](repeating: 0, count: n)  // 0 new, 1 on path, 2 done
        for i in 0..<n where state[i] == 0 {
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

        let minStart = spans.compactMap { $0.startNs }.min()
        let maxEnd = spans.compactMap { $0.endNs ?? $0.startNs }.max()
        startNs = minStart
        endNs = maxEnd
        if let a = minStart, let b = maxEnd, b >= a {
            wallMs = Double(b - a) / 1e6
        } else {
            wallMs = spans.map { $0.durationMs }.max() ?? 0
        }

        func startKey(_ i: Int) -> Int64 { spans[i].startNs ?? Int64.max }
        var children = [[Int]](repeating: [], count: n)
        var rootList: [Int] = []
        for i in 0..<n {
            if let p = parent[i] { children[p].append(i) } else { rootList.append(i) }
        }
        let byStart: (Int, Int) -> Bool = { a, b in
            let sa = startKey(a), sb = startKey(b)
            return sa != sb ? sa < sb : a < b
        }
        for i in 0..<n where children[i].count > 1 { children[i].sort(by: byStart) }
        rootList.sort(by: byStart)
        roots = rootList

        // Depth-first order and depths (iterative: traces can be deep).
        var depth = [Int](repeating: 0, count: n)
        var dfs: [Int] = []
        dfs.reserveCapacity(n)
        var stack: [Int] = rootList.reversed()
        while let i = stack.popLast() {
            dfs.append(i)
            for c in children[i].reversed() {
                depth[c] = depth[i] + 1
                stack.append(c)
            }
        }
        order = dfs

        // Post-order usage: self usage only where no descendant carries usage.
        var usageBelow = [Bool](repeating: false, count: n)
        var selfTok = [TokenCounts](repeating: .zero, count: n)
        var selfCost = [CostSum](repeating: .zero, count: n)
        var inclTok = [TokenCounts](repeating: .zero, count: n)
        var inclCost = [CostSum](repeating: .zero, count: n)
        var rollup = [Bool](repeating: false, count: n)
        for i in dfs.reversed() {
            let u = spans[i].usage
            var below = false
            var t = TokenCounts.zero
            var c = CostSum.zero
            for ch in children[i] {
                below = below || usageBelow[ch] || spans[ch].usage.carriesUsage
                t += inclTok[ch]
                c += inclCost[ch]
            }
            usageBelow[i] = below
            if u.carriesUsage {
                if below {
                    rollup[i] = true
                } else {
                    selfTok[i] = u.tokens
                    selfCost[i] = CostSum.of(u)
                }
            }
            inclTok[i] = t + selfTok[i]
            inclCost[i] = c + selfCost[i]
        }

        var figs: [SpanFigures] = []
        figs.reserveCapacity(n)
        var tokens = TokenCounts.zero
        var cost = CostSum.zero
        var llm = 0, tools = 0, errors = 0
        var tbm: [String: TokenCounts] = [:], cbm: [String: CostSum] = [:]
        var cbc: [SpanCategory: CostSum] = [:], tbc: [SpanCategory: TokenCounts] = [:]
        for i in 0..<n {
            let s = spans[i]
            let off = (s.startNs != nil && minStart != nil) ? Double(s.startNs! - minStart!) / 1e6 : 0
            figs.append(
                SpanFigures(
                    index: i, parent: parent[i], children: children[i], depth: depth[i], selfTokens: selfTok[i],
                    selfCost: selfCost[i], inclusiveTokens: inclTok[i], inclusiveCost: inclCost[i], isRollup: rollup[i],
                    startOffsetMs: off, durationMs: s.durationMs, isOrphan: orphan[i]))
            tokens += selfTok[i]
            cost += selfCost[i]
            let counted = s.usage.carriesUsage && !rollup[i]
            if counted {
                llm += 1
                let model = s.usage.model ?? "unknown model"
                tbm[model, default: .zero] += selfTok[i]
                cbm[model, default: .zero] += selfCost[i]
                // Attribute the spend to the semantic kind of the call: the nearest LLM-ish ancestor-or-self.
                let cat = s.category == .other ? SpanCategory.llm : s.category
                cbc[cat, default: .zero] += selfCost[i]
                tbc[cat, default: .zero] += selfTok[i]
            }
            if s.category == .tool { tools += 1 }
            if s.isError { errors += 1 }
        }
        figures = figs
        self.tokens = tokens
        self.cost = cost
        llmCalls = llm
        toolCalls = tools
        errorCount = errors
        tokensByModel = tbm
        costByModel = cbm
        costByCategory = cbc
        tokensByCategory = tbc
    }

    /// The root span that describes the test (SMOLTRACE's `test_evaluation`), if any.
    public var testRoot: Span? {
        if let r = roots.first(where: { trace.spans[$0].attributes["test.id"] != nil }) { return trace.spans[r] }
        return trace.spans.first { $0.attributes["test.id"] != nil }
    }
}

/// What a run keeps of each trace once its spans are dropped: enough for the run view, the joins and lazy reload.
public struct TraceSummary: Sendable, Equatable {
    public var traceID: String
    public var runID: String?
    public var testIDs: [String]
    public var testCaseUIDs: [String]
    /// `(test.id, agent.type)` from the root span, for re-deriving joins in old data.
    public var rootTestID: String?
    public var rootAgentType: String?
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
    /// Where the trace lives, for loading it again on demand.
    public var location: TraceLocation

    public init(_ a: TraceAnalysis, location: TraceLocation) {
        let t = a.trace
        traceID = t.traceID
        runID = t.runID
        testIDs = t.testIDs
        testCaseUIDs = t.testCaseUIDs
        let root = a.testRoot
        rootTestID = root?.attributes["test.id"]?.text
        rootAgentType = root?.attributes["agent.type"]?.text ?? t.agentType
        if testIDs.isEmpty, let r = rootTestID { testIDs = [r] }
        if testCaseUIDs.isEmpty, let u = root?.attributes["test.case_uid"]?.text { testCaseUIDs = [u] }
        spanCount = t.spans.count
        startNs = a.startNs
        wallMs = a.wallMs
        tokens = a.tokens
        cost = a.cost
        llmCalls = a.llmCalls
        toolCalls = a.toolCalls
        errorCount = a.errorCount
        rootError = a.roots.first.flatMap { t.spans[$0].errorMessage }
        tokensByModel = a.tokensByModel
        costByModel = a.costByModel
        costByCategory = a.costByCategory
        recordedTotalTokens = t.recordedTotalTokens
        recordedTotalDurationMs = t.recordedTotalDurationMs
        recordedTotalCostUSD = t.recordedTotalCostUSD
        self.location = location
    }
}

/// A trace's place in its file: the byte range of its document (JSON array element or JSONL line),
/// or a group of flat span rows.
public struct TraceLocation: Sendable, Equatable {
    public var path: String
    public var byteRange: Range<Int>?
    public var index: Int
}
