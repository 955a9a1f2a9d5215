import FoundationEssentials
import TraceMindFormats

/// How a result row was matched to its trace (§7.3 precedence).
public enum JoinMethod: String, Sendable {
    case testCaseUID = "test_case_uid"
    case traceID = "trace_id"
    case enhancedTraceInfo = "enhanced_trace_info"
    case rootSpan = "root span test.id + agent.type"
    case none
}

/// One test of a run: its result row and its trace, either of which may be missing.
public struct TestRow: Sendable {
    public var result: TestResult?
    public var trace: TraceSummary?
    public var joinedBy: JoinMethod

    public var taskID: String { result?.taskID ?? trace?.rootTestID ?? trace?.testIDs.first ?? trace?.traceID ?? "?" }
    public var agentType: String {
        result?.agentType ?? trace?.rootAgentType ?? (isPlainTrace ? trace?.rootName : nil) ?? "unknown"
    }
    public var key: String { result?.key ?? "\(agentType):\(taskID)" }
    /// A trace from a system other than SMOLTRACE: no result row and no test identity on its spans.
    public var isPlainTrace: Bool { result == nil && trace != nil && trace?.rootTestID == nil && trace?.testIDs.isEmpty == true }
    /// Without a result row: an error in the trace is an error; a SMOLTRACE test trace without its result did not
    /// pass; a plain trace (another system's) without errors completed, shown as passed.
    public var outcome: TestOutcome {
        if let r = result { return r.outcome }
        if (trace?.errorCount ?? 0) > 0 { return .error }
        return isPlainTrace ? .passed : .failed
    }
    /// Wall time: trace wall clock (last end − first start); without a trace, nil.
    public var wallMs: Double? { trace?.wallMs }
    /// Corrected tokens; nil when there is no trace to count from.
    public var tokens: TokenCounts? { trace?.tokens }
    public var cost: CostSum? { trace?.cost }
    public var steps: Int? { result?.steps }
    public var error: String? { result?.error ?? trace?.rootError }
    public var recordedTotalTokens: Int? { result?.recordedTotalTokens ?? trace?.recordedTotalTokens }
    public var recordedCostUSD: Double? { result?.recordedCostUSD ?? trace?.recordedTotalCostUSD }
}

public struct Percentiles: Sendable, Equatable {
    public var p50: Double
    public var p95: Double
    public var p99: Double
    public var min: Double
    public var max: Double
    public var mean: Double

    /// Linear interpolation between closest ranks (numpy's default).
    public static func of(_ values: [Double]) -> Percentiles? {
        guard !values.isEmpty else { return nil }
        let v = values.sorted()
        func q(_ p: Double) -> Double {
            let pos = p * Double(v.count - 1)
            let lo = Int(pos.rounded(.down)), hi = Int(pos.rounded(.up))
            return v[lo] + (v[hi] - v[lo]) * (pos - Double(lo))
        }
        return Percentiles(
            p50: q(0.5), p95: q(0.95), p99: q(0.99), min: v.first!, max: v.last!, mean: v.reduce(0, +) / Double(v.count))
    }
}

/// A run with every figure computed: corrected totals beside recorded ones.
public final class RunAnalysis: Sendable {
    public let entry: RunEntry
    public let tests: [TestRow]
    /// Traces that belong to no test (setup, MCP discovery): counted in totals, listed separately.
    public let extraTraces: [TraceSummary]
    public let metrics: RunMetrics?
    public let diagnostics: [Diagnostic]

    public let tokens: TokenCounts
    public let cost: CostSum
    public let hasTraces: Bool
    public let passed: Int
    public let failed: Int
    public let errored: Int
    public let timedOut: Int
    public let wall: Percentiles?
    /// Streaming latency of every LLM call that reports it (`gen_ai.server.ttft` / `.tbt`), seconds; nil without any.
    public let ttft: Percentiles?
    public let tbt: Percentiles?
    public let streamedCalls: Int
    public let tokensByModel: [(model: String, tokens: TokenCounts, cost: CostSum)]
    public let costByCategory: [(category: SpanCategory, cost: CostSum)]
    public let stopReasons: [(reason: String, count: Int)]
    public let errorGroups: [(kind: String, keys: [String])]
    /// Why the counted-once tokens and cost are lower bounds: a traces file read in part, tests whose trace is
    /// missing. Empty when they are exact (as far as the data goes). Partly priced cost is `cost.isPartial`.
    public let lowerBoundReasons: [String]
    /// The results were read in part: counts and rates are of the tests read.
    public let partialResults: [String]

    public init(entry: RunEntry, data: RunData) {
        self.entry = entry
        metrics = data.metrics
        diagnostics = data.diagnostics
        let (rows, extra) = RunAnalysis.join(results: data.results, traces: data.traces)
        tests = rows
        extraTraces = extra
        hasTraces = !data.traces.isEmpty
        var tok = TokenCounts.zero
        var cost = CostSum.zero
        var byModel: [String: (TokenCounts, CostSum)] = [:]
        var byCat: [SpanCategory: CostSum] = [:]
        for t in data.traces {
            tok += t.tokens
            cost += t.cost
            for (m, c) in t.costByModel {
                let prev = byModel[m] ?? (.zero, .zero)
                byModel[m] = (prev.0 + (t.tokensByModel[m] ?? .zero), prev.1 + c)
            }
            for (k, c) in t.costByCategory { byCat[k, default: .zero] += c }
        }
        tokens = tok
        self.cost = cost
        tokensByModel = byModel.map { ($0.key, $0.value.0, $0.value.1) }.sorted { $0.tokens.total > $1.tokens.total }
        costByCategory = byCat.map { ($0.key, $0.value) }.sorted { $0.cost.knownUSD > $1.cost.knownUSD }
        // One pass over the rows, each read where it lies (a loop or closure given each row copied it whole: its
        // result and its trace summary, every text and table retained and released, six times a row).
        var counts = (passed: 0, failed: 0, errored: 0, timedOut: 0, missing: 0)
        var walls: [Double] = []
        var reasons: [String: Int] = [:]
        var groups: [String: [String]] = [:]
        for k in rows.indices {
            let outcome = rows[k].outcome
            switch outcome {
            case .passed: counts.passed += 1
            case .failed: counts.failed += 1
            case .error: counts.errored += 1
            case .timeout: counts.timedOut += 1
            }
            if let w = rows[k].wallMs { walls.append(w) }
            if let s = rows[k].result?.stopReason { reasons[s, default: 0] += 1 }
            if outcome != .passed { groups[RunAnalysis.errorKind(rows[k]), default: []].append(rows[k].key) }
            if rows[k].result != nil && rows[k].trace == nil { counts.missing += 1 }
        }
        passed = counts.passed
        failed = counts.failed
        errored = counts.errored
        timedOut = counts.timedOut
        wall = Percentiles.of(walls)
        ttft = Percentiles.of(data.traces.flatMap { $0.ttft })
        tbt = Percentiles.of(data.traces.flatMap { $0.tbt })
        streamedCalls = data.traces.reduce(0) { $0 + $1.ttft.count }
        stopReasons = reasons.map { ($0.key, $0.value) }.sorted { $0.count != $1.count ? $0.count > $1.count : $0.reason < $1.reason }
        errorGroups = groups.map { ($0.key, $0.value) }.sorted { $0.keys.count != $1.keys.count ? $0.keys.count > $1.keys.count : $0.kind < $1.kind }
        var partial = data.partialTraces
        if !data.traces.isEmpty && counts.missing > 0 {
            partial.append("\(counts.missing) of \(rows.count) tests have no trace")
        }
        lowerBoundReasons = partial
        partialResults = data.partialResults
    }

    /// The counted-once tokens are a lower bound (see `lowerBoundReasons`).
    public var tokensAreLowerBound: Bool { hasTraces && !lowerBoundReasons.isEmpty }
    /// The counted-once cost is a lower bound: tokens are, or some calls are unpriced.
    public var costIsLowerBound: Bool { hasTraces && (!lowerBoundReasons.isEmpty || cost.isUnknown) }

    /// `"Error while generating output:\nlitellm.RateLimitError: …"` → `RateLimitError`; no error → the stop reason.
    public static func errorKind(_ r: TestRow) -> String {
        if r.outcome == .timeout { return "Timeout" }
        guard let e = r.error, !e.isEmpty else {
            if let s = r.result?.stopReason, s != "final_answer" { return "stopped: \(s)" }
            return "Wrong answer"
        }
        if let name = errorName(e) { return name }
        let first = e.split(separator: "\n").first.map(String.init) ?? e
        return String(first.prefix(48))
    }

    /// The most specific `SomethingError` / `SomethingException` token of an error text: tokens are runs of letters,
    /// digits, dots and underscores; a token's name is what follows its last dot.
    static func errorName(_ e: String) -> String? {
        func named(_ name: String) -> String? {
            if (name.hasSuffix("Error") || name.hasSuffix("Exception") || name == "Timeout") && name != "Error" && name != "Exception" {
                if name != "AgentGenerationError" && name != "AgentExecutionError" { return name }
            }
            return nil
        }
        // An ASCII text (a traceback, nearly always) tokenised by its bytes: a letter or a digit of ASCII is exactly what
        // `Character.isLetter` / `isNumber` say, and no two of its bytes make one character that either is. The
        // characters' way took ~90,000 instructions a traceback: 4.5 M, nearly half of a real run's analysis.
        var text = e
        if text.withUTF8({ $0.allSatisfy { $0 < 0x80 } }) {
            return text.withUTF8 { u -> String? in
                func tokenByte(_ b: UInt8) -> Bool {
                    (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) || b == 0x2E || b == 0x5F
                }
                var i = 0
                while i < u.count {
                    guard tokenByte(u[i]) else {
                        i += 1
                        continue
                    }
                    var j = i
                    while j < u.count && tokenByte(u[j]) { j += 1 }
                    // The last part between dots that is not empty, else the whole token (as `split(separator:)` gives).
                    var hi = j
                    while hi > i && u[hi - 1] == 0x2E { hi -= 1 }
                    var lo = hi
                    while lo > i && u[lo - 1] != 0x2E { lo -= 1 }
                    if let found = named(String(decoding: UnsafeBufferPointer(rebasing: hi > i ? u[lo..<hi] : u[i..<j]), as: UTF8.self)) { return found }
                    i = j
                }
                return nil
            }
        }
        let tokens = e.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "." || $0 == "_") })
        for t in tokens {
            if let found = named(t.split(separator: ".").last.map(String.init) ?? String(t)) { return found }
        }
        return nil
    }

    public var testCount: Int { tests.count }

    /// Success rate (0–100) from the results when loaded, else as recorded.
    public var successRate: Double? {
        let n = tests.count { $0.result != nil }
        return n > 0 ? Double(passed) * 100 / Double(n) : entry.row.successRate
    }

    /// pass@1 (0–1): as recorded, else from the first-attempt flags, else nil.
    public var passAt1: Double? {
        if let p = entry.row.passAt1 { return p }
        let flagged = tests.compactMap { $0.result?.passAt1Passed }
        guard !flagged.isEmpty else { return nil }
        return Double(flagged.count { $0 }) / Double(tests.count { $0.result != nil })
    }

    public var avgSteps: Double? {
        let s = tests.compactMap { $0.steps }
        return s.isEmpty ? entry.row.avgSteps : Double(s.reduce(0, +)) / Double(s.count)
    }

    public var tokensPerTest: Double? {
        guard hasTraces, testCount > 0 else { return nil }
        return Double(tokens.total) / Double(testCount)
    }

    public var costPerTest: Double? {
        guard hasTraces, testCount > 0, let v = cost.value else { return nil }
        return v / Double(testCount)
    }

    /// Spend divided by passing tests: what one success costs.
    public var costPerPass: Double? {
        guard hasTraces, passed > 0, let v = cost.value else { return nil }
        return v / Double(passed)
    }

    public var tokensPerPass: Double? {
        guard hasTraces, passed > 0 else { return nil }
        return Double(tokens.total) / Double(passed)
    }

    /// SMOLTRACE's own totals: the leaderboard row, else summed from result rows / traces.
    /// The row's figure when the row has the field; else the sum over tests when every test has one.
    public var recordedTotalTokens: Int? {
        if entry.row.recordsTokens { return entry.row.totalTokens }
        let r = tests.map { $0.recordedTotalTokens }
        return r.isEmpty || r.contains(nil) ? nil : r.compactMap { $0 }.reduce(0, +)
    }

    public var recordedTotalCostUSD: Double? {
        if entry.row.recordsCost { return entry.row.totalCostUSD }
        let r = tests.map { $0.recordedCostUSD }
        return r.isEmpty || r.contains(nil) ? nil : r.compactMap { $0 }.reduce(0, +)
    }

    public var co2Grams: Double? { metrics?.co2TotalGrams ?? entry.row.co2Grams }

    // MARK: joins

    /// Results ↔ traces, in order of preference: `test_case_uid`; trace id (trusted only in 0.1.1+ data or for test
    /// ids that occur once); `enhanced_trace_info`; root span `test.id` + `agent.type`.
    static func join(results: [TestResult], traces: [TraceSummary]) -> ([TestRow], [TraceSummary]) {
        var used = [Bool](repeating: false, count: traces.count)
        var byUID: [String: [Int]] = [:]
        var byID: [String: [Int]] = [:]
        var byRoot: [String: [Int]] = [:]
        // Sized at once: grown by doubling, the tables were rehashed two dozen times for a run of 178 tests.
        byUID.reserveCapacity(traces.count)
        byID.reserveCapacity(traces.count)
        byRoot.reserveCapacity(2 * traces.count)
        for (i, t) in traces.enumerated() {
            for u in t.testCaseUIDs { byUID[u, default: []].append(i) }
            byID[t.traceID, default: []].append(i)
            if let tid = t.rootTestID ?? t.testIDs.first {
                byRoot["\(t.rootAgentType ?? "?")\u{1}\(tid)", default: []].append(i)
                byRoot["*\u{1}\(tid)", default: []].append(i)
            }
        }
        var idCount: [String: Int] = [:]
        idCount.reserveCapacity(results.count)
        for r in results { idCount[r.taskID, default: 0] += 1 }
        let modern = results.contains { $0.testCaseUID != nil }
        func take(_ list: [Int]?, where ok: (Int) -> Bool = { _ in true }) -> Int? {
            guard let list else { return nil }
            if let i = list.first(where: { !used[$0] && ok($0) }) { return i }
            return nil
        }
        var rows: [TestRow] = []
        rows.reserveCapacity(results.count)
        for r in results {
            let trusted = modern || idCount[r.taskID] == 1
            var pick: (Int, JoinMethod)?
            if let u = r.testCaseUID, let i = take(byUID[u]) { pick = (i, .testCaseUID) }
            if pick == nil, trusted, let t = r.traceID, let i = take(byID[t]) { pick = (i, .traceID) }
            if pick == nil, trusted, let t = r.enhancedTraceID, let i = take(byID[t]) { pick = (i, .enhancedTraceInfo) }
            if pick == nil, let i = take(byRoot["\(r.agentType)\u{1}\(r.taskID)"]) { pick = (i, .rootSpan) }
            if pick == nil, !trusted, let t = r.traceID ?? r.enhancedTraceID,
                let i = take(byID[t], where: { traces[$0].rootAgentType == nil || traces[$0].rootAgentType == r.agentType })
            {
                pick = (i, .traceID)
            }
            if let (i, m) = pick {
                used[i] = true
                rows.append(TestRow(result: r, trace: traces[i], joinedBy: m))
            } else {
                rows.append(TestRow(result: r, trace: nil, joinedBy: .none))
            }
        }
        var extra: [TraceSummary] = []
        // Traces of another system (no results, no test ids anywhere): each trace is a row of its own.
        let plain = results.isEmpty && !traces.contains { $0.rootTestID != nil || !$0.testIDs.isEmpty }
        for (i, t) in traces.enumerated() where !used[i] {
            if plain || (results.isEmpty && (t.rootTestID != nil || !t.testIDs.isEmpty)) {
                rows.append(TestRow(result: nil, trace: t, joinedBy: .none))
            } else {
                extra.append(t)
            }
        }
        return (rows, extra)
    }
}
