import TraceMindFormats

/// What OpenSearch gives back in `_source`, brought to the form SMOLTRACE's JSON datasets have.
enum OpenSearchDocuments {
    /// A trace document with every span's `attributes`, `resource.attributes` and events' `attributes` as flat dotted
    /// keys. SMOLTRACE indexes them flat (`"llm.token_count.total": 12`) and `_source` returns them so; a store that
    /// was written by another client, or that expands dotted fields, returns `{"llm": {"token_count": {"total": 12}}}`,
    /// which would otherwise hide every figure. Attribute values are never objects in OpenTelemetry, so flattening
    /// loses nothing.
    static func normalised(_ doc: JSON) -> JSON {
        guard var o = doc.objectValue, let spans = o["spans"]?.arrayValue else { return doc }
        o.set("spans", .array(spans.map(span)))
        return .object(o)
    }

    static func span(_ s: JSON) -> JSON {
        guard var o = s.objectValue else { return s }
        if let a = o["attributes"] { o.set("attributes", flat(a)) }
        if var r = o["resource"]?.objectValue, let a = r["attributes"] {
            r.set("attributes", flat(a))
            o.set("resource", .object(r))
        }
        if let events = o["events"]?.arrayValue {
            o.set(
                "events",
                .array(
                    events.map { e in
                        guard var eo = e.objectValue, let a = eo["attributes"] else { return e }
                        eo.set("attributes", flat(a))
                        return .object(eo)
                    }))
        }
        return .object(o)
    }

    /// `{"a": {"b": 1}, "c": 2}` → `{"a.b": 1, "c": 2}`, key order kept; an object with no nested objects is returned
    /// as it is.
    static func flat(_ attributes: JSON) -> JSON {
        guard let o = attributes.objectValue, o.values.contains(where: { $0.objectValue != nil }) else { return attributes }
        var out = JSONObject()
        func add(_ prefix: String, _ v: JSON, depth: Int) {
            if let inner = v.objectValue, depth < 32 {
                for (k, x) in zip(inner.keys, inner.values) { add(prefix.isEmpty ? k : prefix + "." + k, x, depth: depth + 1) }
            } else {
                out.set(prefix, v)
            }
        }
        add("", attributes, depth: 0)
        return .object(out)
    }
}
