import Foundation
import TestSupport
import Testing
import TraceMindDemo
import TraceMindFormats
@testable import TraceMindModel

/// A large trace document is parsed with its spans split across the cores: the same trace as the one-piece parse.
@Suite struct LargeTraceTests {
    /// The demo's long-horizon trace, lengthened past the large-record size.
    static func longTraceRecord() -> (data: Data, range: Range<Int>) {
        var o = DemoOptions()
        o.longTraceSteps = 3000
        let files = DemoGenerator(options: o).files()
        let data = files.first { $0.key.hasSuffix("openai_gpt-4o-mini_both_20261102_091500/traces.json") }!.value
        let ranges = JSONParser.elementRanges(data).ranges
        return (data, ranges.max { $0.count < $1.count }!)
    }

    @Test func aLargeDocumentParsedOnAllCoresIsTheSameTrace() throws {
        let (data, range) = Self.longTraceRecord()
        #expect(range.count >= Trace.largeRecordBytes, "the record is large enough to take the parallel path")
        let whole = Trace(json: try JSONParser.parse(data, range: range).objectValue!)
        let split = try #require(try Trace.parseLarge(data, range: range))
        #expect(split.spans.count > 14_000)
        #expect(split == whole)
        // A cap on strings (the run summary's) never reaches the spans: their details are read again whole.
        #expect(try Trace.parseLarge(data, range: range, maxStringBytes: 16)?.spans == whole.spans)
        // The run loader takes the same path and gets the same figures.
        let a = TraceAnalysis(split), b = TraceAnalysis(whole)
        #expect(a.tokens == b.tokens && a.cost == b.cost && a.llmCalls == b.llmCalls && a.order == b.order)
    }

    @Test func oddElementsAndBrokenSpans() throws {
        let span = #"{"span_id": "0x1", "name": "a", "start_time": 1000, "end_time": 2000}"#
        let doc = Data(#"{"trace_id": "0xabc", "spans": [\#(span), 42, {"span_id": "0x2", "parent_span_id": "0x1", "name": "b"}], "total_tokens": 3}"#.utf8)
        let t = try #require(try Trace.parseLarge(doc, range: 0..<doc.count))
        #expect(t.spans.map(\.name) == ["a", "b"], "a non-object element is skipped, as in the one-piece parse")
        #expect(t == Trace(json: try JSONParser.parse(doc).objectValue!))
        let broken = Data(#"{"trace_id": "0xabc", "spans": [\#(span), {"span_id": ]}"#.utf8)
        #expect(throws: JSONParseError.self) { try Trace.parseLarge(broken, range: 0..<broken.count) }
        let noSpans = Data(#"{"trace_id": "0xabc", "spans": "none"}"#.utf8)
        #expect(try Trace.parseLarge(noSpans, range: 0..<noSpans.count) == nil, "not a spans array: left to the usual parse")
        #expect(try Trace.parseLarge(Data("[1]".utf8), range: 0..<3) == nil)
    }
}
