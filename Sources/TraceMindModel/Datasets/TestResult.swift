import FoundationEssentials
import TraceMindFormats

/// How a test ended, from the most specific evidence available.
public enum TestOutcome: String, Sendable, Equatable, CaseIterable, Comparable {
    case passed, failed, error, timeout

    public static func < (a: TestOutcome, b: TestOutcome) -> Bool {
        let order: [TestOutcome] = [.passed, .failed, .error, .timeout]
        return order.firstIndex(of: a)! < order.firstIndex(of: b)!
    }
}

/// One row of the results dataset (test × agent type), every era normalised.
public struct TestResult: Sendable, Equatable {
    public var taskID: String
    public var agentType: String
    public var testCaseUID: String?
    public var model: String?
    public var difficulty: String?
    public var prompt: String?
    /// `nil` in old data (a SMOLTRACE bug); treated as not passed.
    public var success: Bool?
    /// When `success` is null (the ≤2025-10-23 bug): `tool_called && correct_tool && final_answer_called`, the
    /// trusted recomputation. Shown beside the outcome; the outcome itself still counts null as not passed.
    public var recomputedSuccess: Bool?
    public var passAt1Passed: Bool?
    public var toolCalled: Bool?
    public var correctTool: Bool?
    public var finalAnswerCalled: Bool?
    public var responseCorrect: Bool?
    public var toolsUsed: [String]
    public var steps: Int?
    public var response: String?
    public var error: String?
    public var stopReason: String?
    public var timedOut: Bool?
    public var traceID: String?
    public var rootSpanID: String?
    public var runID: String?
    public var recordedExecutionMs: Double?
    public var recordedTotalTokens: Int?
    public var recordedCostUSD: Double?
    /// The trace id from `enhanced_trace_info` (JSON text), used only as a join fallback: read from the row when
    /// asked (the text is parsed at reading only when a recorded figure is missing from the row itself).
    public var enhancedTraceID: String? { TestResult.enhancedTraceInfo(raw)?["trace_id"]?.text }
    public var raw: JSONObject

    /// The members a row is read from. Each of the row's keys is looked up once, by its bytes (`KeyIndex`), where a
    /// search of the row for each field compared its 26 keys again for each of 26 fields. Bytes and texts decide
    /// alike: none of these keys holds a letter another character is canonically equivalent to (the tests check).
    enum Member: Int, CaseIterable {
        case taskID, testID, agentType, testCaseUID, model, difficulty, prompt, success, passAt1Passed, toolCalled, correctTool
        case finalAnswerCalled, responseCorrect, toolsUsed, steps, response, error, stopReason, timedOut, traceID, spanID, runID
        case executionTimeMs, totalTokens, costUSD
    }
    /// Each member's key, in the order of `Member`'s cases.
    static let memberKeys = [
        "task_id", "test_id", "agent_type", "test_case_uid", "model", "difficulty", "prompt", "success", "pass_at_1_passed", "tool_called",
        "correct_tool", "final_answer_called", "response_correct", "tools_used", "steps", "response", "error", "stop_reason", "timed_out",
        "trace_id", "span_id", "run_id", "execution_time_ms", "total_tokens", "cost_usd",
    ]
    static let members = KeyIndex(memberKeys)

    public init(json o: JSONObject) {
        raw = o
        // The place in the row of each member (the last of duplicates, as Python's json keeps).
        var at = [Int](repeating: -1, count: TestResult.memberKeys.count)
        for (i, k) in o.keys.enumerated() {
            if let m = TestResult.members.id(k) { at[m] = i }
        }
        func v(_ m: Member) -> JSON? {
            let i = at[m.rawValue]
            return i >= 0 ? o.values[i] : nil
        }
        func s(_ m: Member) -> String? { v(m)?.text }
        taskID = s(.taskID) ?? s(.testID) ?? "?"
        agentType = s(.agentType) ?? "unknown"
        testCaseUID = s(.testCaseUID)
        model = s(.model)
        difficulty = s(.difficulty)
        prompt = v(.prompt)?.stringValue
        success = v(.success)?.bool
        passAt1Passed = v(.passAt1Passed)?.bool
        toolCalled = v(.toolCalled)?.bool
        correctTool = v(.correctTool)?.bool
        finalAnswerCalled = v(.finalAnswerCalled)?.bool
        responseCorrect = v(.responseCorrect)?.bool
        switch v(.toolsUsed) {
        case .array(let a)?: toolsUsed = a.compactMap { $0.text }
        case .string(let str)?: toolsUsed = parsePythonList(str)
        default: toolsUsed = []
        }
        steps = v(.steps)?.int
        // `response` may be the literal "None" (agent finished without a final answer): keep it visible as such.
        response = v(.response)?.stringValue
        error = v(.error)?.stringValue.flatMap { $0.isEmpty || $0 == "None" ? nil : $0 }
        stopReason = s(.stopReason)
        timedOut = v(.timedOut)?.bool
        traceID = s(.traceID)
        rootSpanID = s(.spanID)
        runID = s(.runID)
        recordedExecutionMs = v(.executionTimeMs)?.number
        recordedTotalTokens = v(.totalTokens)?.int
        recordedCostUSD = v(.costUSD)?.number
        if recordedExecutionMs == nil || recordedTotalTokens == nil || recordedCostUSD == nil, let info = TestResult.enhancedTraceInfo(o) {
            if recordedExecutionMs == nil { recordedExecutionMs = info["duration_ms"]?.number }
            if recordedTotalTokens == nil { recordedTotalTokens = info["total_tokens"]?.int }
            if recordedCostUSD == nil { recordedCostUSD = info["cost_usd"]?.number }
        }
        recordedCostUSD = RecordedCost.known(recordedCostUSD, tokens: recordedTotalTokens)
        if success == nil, let tc = toolCalled, let ct = correctTool, let fa = finalAnswerCalled {
            recomputedSuccess = tc && ct && fa
        }
    }

    /// The object in a row's `enhanced_trace_info` (JSON text), if it holds one.
    static func enhancedTraceInfo(_ row: JSONObject) -> JSONObject? {
        guard let eti = row["enhanced_trace_info"]?.stringValue, eti.utf8.count > 2 else { return nil }
        return (try? JSONParser.parse(eti))?.objectValue
    }

    public var outcome: TestOutcome {
        if timedOut == true || stopReason == "timeout" { return .timeout }
        if success == true { return .passed }
        if error != nil || stopReason == "error" { return .error }
        return .failed
    }

    public var passed: Bool { success == true }

    /// The unique key within a run: `(agent_type, task_id)`.
    public var key: String { testCaseUID ?? "\(agentType):\(taskID)" }
}

/// `"('a', 'b')"` or `"['a', 'b']"` (Python reprs of old eras) or `"a, b"`.
func parsePythonList(_ s: String) -> [String] {
    var t = s.trimmingBlanks()
    if t.isEmpty || t == "None" { return [] }
    if let f = t.first, let l = t.last, (f == "(" && l == ")") || (f == "[" && l == "]") {
        t = String(t.dropFirst().dropLast())
    }
    return t.split(separator: ",").map {
        $0.trimmingBlanks().trimming(where: { $0 == "'" || $0 == "\"" })
    }.filter { !$0.isEmpty }
}
