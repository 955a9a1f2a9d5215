import FoundationEssentials
import TraceMindFormats

/// One message of an LLM conversation, as instrumentors flatten it into span attributes.
public struct ChatMessage: Sendable, Equatable {
    public var role: String
    public var content: String
    public var toolCalls: [ToolCall]
    public var toolCallID: String?

    public init(role: String, content: String, toolCalls: [ToolCall] = [], toolCallID: String? = nil) {
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
    }
}

public struct ToolCall: Sendable, Equatable {
    public var id: String?
    public var name: String
    public var arguments: String
}

/// Reading a span's content: the conversation of an LLM call, a tool's call and result, and its attributes in
/// readable groups.
public enum SpanContent {
    /// The messages sent to the model: OpenInference `llm.input_messages.N.…`, OpenLLMetry `gen_ai.prompt.N.…`, or the
    /// `messages` of an `input.value` JSON.
    /// `details`: the span's details when the caller has read them already.
    public static func inputMessages(_ s: Span, details: SpanDetails? = nil) -> [ChatMessage] {
        let a = (details ?? s.details).attributes
        let oi = indexed(a, prefix: "llm.input_messages.").map(openInference)
        if !oi.isEmpty { return oi }
        let ol = indexed(a, prefix: "gen_ai.prompt.").map(openLLMetry)
        if !ol.isEmpty { return ol }
        if let iv = a["input.value"]?.stringValue, let j = try? JSONParser.parse(iv), let msgs = j["messages"]?.arrayValue {
            return msgs.compactMap(fromJSON)
        }
        return []
    }

    /// The model's answer: `llm.output_messages.N.…`, `gen_ai.completion.N.…`, or a chat completion in `output.value`.
    public static func outputMessages(_ s: Span, details: SpanDetails? = nil) -> [ChatMessage] {
        let a = (details ?? s.details).attributes
        let oi = indexed(a, prefix: "llm.output_messages.").map(openInference)
        if !oi.isEmpty { return oi }
        let ol = indexed(a, prefix: "gen_ai.completion.").map(openLLMetry)
        if !ol.isEmpty { return ol }
        if s.category == .llm, let ov = a["output.value"]?.stringValue {
            if let j = try? JSONParser.parse(ov), let choice = j["choices"]?.arrayValue?.first, let m = choice["message"], let msg = fromJSON(m) {
                return [msg]
            }
            return [ChatMessage(role: "assistant", content: ov)]
        }
        return []
    }

    /// A tool span's name, arguments and result.
    public static func toolCall(_ s: Span, details: SpanDetails? = nil) -> (name: String, arguments: String?, result: String?)? {
        let d = details ?? s.details
        let a = d.attributes
        guard s.category == .tool || a["tool.name"] != nil else { return nil }
        let name = a["tool.name"]?.text ?? s.name
        var args = a["tool_call.function.arguments"]?.text ?? a["input.value"]?.text
        // smolagents wraps the call: {"args": [], "sanitize_inputs_outputs": true, "kwargs": {…}} → the kwargs.
        if let t = args, let j = try? JSONParser.parse(t), let kw = j["kwargs"], j["args"]?.arrayValue?.isEmpty ?? true {
            args = JSONWriter.string(kw, pretty: false)
        }
        let result = a["output.value"]?.text ?? d.extra["tool_output"]?.text
        return (name, args, result)
    }

    /// Attribute keys of one conversation, grouped by message index: `prefix.N.rest` → N → rest → value.
    static func indexed(_ a: JSONObject, prefix: String) -> [JSONObject] {
        var byIndex: [Int: JSONObject] = [:]
        for (k, v) in a.pairs where k.hasPrefix(prefix) {
            let rest = k.dropFirst(prefix.count)
            guard let dot = rest.firstIndex(of: "."), let i = Int(rest[..<dot]) else { continue }
            byIndex[i, default: JSONObject()].set(String(rest[rest.index(after: dot)...]), v)
        }
        return byIndex.keys.sorted().map { byIndex[$0]! }
    }

    static func openInference(_ m: JSONObject) -> ChatMessage {
        let role = m["message.role"]?.text ?? "?"
        var content = m["message.content"]?.text ?? ""
        if content.isEmpty {
            // message.contents.J.message_content.text
            let parts = indexed(m, prefix: "message.contents.").compactMap { $0["message_content.text"]?.text }
            content = parts.joined(separator: "\n")
        }
        let calls = indexed(m, prefix: "message.tool_calls.").map {
            ToolCall(id: $0["tool_call.id"]?.text, name: $0["tool_call.function.name"]?.text ?? "?", arguments: $0["tool_call.function.arguments"]?.text ?? "")
        }
        return ChatMessage(role: role, content: content, toolCalls: calls, toolCallID: m["message.tool_call_id"]?.text)
    }

    static func openLLMetry(_ m: JSONObject) -> ChatMessage {
        let calls = indexed(m, prefix: "tool_calls.").map {
            ToolCall(id: $0["id"]?.text, name: $0["name"]?.text ?? "?", arguments: $0["arguments"]?.text ?? "")
        }
        return ChatMessage(role: m["role"]?.text ?? "?", content: m["content"]?.text ?? "", toolCalls: calls, toolCallID: m["tool_call_id"]?.text)
    }

    static func fromJSON(_ j: JSON) -> ChatMessage? {
        guard let o = j.objectValue else { return nil }
        var content = o["content"]?.text ?? ""
        if content.isEmpty, let parts = o["content"]?.arrayValue {
            content = parts.compactMap { $0["text"]?.text }.joined(separator: "\n")
        }
        let calls = (o["tool_calls"]?.arrayValue ?? []).map {
            ToolCall(id: $0["id"]?.text, name: $0["function"]?["name"]?.text ?? "?", arguments: $0["function"]?["arguments"]?.text ?? "")
        }
        return ChatMessage(role: o["role"]?.text ?? "?", content: content, toolCalls: calls, toolCallID: o["tool_call_id"]?.text)
    }

    // MARK: attribute groups

    public enum Group: String, CaseIterable, Sendable {
        case usage = "usage and cost"
        case request = "request / response"
        case genAI = "gen_ai.*"
        case llm = "llm.*"
        case tool = "tool"
        case io = "input / output"
        case context = "context"
        case template = "prompt template"
        case other = "other"
        case messages = "messages (raw keys)"
    }

    static let contextKeys: Set<String> = [
        "service", "service.name", "service.version", "capability", "tenant", "tenant.id", "request_id", "request.id",
        "task_id", "session.id", "user.id", "tag.tags", "agent.type", "agent.name", "run.id", "test.id", "test.case_uid",
        "test.difficulty", "openinference.span.kind", "tracestate", "span.links", "environment", "deployment.environment",
    ]

    public static func group(of key: String) -> Group {
        if UsageConventions.allKeys.contains(key) || key.hasPrefix("cost.") || key.hasPrefix("gen_ai.usage.") || key.hasPrefix("llm.token_count.")
            || key.hasPrefix("llm.cost.") || key == "accumulated_cost_usd" || key == "cost_usd"
        {
            return .usage
        }
        if key.hasPrefix("llm.input_messages.") || key.hasPrefix("llm.output_messages.") || key.hasPrefix("gen_ai.prompt.")
            || key.hasPrefix("gen_ai.completion.")
        {
            return .messages
        }
        if key.hasPrefix("llm.prompt_template.") { return .template }
        if key.hasPrefix("gen_ai.request.") || key.hasPrefix("gen_ai.response.") || key.hasPrefix("gen_ai.server.")
            || key == "llm.invocation_parameters" || key == "llm.model_name" || key == "llm.provider" || key == "gen_ai.system"
            || key == "gen_ai.operation.name"
        {
            return .request
        }
        if contextKeys.contains(key) || key.hasPrefix("metadata.") || key.hasPrefix("performance.") || key.hasPrefix("tag.")
            || key.hasPrefix("tests.") || key.hasPrefix("smolagents.") || key.hasPrefix("session.") || key.hasPrefix("user.")
        {
            return .context
        }
        if key.hasPrefix("gen_ai.") { return .genAI }
        if key.hasPrefix("tool.") || key.hasPrefix("tool_call.") { return .tool }
        if key.hasPrefix("input.") || key.hasPrefix("output.") { return .io }
        if key.hasPrefix("llm.") { return .llm }
        return .other
    }

    /// Attributes in groups (in `Group` order), keys sorted within each group.
    public static func groupedAttributes(_ a: JSONObject) -> [(group: Group, items: [(key: String, value: JSON)])] {
        var by: [Group: [(String, JSON)]] = [:]
        for (k, v) in a.pairs { by[group(of: k), default: []].append((k, v)) }
        return Group.allCases.compactMap { g in
            guard let items = by[g], !items.isEmpty else { return nil }
            return (g, items.sorted { naturalLess($0.0, $1.0) }.map { (key: $0.0, value: $0.1) })
        }
    }

    /// `a.2.b` before `a.10.b`.
    public static func naturalLess(_ x: String, _ y: String) -> Bool {
        let a = Array(x.utf8), b = Array(y.utf8)
        var i = 0, j = 0
        while i < a.count && j < b.count {
            if isDigit(a[i]) && isDigit(b[j]) {
                var ni = i, nj = j
                while ni < a.count && isDigit(a[ni]) { ni += 1 }
                while nj < b.count && isDigit(b[nj]) { nj += 1 }
                let va = a[i..<ni].drop { $0 == 48 }, vb = b[j..<nj].drop { $0 == 48 }
                if va.count != vb.count { return va.count < vb.count }
                if !va.elementsEqual(vb) { return va.lexicographicallyPrecedes(vb) }
                i = ni
                j = nj
            } else {
                if a[i] != b[j] { return a[i] < b[j] }
                i += 1
                j += 1
            }
        }
        return a.count - i < b.count - j
    }

    static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }

    /// A string that holds JSON (an object or an array), pretty-printed; nil when it is not JSON (or was truncated).
    public static func prettyJSON(_ s: String) -> String? {
        let t = s.trimmingBlanksAndNewlines()
        guard let f = t.first, f == "{" || f == "[", t.count >= 2, let j = try? JSONParser.parse(t) else { return nil }
        switch j {
        case .object, .array: return JSONWriter.string(j, pretty: true)
        default: return nil
        }
    }
}
