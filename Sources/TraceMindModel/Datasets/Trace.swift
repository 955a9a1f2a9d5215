import Foundation
import TraceMindFormats

/// One trace document (one test execution, normally), with SMOLTRACE's recorded totals kept as recorded.
public struct Trace: Sendable, Equatable {
    public var traceID: String
    public var runID: String?
    public var rootSpanID: String?
    public var testIDs: [String]
    public var testCaseUIDs: [String]
    public var agentType: String?
    public var spans: [Span]
    public var recordedTotalTokens: Int?
    public var recordedTotalDurationMs: Double?
    public var recordedTotalCostUSD: Double?
    /// Document fields other than `spans`.
    public var raw: JSONObject

    public init(json o: JSONObject) {
        var r = JSONObject()
        for (k, v) in zip(o.keys, o.values) where k != "spans" { r.set(k, v) }
        raw = r
        let tid = o["trace_id"]?.text ?? o["traceId"]?.text
        spans = (o["spans"]?.arrayValue ?? []).compactMap { $0.objectValue.map { Span(json: $0, traceID: tid) } }
        traceID = tid ?? spans.first?.traceID ?? "?"
        runID = o["run_id"]?.text
        rootSpanID = o["root_span_id"]?.text
        func strings(_ k: String) -> [String] {
            switch o[k] {
            case .array(let a)?: return a.compactMap { $0.text }
            case .string(let s)?: return parsePythonList(s)
            default: return []
            }
        }
        testIDs = strings("test_ids")
        testCaseUIDs = strings("test_case_uids")
        agentType = o["agent_type"]?.text
        recordedTotalTokens = o["total_tokens"]?.int
        recordedTotalDurationMs = o["total_duration_ms"]?.number
        recordedTotalCostUSD = RecordedCost.known(o["total_cost_usd"]?.number, tokens: recordedTotalTokens)
        if runID == nil {
            runID = spans.lazy.compactMap { $0.resource["run.id"]?.text }.first
        }
    }

    public init(traceID: String, spans: [Span]) {
        self.traceID = traceID
        self.spans = spans
        raw = JSONObject()
        testIDs = []
        testCaseUIDs = []
        runID = spans.lazy.compactMap { $0.resource["run.id"]?.text }.first
    }
}

/// Ids as SMOLTRACE writes them (`hex(int)`: `0x`, no leading zeros) compared exactly inside a dataset,
/// and normalised for matching user input and other systems.
public enum TraceIDs {
    /// Strip `0x`, lower-case, drop leading zeros (so every spelling of one id compares equal).
    public static func canonical(_ id: String) -> String {
        var s = id.trimmingCharacters(in: .whitespaces).lowercased()
        if s.hasPrefix("0x") { s.removeFirst(2) }
        let isHex = !s.isEmpty && s.allSatisfy { $0.isHexDigit }
        guard isHex else { return id.trimmingCharacters(in: .whitespaces) }
        let trimmed = s.drop { $0 == "0" }
        return trimmed.isEmpty ? "0" : String(trimmed)
    }

    /// `0x` + 32 (trace) or 16 (span) hex digits, for display.
    public static func display(_ id: String, digits: Int = 32) -> String {
        let c = canonical(id)
        guard c.allSatisfy({ $0.isHexDigit }), c.count <= digits else { return id }
        return String(repeating: "0", count: digits - c.count) + c
    }

    /// Does user input `query` name `id`? Exact, or a prefix of the padded or unpadded hex form.
    public static func matches(_ query: String, _ id: String) -> Bool {
        let q = query.trimmingCharacters(in: .whitespaces).lowercased()
        if q.isEmpty { return false }
        if q == id.lowercased() { return true }
        let qc = q.hasPrefix("0x") ? String(q.dropFirst(2)) : q
        let padded = display(id)
        if padded.hasPrefix(qc) { return true }
        let c = canonical(id)
        if c.hasPrefix(canonical(q)) && canonical(q) != "0" { return true }
        return id.lowercased().hasPrefix(q)
    }
}
