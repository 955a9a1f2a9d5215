import Foundation
import Testing
import TraceMindFormats
@testable import TraceMindModel

/// A result row read member by member: each field from its key (the last of duplicates, as Python's json keeps),
/// older spellings, and `enhanced_trace_info`, parsed only for what the row lacks.
@Suite struct TestResultTests {
    static func row(_ json: String) throws -> TestResult {
        TestResult(json: try #require(try JSONParser.parse(json).objectValue))
    }

    @Test func everyMemberFromItsOwnKey() throws {
        #expect(TestResult.memberKeys.count == TestResult.Member.allCases.count)
        #expect(Set(TestResult.memberKeys).count == TestResult.memberKeys.count)
        let r = try Self.row(
            #"""
            {"model": "m", "evaluation_date": "2026-11-21T13:27:37", "task_id": "t1", "test_case_uid": "tool:t1", "agent_type": "tool",
             "difficulty": "hard", "prompt": "p?", "success": false, "pass_at_1_passed": true, "tool_called": true, "correct_tool": false,
             "final_answer_called": true, "response_correct": false, "tools_used": ["a", "b"], "steps": 4, "response": "None",
             "error": "boom", "stop_reason": "error", "timed_out": false, "trace_id": "0xabc", "span_id": "0xdef", "run_id": "run-1",
             "execution_time_ms": 12.5, "total_tokens": 99, "cost_usd": 0.25, "enhanced_trace_info": "{\"trace_id\": \"0x999\"}"}
            """#)
        #expect(r.model == "m" && r.taskID == "t1" && r.testCaseUID == "tool:t1" && r.agentType == "tool" && r.difficulty == "hard")
        #expect(r.prompt == "p?" && r.success == false && r.passAt1Passed == true && r.toolCalled == true && r.correctTool == false)
        #expect(r.finalAnswerCalled == true && r.responseCorrect == false && r.toolsUsed == ["a", "b"] && r.steps == 4)
        #expect(r.response == "None" && r.error == "boom" && r.stopReason == "error" && r.timedOut == false)
        #expect(r.traceID == "0xabc" && r.rootSpanID == "0xdef" && r.runID == "run-1")
        #expect(r.recordedExecutionMs == 12.5 && r.recordedTotalTokens == 99 && r.recordedCostUSD == 0.25)
        #expect(r.enhancedTraceID == "0x999")
        #expect(r.recomputedSuccess == nil, "success is known")
        #expect(r.outcome == .error)
    }

    @Test func duplicatesOldSpellingsAndMissingMembers() throws {
        let r = try Self.row(#"{"test_id": "old", "steps": 1, "steps": 7, "success": null, "tool_called": true, "correct_tool": true, "final_answer_called": true, "tools_used": "('x', 'y')"}"#)
        #expect(r.taskID == "old")
        #expect(r.steps == 7, "the last of duplicates")
        #expect(r.agentType == "unknown" && r.traceID == nil && r.enhancedTraceID == nil)
        #expect(r.toolsUsed == ["x", "y"])
        #expect(r.success == nil && r.recomputedSuccess == true)
        #expect(r.raw["steps"] == .int(7), "the row kept as read")
    }

    /// The recorded figures a row lacks come from `enhanced_trace_info`; those it holds are never replaced.
    @Test func enhancedTraceInfoFillsOnlyWhatTheRowLacks() throws {
        let info = #""enhanced_trace_info": "{\"trace_id\": \"0x1\", \"total_tokens\": 50, \"duration_ms\": 8.5, \"cost_usd\": 0.5}""#
        let lacking = try Self.row("{\"task_id\": \"a\", \(info)}")
        #expect(lacking.recordedTotalTokens == 50 && lacking.recordedExecutionMs == 8.5 && lacking.recordedCostUSD == 0.5)
        #expect(lacking.enhancedTraceID == "0x1" && lacking.traceID == nil)
        let holding = try Self.row("{\"task_id\": \"a\", \"total_tokens\": 7, \"execution_time_ms\": 1.0, \(info)}")
        #expect(holding.recordedTotalTokens == 7 && holding.recordedExecutionMs == 1.0 && holding.recordedCostUSD == 0.5)
        let broken = try Self.row(#"{"task_id": "a", "enhanced_trace_info": "{not json"}"#)
        #expect(broken.enhancedTraceID == nil && broken.recordedTotalTokens == nil)
    }
}
