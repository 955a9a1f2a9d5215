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
    /// The trace id from `enhanced_trace_info` (JSON text), used only as a join fallback.
    public var enhancedTraceID: String?
    public var raw: JSONObject

    public init(json o: JSONObject) {
        raw = o
        func s(_ k: String) -> String? { o[k]?.text }
        taskID = s("task_id") ?? s("test_id") ?? "?"
        agentType = s("agent_type") ?? "unknown"
        testCaseUID = s("test_case_uid")
        model = s("model")
        difficulty = s("difficulty")
        prompt = o["prompt"]?.stringValue
        success = o["success"]?.bool
        passAt1Passed = o["pass_at_1_passed"]?.bool
        toolCalled = o["tool_called"]?.bool
        correctTool = o["correct_tool"]?.bool
        finalAnswerCalled = o["final_answer_called"]?.bool
        responseCorrect = o["response_correct"]?.bool
        switch o["tools_used"] {
        case .array(let a)?: toolsUsed = a.compactMap { $0.text }
        case .string(let str)?: toolsUsed = parsePythonList(str)
        default: toolsUsed = []
        }
        steps = o["steps"]?.int
        // `response` may be the literal "None" (agent finished without a final answer): keep it visible as such.
        response = o["response"]?.stringValue
        error = o["error"]?.stringValue.flatMap { $0.isEmpty || $0 == "None" ? nil : $0 }
        stopReason = s("stop_reason")
        timedOut = o["timed_out"]?.bool
        traceID = s("trace_id")
        rootSpanID = s("span_id")
        runID = s("run_id")
        recordedExecutionMs = o["execution_time_ms"]?.number
        recordedTotalTokens = o["total_tokens"]?.int
        recordedCostUSD = o["cost_usd"]?.number
        if let eti = o["enhanced_trace_info"]?.stringValue, eti.utf8.count > 2,
            let parsed = try? JSONParser.parse(eti), let info = parsed.objectValue
        {
            enhancedTraceID = info["trace_id"]?.text
            if recordedExecutionMs == nil { recordedExecutionMs = info["duration_ms"]?.number }
            if recordedTotalTokens == nil { recordedTotalTokens = info["total_tokens"]?.int }
            if recordedCostUSD == nil { recordedCostUSD = info["cost_usd"]?.number }
        }
        recordedCostUSD = RecordedCost.known(recordedCostUSD, tokens: recordedTotalTokens)
        if success == nil, let tc = toolCalled, let ct = correctTool, let fa = finalAnswerCalled {
            recomputedSuccess = tc && ct && fa
        }
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
