import TraceMindFormats
import TraceMindModel

/// The waterfall's search text, ready to test spans: their name, id, attribute values and events, case-insensitive.
/// An ASCII query (the usual case) is compared byte by byte with ASCII case folding, without lowering a copy of every
/// value of 300,000 spans; any other query falls back to `lowercased()`.
struct SearchNeedle {
    let text: String
    let ascii: [UInt8]?

    init?(_ query: String) {
        let t = query.lowercased().trimmingCharacters(in: .whitespaces)
        guard !t.isEmpty else { return nil }
        text = t
        ascii = t.utf8.allSatisfy { $0 < 0x80 } ? Array(t.utf8) : nil
    }

    func matches(_ sp: Span) -> Bool {
        if found(in: sp.name) || found(in: sp.spanID) { return true }
        for v in sp.attributes.values {
            if let s = v.text, found(in: s) { return true }
        }
        return sp.events.contains { e in found(in: e.name) || e.attributes.values.contains { $0.text.map(found) == true } }
    }

    func found(in haystack: String) -> Bool {
        guard let needle = ascii else { return haystack.lowercased().contains(text) }
        var h = haystack
        return h.withUTF8 { u in ByteSearch.containsFoldingCase(UnsafeRawBufferPointer(u), needle) }
    }
}
