import Foundation
import TestSupport
import Testing
import TraceMindFormats
@testable import TraceMindModel

@Suite struct AccountingTests {
    /// SMOLTRACE's shape: one LLM call recorded on three nested spans, plus an AGENT roll-up.
    func smoltraceTrace(pricing: String = "table") -> Trace {
        let ms: Int64 = 1_000_000
        let t0: Int64 = 1_795_267_670_000_000_000
        return trace([
            spanJSON("p1", "c1", "openai.chat.completion", start: t0 + 12 * ms, end: t0 + 200 * ms, attrs: [
                ("gen_ai.usage.prompt_tokens", 1000), ("gen_ai.usage.completion_tokens", 100), ("gen_ai.usage.total_tokens", 1100),
                ("gen_ai.usage.cost.total", 0.002), ("gen_ai.usage.cost.pricing_source", .string(pricing)),
                ("gen_ai.request.model", "gpt-4o"),
            ]),
            spanJSON("c1", "g1", "completion", start: t0 + 11 * ms, end: t0 + 201 * ms, attrs: [
                ("openinference.span.kind", "LLM"), ("llm.token_count.prompt", 1000), ("llm.token_count.completion", 100),
                ("llm.token_count.total", 1100), ("gen_ai.usage.cost.total", 0.002), ("llm.cost.total", 0.0105),
            ]),
            spanJSON("g1", "a1", "LiteLLMModel.generate", start: t0 + 10 * ms, end: t0 + 202 * ms, attrs: [
                ("openinference.span.kind", "LLM"), ("llm.token_count.total", 1100), ("gen_ai.usage.cost.total", 0.002),
            ]),
            spanJSON("t1", "a1", "WeatherTool", start: t0 + 203 * ms, end: t0 + 203 * ms, attrs: [("openinference.span.kind", "TOOL"), ("tool.name", "get_weather")]),
            spanJSON("a1", "r", "ToolCallingAgent.run", start: t0 + 5 * ms, end: t0 + 205 * ms, attrs: [
                ("openinference.span.kind", "AGENT"), ("llm.token_count.total", 1100),
            ]),
            spanJSON("r", nil, "test_evaluation", start: t0, end: t0 + 210 * ms, attrs: [("test.id", "weather_1"), ("agent.type", "tool")]),
        ])
    }

    @Test func usageIsCountedOnceOnTheDeepestSpan() {
        let a = TraceAnalysis(smoltraceTrace())
        #expect(a.tokens.total == 1100)
        #expect(a.tokens.prompt == 1000 && a.tokens.completion == 100)
        #expect(a.cost.value == 0.002)
        #expect(a.llmCalls == 1)
        let byName = Dictionary(uniqueKeysWithValues: a.trace.spans.enumerated().map { ($0.element.name, a.figures[$0.offset]) })
        #expect(byName["openai.chat.completion"]!.selfTokens.total == 1100)
        #expect(byName["completion"]!.isRollup && byName["completion"]!.selfTokens.total == 0)
        #expect(byName["ToolCallingAgent.run"]!.isRollup)
        #expect(byName["ToolCallingAgent.run"]!.inclusiveTokens.total == 1100)
        #expect(byName["test_evaluation"]!.inclusiveCost.value == 0.002)
        #expect(a.wallMs == 210)
        // The waterfall order is depth first by start time.
        #expect(a.order.map { a.trace.spans[$0].name } == [
            "test_evaluation", "ToolCallingAgent.run", "LiteLLMModel.generate", "completion", "openai.chat.completion", "WeatherTool",
        ])
    }

    @Test func unpricedCostIsUnknownNotZero() {
        let a = TraceAnalysis(smoltraceTrace(pricing: "unpriced"))
        #expect(a.cost.value == nil)
        #expect(a.cost.unpriced == 1)
        #expect(a.tokens.total == 1100)
    }

    @Test func missingCostIsUnknownButNoUsageIsZero() {
        let noCost = trace([spanJSON("x", nil, "completion", start: 1, end: 2, attrs: [("llm.token_count.total", "50")])])
        #expect(TraceAnalysis(noCost).cost.value == nil)
        let zeroAgent = trace([spanJSON("x", nil, "Agent.run", start: 1, end: 2, attrs: [("llm.token_count.total", "0")])])
        #expect(TraceAnalysis(zeroAgent).cost.value == 0)
        #expect(TraceAnalysis(zeroAgent).llmCalls == 0)
    }

    @Test func orphansBecomeRootsAndCyclesTerminate() {
        let t = trace([
            spanJSON("a", "missing", "orphan", start: 5, end: 6),
            spanJSON("b", "c", "cycle-b", start: 1, end: 2),
            spanJSON("c", "b", "cycle-c", start: 1, end: 3),
            spanJSON("r", nil, "root", start: 0, end: 10),
        ])
        let a = TraceAnalysis(t)
        #expect(a.order.count == 4)
        #expect(a.figures[0].isOrphan)
        #expect(Set(a.order) == Set(0..<4))
    }

    @Test func statusAndKindOfEveryEra() {
        let old = Span(json: JSONObject([
            ("span_id", "0x1"), ("name", "x"), ("kind", "SpanKind.INTERNAL"),
            ("status", .obj([("code", 2), ("description", "boom")])), ("attributes", .obj([("tool.name", "calc")])),
        ]), traceID: nil)
        #expect(old.status.code == .error && old.otelKind == "INTERNAL" && old.category == .tool && old.isError)
        let new = Span(json: JSONObject([("spanId", "0x2"), ("name", "y"), ("status", .obj([("code", "OK")]))]), traceID: "t")
        #expect(new.status.code == .ok && new.spanID == "0x2")
    }

    @Test func traceIDsMatchWithAndWithoutPrefixAndLeadingZeros() {
        let id = "0xd63467e46838d158e4e08a9fda12d85"  // 31 digits: a dropped leading zero
        #expect(TraceIDs.matches("0d63467e46838d158e4e08a9fda12d85", id))
        #expect(TraceIDs.matches("D63467E4", id))
        #expect(TraceIDs.matches("0x0d63467", id))
        #expect(!TraceIDs.matches("e4", id))
        #expect(TraceIDs.display(id) == "0d63467e46838d158e4e08a9fda12d85")
    }

    @Test func percentilesInterpolate() {
        let p = Percentiles.of([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])!
        #expect(p.p50 == 5.5)
        #expect(abs(p.p95 - 9.55) < 1e-9)
    }
}
