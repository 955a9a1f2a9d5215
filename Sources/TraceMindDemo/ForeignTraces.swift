import FoundationEssentials
import TraceMindFormats
import TraceMindModel

/// Traces of agent systems other than SMOLTRACE, in the shapes they are exported in: OTLP/JSON lines (as the
/// OpenTelemetry Collector's file exporter writes them) and single trace documents. The trace is an orchestrator
/// whose services put their own cost on spans (`cost_usd`, a roll-up in `accumulated_cost_usd`, a `tracestate`
/// entry) around one LLM call: $0.00125 of own costs plus the call's $0.0004.
public enum ForeignTraces {
    public static let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
    public static let linkedTraceID = "00f067aa0ba902b700f067aa0ba902b7"
    static let t0: Int64 = 1_795_000_000_000_000_000

    struct S {
        var id: String
        var parent: String?
        var name: String
        var service: String
        var kind: Int
        var start: Int64
        var end: Int64
        var attrs: [(String, JSON)]
        var error: String? = nil
        var links: [(String, String)] = []
        var traceState: String? = nil
    }

    static func spans(ttft: Double = 0.21) -> [S] {
        let ms: Int64 = 1_000_000
        return [
            S(id: "00f067aa0ba902b7", parent: nil, name: "orchestrate_task", service: "orchestrator", kind: 2, start: t0, end: t0 + 2_500 * ms,
              attrs: [("cost_usd", .double(0.0001)), ("capability", .string("codegen")), ("tenant", .string("acme")),
                      ("request_id", .string("req-7")), ("session.id", .string("sess-1")), ("user.id", .string("u-42"))],
              traceState: "cost_usd=0.00125,vendor=acme"),
            S(id: "00f067aa0ba902b8", parent: "00f067aa0ba902b7", name: "process_queue_message", service: "queue_processor", kind: 5,
              start: t0 + 100 * ms, end: t0 + 2_000 * ms,
              attrs: [("cost_usd", .double(0.00005)), ("accumulated_cost_usd", .double(0.00115)), ("messaging.system", .string("sqs"))],
              links: [(linkedTraceID, "00f067aa0ba902b9")]),
            S(id: "00f067aa0ba902ba", parent: "00f067aa0ba902b8", name: "execute_code_generator", service: "tool_executor", kind: 1,
              start: t0 + 200 * ms, end: t0 + 1_900 * ms,
              attrs: [("cost_usd", .double(0.0011)), ("tool.name", .string("code_generator")), ("tool.version", .string("2.1"))]),
            S(id: "00f067aa0ba902bb", parent: "00f067aa0ba902ba", name: "chat gpt-4.1-mini", service: "tool_executor", kind: 3,
              start: t0 + 300 * ms, end: t0 + 1_200 * ms,
              attrs: [("gen_ai.operation.name", .string("chat")), ("gen_ai.request.model", .string("gpt-4.1-mini")),
                      ("gen_ai.request.temperature", .double(0.2)), ("gen_ai.request.max_tokens", .int(512)),
                      ("gen_ai.response.model", .string("gpt-4.1-mini-2025-04-14")), ("gen_ai.response.finish_reasons", .array([.string("stop")])),
                      ("gen_ai.usage.input_tokens", .int(800)), ("gen_ai.usage.output_tokens", .int(200)),
                      ("gen_ai.usage.cost.total", .double(0.0004)), ("gen_ai.server.ttft", .double(ttft)), ("gen_ai.server.tbt", .double(ttft / 10))],
              error: nil),
        ]
    }

    static func typed(_ v: JSON) -> JSON {
        switch v {
        case .string(let s): return .obj([("stringValue", .string(s))])
        case .int(let i): return .obj([("intValue", .string(String(i)))])  // OTLP/JSON writes int64 as a string
        case .double(let d): return .obj([("doubleValue", .double(d))])
        case .bool(let b): return .obj([("boolValue", .bool(b))])
        case .array(let a): return .obj([("arrayValue", .obj([("values", .array(a.map(typed)))]))])
        default: return .obj([])
        }
    }

    static func kv(_ pairs: [(String, JSON)]) -> JSON {
        .array(pairs.map { .obj([("key", .string($0.0)), ("value", typed($0.1))]) })
    }

    /// OTLP/JSON lines: one `{"resourceSpans": …}` per line, one resource per service; the trace is split over two
    /// lines, as a collector flushing batches writes it.
    public static func otlpLines(traceID: String = ForeignTraces.traceID, ttft: Double = 0.21) -> Data {
        let all = spans(ttft: ttft)
        func otlpSpan(_ s: S) -> JSON {
            var p: [(String, JSON)] = [
                ("traceId", .string(traceID)), ("spanId", .string(s.id)), ("parentSpanId", .string(s.parent ?? "")),
                ("name", .string(s.name)), ("kind", .int(Int64(s.kind))),
                ("startTimeUnixNano", .string(String(s.start))), ("endTimeUnixNano", .string(String(s.end))),
                ("attributes", kv(s.attrs)),
                ("status", s.error.map { .obj([("code", .int(2)), ("message", .string($0))]) } ?? .obj([])),
            ]
            if let ts = s.traceState { p.append(("traceState", .string(ts))) }
            if !s.links.isEmpty {
                p.append(("links", .array(s.links.map { .obj([("traceId", .string($0.0)), ("spanId", .string($0.1)),
                                                                ("attributes", kv([("link.kind", .string("enqueued-by"))]))]) })))
            }
            return .obj(p)
        }
        func line(_ group: [S]) -> String {
            var services: [String] = []
            for s in group where !services.contains(s.service) { services.append(s.service) }
            let rs: [JSON] = services.map { svc in
                .obj([
                    ("resource", .obj([("attributes", kv([("service.name", .string(svc)), ("telemetry.sdk.language", .string("python"))]))])),
                    ("scopeSpans", .array([.obj([("scope", .obj([("name", .string("\(svc).instrumentation"))])),
                                                 ("spans", .array(group.filter { $0.service == svc }.map(otlpSpan)))])])),
                ])
            }
            return JSONWriter.string(.obj([("resourceSpans", .array(rs))]), pretty: false)
        }
        return Data((line(Array(all.prefix(2))) + "\n" + line(Array(all.dropFirst(2))) + "\n").utf8)
    }

    /// A single trace document: `trace_id`, spans with `operation_name`, `service`, ISO-8601 times, plain attributes,
    /// and the producer's own `total_cost_usd`.
    public static func traceDocument(traceID: String = ForeignTraces.traceID) -> Data {
        func iso(_ ns: Int64) -> String { RunSpec.iso(ns, micros: true) + "Z" }
        let doc: JSON = .obj([
            ("trace_id", .string(traceID)),
            ("total_cost_usd", .double(0.00165)),
            ("spans", .array(spans().map { s in
                .obj([
                    ("span_id", .string(s.id)), ("parent_span_id", s.parent.map(JSON.string) ?? .null),
                    ("operation_name", .string(s.name)), ("service", .string(s.service)),
                    ("start_time", .string(iso(s.start))), ("end_time", .string(iso(s.end))),
                    ("attributes", .obj(s.attrs)),
                ])
            })),
        ])
        return JSONWriter.data(doc)
    }

    /// The trace that enqueued the task: its `enqueue_task` span is the target of the queue span's link.
    public static func producerDocument() -> Data {
        let doc: JSON = .obj([
            ("trace_id", .string(linkedTraceID)),
            ("spans", .array([
                .obj([("span_id", .string("00f067aa0ba902c0")), ("operation_name", .string("handle_request")), ("service", .string("api_gateway")),
                      ("start_time", .string(String(t0 - 400_000_000))), ("end_time", .string(String(t0 - 100_000_000))),
                      ("attributes", .obj([("cost_usd", .double(0.00002)), ("request_id", .string("req-7"))]))]),
                .obj([("span_id", .string("00f067aa0ba902b9")), ("parent_span_id", .string("00f067aa0ba902c0")),
                      ("operation_name", .string("enqueue_task")), ("service", .string("api_gateway")),
                      ("start_time", .string(String(t0 - 300_000_000))), ("end_time", .string(String(t0 - 200_000_000))),
                      ("attributes", .obj([("messaging.destination.name", .string("tasks"))]))]),
            ])),
        ])
        return JSONWriter.data(doc)
    }
}
