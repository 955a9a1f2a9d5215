import FoundationEssentials
import TraceMindFormats

/// The semantic kind of a span: OpenInference's `openinference.span.kind` first, inferred second.
public enum SpanCategory: String, Sendable, Equatable, CaseIterable, Codable {
    case agent = "AGENT"
    case chain = "CHAIN"
    case llm = "LLM"
    case tool = "TOOL"
    case retriever = "RETRIEVER"
    case embedding = "EMBEDDING"
    case evaluation = "EVAL"
    case other = "OTHER"
}

public enum StatusCode: String, Sendable, Equatable { case unset = "UNSET", ok = "OK", error = "ERROR" }

public struct SpanStatus: Sendable, Equatable {
    public var code: StatusCode
    public var description: String?
}

public struct SpanEvent: Sendable, Equatable {
    public var name: String
    public var timestampNs: Int64?
    public var attributes: JSONObject
}

/// What a span holds beyond its figures: attributes, events, resource, other fields and links. Spans made from rows,
/// OTLP lines and the small documents a run's summary pass reads keep them as made; a span of a trace opened from a
/// JSON file, or of a large document, reads them again from the file when they are asked for (the waterfall of a
/// million spans holds ids, times and usage, not a million attribute tables).
public struct SpanDetails: Sendable, Equatable {
    /// Attributes with null values dropped (Hub rows carry every union key as null).
    public var attributes: JSONObject
    public var events: [SpanEvent]
    public var resource: JSONObject
    /// Span fields outside the known set (`total_tokens`, `tool_output`, future fields).
    public var extra: JSONObject
    /// Links to other spans (OTLP `links`).
    public var links: [SpanLink]
    /// Why the span's bytes could not be read again (a value the first, structural read let through is broken).
    public var problem: String?
}

/// Where the spans of one file read their details again (one for all of them): the bytes they were read from, held
/// in memory, or the file itself, read again span by span (a trace of a million spans is then not held twice: its
/// spans, and the gigabyte of text they were read from).
public final class SpanBytes: Sendable {
    enum Source: Sendable {
        case memory(Data)
        /// `path` on `fs`, a file of `size` bytes; the spans' ranges count from `base`.
        case file(any DataFileSystem, path: String, base: Int, size: Int)
    }

    let source: Source

    /// Details read again from `data`, kept for them.
    public init(_ data: Data) { source = .memory(data) }

    /// Details read again from the file: the bytes the spans were read from were `path` from `base` on.
    public init(file path: String, fs: any DataFileSystem, base: Int, size: Int) { source = .file(fs, path: path, base: base, size: size) }

    /// `body` over the bytes of `r`.
    func read<R>(_ r: Range<Int>, _ body: (Data, Range<Int>) throws -> R) throws -> R {
        switch source {
        case .memory(let d): return try body(d, r)
        case .file(let fs, let path, let base, let size):
            guard fs.fileSize(path) == size else {
                throw FileReadError(description: "\(path) changed since the trace was read; press r to reload")
            }
            let bytes = Data(try fs.readRange(path, (base + r.lowerBound)..<(base + r.upperBound)))
            return try body(bytes, 0..<bytes.count)
        }
    }
}

/// One span, every era's spelling normalised (snake_case and camelCase, int or string status, `SpanKind.` prefix…).
///
/// A span keeps what every view and figure reads of all spans (ids, times, kind, status, usage, and the few
/// attributes read in bulk: `Span.factKeys`); the rest is in `details`.
public struct Span: Sendable, Equatable {
    public var traceID: String
    public var spanID: String
    public var parentSpanID: String?
    public var name: String
    public var startNs: Int64?
    public var endNs: Int64?
    /// `duration_ms` as stored (used only when times are missing).
    public var storedDurationMs: Double?
    public var otelKind: String
    public var category: SpanCategory
    public var status: SpanStatus
    public var usage: SpanUsage
    /// W3C `tracestate` of the span's context (e.g. `cost_usd=0.002,vendor=x`): shown, never added to cost.
    public var traceState: String?
    /// The attributes named in `Span.factKeys` (test ids, tool name, streaming times, grouping keys), in order.
    public var facts: JSONObject
    /// The resource's (or the span's own) `service.name`.
    public var serviceName: String?
    /// The resource's `run.id`.
    public var resourceRunID: String?
    /// The first `exception` event's type and message, when the span has one.
    public var exception: String?
    public var hasExceptionEvent: Bool
    let storage: DetailStorage

    enum DetailStorage: Sendable {
        indirect case made(SpanDetails)
        case bytes(SpanBytes, Range<Int>)
    }

    /// Attributes read for every span (by the analysis, the breakdowns and the run's join) or on every frame (the
    /// trace header's prompt), kept in `facts`.
    public static let factKeys: Set<String> = Set(
        ["test.id", "agent.type", "test.case_uid", "tool.name", "gen_ai.server.ttft", "gen_ai.server.tbt", "prompt"]
            + BreakdownKey.allCases.flatMap(\.attributeKeys))

    static let factShape = KeyShape(factKeys)
    static let factIndex = KeyIndex(factKeys.sorted())

    /// Attributes the span's figures and kind are made from: the first read of a span from a file builds only these.
    static let figureKeys: Set<String> = Set(UsageConventions.keyTable.keys).union(factKeys).union([
        "openinference.span.kind", "gen_ai.operation.name", "gen_ai.system", "gen_ai.request.model", "llm.model_name",
    ])

    /// The first read of a span from a file (`leanFields`, which reads what this pick builds): the known fields, the
    /// figure attributes, the names and exception text of its events, the resource; never prompts, payloads or links.
    static let pick = JSONPick(
        keys: knownFields.union(["service", "service_name", "cost_usd", "accumulated_cost_usd"]).subtracting(["links"]),
        nested: [
            "attributes": JSONPick(keys: figureKeys),
            "events": JSONPick(elements: JSONPick(
                keys: ["name", "timestamp", "timeUnixNano"],
                nested: ["attributes": JSONPick(keys: ["exception.type", "exception.message"])])),
            // The resource's attributes (or the resource itself, when it has none) as `details` reads them: only the
            // service and the run are read of it (an array of OTLP's form is built whole).
            "resource": JSONPick(keys: resourceKeys.union(["attributes"]), nested: ["attributes": JSONPick(keys: resourceKeys)]),
        ])

    /// What a span's first read keeps of its resource.
    static let resourceKeys: Set<String> = ["service.name", "run.id"]

    /// Everything the span holds (read again from the file's bytes for a span read from a file).
    public var details: SpanDetails {
        switch storage {
        case .made(let d): return d
        case .bytes(let b, let r):
            do { return try b.read(r) { data, r in detailsRead(data, r) } } catch { return Span.problem("\(error)") }
        }
    }

    static func problem(_ text: String) -> SpanDetails {
        SpanDetails(attributes: JSONObject(), events: [], resource: JSONObject(), extra: JSONObject(), links: [], problem: text)
    }

    /// The details of this span from its bytes as `withEachBytes` gives them.
    public func detailsRead(_ bytes: Data) -> SpanDetails { detailsRead(bytes, 0..<bytes.count) }

    /// The details of this span from its bytes, read again at `r` of `data`.
    func detailsRead(_ data: Data, _ r: Range<Int>) -> SpanDetails {
        do throws(JSONParseError) {
            guard let o = try JSONParser.parse(data, range: r, keys: JSONKeyTable.perThread).objectValue else { return Span.problem("the span is not an object") }
            // Read again from a file rewritten since to the same size: another span is not passed off as this one.
            let id = ["span_id", "spanId", "spanID"].lazy.compactMap { o[$0]?.text }.first { !$0.isEmpty } ?? "?"
            guard id == spanID else { return Span.problem("the file changed since the trace was read; press r to reload") }
            return Span.details(o)
        } catch {
            return Span.problem(error.description)
        }
    }

    /// The details of several spans (a report's batch): those whose details are in one file, close together, are
    /// read with one read of the bytes they cover instead of one read each.
    public static func details(_ spans: [Span]) -> [SpanDetails] {
        var out: [SpanDetails] = []
        out.reserveCapacity(spans.count)
        withEachSource(spans, at: spans.indices) { k, data, r in out.append(data.map { spans[k].detailsRead($0, r) } ?? spans[k].details) }
        return out
    }

    /// What a report writes of this span's details, from the bytes `withEachBytes` gives for it, without building its
    /// attributes: their text, as `JSONWriter` writes `details.attributes` at `indent`, appended to `out`, and the
    /// links. Nil when only `details` can say (attributes in OTLP's array form, nesting too deep for the text, bytes
    /// that do not parse or are another span's): what was appended is then to be dropped. `keys`: the worker's.
    public func reportDetails(
        _ raw: UnsafeRawBufferPointer, keys: JSONKeyTable, attributes out: inout [UInt8], indent: Int
    ) -> [SpanLink]? {
        let start = out.count
        guard let members = try? JSONParser.members(of: raw, keys: keys, text: &out, indent: indent, { k in
            switch k {
            case "attributes": return .text(droppingNulls: true)
            case "links", "span_id", "spanId", "spanID": return .value
            default: return .check
            }
        }) else { return nil }
        // As `details` reads them: the last of a member given twice (attributes given twice: built instead).
        var attributes: Range<Int>?
        var values: [(String, JSON)] = []
        for (k, m) in members {
            switch m {
            case .text(let r):
                if attributes != nil { return nil }
                attributes = r
            case .value(let v): values.append((k, v))
            }
        }
        func value(_ key: String) -> JSON? { values.last { $0.0 == key }?.1 }
        let id = ["span_id", "spanId", "spanID"].lazy.compactMap { value($0)?.text }.first { !$0.isEmpty } ?? "?"
        guard id == spanID else { return nil }
        // An object is written as it is; attributes that are no object and no array are none (`OTLP.attributes`).
        if attributes == nil || out[start] != UInt8(ascii: "{") {
            if attributes != nil && out[start] == UInt8(ascii: "[") { return nil }
            out.removeSubrange(start...)
            out.append(UInt8(ascii: "{"))
            out.append(UInt8(ascii: "}"))
        }
        return (value("links")?.arrayValue ?? []).compactMap(SpanLink.init)
    }

    /// `body` over the bytes of each span in its file, in order (nil for a span whose details are kept as made, or
    /// whose file no longer holds them): spans close together in one file are read with one read.
    public static func withEachBytes(_ spans: [Span], _ body: (Int, UnsafeRawBufferPointer?) -> Void) {
        withEachBytes(spans, at: spans.indices, body)
    }

    /// `withEachBytes` of the spans at `indices` of `spans` (a report's run of the waterfall's order), `body` given the
    /// place in `indices`: the spans are read where they are, not copied out first (a span's copy retains a dozen
    /// references, from both cores at once: a 300,000-span trace's report took 4,971 `perf` samples with the copies,
    /// 4,597 without).
    public static func withEachBytes(_ spans: [Span], at indices: some Collection<Int>, _ body: (Int, UnsafeRawBufferPointer?) -> Void) {
        withEachSource(spans, at: indices) { k, data, r in
            guard let data else { return body(k, nil) }
            data.withUnsafeBytes { body(k, UnsafeRawBufferPointer(rebasing: $0[r])) }
        }
    }

    /// `body(k, data, range)` for each span in order: the bytes its details are read from (nil: kept as made, or
    /// not readable, then its own `details` says why).
    static func withEachSource(_ spans: [Span], at indices: some Collection<Int>, _ body: (Int, Data?, Range<Int>) -> Void) {
        var cover: (bytes: SpanBytes, lo: Int, hi: Int, total: Int)?
        var one = true
        for j in indices {
            guard case .bytes(let b, let r) = spans[j].storage, case .file = b.source else { continue }
            if let c = cover {
                if c.bytes !== b { one = false }
                cover = (c.bytes, min(c.lo, r.lowerBound), max(c.hi, r.upperBound), c.total + r.count)
            } else {
                cover = (b, r.lowerBound, r.upperBound, r.count)
            }
        }
        func each() {
            for (k, j) in indices.enumerated() {
                guard case .bytes(let b, let r) = spans[j].storage, let got = try? b.read(r, { d, r in (d, r) }) else {
                    body(k, nil, 0..<0)
                    continue
                }
                body(k, got.0, got.1)
            }
        }
        guard one, let c = cover, c.hi - c.lo <= max(1 << 20, 4 * c.total), c.hi - c.lo <= 64 << 20,
            let (data, whole) = try? c.bytes.read(c.lo..<c.hi, { d, r in (d, r) })
        else { return each() }
        for (k, j) in indices.enumerated() {
            guard case .bytes(let b, let r) = spans[j].storage else {
                body(k, nil, 0..<0)
                continue
            }
            if b === c.bytes {
                body(k, data, (whole.lowerBound + r.lowerBound - c.lo)..<(whole.lowerBound + r.upperBound - c.lo))
            } else if let (d, rr) = try? b.read(r, { d, r in (d, r) }) {
                body(k, d, rr)
            } else {
                body(k, nil, 0..<0)
            }
        }
    }

    public var attributes: JSONObject { details.attributes }
    public var events: [SpanEvent] { details.events }
    public var resource: JSONObject { details.resource }
    public var extra: JSONObject { details.extra }
    public var links: [SpanLink] { details.links }

    /// Where the span's details are read from: the file's bytes, or nil when they are kept as made.
    public var byteRange: Range<Int>? {
        if case .bytes(_, let r) = storage { return r }
        return nil
    }

    public init(json o: JSONObject, traceID fallbackTraceID: String?) {
        let f = SpanFields(o)
        let d = Span.details(f)
        self.init(
            fields: f, attributes: d.attributes, extra: d.extra, resource: d.resource,
            exception: Span.firstException(f), traceID: fallbackTraceID, storage: .made(d))
    }

    /// The span read lean from its bytes at `range` of `data` (`leanFields`), its details left there.
    static func lean(_ data: Data, range: Range<Int>, traceID: String?, keys: JSONKeyTable, details: SpanBytes) throws(JSONParseError) -> Span? {
        guard let f = try JSONParser.read(data, range: range, keys: keys, { r throws(JSONParseError) in try leanFields(&r) }) else { return nil }
        return lean(fields: f, range: range, traceID: traceID, keys: keys, details: details)
    }

    /// The span of the fields a lean read found (`leanFields`) at `range` of the bytes `details` reads again: its
    /// details are read from there when asked for. Its texts that repeat from span to span (name, model, pricing
    /// source, service, run) are held once, in `keys`.
    static func lean(fields f: SpanFields, range: Range<Int>, traceID: String?, keys: JSONKeyTable, details: SpanBytes) -> Span {
        // What the figures read of the details, made of the fields as `details` makes it, without the rest of them
        // (every event, the links): the details themselves are read again from the bytes when asked for.
        Span(
            fields: f, attributes: Span.attributes(f), extra: f.extra, resource: Span.resource(f), exception: Span.firstException(f),
            traceID: traceID, storage: .bytes(details, range), interning: keys)
    }

    /// The span of `o`'s fields; with `keys`, its texts that repeat from span to span held once, as they are set (a
    /// span made and then changed was moved as a copy of its every text and table, then a release of them).
    private init(
        fields o: SpanFields, attributes attrs: JSONObject, extra: JSONObject, resource: JSONObject, exception ex: SpanEvent?,
        traceID fallbackTraceID: String?, storage: DetailStorage, interning keys: JSONKeyTable? = nil
    ) {
        // Every field is made in a local and stored once, at the end: a field read back while `self` was being made
        // (the name, kind and usage for the category) had the whole span copied, every text and table of it retained
        // and released, once a span.
        // A span of the document's trace shares the document's id (one string for all of them).
        let tid = o.text(.traceID, .traceIdCamel, .traceIDCamel)
        let traceID = tid.map { $0 == fallbackTraceID ? fallbackTraceID! : $0 } ?? fallbackTraceID ?? "?"
        let spanID = o.text(.spanID, .spanIdCamel, .spanIDCamel) ?? "?"
        let parent = o.text(.parentSpanID, .parentSpanIdCamel, .parentSpanIDCamel, .parentID)
        let parentSpanID = (parent == nil || parent == "0x0" || parent == "0" || parent == "0000000000000000") ? nil : parent
        let spanName = o.text(.name, .operationName, .operationNameCamel) ?? "(unnamed)"
        let name = keys.map { $0.intern(spanName) } ?? spanName
        let startNs = o.time(.startTime, .startTimeCamel, .startTimeUnixNano, .startTimeUnixNanoSnake)
        let endNs = o.time(.endTime, .endTimeCamel, .endTimeUnixNano, .endTimeUnixNanoSnake)
        let storedDurationMs = o[.durationMs]?.number
        // Status: {"code": 0|1|2 | "UNSET"|"OK"|"ERROR" | "STATUS_CODE_ERROR", "description"}, or a bare code.
        let statusJSON = o[.status] ?? .null
        let codeJSON = statusJSON["code"] ?? statusJSON["status_code"] ?? statusJSON
        var code = StatusCode.unset
        if let i = codeJSON.int64, codeJSON.stringValue.map({ Int64($0) != nil }) ?? true {
            code = i == 2 ? .error : (i == 1 ? .ok : .unset)
        } else if let t = codeJSON.text?.uppercased() {
            // "ERROR", "STATUS_CODE_ERROR", "StatusCode.ERROR"; a byte search, not Foundation's locale-aware one.
            if t.utf8.count >= 5, t.utf8.indices.dropLast(4).contains(where: { t.utf8[$0...].starts(with: "ERROR".utf8) }) {
                code = .error
            } else if t.hasSuffix("OK") {
                code = .ok
            }
        }
        let status = SpanStatus(code: code, description: statusJSON["description"]?.text ?? statusJSON["message"]?.text)
        var kindText = o.text(.kind, .spanKind) ?? "INTERNAL"
        // OTLP's enum numbers (0 unspecified … 5 consumer).
        if let n = Int(kindText) { kindText = ["INTERNAL", "INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER"][min(max(n, 0), 5)] }
        if kindText.hasPrefix("SpanKind.") { kindText = String(kindText.dropFirst("SpanKind.".count)) }
        if kindText.hasPrefix("SPAN_KIND_") { kindText = String(kindText.dropFirst("SPAN_KIND_".count)) }
        let otelKind = kindText.uppercased()
        let traceState = o.text(.traceState, .traceStateSnake, .tracestate)
        var usage = UsageConventions.extract(attrs, extra: extra)
        if let keys {
            usage.model = usage.model.map(keys.intern)
            usage.pricingSource = usage.pricingSource.map(keys.intern)
        }
        let category = Span.inferCategory(name: name, attributes: attrs, usage: usage, otelKind: otelKind)
        var fk: [String] = [], fv: [JSON] = []
        for (k, v) in zip(attrs.keys, attrs.values) where Span.factShape.admits(k) && Span.factIndex.id(k) != nil {
            fk.append(k)
            fv.append(v)
        }
        let serviceName = resource["service.name"]?.text.map { keys?.intern($0) ?? $0 }
        let resourceRunID = resource["run.id"]?.text.map { keys?.intern($0) ?? $0 }
        let hasExceptionEvent: Bool, exception: String?
        if let ex {
            hasExceptionEvent = true
            exception = [ex.attributes["exception.type"]?.text, ex.attributes["exception.message"]?.text].compactMap { $0 }.joined(separator: ": ")
        } else {
            hasExceptionEvent = false
            exception = nil
        }
        self.traceID = traceID
        self.spanID = spanID
        self.parentSpanID = parentSpanID
        self.name = name
        self.startNs = startNs
        self.endNs = endNs
        self.storedDurationMs = storedDurationMs
        self.otelKind = otelKind
        self.category = category
        self.status = status
        self.usage = usage
        self.traceState = traceState
        self.facts = JSONObject(keys: fk, values: fv)
        self.serviceName = serviceName
        self.resourceRunID = resourceRunID
        self.exception = exception
        self.hasExceptionEvent = hasExceptionEvent
        self.storage = storage
    }

    /// Attributes, events, resource, other fields and links of a span object.
    static func details(_ o: JSONObject) -> SpanDetails { details(SpanFields(o)) }

    static func details(_ f: SpanFields) -> SpanDetails {
        SpanDetails(
            attributes: attributes(f), events: (f[.events]?.arrayValue ?? []).compactMap(event), resource: resource(f), extra: f.extra,
            links: (f[.links]?.arrayValue ?? []).compactMap(SpanLink.init), problem: nil)
    }

    /// A span's attributes (`details.attributes`).
    static func attributes(_ f: SpanFields) -> JSONObject { Span.dropNulls(OTLP.attributes(f[.attributes] ?? .null)) }

    /// A span's resource (`details.resource`): its attributes, or the resource itself when it has none.
    static func resource(_ f: SpanFields) -> JSONObject {
        let r = f[.resource]?.objectValue
        var resource = Span.dropNulls(r?["attributes"].map(OTLP.attributes) ?? r)
        // Some producers put the service on the span itself.
        if resource["service.name"] == nil {
            for v in [f.service, f.serviceName] {
                if let svc = v?.text, !svc.isEmpty {
                    resource.set("service.name", .string(svc))
                    break
                }
            }
        }
        return resource
    }

    /// One element of a span's `events` as `details.events` holds it (nil: no object, no event).
    static func event(_ e: JSON) -> SpanEvent? {
        guard let eo = e.objectValue else { return nil }
        return event(name: eo["name"], time: eo["timestamp"] ?? eo["timeUnixNano"], attributes: eo["attributes"])
    }

    /// An event of its members (the last of each): its name (`event` when it has none), time and attributes.
    static func event(name: JSON?, time: JSON?, attributes: JSON?) -> SpanEvent {
        SpanEvent(
            name: name?.text ?? "event", timestampNs: Span.timeValue(time ?? .null),
            attributes: Span.dropNulls(OTLP.attributes(attributes ?? .null)))
    }

    /// Whether an event of this name is an exception.
    static func isException(name: JSON?) -> Bool { (name?.text ?? "event") == "exception" }

    /// The first of `details.events` named `exception`, the others not made (a lean read found it as it read them).
    static func firstException(_ f: SpanFields) -> SpanEvent? {
        if let found = f.leanException { return found }
        for e in f[.events]?.arrayValue ?? [] {
            guard let eo = e.objectValue, isException(name: eo["name"]) else { continue }
            return event(e)
        }
        return nil
    }

    /// Equal spans hold the same figures and the same details, wherever the details are kept.
    public static func == (a: Span, b: Span) -> Bool {
        a.traceID == b.traceID && a.spanID == b.spanID && a.parentSpanID == b.parentSpanID && a.name == b.name
            && a.startNs == b.startNs && a.endNs == b.endNs && a.storedDurationMs == b.storedDurationMs
            && a.otelKind == b.otelKind && a.category == b.category && a.status == b.status && a.usage == b.usage
            && a.traceState == b.traceState && a.facts == b.facts && a.serviceName == b.serviceName
            && a.resourceRunID == b.resourceRunID && a.exception == b.exception && a.hasExceptionEvent == b.hasExceptionEvent
            && a.details == b.details
    }

    static let knownFields = Set(SpanFields.names)

    static let knownShape = KeyShape(knownFields)

    /// Hub rows carry every union key with null: drop them (keeps order, no quadratic inserts).
    static func dropNulls(_ o: JSONObject?) -> JSONObject {
        guard let o else { return JSONObject() }
        if !o.values.contains(where: { $0.isNull }) { return o }
        var k: [String] = [], v: [JSON] = []
        k.reserveCapacity(o.count)
        v.reserveCapacity(o.count)
        for (key, value) in zip(o.keys, o.values) where !value.isNull {
            k.append(key)
            v.append(value)
        }
        return JSONObject(keys: k, values: v)
    }

    static func inferCategory(name: String, attributes a: JSONObject, usage: SpanUsage, otelKind: String) -> SpanCategory {
        if let k = a["openinference.span.kind"]?.text?.uppercased() {
            if let c = SpanCategory(rawValue: k) { return c }
            return .other
        }
        if a["test.id"] != nil || name == "test_evaluation" { return .evaluation }
        if a["gen_ai.operation.name"] != nil || a["gen_ai.system"] != nil || a["gen_ai.request.model"] != nil
            || a["llm.model_name"] != nil || usage.carriesUsage
        {
            return .llm
        }
        if a["tool.name"] != nil { return .tool }
        return .other
    }

    /// Times are kept within ±2^62 ns (1824 to 2116): the difference of any two then fits in an Int64, so no
    /// duration or offset computed from a hostile file can overflow.
    static let timeLimit: Int64 = 1 << 62

    /// A time as nanoseconds: int or string ns (kept exact), or ISO-8601. Magnitude decides the unit of bare numbers.
    public static func timeValue(_ v: JSON) -> Int64? {
        guard let t = rawTimeValue(v), t > -timeLimit, t < timeLimit else { return nil }
        return t
    }

    static func rawTimeValue(_ v: JSON) -> Int64? {
        switch v {
        case .int(let i): return scaleToNs(i)
        case .double(let d):
            guard d.isFinite, d > 0 else { return d == 0 ? 0 : nil }
            // The magnitude says the unit; beyond Int64 nanoseconds (the year 2262) a time is not a time.
            let ns = d >= 1e17 ? d : d >= 1e14 ? d * 1e3 : d >= 1e11 ? d * 1e6 : d * 1e9
            guard ns < 9.2e18 else { return nil }
            return Int64(ns)
        case .string(let s):
            let t = String(trimmedASCII(s))
            if let i = Int64(t) { return scaleToNs(i) }
            if let d = Double(t) { return rawTimeValue(.double(d)) }
            return ISOTime.parseNs(t)
        default: return nil
        }
    }

    static func scaleToNs(_ i: Int64) -> Int64 {
        if i <= 0 { return i == 0 ? 0 : i }
        if i >= 100_000_000_000_000_000 { return i }
        if i >= 100_000_000_000_000 { return i &* 1_000 }
        if i >= 100_000_000_000 { return i &* 1_000_000 }
        return i &* 1_000_000_000
    }

    /// Duration in ms: from the times when both exist (never negative), else `duration_ms`.
    public var durationMs: Double {
        if let s = startNs, let e = endNs { return e >= s ? Double(e - s) / 1e6 : 0 }
        return max(0, storedDurationMs ?? 0)
    }

    public var isError: Bool { Span.isError(status.code, hasExceptionEvent) }

    /// `isError` of a span's status code and exception event, for a loop that reads spans where they lie (a computed
    /// property of an array's span had the whole span copied to ask it).
    @inline(__always)
    static func isError(_ code: StatusCode, _ hasExceptionEvent: Bool) -> Bool { code == .error || hasExceptionEvent }

    public var errorMessage: String? {
        if let d = status.description, !d.isEmpty, status.code == .error { return d }
        return exception
    }

    public var toolName: String? { facts["tool.name"]?.text }
}
