import TraceMindFormats
import TraceMindReport
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
        if slices == 1 { return needle.matching(candidates[...], spans) }
        let parts = Parallel.map(slices, progress: nil, isCancelled: nil, eachAlone: true) { k -> RecordSlot<[Int]> in
            let lo = k * candidates.count / slices, hi = (k + 1) * candidates.count / slices
            return .value(needle.matching(candidates[lo..<hi], spans))
        }
        var out: [Int] = []
        for case .value(let part) in parts { out += part }
        return out
    }

    /// A query as it is matched: lower-cased, without surrounding spaces.
    static func normalized(_ query: String) -> String { query.lowercased().trimmingBlanks() }

    /// The spans a query is looked for among: the previous matches when it contains the previous query (typing on
    /// narrows them), else every span.
    static func candidates(_ v: TraceView, _ wf: Waterfall, _ query: String) -> [Int] {
        if v.matchesOf == wf.id, let old = v.matchedQuery, !old.isEmpty, query.containsText(old) { return v.matches }
        return wf.analysis.order
    }

    /// Brings `v.matches` up to date with `v.search`, once per query: a query that contains the previous one (typing
    /// on) only narrows the previous matches; `n`/`N` reuse them.
    static func refreshMatches(_ v: inout TraceView, _ wf: Waterfall) {
        let query = normalized(v.search)
        v.searching = nil
        guard v.matchedQuery != query || v.matchesOf != wf.id else { return }
        if let needle = SearchNeedle(query) {
            v.matches = filter(candidates(v, wf, query), wf, needle)
        } else {
            v.matches = []
        }
        v.matchedQuery = query
        v.matchesOf = wf.id
        v.matchesSorted = v.matches.sorted()
    }

    /// The search text changed: the first match is selected now, or — when that means looking through many spans —
    /// the search is started in the background (a search still under way for an older text is cancelled).
    static func searchTyped(_ s: inout AppState) -> [Effect] {
        guard var v = view(s.route) else { return [] }
        var effects: [Effect] = []
        if let old = v.searching {
            effects.append(.cancel(.search(v.ref, old)))
            v.searching = nil
        }
        let query = normalized(v.search)
        if let wf = s.traces[v.ref]?.value, !query.isEmpty, v.matchedQuery != query || v.matchesOf != wf.id {
            let n = candidates(v, wf, query).count
            if n > s.backgroundSearchSpans {
                v.searching = query
                store(&s, v)
                s.message = "searching \(Format.grouped(n)) spans for '\(v.search)'…"
                return effects + [.load(.search(v.ref, query))]
            }
        }
        store(&s, v)
        jumpToMatch(&s, forward: true, includeCurrent: true)
        return effects
    }

    /// A background search's matches: kept, and the first selected, when the view still searches for that text.
    static func searched(_ s: inout AppState, _ ref: TraceRef, _ query: String, _ found: [Int]?) {
        guard var v = view(s.route), v.ref == ref, v.searching == query else { return }
        v.searching = nil
        if let found, let wf = s.traces[ref]?.value {
            v.matches = found
            v.matchedQuery = query
            v.matchesOf = wf.id
            v.matchesSorted = found.sorted()
        }
        store(&s, v)
        jumpToMatch(&s, forward: true, includeCurrent: true)
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
        let t = query.lowercased().trimmingBlanks()
        guard !t.isEmpty else { return nil }
        text = t
        ascii = t.utf8.allSatisfy { $0 < 0x80 } ? Array(t.utf8) : nil
    }

    func matches(_ sp: Span) -> Bool { !matching([0], [sp]).isEmpty }

    /// The indices among `candidates` whose spans match, in order. The spans' bytes are read a run at a time (one read
    /// for spans close together in their file): a span whose bytes hold neither the query nor a \u escape cannot
    /// match (the query has no character JSON escapes) and its details are not read.
    func matching(_ candidates: ArraySlice<Int>, _ spans: [Span]) -> [Int] {
        var out: [Int] = []
        var lo = candidates.startIndex
        while lo < candidates.endIndex {
            let run = Array(candidates[lo..<min(candidates.endIndex, lo + 512)])
            lo += run.count
            let sps = run.map { spans[$0] }
            var hit = [Bool](repeating: false, count: run.count)
            var unread: [Int] = []
            Span.withEachBytes(sps) { k, raw in
                if found(in: sps[k].name) || found(in: sps[k].spanID) {
                    hit[k] = true
                } else if let needle = plain, let raw, !ByteSearch.containsFoldingCase(raw, needle), !ByteSearch.containsFoldingCase(raw, SearchNeedle.unicodeEscape) {
                    hit[k] = false
                } else if let needle = ascii, let raw, let decided = (try? JSONParser.anyText(raw) { ByteSearch.containsFoldingCase($0, needle) }) ?? nil {
                    // The values the search reads, tested in the bytes without building them.
                    hit[k] = decided
                } else {
                    unread.append(k)
                }
            }
            for (k, d) in zip(unread, Span.details(unread.map { sps[$0] })) { hit[k] = matches(d) }
            for (k, i) in run.enumerated() where hit[k] { out.append(i) }
        }
        return out
    }

    func matches(_ d: SpanDetails) -> Bool {
        for v in d.attributes.values {
            if let s = v.text, found(in: s) { return true }
        }
        return d.events.contains { e in found(in: e.name) || e.attributes.values.contains { $0.text.map(found) == true } }
    }

    static let unicodeEscape = Array("\\u".utf8)

    /// The ASCII query when it holds only characters a JSON writer writes as they are (no quote, backslash, slash or
    /// control character): then it matches a value only where it is in the value's bytes.
    var plain: [UInt8]? {
        guard let a = ascii, a.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C && $0 != 0x2F }) else { return nil }
        return a
    }

    func found(in haystack: String) -> Bool {
        guard let needle = ascii else { return haystack.lowercased().containsText(text) }
        var h = haystack
        return h.withUTF8 { u in ByteSearch.containsFoldingCase(UnsafeRawBufferPointer(u), needle) }
    }
}
