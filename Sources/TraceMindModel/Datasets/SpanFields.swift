import FoundationEssentials
import TraceMindFormats

/// The fields of a span, found in one pass over its members (of an object, or as a reader meets them): each spelling
/// of each field the span reads (every era's and producer's), the last of a key given twice (as `JSONObject`'s
/// subscript reads it), and the members that are no field. Reading a span asked the object for some thirty
/// spellings, each a search of its keys.
struct SpanFields {
    /// The spellings, in the order of `Field`: a span's known fields (`Span.knownFields`).
    static let names = [
        "trace_id", "traceId", "traceID", "span_id", "spanId", "spanID", "parent_span_id", "parentSpanId",
        "parentSpanID", "parent_id", "name", "operation_name", "operationName", "start_time", "startTime",
        "startTimeUnixNano", "start_time_unix_nano", "end_time", "endTime", "endTimeUnixNano",
        "end_time_unix_nano", "duration_ms", "attributes", "events", "status", "kind", "span_kind", "resource",
        "links", "traceState", "trace_state", "tracestate",
    ]

    enum Field: Int, CaseIterable {
        case traceID, traceIdCamel, traceIDCamel, spanID, spanIdCamel, spanIDCamel, parentSpanID, parentSpanIdCamel
        case parentSpanIDCamel, parentID, name, operationName, operationNameCamel, startTime, startTimeCamel
        case startTimeUnixNano, startTimeUnixNanoSnake, endTime, endTimeCamel, endTimeUnixNano
        case endTimeUnixNanoSnake, durationMs, attributes, events, status, kind, spanKind, resource
        case links, traceState, traceStateSnake, tracestate
    }

    static let ids: KeyIndex = {
        precondition(names.count == Field.allCases.count && names.count <= 32, "a spelling for each field, 32 at most")
        return KeyIndex(names)
    }()

    /// Each field's value (the last member of that spelling): its place in `values`, -1 for none.
    private var at: InlineArray<32, Int8>
    private var values: [JSON] = []
    /// The members that are no known field, nulls left out, in order: the span's `extra`.
    private var extraKeys: [String] = []
    private var extraValues: [JSON] = []
    /// The last `service` and `service_name` members (some producers put the service on the span itself).
    private(set) var service: JSON?
    private(set) var serviceName: JSON?

    /// The first exception event, found by a lean read as it read the events (it keeps no other trace of them: its
    /// `events` field stays unset, so a span whose events had none finds none in it either).
    var leanException: SpanEvent?

    /// No fields yet (a reader sets them as it meets them: `set`, `other`).
    init() { at = InlineArray(repeating: -1) }

    /// The fields of a span object, found in one pass over its keys.
    init(_ o: JSONObject) {
        at = InlineArray(repeating: -1)
        for (k, v) in zip(o.keys, o.values) {
            if Span.knownShape.admits(k), let f = SpanFields.ids.id(k) { set(f, v) } else { other(k, v) }
        }
    }

    /// The member of field `f` (a later one replaces an earlier one, as `JSONObject`'s subscript reads the last).
    /// The value is moved in (a reader's value is its own: no copy to count and then release).
    mutating func set(_ f: Field, _ v: consuming JSON) { set(f.rawValue, v) }

    private mutating func set(_ f: Int, _ v: consuming JSON) {
        let p = at[f]
        if p >= 0 {
            values[Int(p)] = v
        } else {
            if values.isEmpty { values.reserveCapacity(16) }
            at[f] = Int8(values.count)
            values.append(v)
        }
    }

    /// A member that is no known field.
    mutating func other(_ k: String, _ v: JSON) {
        if k == "service" { service = v } else if k == "service_name" { serviceName = v }
        if !v.isNull {
            extraKeys.append(k)
            extraValues.append(v)
        }
    }

    /// The members that are no known field, nulls left out.
    var extra: JSONObject { extraKeys.isEmpty ? JSONObject() : JSONObject(keys: extraKeys, values: extraValues) }

    subscript(_ f: Field) -> JSON? {
        let p = at[f.rawValue]
        return p < 0 ? nil : values[Int(p)]
    }

    /// The first of the fields that is non-empty text (no array of them made: this runs some six times a span).
    func text(_ a: Field, _ b: Field, _ c: Field? = nil, _ d: Field? = nil) -> String? {
        if let t = nonEmptyText(a) { return t }
        if let t = nonEmptyText(b) { return t }
        if let c, let t = nonEmptyText(c) { return t }
        if let d, let t = nonEmptyText(d) { return t }
        return nil
    }

    private func nonEmptyText(_ f: Field) -> String? {
        guard let t = kept(f, \.text), !t.isEmpty else { return nil }
        return t
    }

    /// The first of the fields that is a time (`Span.timeValue`).
    func time(_ a: Field, _ b: Field, _ c: Field, _ d: Field) -> Int64? {
        kept(a, Span.timeValue) ?? kept(b, Span.timeValue) ?? kept(c, Span.timeValue) ?? kept(d, Span.timeValue)
    }

    /// `read` of field `f`'s value where it is kept (nil: no such field): `self[f]`, like an array's subscript, copies
    /// the value, its texts counted once more and then released.
    @inline(__always)
    private func kept<R>(_ f: Field, _ read: (JSON) -> R?) -> R? {
        let p = at[f.rawValue]
        return p < 0 ? nil : values.withUnsafeBufferPointer { read($0[Int(p)]) }
    }
}
