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
        return h.withUTF8 { u in SearchNeedle.contains(u, needle) }
    }

    /// Case-insensitive (ASCII letters) byte search; `needle` is lower case.
    static func contains(_ u: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        let m = needle.count, n = u.count
        guard m <= n else { return false }
        let first = needle[0]
        let firstUpper = first >= 0x61 && first <= 0x7A ? first - 32 : first
        var i = 0
        while i <= n - m {
            let c = u[i]
            if c == first || c == firstUpper {
                var k = 1
                while k < m {
                    var b = u[i + k]
                    if b >= 0x41 && b <= 0x5A { b += 32 }
                    if b != needle[k] { break }
                    k += 1
                }
                if k == m { return true }
            }
            i += 1
        }
        return false
    }
}
