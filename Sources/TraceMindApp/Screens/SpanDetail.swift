import FoundationEssentials
import TerminalUI
import TraceMindFormats
import TraceMindModel
import TraceMindReport

/// The span detail pane: figures, the conversation (LLM) or the call (tool), events, and every attribute in groups.
enum SpanDetail {
    /// Characters of one value shown in the pane; `o` pages the whole of it.
    static let paneLimit = 4000

    static func lines(_ wf: Waterfall, _ i: Int, width: Int, search: String, _ r: Renderer, full: Bool = false) -> [Line] {
        var d = DetailWriter(waterfall: wf, index: i, width: max(20, width), renderer: r, full: full)
        d.identityAndTime()
        d.usage()
        d.conversationAndToolCall()
        d.events()
        d.links()
        d.attributes()
        return search.isEmpty ? d.out : d.out.map { highlight($0, search, r.st(.match)) }
    }

    static func tokenText(_ t: TokenCounts) -> String {
        var s = Format.grouped(t.total)
        if t.hasSplit { s += " (\(Format.grouped(t.prompt)) prompt + \(Format.grouped(t.completion)) completion)" }
        if t.reasoning > 0 { s += ", \(Format.grouped(t.reasoning)) reasoning" }
        if t.cacheRead > 0 { s += ", \(Format.grouped(t.cacheRead)) cache read" }
        if t.cacheWrite > 0 { s += ", \(Format.grouped(t.cacheWrite)) cache write" }
        return s
    }

    /// One message of a conversation. A message that records no role is labelled as such (an output is the
    /// assistant's), never `?`.
    static func message(_ m: ChatMessage, _ out: inout [Line], _ w: Int, _ r: Renderer, _ cap: (String) -> String, output: Bool = false) {
        let recorded = m.role != "?" && !m.role.isEmpty
        let role = recorded ? m.role.lowercased() : (output ? "assistant" : "")
        let roleStyle = r.st(role == "assistant" ? .kindLLM : (role.hasPrefix("tool") ? .kindTool : (role == "system" ? .muted : .accent)))
        var label = recorded ? m.role : (output ? "assistant (no role recorded)" : "(no role recorded)")
        if let id = m.toolCallID { label += " (\(id))" }
        out.append([Segment("▌" + label, roleStyle.patched(Style(attrs: [.bold])))])
        let body = m.content.trimmingBlanksAndNewlines()
        if !body.isEmpty {
            for l in wrap([Segment(cap(SpanContent.prettyJSON(body) ?? body))], width: max(10, w - 2)) { out.append([Segment("  ")] + l) }
        }
        for c in m.toolCalls {
            let args = SpanContent.prettyJSON(c.arguments) ?? c.arguments
            out.append([Segment("  → ", r.st(.kindTool)), Segment(c.name, r.st(.kindTool).patched(Style(attrs: [.bold]))), Segment(c.id.map { " [\($0)]" } ?? "", r.st(.muted))])
            for l in wrap([Segment(args, r.st(.muted))], width: max(10, w - 6)) { out.append([Segment("      ")] + l) }
        }
    }

    /// A value for the attribute list: numbers formatted, JSON text pretty-printed, lists one item a line.
    static func attributeText(_ v: JSON) -> String {
        switch v {
        case .string(let s): return SpanContent.prettyJSON(s) ?? s
        case .int(let i): return abs(i) >= 10_000 && abs(i) < 1_000_000_000_000 ? Format.grouped(Int(i)) : String(i)
        case .double(let d): return Format.number(d, digits: abs(d) < 0.01 ? 8 : 4)
        case .array, .object: return JSONWriter.string(v, pretty: true)
        default: return Format.jsonValue(v)
        }
    }

    static func numberRole(_ v: JSON) -> Role? {
        switch v {
        case .int, .double: return .accent
        case .bool: return .accent
        default: return nil
        }
    }
}

/// Writes the detail pane's lines of one span, section by section.
struct DetailWriter {
    let a: TraceAnalysis
    let sp: Span
    /// The span's details, read once for the whole pane (from the file's bytes for a span read from a file).
    let details: SpanDetails
    let f: SpanFigures
    let w: Int
    let r: Renderer
    /// Values are shown whole (the pager), not capped at `SpanDetail.paneLimit`.
    let full: Bool
    var out: [Line] = []

    init(waterfall wf: Waterfall, index i: Int, width: Int, renderer: Renderer, full: Bool) {
        a = wf.analysis
        sp = a.trace.spans[i]
        details = wf.details(i)
        f = a.figures[i]
        w = width
        r = renderer
        self.full = full
    }

    func cap(_ t: String) -> String {
        guard !full, t.utf8.count > SpanDetail.paneLimit else { return t }
        let head = String(t.prefix(SpanDetail.paneLimit))
        return head + "\n… (\(Format.grouped(t.count - head.count)) more characters: o shows everything in $PAGER)"
    }

    mutating func heading(_ t: String) {
        out.append([])
        out.append([Segment(t, r.st(.title))])
    }

    mutating func text(_ t: String, _ role: Role? = nil, indent: Int = 0) {
        let pad = String(repeating: " ", count: indent)
        for l in wrap([Segment(cap(t), role.map(r.st) ?? .plain)], width: max(10, w - indent)) { out.append([Segment(pad)] + l) }
    }

    mutating func kv(_ k: String, _ v: String, _ role: Role? = nil) {
        kv(k, [Segment(v, role.map(r.st) ?? .plain)])
    }

    mutating func kv(_ k: String, _ parts: [Segment]) {
        let key = TextWidth.pad(k, 12)
        let body = wrap(parts, width: max(10, w - 13))
        for (n, l) in body.enumerated() { out.append([Segment(n == 0 ? key : String(repeating: " ", count: 12), r.st(.muted)), Segment(" ")] + l) }
    }

    /// Kind, status, time, ids, tracestate, critical paths.
    mutating func identityAndTime() {
        var status = sp.status.code.rawValue
        if let d = sp.status.description, !d.isEmpty { status += ": " + d }
        kv("kind", "\(sp.category.rawValue) (OTel \(sp.otelKind))", r.kindRole(sp.category))
        // The status in its own colour (OK is not an error because an exception event was recorded); the event is
        // said beside it.
        var parts = [Segment(status, sp.status.code == .error ? r.st(.error) : (sp.status.code == .ok ? r.st(.pass) : .plain))]
        if sp.status.code != .error, details.events.contains(where: { $0.name == "exception" }) {
            parts.append(Segment(" · an exception event was recorded", r.st(.error)))
        }
        kv("status", parts)
        kv("time", "\(Format.duration(f.durationMs)) (self \(Format.duration(f.selfTimeMs))) · starts at +\(Format.duration(f.startOffsetMs))")
        var ids = "span \(sp.spanID)"
        if let p = sp.parentSpanID { ids += " · parent \(p)" + (f.isOrphan ? " (not in this trace: shown as a root)" : "") }
        kv("ids", ids, .muted)
        if let ts = sp.traceState ?? details.attributes["tracestate"]?.text, !ts.isEmpty {
            let hasCost = ts.split(separator: ",").contains { $0.trimmingBlanks().hasPrefix("cost_usd=") }
            kv("tracestate", ts + (hasCost ? " (propagated context: its cost_usd is shown, never added)" : ""), .muted)
        }
        var paths: [String] = []
        if f.onLatencyPath { paths.append("on the latency critical path") }
        if f.onCostPath { paths.append("on the cost critical path") }
        if !paths.isEmpty { kv("path", paths.joined(separator: " · "), .critical) }

    }

    /// Tokens and cost counted once, beside what the span reported; roll-up or counted; model, finish, streaming.
    mutating func usage() {
        let tokenText = SpanDetail.tokenText
        let u = sp.usage
        if !f.selfTokens.isZero || !f.inclusiveTokens.isZero || u.carriesUsage {
            var t = "self \(tokenText(f.selfTokens)) · inclusive \(tokenText(f.inclusiveTokens))"
            if u.carriesUsage { t += " · reported \(tokenText(u.tokens))" }
            kv("tokens", t, .tokens)
        }
        if !f.selfCost.isZero || !f.inclusiveCost.isZero || u.costUSD != nil || u.ownCostUSD != nil {
            var t = "self \(Format.cost(f.selfCost)) · inclusive \(Format.cost(f.inclusiveCost))"
            if let c = u.costUSD { t += " · reported \(Format.usd(c))" + (u.pricingSource.map { " (\($0))" } ?? "") }
            let sp2 = u.split
            if u.hasSplit { t += " · prompt \(Format.usd(sp2.prompt)), completion \(Format.usd(sp2.completion))" }
            if sp2.reasoning > 0 { t += ", reasoning \(Format.usd(sp2.reasoning))" }
            if sp2.cacheRead > 0 || sp2.cacheWrite > 0 { t += ", cache read \(Format.usd(sp2.cacheRead)), cache write \(Format.usd(sp2.cacheWrite))" }
            if let own = u.ownCostUSD { t += " · own cost_usd \(Format.usd(own))" }
            if let acc = u.accumulatedCostUSD { t += " · accumulated_cost_usd \(Format.usd(acc)) (a roll-up: shown, not added)" }
            kv("cost", t, .cost)
        }
        if f.isRollup {
            kv("roll-up", f.selfTokens.isZero
                ? "this span reports usage that its descendants already report (the same LLM call, or a sum of them): not counted again"
                : "reports more than its descendants: only the excess (\(tokenText(f.selfTokens))) is counted here", .muted)
        } else if u.carriesUsage {
            kv("counted", "the deepest span that reports this usage: counted here, once", .muted)
        }
        if let m = u.model { kv("model", m) }
        if let fr = details.attributes["gen_ai.response.finish_reasons"] ?? details.attributes["llm.finish_reason"] {
            kv("finish", Format.jsonValue(fr))
        }
        if let ttft = details.attributes["gen_ai.server.ttft"]?.number { kv("streaming", "time to first token \(Format.number(ttft, digits: 3))s" + (details.attributes["gen_ai.server.tbt"]?.number.map { " · between tokens \(Format.number($0, digits: 4))s" } ?? "")) }

    }

    /// The conversation of an LLM call; a tool's call and result.
    mutating func conversationAndToolCall() {
        let cap = self.cap
        let input = SpanContent.inputMessages(sp, details: details)
        if !input.isEmpty {
            heading("Input messages (\(input.count))")
            for m in input { SpanDetail.message(m, &out, w, r, cap) }
        }
        let output = SpanContent.outputMessages(sp, details: details)
        if !output.isEmpty {
            heading("Output")
            for m in output { SpanDetail.message(m, &out, w, r, cap, output: true) }
        }
        // A tool's call and result.
        if let call = SpanContent.toolCall(sp, details: details) {
            heading("Tool call: \(call.name)")
            if let args = call.arguments {
                out.append([Segment("arguments", r.st(.muted))])
                text(SpanContent.prettyJSON(args) ?? args, indent: 2)
            }
            if let res = call.result {
                out.append([Segment("result", r.st(.muted))])
                text(SpanContent.prettyJSON(res) ?? res, indent: 2)
            }
        }
    }

    /// Events and exceptions (the first 100 in the pane).
    mutating func events() {
        if !details.events.isEmpty {
            heading("Events (\(details.events.count))")
            let t0 = sp.startNs
            let shown = full ? details.events.count : min(details.events.count, 100)
            for e in details.events.prefix(shown) {
                let at = (e.timestampNs != nil && t0 != nil) ? " at +\(Format.duration(Double(e.timestampNs! - t0!) / 1e6))" : ""
                let isExc = e.name == "exception"
                var head = e.name + at
                if isExc {
                    head += ": " + [e.attributes["exception.type"]?.text, e.attributes["exception.message"]?.text].compactMap { $0 }.joined(separator: ": ")
                }
                text(head, isExc ? .error : .accent)
                for (k, v) in e.attributes.pairs where !(isExc && (k == "exception.type" || k == "exception.message" || k == "exception.stacktrace")) {
                    text("\(k): \(Format.jsonValue(v))", .muted, indent: 2)
                }
                if isExc, let st = e.attributes["exception.stacktrace"]?.text {
                    for l in st.split(separator: "\n", omittingEmptySubsequences: false) { text(String(l), .muted, indent: 2) }
                }
            }
            if shown < details.events.count {
                text("… \(Format.grouped(details.events.count - shown)) more events (o shows them all in $PAGER)", .muted)
            }
        }
    }

    /// Links to other spans: where the target is in this trace, say which span it is.
    mutating func links() {
        if !details.links.isEmpty {
            heading("Links (\(details.links.count)) · f follows")
            let here = TraceIDs.canonical(a.trace.traceID)
            for l in details.links {
                var t = "→ trace \(TraceIDs.display(l.traceID)) · span \(TraceIDs.display(l.spanID, digits: 16))"
                if TraceIDs.canonical(l.traceID) == here {
                    t += TraceScreen.spanIndex(a, id: l.spanID).map { " (this trace: \(a.trace.spans[$0].name))" } ?? " (this trace; span not found)"
                }
                text(t, .accent, indent: 2)
                if let ts = l.traceState { text("tracestate: \(ts)", .muted, indent: 4) }
                for (k, v) in l.attributes.pairs { text("\(k): \(Format.jsonValue(v))", .muted, indent: 4) }
            }
        }
    }

    /// Every attribute, grouped; the resource; fields of the span that are not OTel's.
    mutating func attributes() {
        if let problem = details.problem {
            heading("Attributes")
            text("could not be read again from the file: \(problem)", .error)
        }
        let groups = SpanContent.groupedAttributes(details.attributes)
        if !groups.isEmpty {
            heading("Attributes (\(details.attributes.count))")
            for g in groups {
                out.append([Segment("  " + g.group.rawValue, r.st(.accent).patched(Style(attrs: [.underline])))])
                for (k, v) in g.items {
                    let value = cap(SpanDetail.attributeText(v))
                    let multiline = value.containsText("\n") || TextWidth.width(k) + TextWidth.width(value) + 6 > w
                    if multiline {
                        out.append([Segment("    " + k, r.st(.muted))])
                        for l in value.split(separator: "\n", omittingEmptySubsequences: false) { text(String(l), indent: 6) }
                    } else {
                        out.append([Segment("    " + k + ": ", r.st(.muted)), Segment(value, SpanDetail.numberRole(v).map(r.st) ?? .plain)])
                    }
                }
            }
        }
        if !details.resource.isEmpty {
            heading("Resource")
            for (k, v) in details.resource.pairs { out.append([Segment("    " + k + ": ", r.st(.muted)), Segment(Format.jsonValue(v))]) }
        }
        if !details.extra.isEmpty {
            heading("Other span fields")
            for (k, v) in details.extra.pairs { out.append([Segment("    " + k + ": ", r.st(.muted)), Segment(Format.jsonValue(v))]) }
        }
    }
}
