import Dispatch
import FoundationEssentials
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
        let tid = o["trace_id"]?.text ?? o["traceId"]?.text
        self.init(head: o, spans: (o["spans"]?.arrayValue ?? []).compactMap { $0.objectValue.map { Span(json: $0, traceID: tid) } })
    }

    /// A trace document whose spans were parsed apart from it (`parseLarge`); `head` is the document without them.
    init(head o: JSONObject, spans: [Span]) {
        var r = JSONObject()
        for (k, v) in zip(o.keys, o.values) where k != "spans" { r.set(k, v) }
        raw = r
        let tid = o["trace_id"]?.text ?? o["traceId"]?.text
        self.spans = spans
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
            runID = spans.lazy.compactMap { $0.resourceRunID }.first
        }
    }

    /// Records at least this large are trace documents worth parsing on all cores (`parseLarge`).
    static let largeRecordBytes = 4 << 20

    /// A large trace document parsed with its spans split across the cores (`read(_:range:parallel:)`). Nil when the
    /// record is not a document with a `spans` array (it is then parsed the usual way).
    static func parseLarge(_ data: Data, range: Range<Int>, maxStringBytes: Int = .max) throws(JSONParseError) -> Trace? {
        if case .trace(let t)? = try read(data, range: range, maxStringBytes: maxStringBytes, parallel: true) { return t }
        return nil
    }

    /// A record of a traces file as read lean.
    enum Record {
        /// A trace document: its spans read lean.
        case trace(Trace)
        /// An object without a `spans` array (a span row, an OTLP export line), read whole.
        case object(JSONObject)
    }

    /// A record of a traces file read lean: the document's other fields are parsed as usual, each span is read lean
    /// (`Span.lean`: figures, ids and times; its prompts and payloads left in `data`, read again when shown), each
    /// span made in place: memory follows the spans made, not the document's JSON tree. Nil when the record is not an
    /// object.
    ///
    /// With `parallel`, the spans are read on all cores: a document laid out one span per indented block (SMOLTRACE's
    /// `indent=2`) has its spans found from the layout (`JSONParser.parseObject(_:range:layingOut:)`); a wrong guess
    /// fails some span's parse, and the spans are then found by the structural scan, as in any other layout. Without,
    /// the document is read in one pass, each span as it is met (`JSONParser.parseObject(_:range:reading:…)`, `Span.leanFields`),
    /// with `keys` (the calling worker's table; a new one by default).
    ///
    /// `details`: where the spans read their details again (by default `data`, kept for them).
    static func read(
        _ data: Data, range: Range<Int>, maxStringBytes: Int = .max, parallel: Bool, details: SpanBytes? = nil, keys: JSONKeyTable? = nil
    ) throws(JSONParseError) -> Record? {
        let details = details ?? SpanBytes(data)
        guard parallel else { return try readInOnePass(data, range: range, maxStringBytes: maxStringBytes, details: details, keys: keys ?? JSONKeyTable()) }
        if let (head, ranges) = try? JSONParser.parseObject(data, range: range, layingOut: "spans", maxStringBytes: maxStringBytes),
            let spans = try? leanSpans(data, ranges, head: head, details: details)
        {
            return .trace(Trace(head: head, spans: spans))
        }
        guard let (head, deferred) = try JSONParser.parseObject(data, range: range, deferring: ["spans"], maxStringBytes: maxStringBytes) else { return nil }
        guard let ranges = deferred["spans"] else { return .object(head) }
        return .trace(Trace(head: head, spans: try leanSpans(data, ranges, head: head, details: details)))
    }

    /// `read` without `parallel`: one pass over the record's bytes.
    private static func readInOnePass(
        _ data: Data, range: Range<Int>, maxStringBytes: Int, details: SpanBytes, keys: JSONKeyTable
    ) throws(JSONParseError) -> Record? {
        // Each span made as it is met, into the document's array; the document's id, which may come after its spans,
        // is given to those that have none of their own (and shared with those that have the same) once it is known.
        var spans: [Span] = []
        var own: [Bool] = []
        guard let (head, found) = try JSONParser.parseObject(data, range: range, reading: "spans", maxStringBytes: maxStringBytes, keys: keys, starting: {
            spans.removeAll()
            own.removeAll()
        }, element: { r throws(JSONParseError) in
            let start = r.offset
            guard let f = try Span.leanFields(&r) else { return }
            own.append(f.text(.traceID, .traceIdCamel, .traceIDCamel) != nil)
            spans.append(Span.lean(fields: f, range: (start + range.lowerBound)..<(r.offset + range.lowerBound), traceID: nil, keys: keys, details: details))
        }) else { return nil }
        guard found != nil else { return .object(head) }
        if let tid = head["trace_id"]?.text ?? head["traceId"]?.text {
            for k in spans.indices where !own[k] || spans[k].traceID == tid { spans[k].traceID = tid }
        }
        return .trace(Trace(head: head, spans: spans))
    }

    /// The spans at `ranges` of `data`, read lean, in order (elements that are not objects are left out).
    static func leanSpans(_ data: Data, _ ranges: [Range<Int>], head: JSONObject, details bytes: SpanBytes) throws(JSONParseError) -> [Span] {
        let tid = head["trace_id"]?.text ?? head["traceId"]?.text
        let n = ranges.count
        // Many parts a core, handed out as cores come free: spans differ in cost (a prompt, a tool result), and a part
        // of heavy ones left the other core waiting at the end.
        let chunks = min(n, Parallel.cores * 32)
        // Each worker makes the spans of its run of elements in place, in the array's own storage (a span moved
        // through an intermediate array would be copied: every one of its strings and tables retained and released).
        var failure: String?
        let spans = [Span](unsafeUninitializedCapacity: n) { buffer, initialized in
            let made = UnsafeMutableBufferPointer<Int>.allocate(capacity: chunks)
            made.initialize(repeating: 0)
            defer { made.deallocate() }
            let shared = UncheckedBox((buffer, made))
            let failed = UncheckedBox(FailureNote())
            let tables = JSONKeyTables()
            Parallel.perform(iterations: chunks) { c in tables.with { keys in
                let (buffer, made) = shared.value
                let lo = c * n / chunks, hi = (c + 1) * n / chunks
                var m = 0
                do throws(JSONParseError) {
                    for k in lo..<hi {
                        guard let span = try Span.lean(data, range: ranges[k], traceID: tid, keys: keys, details: bytes) else { continue }
                        (buffer.baseAddress! + lo + m).initialize(to: span)
                        m += 1
                    }
                } catch {
                    failed.value.set("\(error.message) (byte \(error.offset) of the file)")
                }
                made[c] = m
            } }
            // Close the gaps that non-object elements left, moving (not copying) the spans.
            var count = 0
            for c in 0..<chunks {
                let lo = c * n / chunks
                if lo != count, made[c] > 0 { (buffer.baseAddress! + count).moveInitialize(from: buffer.baseAddress! + lo, count: made[c]) }
                count += made[c]
            }
            failure = failed.value.text
            if failure != nil {
                (buffer.baseAddress!).deinitialize(count: count)
                count = 0
            }
            initialized = count
        }
        if let failure { throw JSONParseError(message: failure, offset: ranges.first?.lowerBound ?? 0, line: 1, column: 1) }
        return spans
    }

    public init(traceID: String, spans: [Span]) {
        self.traceID = traceID
        self.spans = spans
        raw = JSONObject()
        testIDs = []
        testCaseUIDs = []
        runID = spans.lazy.compactMap { $0.resourceRunID }.first
    }
}

/// Ids as SMOLTRACE writes them (`hex(int)`: `0x`, no leading zeros) compared exactly inside a dataset,
/// and normalised for matching user input and other systems.
public enum TraceIDs {
    /// Strip `0x`, lower-case, drop leading zeros (so every spelling of one id compares equal).
    public static func canonical(_ id: String) -> String {
        var s = id.trimmingBlanks().lowercased()
        if s.hasPrefix("0x") { s.removeFirst(2) }
        let isHex = !s.isEmpty && s.allSatisfy { $0.isHexDigit }
        guard isHex else { return id.trimmingBlanks() }
        let trimmed = s.drop { $0 == "0" }
        return trimmed.isEmpty ? "0" : String(trimmed)
    }

    /// `0x` + 32 (trace) or 16 (span) hex digits, for display.
    public static func display(_ id: String, digits: Int = 32) -> String {
        let c = canonical(id)
        guard c.allSatisfy({ $0.isHexDigit }), c.count <= digits else { return id }
        return String(repeating: "0", count: digits - c.count) + c
    }

    /// Does user input `query` name `id` exactly (in any spelling: case, `0x`, leading zeros)?
    public static func isExact(_ query: String, _ id: String) -> Bool {
        id.lowercased() == query.lowercased() || canonical(id) == canonical(query).lowercased()
    }

    /// Does user input `query` name `id`? Exact, or a prefix of the padded or unpadded hex form.
    public static func matches(_ query: String, _ id: String) -> Bool {
        let q = query.trimmingBlanks().lowercased()
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
