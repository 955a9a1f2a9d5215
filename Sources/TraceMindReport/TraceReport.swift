import FoundationEssentials
import TraceMindFormats
import TraceMindModel

/// The trace report (`tracemind trace -f json`): the trace's head, then a record for each span in tree order, written
/// in batches on all cores; a span read from a file has its attributes written from their text.
extension Reports {
    /// One trace as JSON: its figures, then every span in waterfall order (`traceSpanJSON`).
    public static func traceJSON(_ a: TraceAnalysis, runID: String?, test: TestRow?) -> JSON {
        .object(JSONObject(writing: traceJSONHead(a, runID: runID, test: test) + [("spans", .array(a.order.indices.map { traceSpanJSON(a, $0) }))]))
    }

    /// The members of `traceJSON` before its `spans` (a large trace's spans are written as they are made).
    public static func traceJSONHead(_ a: TraceAnalysis, runID: String?, test: TestRow?) -> [(String, JSON)] {
        let t = a.trace
        return [
            ("trace_id", .string(t.traceID)),
            ("run_id", .from(runID ?? t.runID)),
            ("task_id", .from(test?.taskID ?? a.testRoot?.facts["test.id"]?.text)),
            ("agent_type", .from(test?.agentType ?? a.testRoot?.facts["agent.type"]?.text)),
            ("outcome", .from(test?.outcome.rawValue)),
            ("wall_ms", round6(a.wallMs)),
            ("span_count", .int(Int64(t.spans.count))),
            ("llm_calls", .int(Int64(a.llmCalls))),
            ("tool_calls", .int(Int64(a.toolCalls))),
            ("errors", .int(Int64(a.errorCount))),
            ("tokens", tokensJSON(a.tokens)),
            ("cost_usd", round6(a.cost.value)),
            ("cost_known_usd", round6(a.cost.knownUSD)),
            ("cost_is_lower_bound", .bool(a.cost.isUnknown && a.cost.priced > 0)),
            ("cost_unpriced_calls", .int(Int64(a.cost.unpriced))),
            (
                "recorded",
                .obj([
                    ("total_tokens", .from(t.recordedTotalTokens)),
                    ("total_cost_usd", .from(t.recordedTotalCostUSD)),
                    ("total_duration_ms", .from(t.recordedTotalDurationMs)),
                ])
            ),
        ]
    }

    /// The `n`th span of the waterfall's order, as `traceJSON` writes it (its attributes read when it is written).
    public static func traceSpanJSON(_ a: TraceAnalysis, _ n: Int) -> JSON {
        traceSpanJSON(a, n, details: a.trace.spans[a.order[n]].details)
    }

    /// `traceSpanJSON` of a run of the order, their details read together (`Span.details(_:)`).
    public static func traceSpansJSON(_ a: TraceAnalysis, _ run: Range<Int>) -> [JSON] {
        let details = Span.details(run.map { a.trace.spans[a.order[$0]] })
        return zip(run, details).map { traceSpanJSON(a, $0, details: $1) }
    }

    /// `traceSpansJSON(a, run)` written as text, each record member by member (`JSONRecordText`): a span read from a
    /// file has its attributes written from their text (`Span.reportDetails`), not built as values and written out;
    /// the same bytes either way.
    public static func writeTraceSpans(_ a: TraceAnalysis, _ run: Range<Int>, into t: inout JSONElementText) {
        let spans = a.trace.spans
        let order = Array(a.order[run])
        let keys = JSONKeyTable.perThread
        Span.withEachBytes(spans, at: order) { k, raw in
            let n = run.lowerBound + k
            t.element { out, indent in
                let start = out.count
                if let raw {
                    var read = true
                    JSONRecordText.write(into: &out, indent: indent) { s in
                        traceSpanMembers(a, n, into: &s) { s in
                            var links: [SpanLink] = []
                            s.member("attributes", text: { out, at in
                                if let l = spans[order[k]].reportDetails(raw, keys: keys, attributes: &out, indent: at) { links = l } else { read = false }
                            })
                            return links
                        }
                    }
                    if read { return }
                    // Bytes the text path does not take: the record made from values instead.
                    out.removeSubrange(start...)
                }
                let d = raw.map { spans[order[k]].detailsRead(Data($0)) } ?? spans[order[k]].details
                JSONWriter.writePretty(traceSpanJSON(a, n, details: d), into: &out, indent: indent)
            }
        }
    }

    static func traceSpanJSON(_ a: TraceAnalysis, _ n: Int, details d: SpanDetails) -> JSON {
        JSONRecordBuilder.build { s in
            traceSpanMembers(a, n, into: &s) { s in
                s.member("attributes", .object(d.attributes))
                return d.links
            }
        }
    }

    static func linksJSON(_ links: [SpanLink]) -> JSON {
        .array(links.map { l in
            .obj([("trace_id", .string(l.traceID)), ("span_id", .string(l.spanID)), ("trace_state", .from(l.traceState)), ("attributes", .object(l.attributes))])
        })
    }

    /// The members of a span's record, in order; `details` writes its `attributes` member and gives its links.
    static func traceSpanMembers<S: JSONRecordSink>(_ a: TraceAnalysis, _ n: Int, into s: inout S, details: (inout S) -> [SpanLink]) {
        let i = a.order[n]
        // The span's fields read in place (a copy of the span would retain all its references).
        let spans = a.trace.spans
        let f = a.figures[i]
        s.member("span_id", spans[i].spanID)
        s.member("parent_span_id", spans[i].parentSpanID)
        s.member("name", spans[i].name)
        s.member("kind", spans[i].category.rawValue)
        s.member("otel_kind", spans[i].otelKind)
        s.member("depth", f.depth)
        s.member("start_offset_ms", rounded6(f.startOffsetMs))
        s.member("duration_ms", rounded6(f.durationMs))
        s.member("status", spans[i].status.code.rawValue)
        s.member("error", spans[i].isError ? spans[i].errorMessage : nil)
        tokensMember("self_tokens", f.selfTokens, into: &s)
        s.member("self_cost_usd", rounded6(f.selfCost.value))
        tokensMember("inclusive_tokens", f.inclusiveTokens, into: &s)
        s.member("inclusive_cost_usd", rounded6(f.inclusiveCost.value))
        s.member("self_cost_known_usd", rounded6(f.selfCost.knownUSD))
        s.member("inclusive_cost_known_usd", rounded6(f.inclusiveCost.knownUSD))
        s.member("usage_is_rollup", f.isRollup)
        s.member("orphan", f.isOrphan)
        let links = details(&s)
        s.member("links", linksJSON(links))
        // Shown as the producer wrote it; a cost in it is never added.
        s.member("trace_state", spans[i].traceState)
    }
}
