import Foundation
import TraceMindFormats

/// The fields of a span object found in one pass over its keys: each spelling of each field the span reads (every
/// era's and producer's), by its place in the object, the last of a key given twice (as `JSONObject`'s subscript
/// reads it). Reading a span asked the object for some thirty spellings, each a search of its keys.
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

    let object: JSONObject
    private var at: InlineArray<32, Int32>
    /// The places of the members that are no known field, in order.
    private(set) var others: [Int] = []

    init(_ o: JSONObject) {
        object = o
        at = InlineArray(repeating: -1)
        for (i, k) in o.keys.enumerated() {
            if Span.knownShape.admits(k), let f = SpanFields.ids.id(k) { at[f] = Int32(i) } else { others.append(i) }
        }
    }

    subscript(_ f: Field) -> JSON? {
        let p = at[f.rawValue]
        return p < 0 ? nil : object.values[Int(p)]
    }

    /// The first of the fields that is non-empty text.
    func text(_ a: Field, _ b: Field, _ c: Field? = nil, _ d: Field? = nil) -> String? {
        for f in [a, b, c, d] {
            if let f, let t = self[f]?.text, !t.isEmpty { return t }
        }
        return nil
    }

    /// The first of the fields that is a time (`Span.timeValue`).
    func time(_ a: Field, _ b: Field, _ c: Field, _ d: Field) -> Int64? {
        for f in [a, b, c, d] {
            if let v = self[f], let t = Span.timeValue(v) { return t }
        }
        return nil
    }
}
