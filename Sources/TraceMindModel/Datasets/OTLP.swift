import FoundationEssentials
import TraceMindFormats

/// OTLP/JSON, as the OpenTelemetry Collector's file exporter writes it: one `{"resourceSpans": …}` object per line,
/// `resourceSpans[].resource.attributes`, `scopeSpans[]` (older: `instrumentationLibrarySpans[]`) `.spans[]`, hex ids,
/// nanosecond times as strings, typed attribute values (`{"key", "value": {"stringValue" | "intValue" | …}}`).
public enum OTLP {
    /// The spans of one export object, each with its resource's attributes and its scope name. Nil when `o` is not an
    /// OTLP traces object.
    public static func spans(_ o: JSONObject) -> [Span]? {
        guard let rss = o["resourceSpans"]?.arrayValue ?? o["resource_spans"]?.arrayValue else { return nil }
        var out: [Span] = []
        for rs in rss {
            guard let rso = rs.objectValue else { continue }
            let resource = attributes(rso["resource"]?["attributes"] ?? .null)
            let scopes = rso["scopeSpans"]?.arrayValue ?? rso["scope_spans"]?.arrayValue
                ?? rso["instrumentationLibrarySpans"]?.arrayValue ?? []
            for sc in scopes {
                let scopeName = (sc["scope"] ?? sc["instrumentationLibrary"])?["name"]?.text
                for sp in sc["spans"]?.arrayValue ?? [] {
                    guard var so = sp.objectValue else { continue }
                    so.set("resource", .object(resource))
                    if let scopeName, so["otel.scope.name"] == nil { so.set("otel.scope.name", .string(scopeName)) }
                    out.append(Span(json: so, traceID: nil))
                }
            }
        }
        return out
    }

    /// The run id an export carries on its first resource (`run.id`), for matching a file to a run.
    public static func runID(_ o: JSONObject) -> String? {
        guard let first = (o["resourceSpans"] ?? o["resource_spans"])?.arrayValue?.first else { return nil }
        return attributes(first["resource"]?["attributes"] ?? .null)["run.id"]?.text
    }

    /// Typed key-value lists become a plain object; a plain object stays as it is.
    public static func attributes(_ v: JSON) -> JSONObject {
        switch v {
        case .object(let o): return o
        case .array(let a):
            var keys: [String] = [], values: [JSON] = []
            for kv in a {
                guard let key = kv["key"]?.text else { continue }
                let value = self.value(kv["value"] ?? .null)
                if value.isNull { continue }
                keys.append(key)
                values.append(value)
            }
            return JSONObject(keys: keys, values: values)
        default: return JSONObject()
        }
    }

    /// One `AnyValue`: `stringValue`, `intValue` (a string in OTLP/JSON, kept exact), `doubleValue`, `boolValue`,
    /// `arrayValue.values`, `kvlistValue.values`, `bytesValue` (base64, kept as text). A bare value stays as it is.
    public static func value(_ v: JSON) -> JSON {
        guard let o = v.objectValue else { return v }
        if let s = o["stringValue"] ?? o["string_value"] { return s.stringValue.map(JSON.string) ?? s }
        if let i = o["intValue"] ?? o["int_value"] { return i.int64.map(JSON.int) ?? i }
        if let d = o["doubleValue"] ?? o["double_value"] { return d.number.map(JSON.double) ?? d }
        if let b = o["boolValue"] ?? o["bool_value"] { return b.bool.map(JSON.bool) ?? b }
        if let a = o["arrayValue"] ?? o["array_value"] { return .array((a["values"]?.arrayValue ?? []).map(value)) }
        if let kv = o["kvlistValue"] ?? o["kvlist_value"] { return .object(attributes(kv["values"] ?? .null)) }
        if let by = o["bytesValue"] ?? o["bytes_value"] { return by }
        if o.isEmpty { return .null }
        return v
    }
}

/// A link from one span to another (possibly in another trace): shown in the detail pane, followable when loaded.
public struct SpanLink: Sendable, Equatable {
    public var traceID: String
    public var spanID: String
    public var traceState: String?
    public var attributes: JSONObject

    init?(_ v: JSON) {
        guard let o = v.objectValue else { return nil }
        let tid = o["traceId"]?.text ?? o["trace_id"]?.text ?? o["context"]?["trace_id"]?.text
        let sid = o["spanId"]?.text ?? o["span_id"]?.text ?? o["context"]?["span_id"]?.text
        guard let tid, let sid, !tid.isEmpty, !sid.isEmpty else { return nil }
        traceID = tid
        spanID = sid
        traceState = o["traceState"]?.text ?? o["trace_state"]?.text
        attributes = OTLP.attributes(o["attributes"] ?? .null)
    }
}
