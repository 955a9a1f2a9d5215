import FoundationEssentials
import TraceMindFormats
import TraceMindModel

/// One test of a run: its spans as the producer of its era wrote them (model calls, tools, agent and root spans), its
/// trace document and its results row.
extension RunWriter {
    mutating func runTest(_ e: Execution, index: Int, start: Int64) -> Outcome {
        let tid = traceID(forceShort: legacy && index == 1)
        let rootID = spanID()
        let agentID = spanID()
        let t = start + Int64(rng.int(1...5)) * 1_000_000
        let outcomeRoll = rng.double()
        let timedOut = !e.long && outcomeRoll < spec.timeoutRate
        let errored = !timedOut && !e.long && outcomeRoll < spec.timeoutRate + spec.errorRate
        let passed = !timedOut && !errored && (e.long || rng.chance(spec.passRate))
        let failAtStep = errored ? rng.int(1...max(1, e.steps)) : Int.max
        var prompt = e.task.prompt
        if options.hostileText && index == 0 { prompt = "Weather?\u{1b}]0;pwned\u{07} in \u{1b}[31mRed\u{1b}[0m City\r\n\u{1b}[2J" }
        var rec = TestRecording(tid: tid, rootID: rootID, agentID: agentID, t: t, conversation: [("system", systemPrompt()), ("user", prompt)])
        // Legacy: the streamed AGENT span ends at once; its LLM/TOOL siblings hang under the root.
        if legacy { appendLegacyStreamedAgent(&rec, e) }
        let agentStart = rec.t
        for step in 1...max(1, e.steps) {
            if timedOut && step > 1 && step == e.steps { break }
            guard recordStep(&rec, e, step: step, fails: step == failAtStep) else { break }
        }
        if timedOut { rec.errorText = "Task exceeded the 300s timeout (stopped after \(rec.stepsDone) steps)" }
        let failure = rec.errorText
        // The AGENT span: a roll-up of its LLM children's tokens (current era), or a second, non-streamed run (legacy).
        if !legacy {
            appendAgent(&rec, e, prompt: prompt, start: agentStart, failure: failure)
        } else if failure == nil && rec.promptTotal > 0 {
            appendLegacySecondRun(&rec)
        }
        let rootEnd = appendRoot(&rec, e, prompt: prompt, start: start, timedOut: timedOut, failure: failure)
        let recordedDuration = rec.spans.compactMap { $0["duration_ms"]?.number }.reduce(0, +)
        let doc = traceDocument(rec, e, recordedDuration: recordedDuration)
        let result = resultRow(
            rec, e, prompt: prompt, start: start, passed: passed, timedOut: timedOut, failure: failure, recordedDuration: recordedDuration)
        return Outcome(
            result: result, trace: doc, recordedTokens: rec.recordedTokens, recordedCost: rec.recordedCost,
            recordedDuration: recordedDuration, promptTokens: rec.promptTotal, completionTokens: rec.completionTotal, success: passed,
            steps: rec.stepsDone, toolCalls: rec.toolCalls, endNs: rootEnd, errored: failure != nil && !timedOut, timedOut: timedOut)
    }

    /// The streamed AGENT span of the oldest era: it ends at once.
    func appendLegacyStreamedAgent(_ rec: inout TestRecording, _ e: Execution) {
        rec.spans.append(
            span(
                rec.tid, rec.agentID, rec.rootID, e.agent == "code" ? "CodeAgent.run" : "ToolCallingAgent.run", rec.t, rec.t,
                attrs: [
                    ("llm.token_count.prompt", "0"), ("llm.token_count.completion", "0"), ("llm.token_count.total", "0"),
                    ("openinference.span.kind", "AGENT"),
                    ("output.value", "<generator object MultiStepAgent._run_stream at 0x7f3a2c1d9e40>"),
                    ("smolagents.max_steps", "6"),
                ], events: [], status: .ok, extra: [("total_tokens", .int(0))]))
    }

    /// One step: the model call (generate → completion → provider span, or one completion in the legacy era), then
    /// the tool it asked for. False when the call failed and the agent stopped.
    mutating func recordStep(_ rec: inout TestRecording, _ e: Execution, step: Int, fails: Bool) -> Bool {
        let modelShort = spec.model.split(separator: "/").last.map(String.init) ?? spec.model
        let llmParentDefault = legacy ? rec.rootID : rec.agentID
        let stepID = spanID()
        let stepStart = rec.t
        let parent = legacy ? llmParentDefault : stepID
        // The model call: generate → completion → provider span (current era), or one completion (legacy).
        let pTok = e.long ? 300 + rng.int(0...80) : (legacy ? 1400 : options.systemPromptBytes / 4 + 60) + 45 * step + rng.int(0...40)
        let cTok = rng.int(20...(e.agent == "code" ? 260 : 140))
        let compact = e.long && step > 3
        // A local 7B model on an L4 takes seconds per call; API calls a fraction of that.
        let callMs = Int64(rng.int(e.long ? 20...60 : (spec.provider == "transformers" ? 4000...16000 : 250...2200)))
        let genID = spanID(), compID = spanID(), provID = spanID()
        let g0 = rec.t, c0 = rec.t + 2_000_000, p0 = c0 + 1_000_000
        let p1 = p0 + callMs * 1_000_000, c1 = p1 + 1_500_000, g1 = c1 + 2_000_000
        let cost: Double? = spec.pricePerMPrompt.map {
            (Double(pTok) * $0 + Double(cTok) * (spec.pricePerMCompletion ?? 0)) / 1_000_000
        }
        let nextIsFinal = step == e.steps
        let toolName = nextIsFinal ? "final_answer" : e.task.tool
        let args = nextIsFinal ? "{\"answer\": \(jsonString(e.task.answer))}" : e.task.argJSON
        var msgAttrs: [(String, JSON)] = []
        if !compact {
            for (k, m) in rec.conversation.enumerated() {
                msgAttrs.append(("llm.input_messages.\(k).message.role", .string(m.0)))
                msgAttrs.append(("llm.input_messages.\(k).message.contents.0.message_content.type", "text"))
                msgAttrs.append(("llm.input_messages.\(k).message.contents.0.message_content.text", .string(m.1)))
            }
        }
        let inputValue = compact ? "{\"messages\": \"…\"}" : messagesJSON(rec.conversation)
        let call = ModelCall(
            stepID: stepID, stepStart: stepStart, parent: parent, pTok: pTok, cTok: cTok, genID: genID, compID: compID, provID: provID,
            g0: g0, g1: g1, c0: c0, c1: c1, p0: p0, p1: p1, cost: cost, msgAttrs: msgAttrs, inputValue: inputValue,
            modelShort: modelShort)
        if fails {
            appendFailedCall(&rec, call, step: step)
            return false
        }
        rec.promptTotal += pTok
        rec.completionTotal += cTok
        let toolCallID = "call_" + NumberText.hex(UInt32(truncatingIfNeeded: rng.next()), width: 8)
        let outMsgs: [(String, JSON)] = [
            ("llm.output_messages.0.message.role", "assistant"),
            ("llm.output_messages.0.message.tool_calls.0.tool_call.id", .string(toolCallID)),
            ("llm.output_messages.0.message.tool_calls.0.tool_call.function.name", .string(toolName)),
            ("llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments", .string(args)),
        ]
        if legacy {
            appendLegacyCall(&rec, call, outMsgs)
        } else if spec.provider == "transformers" {
            appendTransformersCall(&rec, call, outMsgs)
        } else {
            appendLiteLLMCall(&rec, call, outMsgs, nextIsFinal: nextIsFinal)
        }
        rec.t = g1 + 300_000
        let output = appendToolCall(&rec, e, step: step, call: call, toolName: toolName, args: args, nextIsFinal: nextIsFinal)
        rec.conversation.append(("assistant", "Calling tool: \(toolName) with arguments: \(args)"))
        rec.conversation.append(("tool-response", "Observation: \(output)"))
        rec.stepsDone = step
        rec.stepEvents.append(
            .obj([("name", "step"), ("attributes", .obj([("step_index", .int(Int64(step))), ("type", "ActionStep")])), ("timestamp", .int(rec.t))]))
        return true
    }

    /// The tool the model asked for (or `final_answer`), and the step's CHAIN span in the current era. Returns the
    /// tool's output.
    mutating func appendToolCall(
        _ rec: inout TestRecording, _ e: Execution, step: Int, call: ModelCall, toolName: String, args: String, nextIsFinal: Bool
    ) -> String {
        // The tool call.
        let slow = e.task.tool == "web_search" && !nextIsFinal
        let toolMs = Int64(slow ? rng.int(800...2600) : (e.task.tool == "python_interpreter" ? rng.int(5...120) : rng.int(0...3)))
        let toolID = spanID()
        // The Windows clock of the oldest era gives zero-length spans for instant tools.
        let t0 = rec.t, t1 = legacy && nextIsFinal ? rec.t : rec.t + toolMs * 1_000_000 + Int64(rng.int(50...900)) * 1000
        let output = nextIsFinal ? e.task.answer : e.task.toolOutput
        let cls = nextIsFinal ? "FinalAnswerTool" : e.task.toolClass
        rec.spans.append(
            span(
                rec.tid, toolID, call.parent, cls, t0, t1,
                attrs: [
                    ("openinference.span.kind", "TOOL"), ("tool.name", .string(toolName)),
                    ("tool.description", .string("Demo tool \(toolName).")),
                    ("input.value", .string("{\"args\": [], \"sanitize_inputs_outputs\": true, \"kwargs\": \(args)}")),
                    ("output.value", .string(output)), ("output.mime_type", "text/plain"),
                ], events: [], status: .ok, extra: [("tool_output", .string(String(output.prefix(200))))]))
        if !nextIsFinal { rec.toolCalls += 1; rec.tools.append(toolName) }
        rec.stepEvents.append(.obj([("name", "tool_call"), ("attributes", .obj([("name", .string(toolName))])), ("timestamp", .int(t0))]))
        rec.t = t1 + 200_000
        if !legacy {
            rec.spans.append(
                span(rec.tid, call.stepID, rec.agentID, "Step \(step)", call.stepStart, rec.t, attrs: [("openinference.span.kind", "CHAIN")],
                     events: [], status: .ok))
            rec.t += 100_000
        }
        return output
    }

    /// A failed model call: the exception on every span of the call and on its step.
    mutating func appendFailedCall(_ rec: inout TestRecording, _ call: ModelCall, step: Int) {
        let exc = rateLimitText()
        rec.errorText = "Error while generating output:\n" + exc
        let excEvent = exceptionEvent(exc, at: call.p1)
        if legacy {
            rec.spans.append(
                span(
                    rec.tid, call.compID, call.parent, "completion", call.c0, call.c1,
                    attrs: call.msgAttrs + [("openinference.span.kind", "LLM"), ("llm.model_name", .string(spec.model))],
                    events: [excEvent], status: .error(exc)))
        } else {
            rec.spans.append(
                span(
                    rec.tid, call.provID, call.compID, "openai.chat.completion", call.p0, call.p1,
                    attrs: [
                        ("gen_ai.system", "openai"), ("gen_ai.request.model", .string(call.modelShort)),
                        ("gen_ai.operation.name", "chat"),
                    ], events: [excEvent], status: .error(exc)))
            rec.spans.append(
                span(
                    rec.tid, call.compID, call.genID, "completion", call.c0, call.c1,
                    attrs: call.msgAttrs + [
                        ("openinference.span.kind", "LLM"), ("llm.model_name", .string(spec.model)),
                        ("input.value", .string(call.inputValue)), ("input.mime_type", "application/json"),
                    ], events: [excEvent], status: .error(exc)))
            rec.spans.append(
                span(
                    rec.tid, call.genID, call.parent, "LiteLLMModel.generate", call.g0, call.g1,
                    attrs: [("openinference.span.kind", "LLM"), ("llm.model_name", .string(spec.model))],
                    events: [excEvent], status: .error(exc)))
            rec.spans.append(
                span(
                    rec.tid, call.stepID, rec.agentID, "Step \(step)", call.stepStart, call.g1 + 500_000,
                    attrs: [("openinference.span.kind", "CHAIN")], events: [excEvent], status: .error(exc)))
        }
        rec.t = call.g1 + 1_000_000
    }

    /// The call's usage on one completion span, as the oldest era recorded it (strings).
    func appendLegacyCall(_ rec: inout TestRecording, _ call: ModelCall, _ outMsgs: [(String, JSON)]) {
        rec.spans.append(
            span(
                rec.tid, call.compID, call.parent, "completion", call.c0, call.c1,
                attrs: call.msgAttrs + outMsgs + [
                    ("openinference.span.kind", "LLM"), ("llm.model_name", .string(spec.model)),
                    ("llm.token_count.prompt", .string(String(call.pTok))),
                    ("llm.token_count.completion", .string(String(call.cTok))),
                    ("llm.token_count.total", .string(String(call.pTok + call.cTok))),
                    ("input.value", .string(call.inputValue)), ("input.mime_type", "application/json"),
                ], events: [], status: .unset, extra: [("total_tokens", .int(Int64(call.pTok + call.cTok)))]))
        rec.recordedTokens += call.pTok + call.cTok
    }

    /// A local model's call: one generate span.
    func appendTransformersCall(_ rec: inout TestRecording, _ call: ModelCall, _ outMsgs: [(String, JSON)]) {
        rec.spans.append(
            span(
                rec.tid, call.genID, call.parent, "TransformersModel.generate", call.g0, call.g1,
                attrs: call.msgAttrs + outMsgs + [
                    ("openinference.span.kind", "LLM"), ("llm.model_name", .string(spec.model)),
                    ("llm.token_count.prompt", .int(Int64(call.pTok))), ("llm.token_count.completion", .int(Int64(call.cTok))),
                    ("llm.token_count.total", .int(Int64(call.pTok + call.cTok))),
                ], events: [], status: .ok, extra: [("total_tokens", .int(Int64(call.pTok + call.cTok)))]))
        rec.recordedTokens += call.pTok + call.cTok
    }

    /// An API call through LiteLLM: the provider span, completion and generate, each carrying the same usage.
    func appendLiteLLMCall(_ rec: inout TestRecording, _ call: ModelCall, _ outMsgs: [(String, JSON)], nextIsFinal: Bool) {
        let cost = call.cost
        var provAttrs: [(String, JSON)] = [
            ("gen_ai.system", "openai"), ("gen_ai.request.model", .string(call.modelShort)),
            ("gen_ai.response.model", .string(call.modelShort + "-2026-08-06")), ("gen_ai.operation.name", "chat"),
            ("gen_ai.request.message_count", .int(Int64(rec.conversation.count))),
            ("gen_ai.request.first_message", .string(String(rec.conversation[0].1.prefix(200)))),
            ("gen_ai.response.finish_reasons", .array([nextIsFinal ? "stop" : "tool_calls"])),
            ("gen_ai.usage.prompt_tokens", .int(Int64(call.pTok))), ("gen_ai.usage.input_tokens", .int(Int64(call.pTok))),
            ("gen_ai.usage.completion_tokens", .int(Int64(call.cTok))), ("gen_ai.usage.output_tokens", .int(Int64(call.cTok))),
            ("gen_ai.usage.total_tokens", .int(Int64(call.pTok + call.cTok))),
        ]
        if let cost {
            let pc = Double(call.pTok) * spec.pricePerMPrompt! / 1_000_000
            provAttrs += [
                ("gen_ai.usage.cost.total", .double(cost)), ("gen_ai.usage.cost.prompt", .double(pc)),
                ("gen_ai.usage.cost.completion", .double(cost - pc)), ("gen_ai.usage.cost.pricing_source", "table"),
            ]
            rec.recordedCost += cost * 3
        }
        rec.spans.append(span(rec.tid, call.provID, call.compID, "openai.chat.completion", call.p0, call.p1, attrs: provAttrs, events: [], status: .ok))
        var compAttrs: [(String, JSON)] = call.msgAttrs + outMsgs + [
            ("openinference.span.kind", "LLM"), ("llm.model_name", .string(spec.model)), ("llm.provider", "openai"),
            ("llm.token_count.prompt", .int(Int64(call.pTok))), ("llm.token_count.completion", .int(Int64(call.cTok))),
            ("llm.token_count.total", .int(Int64(call.pTok + call.cTok))), ("input.value", .string(call.inputValue)),
            ("input.mime_type", "application/json"),
            ("llm.invocation_parameters", .string("{\"model\": \"\(spec.model)\", \"temperature\": 0.0, \"max_tokens\": 1024}")),
        ]
        if let cost { compAttrs += [("llm.cost.total", .double(cost * 5.25)), ("gen_ai.usage.cost.total", .double(cost))] }
        rec.spans.append(span(rec.tid, call.compID, call.genID, "completion", call.c0, call.c1, attrs: compAttrs, events: [], status: .ok,
                          extra: [("total_tokens", .int(Int64(call.pTok + call.cTok)))]))
        var genAttrs: [(String, JSON)] = [
            ("openinference.span.kind", "LLM"), ("llm.model_name", .string(spec.model)),
            ("llm.token_count.prompt", .int(Int64(call.pTok))), ("llm.token_count.completion", .int(Int64(call.cTok))),
            ("llm.token_count.total", .int(Int64(call.pTok + call.cTok))),
        ]
        if let cost { genAttrs.append(("gen_ai.usage.cost.total", .double(cost))) }
        rec.spans.append(span(rec.tid, call.genID, call.parent, "LiteLLMModel.generate", call.g0, call.g1, attrs: genAttrs, events: [], status: .ok,
                          extra: [("total_tokens", .int(Int64(call.pTok + call.cTok)))]))
        rec.recordedTokens += 2 * (call.pTok + call.cTok)
    }

    /// The AGENT span of the current era: a roll-up of its LLM children's tokens.
    func appendAgent(_ rec: inout TestRecording, _ e: Execution, prompt: String, start agentStart: Int64, failure: String?) {
        rec.spans.append(
            span(
                rec.tid, rec.agentID, rec.rootID, e.agent == "code" ? "CodeAgent.run" : "ToolCallingAgent.run", agentStart, rec.t,
                attrs: [
                    ("openinference.span.kind", "AGENT"), ("input.value", .string("{\"task\": \(jsonString(prompt)), \"stream\": true}")),
                    ("smolagents.max_steps", .int(Int64(max(6, e.steps)))),
                    ("llm.token_count.prompt", .int(Int64(rec.promptTotal))),
                    ("llm.token_count.completion", .int(Int64(rec.completionTotal))),
                    ("llm.token_count.total", .int(Int64(rec.promptTotal + rec.completionTotal))),
                    ("output.value", .string(failure == nil ? e.task.answer : "")),
                ], events: [], status: failure == nil ? .ok : .error("AgentGenerationError: " + (failure ?? "")),
                extra: [("total_tokens", .int(Int64(rec.promptTotal + rec.completionTotal)))]))
        rec.recordedTokens += rec.promptTotal + rec.completionTotal
    }

    /// Before 0.0.13 the agent ran a second time (not streamed) with real roll-up tokens.
    mutating func appendLegacySecondRun(_ rec: inout TestRecording) {
        let again = spanID()
        let callID = spanID()
        let a0 = rec.t + 1_000_000
        let a1 = a0 + Int64(rng.int(400...1200)) * 1_000_000
        let p2 = 1450 + rng.int(0...60), c2 = rng.int(10...30)
        rec.spans.append(
            span(
                rec.tid, callID, again, "completion", a0 + 500_000, a1 - 500_000,
                attrs: [
                    ("openinference.span.kind", "LLM"), ("llm.model_name", .string(spec.model)),
                    ("llm.token_count.prompt", .string(String(p2))), ("llm.token_count.completion", .string(String(c2))),
                    ("llm.token_count.total", .string(String(p2 + c2))),
                ], events: [], status: .unset, extra: [("total_tokens", .int(Int64(p2 + c2)))]))
        // Once, the exporter lost this AGENT span: its LLM child is left an orphan (a real failure mode).
        if !orphanMade {
            orphanMade = true
        } else {
            rec.spans.append(
                span(
                    rec.tid, again, rec.rootID, "ToolCallingAgent.run", a0, a1,
                    attrs: [
                        ("openinference.span.kind", "AGENT"), ("llm.token_count.prompt", .string(String(p2))),
                        ("llm.token_count.completion", .string(String(c2))), ("llm.token_count.total", .string(String(p2 + c2))),
                        ("smolagents.task", "What is the weather like in Paris right now?"),
                    ], events: [], status: .ok, extra: [("total_tokens", .int(Int64(p2 + c2)))]))
        }
        rec.recordedTokens += 2 * (p2 + c2)
        rec.promptTotal += p2
        rec.completionTotal += c2
        rec.t = a1 + 500_000
    }

    /// The test's root span (`test_evaluation`) with the step events; returns where it ends.
    func appendRoot(_ rec: inout TestRecording, _ e: Execution, prompt: String, start: Int64, timedOut: Bool, failure: String?) -> Int64 {
    let rootEnd = rec.t + 1_000_000
    var rootAttrs: [(String, JSON)] = [
        ("test.id", .string(e.task.id)), ("test.difficulty", .string(e.task.difficulty)), ("agent.type", .string(e.agent)),
        ("prompt", .string(String(prompt.prefix(100)))),
    ]
    if !legacy { rootAttrs.insert(("test.case_uid", .string("\(e.agent):\(e.task.id)")), at: 1) }
    if failure == nil {
        rootAttrs.append(("tests.tool_calls", legacy ? .string(String(rec.toolCalls)) : .int(Int64(rec.toolCalls))))
        rootAttrs.append(("tests.steps", legacy ? .string(String(rec.stepsDone)) : .int(Int64(rec.stepsDone))))
    }
    let rootStatus: SpanStatusSpec =
        timedOut ? .error("TaskTimeoutError: task exceeded 300s") : (failure.map { .error("AgentGenerationError: " + $0) } ?? .unset)
    rec.spans.append(span(rec.tid, rec.rootID, nil, "test_evaluation", start, rootEnd, attrs: rootAttrs, events: rec.stepEvents, status: rootStatus))

        return rootEnd
    }

    /// The trace document, with SMOLTRACE's recorded (inflated) totals.
    func traceDocument(_ rec: TestRecording, _ e: Execution, recordedDuration: Double) -> JSONObject {
        let runID = spec.runID
    // Trace document.
    var doc: [(String, JSON)] = [("trace_id", .string(rec.tid))]
    if !legacy {
        doc += [
            ("run_id", .from(runID)), ("root_span_id", .string(rec.rootID)), ("test_ids", .array([.string(e.task.id)])),
            ("test_case_uids", .array([.string("\(e.agent):\(e.task.id)")])), ("agent_type", .string(e.agent)),
        ]
    }
    doc.append(("spans", .array(rec.spans.map { .object($0) })))
    doc.append(("total_tokens", .int(Int64(rec.recordedTokens))))
    if !legacy {
        doc.append(("total_prompt_tokens", .int(Int64(rec.promptTotal))))
        doc.append(("total_completion_tokens", .int(Int64(rec.completionTotal))))
    }
    doc.append(("total_duration_ms", .double(round6(recordedDuration))))
    doc.append(("total_cost_usd", .double(round6(rec.recordedCost))))

        return JSONObject(doc)
    }

    /// The results row of the test.
    func resultRow(
        _ rec: TestRecording, _ e: Execution, prompt: String, start: Int64, passed: Bool, timedOut: Bool, failure: String?,
        recordedDuration: Double
    ) -> JSONObject {
        let runID = spec.runID
    // Result row.
    let success: JSON = (legacy && failure == nil && !passed) ? .null : .bool(passed)
    var r: [(String, JSON)] = [
        ("model", .string(spec.model)), ("evaluation_date", .string(RunSpec.iso(start))),
        (legacy ? "test_id" : "task_id", .string(e.task.id)),
    ]
    if !legacy { r.append(("test_case_uid", .string("\(e.agent):\(e.task.id)"))) }
    r += [
        ("agent_type", .string(e.agent)), ("difficulty", .string(e.task.difficulty)), ("prompt", .string(prompt)),
        ("success", success),
    ]
    if !legacy { r.append(("pass_at_1_passed", .bool(passed))) }
    r += [
        ("tool_called", .bool(rec.toolCalls > 0)), ("correct_tool", .bool(rec.toolCalls > 0)),
        ("final_answer_called", .bool(failure == nil)), ("response_correct", legacy ? .null : .bool(passed)),
        ("tools_used", .array(rec.tools.map { .string($0) })), ("steps", .int(Int64(rec.stepsDone))),
        ("response", failure == nil ? .string(passed ? e.task.answer : "I could not determine that.") : .null),
        ("error", .from(failure)),
    ]
    if !legacy {
        r += [
            ("stop_reason", .string(timedOut ? "timeout" : (failure != nil ? "error" : "final_answer"))),
            ("timed_out", .bool(timedOut)), ("trace_id", .string(rec.tid)), ("span_id", .string(rec.rootID)), ("run_id", .from(runID)),
            ("execution_time_ms", .double(round6(recordedDuration))), ("total_tokens", .int(Int64(rec.recordedTokens))),
            ("cost_usd", .double(round6(rec.recordedCost))),
        ]
    }
    var eti: [(String, JSON)] = [("trace_id", .string(rec.tid))]
    if !legacy { eti.append(("root_span_id", .string(rec.rootID))) }
    eti += [
        ("total_tokens", .int(Int64(rec.recordedTokens))), ("duration_ms", .double(round6(recordedDuration))),
        ("cost_usd", .double(round6(rec.recordedCost))), ("span_count", .int(Int64(rec.spans.count))),
    ]
    r.append(("enhanced_trace_info", .string(JSONWriter.string(.obj(eti), pretty: false).replacingEvery(",\"", with: ", \"").replacingEvery("\":", with: "\": "))))

        return JSONObject(r)
    }

    func round6(_ d: Double) -> Double { (d * 1e6).rounded() / 1e6 }

    mutating func rateLimitText() -> String {
        var s = rng.pick([
            "litellm.RateLimitError: RateLimitError: OpenAIException - Rate limit reached for requests. Please retry in 20s.",
            "litellm.APIConnectionError: APIConnectionError: OpenAIException - Connection error.",
            "litellm.InternalServerError: InternalServerError: OpenAIException - The server had an error (HTTP 502).",
        ])
        if options.hostileText { s += " \u{1b}[5mblink\u{1b}[0m\u{1b}]52;c;ZXZpbA==\u{07}" }
        return s
    }

    func exceptionEvent(_ message: String, at ns: Int64) -> JSON {
        let type = message.split(separator: ":").first.map { $0.split(separator: ".").last.map(String.init) ?? String($0) } ?? "Error"
        var trace = "Traceback (most recent call last):\n"
        for (k, f) in ["agents.py", "models.py", "litellm/main.py", "openai/_base_client.py"].enumerated() {
            trace += "  File \"/opt/venv/lib/python3.11/site-packages/\(f)\", line \(120 + k * 37), in call\n    return self._call(**kwargs)\n"
        }
        trace += "\(type): \(message)\n"
        return .obj([
            ("name", "exception"),
            (
                "attributes",
                .obj([
                    ("exception.type", .string(type)), ("exception.message", .string(message)),
                    ("exception.stacktrace", .string(trace)), ("exception.escaped", legacy ? "False" : .bool(false)),
                ])
            ),
            ("timestamp", .int(ns)),
        ])
    }

    func systemPrompt() -> String {
        let sentence =
            "You are an expert assistant who solves tasks with the tools you are given. Think step by step, call one tool at a time, and finish with final_answer. "
        var s = ""
        while s.utf8.count < max(200, options.systemPromptBytes) { s += sentence }
        return s
    }

    func messagesJSON(_ conv: [(String, String)]) -> String {
        let msgs = conv.map { JSON.obj([("role", .string($0.0)), ("content", .string($0.1))]) }
        return JSONWriter.string(.obj([("messages", .array(msgs))]), pretty: false)
    }

    func jsonString(_ s: String) -> String {
        var o = ""
        JSONWriter.writeString(s, into: &o)
        return o
    }

    enum SpanStatusSpec {
        case unset, ok
        case error(String)
    }

    func span(
        _ tid: String, _ id: String, _ parent: String?, _ name: String, _ start: Int64, _ end: Int64,
        attrs: [(String, JSON)], events: [JSON], status: SpanStatusSpec, extra: [(String, JSON)] = []
    ) -> JSONObject {
        let code: JSON
        let desc: JSON
        switch status {
        case .unset: code = legacy ? .int(0) : "UNSET"; desc = .null
        case .ok: code = legacy ? .int(1) : "OK"; desc = .null
        case .error(let m): code = legacy ? .int(2) : "ERROR"; desc = .string(m)
        }
        var res: [(String, JSON)] = [
            ("telemetry.sdk.language", "python"), ("telemetry.sdk.name", "opentelemetry"),
            ("telemetry.sdk.version", legacy ? "1.37.0" : "1.45.2"),
            ("service.name", legacy ? "unknown_service" : "smoltrace-eval"),
        ]
        if let r = spec.runID, !legacy { res.append(("run.id", .string(r))) }
        var o: [(String, JSON)] = [
            ("trace_id", .string(tid)), ("span_id", .string(id)), ("parent_span_id", .from(parent)), ("name", .string(name)),
            ("start_time", .int(start)), ("end_time", .int(end)), ("duration_ms", .double(Double(end - start) / 1e6)),
            ("attributes", .obj(attrs)), ("events", .array(events)), ("status", .obj([("code", code), ("description", desc)])),
            ("kind", legacy ? "SpanKind.INTERNAL" : "INTERNAL"), ("resource", .obj([("attributes", .obj(res))])),
        ]
        o += extra
        return JSONObject(o)
    }
}

/// One test's recording so far: its spans, the clock, the conversation, and SMOLTRACE's recorded (inflated) sums.
struct TestRecording {
    let tid: String
    let rootID: String
    let agentID: String
    var t: Int64
    var conversation: [(String, String)]
    var spans: [JSONObject] = []
    var recordedTokens = 0
    var recordedCost = 0.0
    var promptTotal = 0, completionTotal = 0
    var toolCalls = 0
    var stepsDone = 0
    var stepEvents: [JSON] = []
    var errorText: String?
    var tools: [String] = []
}

/// One model call of a step: its spans' ids and times, its usage and price, and the messages it was sent.
struct ModelCall {
    var stepID: String, stepStart: Int64, parent: String
    var pTok: Int, cTok: Int
    var genID: String, compID: String, provID: String
    var g0: Int64, g1: Int64, c0: Int64, c1: Int64, p0: Int64, p1: Int64
    var cost: Double?
    var msgAttrs: [(String, JSON)]
    var inputValue: String
    var modelShort: String
}
