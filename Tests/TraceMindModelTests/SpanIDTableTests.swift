import Testing
@testable import TraceMindModel

/// The span-id table finds what a `Dictionary` of first occurrences finds: duplicates, absent ids, empty and
/// non-ASCII ids, and when it gives way to a `Dictionary`.
@Suite struct SpanIDTableTests {
    @Test func findsTheFirstSpanOfEachID() {
        var g = SystemRandomNumberGenerator()
        var ids: [String] = ["", "é", "0x00", "00", "a\u{0}b"]
        for i in 0..<50_000 {
            ids.append(i % 10 == 0 && !ids.isEmpty ? ids[Int.random(in: 0..<ids.count, using: &g)] : String(UInt64.random(in: 0...UInt64.max, using: &g), radix: 16))
        }
        var first: [String: Int] = [:]
        for (i, id) in ids.enumerated() where first[id] == nil { first[id] = i }
        for limit in [16, -1] {
            let t = SpanIDTable(ids: ids, probeLimit: limit)
            #expect(t.isDictionary == (limit < 0))
            #expect(ids.allSatisfy { t.index(of: $0) == first[$0] })
            #expect(["absent", "0x0", "é\u{301}", "a"].allSatisfy { t.index(of: $0) == nil })
        }
        #expect(SpanIDTable(ids: []).index(of: "") == nil)
    }
}
