import TraceMindFormats
import TraceMindModel

/// The waterfall's search: its matches, made once per query, and the steps between them.
extension TraceScreen {
    /// Spans whose name or any attribute value contains the text (case-insensitive), in tree order.
    static func matches(_ wf: Waterfall, _ text: String) -> [Int] {
        guard let needle = SearchNeedle(text) else { return [] }
        return filter(wf.analysis.order, wf, needle)
    }

    /// The spans of `candidates` (in order) that match: on all cores for a large trace, in slices whose results are
    /// joined in order.
    static func filter(_ candidates: [Int], _ wf: Waterfall, _ needle: SearchNeedle, slices wanted: Int? = nil) -> [Int] {
        let spans = wf.analysis.trace.spans
        let slices = wanted ?? (candidates.count < 20_000 ? 1 : 16)
        if slices == 1 { return candidates.filter { needle.matches(spans[$0]) } }
        let parts = Parallel.map(slices, progress: nil, isCancelled: nil, eachAlone: true) { k -> RecordSlot<[Int]> in
            let lo = k * candidates.count / slices, hi = (k + 1) * candidates.count / slices
            return .value(candidates[lo..<hi].filter { needle.matches(spans[$0]) })
        }
        var out: [Int] = []
        for case .value(let part) in parts { out += part }
        return out
    }

    /// Brings `v.matches` up to date with `v.search`, once per query: a query that contains the previous one (typing
    /// on) only narrows the previous matches; `n`/`N` reuse them.
    static func refreshMatches(_ v: inout TraceView, _ wf: Waterfall) {
        let query = v.search.lowercased().trimmingCharacters(in: .whitespaces)
        guard v.matchedQuery != query || v.matchesOf != wf.id else { return }
        if v.matchesOf == wf.id, let old = v.matchedQuery, !old.isEmpty, query.contains(old), let needle = SearchNeedle(query) {
            v.matches = filter(v.matches, wf, needle)
        } else {
            v.matches = matches(wf, query)
        }
        v.matchedQuery = query
        v.matchesOf = wf.id
        v.matchesSorted = v.matches.sorted()
    }

    /// Moves to the next (or previous) search match, unfolding what hides it.
    static func jumpToMatch(_ s: inout AppState, forward: Bool, includeCurrent: Bool) {
        guard var v = view(s.route), let wf = s.traces[v.ref]?.value else { return }
        refreshMatches(&v, wf)
        defer {
            store(&s, v)
            clamp(&s)
        }
        guard !v.matches.isEmpty else {
            if !v.search.isEmpty { s.message = "no span matches '\(v.search)'" }
            return
        }
        // Matches are in tree order: the next one after the selection is found by bisection.
        let pos = wf.position
        let cur = v.selectedSpan.map { pos[$0] } ?? -1
        func firstAtOrAfter(_ p: Int) -> Int {
            var lo = 0, hi = v.matches.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if pos[v.matches[mid]] < p { lo = mid + 1 } else { hi = mid }
            }
            return lo
        }
        let k: Int
        if forward {
            let j = firstAtOrAfter(includeCurrent ? cur : cur + 1)
            k = j < v.matches.count ? j : 0
        } else {
            let j = firstAtOrAfter(cur) - 1
            k = j >= 0 ? j : v.matches.count - 1
        }
        let target = v.matches[k]
        reveal(&v, target, wf.analysis)
        let n = k + 1
        s.message = "match \(n) of \(v.matches.count) for '\(v.search)' (n/N)"
    }
}

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
