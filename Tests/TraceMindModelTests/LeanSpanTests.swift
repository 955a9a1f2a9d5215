import Foundation
import TestSupport
import Testing
import TraceMindDemo
import TraceMindFormats
@testable import TraceMindModel
import TraceMindReport

/// Spans read lean from a file (figures, ids, times; details left in the file's bytes) are the spans a whole parse
/// makes, and a trace summarised without per-span figures is the summary of its analysis.
@Suite struct LeanSpanTests {
    /// Every trace document of the demo (both eras, every run, other producers' documents) and of the shared data.
    static func documents() throws -> [(name: String, data: Data, range: Range<Int>)] {
        var files = DemoGenerator().files().filter { $0.key.hasSuffix("traces.json") }.map { ($0.key, $0.value) }
        files.append(("foreign-document", ForeignTraces.traceDocument()))
        files.append(("producer-document", ForeignTraces.producerDocument()))
        if let shared = sharedData() {
            let fm = FileManager.default
            for path in (fm.enumerator(atPath: shared)?.allObjects as? [String] ?? []) where path.hasSuffix("traces.json") {
                files.append((path, try Data(contentsOf: URL(fileURLWithPath: shared + "/" + path))))
            }
        }
        var out: [(String, Data, Range<Int>)] = []
        for (name, data) in files {
            for r in JSONParser.elementRanges(data).ranges { out.append((name, data, r)) }
        }
        return out
    }

    @Test func everySpanReadLeanIsTheSpanOfAWholeParse() throws {
        var spans = 0
        for (name, data, range) in try Self.documents() {
            guard let (head, deferred) = try JSONParser.parseObject(data, range: range, deferring: ["spans"]), let ranges = deferred["spans"] else { continue }
            let tid = head["trace_id"]?.text
            let bytes = SpanBytes(data)
            let keys = JSONKeyTable()
            for r in ranges {
                guard let o = try JSONParser.parse(data, range: r).objectValue else { continue }
                let whole = Span(json: o, traceID: tid)
                let lean = try #require(try Span.lean(data, range: r, traceID: tid, keys: keys, details: bytes))
                #expect(lean.byteRange == r)
                #expect(whole.byteRange == nil)
                // `==` compares the details too: read again from the bytes for the lean span.
                #expect(lean == whole, "\(name): span \(whole.spanID)")
                #expect(lean.usage == whole.usage && lean.category == whole.category && lean.facts == whole.facts)
                #expect(lean.details.problem == nil)
                spans += 1
            }
        }
        #expect(spans > 500, "the demo alone has hundreds of spans")
    }

    /// A document read in one pass (`Trace.read` without `parallel`: each span read lean as it is met; documents under 4 MB) is
    /// the document of a whole parse with the same long strings skipped, span for span, and summarises alike.
    @Test func aDocumentReadInOnePassIsTheWholeParse() throws {
        var docs = try Self.documents()
        // Shapes of its own: elements that are not spans, `spans` given twice (the last counts), no spans, an empty
        // array, spans that are not an array, a long prompt skipped and a long exception message elided alike.
        let long = String(repeating: "x", count: 5000)
        let odd = [
            #"{"trace_id": "t1", "spans": [1, "two", null, {"span_id": "a", "name": "n", "start_time": 1, "end_time": 2}, []]}"#,
            #"{"trace_id": "t2", "spans": [{"span_id": "old"}], "run_id": "r", "spans": [{"span_id": "new", "parent_span_id": "x"}]}"#,
            #"{"trace_id": "t3", "spans": []}"#, #"{"trace_id": "t4"}"#, #"{"trace_id": "t5", "spans": {"span_id": "s"}}"#,
            #"{"trace_id": "t6", "spans": [{"span_id": "s", "attributes": {"input.value": "\#(long)", "gen_ai.usage.input_tokens": 7}, "#
                + #""events": [{"name": "exception", "attributes": {"exception.type": "E", "exception.message": "\#(long)"}}], "#
                + #""status": {"code": "ERROR", "description": "\#(long)"}}]}"#,
        ]
        for (k, text) in odd.enumerated() {
            let data = Data(text.utf8)
            docs.append(("odd-\(k)", data, 0..<data.count))
        }
        var traces = 0
        for (name, data, range) in docs {
            let keys = JSONKeyTable()
            let once = try Trace.read(data, range: range, maxStringBytes: 4096, parallel: false, keys: keys)
            let whole = try JSONParser.parse(data, range: range, maxStringBytes: 4096)
            guard let o = whole.objectValue else {
                #expect(once == nil, "\(name)")
                continue
            }
            guard o["spans"]?.arrayValue != nil else {
                guard case .object(let head)? = once else {
                    Issue.record("\(name): a record without a spans array is the object")
                    continue
                }
                #expect(head == o, "\(name)")
                continue
            }
            guard case .trace(let t)? = once else {
                Issue.record("\(name): not read as a trace")
                continue
            }
            let w = Trace(json: o)
            #expect(t.traceID == w.traceID && t.runID == w.runID && t.testIDs == w.testIDs && t.raw == w.raw, "\(name)")
            #expect(t.spans.count == w.spans.count, "\(name)")
            for (a, b) in zip(t.spans, w.spans) {
                #expect(a.spanID == b.spanID && a.parentSpanID == b.parentSpanID && a.name == b.name && a.startNs == b.startNs && a.endNs == b.endNs, "\(name)")
                #expect(a.usage == b.usage && a.category == b.category && a.facts == b.facts && a.status == b.status, "\(name)")
                #expect(a.exception == b.exception && a.hasExceptionEvent == b.hasExceptionEvent, "\(name)")
                #expect(a.byteRange.map { data[$0].first == UInt8(ascii: "{") } ?? false, "\(name): the span's bytes are its own")
            }
            let loc = TraceLocation(path: name, byteRange: range, index: 0)
            #expect(TraceSummary(t, location: loc) == TraceSummary(w, location: loc), "\(name)")
            traces += 1
        }
        #expect(traces > 20)
        // A broken span breaks its document, as it does a whole parse.
        let broken = Data(#"{"trace_id": "t", "spans": [{"span_id": "a", "attributes": {"k": tru}}]}"#.utf8)
        #expect(throws: JSONParseError.self) { try Trace.read(broken, range: 0..<broken.count, maxStringBytes: 4096, parallel: false) }
    }

    @Test func aTraceSummarisedWithoutFiguresIsItsAnalysisSummary() throws {
        var traces = 0
        for (name, data, range) in try Self.documents() {
            guard let o = try JSONParser.parse(data, range: range).objectValue, o["spans"] != nil else { continue }
            let t = Trace(json: o)
            let loc = TraceLocation(path: name, byteRange: range, index: 0)
            #expect(TraceSummary(t, location: loc) == TraceSummary(TraceAnalysis(t), location: loc), "\(name)")
            // The walk that keeps only the open path's sums counts what the full accounting counts, added alike.
            let tree = SpanTree(t.spans)
            let full = UsageAccounting(t.spans, tree), lean = UsageAccounting(selfOnly: t.spans, tree)
            #expect(full.selfTokens == lean.selfTokens && full.selfCost == lean.selfCost)
            #expect(full.rollup == lean.rollup && full.counted == lean.counted)
            traces += 1
        }
        #expect(traces > 20)
    }

    @Test func theLongTraceReadLeanHoldsNoAttributeTables() throws {
        let (data, range) = LargeTraceTests.longTraceRecord()
        let t = try #require(try Trace.parseLarge(data, range: range))
        #expect(t.spans.allSatisfy { $0.byteRange != nil }, "every span of a large document leaves its details in the file")
        #expect(t.spans.allSatisfy { Set($0.facts.keys).isSubset(of: Span.factKeys) })
        #expect(t.spans.contains { $0.details.attributes["input.value"] != nil }, "prompts are read again when asked for")
        // Summaries of the large document (the run's path) are those of a whole parse.
        let whole = Trace(json: try JSONParser.parse(data, range: range).objectValue!)
        let loc = TraceLocation(path: "t", byteRange: range, index: 0)
        #expect(TraceSummary(t, location: loc) == TraceSummary(TraceAnalysis(whole), location: loc))
    }

    @Test func aSpanWhoseSkippedValueIsBrokenSaysSoWhenShown() throws {
        // The first read only checks the structure of values it skips: a prompt that is not JSON inside is found when
        // the span's details are read, and said, never a crash or an empty span passed off as whole.
        let doc = Data(#"{"span_id": "0x1", "name": "llm", "attributes": {"gen_ai.usage.total_tokens": 12, "input.value": {"a" 1}}}"#.utf8)
        let span = try #require(try Span.lean(doc, range: 0..<doc.count, traceID: "0xabc", keys: JSONKeyTable(), details: SpanBytes(doc)))
        #expect(span.usage.totalTokens == 12)
        let d = span.details
        #expect(d.problem != nil)
        #expect(d.attributes.isEmpty)
        // A broken scalar is read, not skipped: the first read fails as a whole parse does.
        let scalar = Data(#"{"span_id": "0x1", "attributes": {"input.value": tru}}"#.utf8)
        #expect(throws: JSONParseError.self) { try Span.lean(scalar, range: 0..<scalar.count, traceID: nil, keys: JSONKeyTable(), details: SpanBytes(scalar)) }
        let unterminated = Data(#"{"span_id": "0x1", "attributes": {"input.value": "abc}}"#.utf8)
        #expect(throws: JSONParseError.self) { try Span.lean(unterminated, range: 0..<unterminated.count, traceID: nil, keys: JSONKeyTable(), details: SpanBytes(unterminated)) }
    }
}

extension LeanSpanTests {
    /// A document read by its layout on all cores, or by the structural scan when the layout misleads, is the trace
    /// of a whole parse.
    @Test func documentsReadByLayoutOrScanAreTheWholeTrace() throws {
        let span = { (i: Int) -> JSON in
            .obj([("span_id", .string("0x\(i)")), ("parent_span_id", i == 0 ? .null : "0x0"), ("name", "s"),
                ("attributes", .obj([("gen_ai.usage.total_tokens", .int(Int64(i))), ("input.value", "]\n  ],\n  {")]))])
        }
        // An array after the spans longer than the lines the layout guess looks at from the end: the guess is wrong,
        // and the scan reads the document.
        let ids = JSON.array((0..<400).map { .string("t\($0)") })
        for after in [[("total_tokens", JSON.int(5))], [("test_ids", .array(["a"])), ("total_tokens", 5)], [], [("test_ids", ids)]] {
            for pretty in [true, false] {
                let spans = (0..<40).map(span)
                let data = JSONWriter.data(.object(JSONObject(writing: [("trace_id", "0xabc"), ("spans", .array(spans))] + after)), pretty: pretty)
                guard case .trace(let t)? = try Trace.read(data, range: 0..<data.count, parallel: true) else {
                    Issue.record("a trace document")
                    continue
                }
                #expect(t == Trace(json: try JSONParser.parse(data).objectValue!), "after: \(after.map(\.0)), pretty: \(pretty)")
                #expect(t.spans.count == spans.count)
            }
        }
    }
}

extension LeanSpanTests {
    /// A trace opened from its file keeps no copy of its text: its spans read their details from the file again, one
    /// at a time or a batch at a time, and a file changed since is said, never read as if it were the same.
    @Test func detailsAreReadFromTheFileAgainAndAChangedFileIsSaid() throws {
        let (data, range) = LargeTraceTests.longTraceRecord()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tm-lean-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("traces.json").path
        try data.write(to: URL(fileURLWithPath: path))
        let loc = TraceLocation(path: path, byteRange: range, index: 0, fileSize: data.count)
        let whole = Trace(json: try JSONParser.parse(data, range: range).objectValue!)
        for bytes in [nil, data] {
            let t = try RunLoader.loadTrace(at: loc, traceID: whole.traceID, fs: LocalFileSystem(), bytes: bytes)
            #expect(t == whole, "read \(bytes == nil ? "by range" : "from the file's bytes"), details from the file")
            let some = Array(t.spans.prefix(500))
            #expect(Span.details(some) == some.map(\.details), "a batch reads what spans read one by one")
        }
        let a = TraceAnalysis(try RunLoader.loadTrace(at: loc, traceID: whole.traceID, fs: LocalFileSystem()))
        #expect(Reports.traceSpansJSON(a, 10..<700) == (10..<700).map { Reports.traceSpanJSON(a, $0) })
        // Rewritten to the same size with other spans (ids changed), then cut short.
        let t = try RunLoader.loadTrace(at: loc, traceID: whole.traceID, fs: LocalFileSystem())
        var changed = data
        changed.withUnsafeMutableBytes { raw in
            let needle = Array("\"span_id\": \"0x".utf8)
            var i = 0
            while i + needle.count < raw.count {
                if raw[i] == needle[0], Array(raw[i..<(i + needle.count)]) == needle { raw[i + needle.count] = raw[i + needle.count] == 0x61 ? 0x62 : 0x61 }
                i += 1
            }
        }
        try changed.write(to: URL(fileURLWithPath: path))
        let d = t.spans[0].details
        #expect(d.problem?.contains("changed") == true && d.attributes.isEmpty)
        #expect(Span.details(Array(t.spans.prefix(50))).allSatisfy { $0.problem != nil })
        try Data(data.prefix(1000)).write(to: URL(fileURLWithPath: path))
        #expect(t.spans[1].details.problem?.contains("changed") == true)
    }
}

extension LeanSpanTests {
    /// `trace -f json` writes a span's attributes from their text (`Reports.writeTraceSpans`): the report is byte for
    /// byte the one written from the spans' details as values, for a long generated trace and for spans whose
    /// attributes are in OTLP's array form, null, text, given twice, nested deep, hold nulls, escapes, controls and
    /// bytes that are not UTF-8, or whose bytes do not parse.
    @Test func theTraceReportWrittenFromTextIsTheOneWrittenFromValues() throws {
        let deep = String(repeating: "[", count: 70) + String(repeating: "]", count: 70)
        let odd = [
            #"{"span_id": "0x2", "parent_span_id": "0x1", "name": "otlp", "attributes": [{"key": "k", "value": {"stringValue": "v"}}, {"key": "n", "value": {}}]}"#,
            #"{"span_id": "0x3", "parent_span_id": "0x1", "name": "nulls", "attributes": {"a": null, "b": 1, "c": {"d": null}, "e": null}}"#,
            #"{"span_id": "0x4", "parent_span_id": "0x1", "name": "text", "attributes": "not an object", "links": [{"trace_id": "0xabc", "span_id": "0x9", "attributes": {"x": 1}}]}"#,
            #"{"span_id": "0x5", "parent_span_id": "0x1", "name": "null", "attributes": null}"#,
            #"{"span_id": "0x6", "parent_span_id": "0x1", "name": "twice", "attributes": {"a": 1}, "attributes": {"b": 2}}"#,
            #"{"span_id": "0x7", "parent_span_id": "0x1", "name": "deep", "attributes": {"d": \#(deep)}}"#,
            #"{"span_id": "0x8", "parent_span_id": "0x1", "name": "escapes", "attributes": {"s": "\u001b[31m \u202e \ud83d\ude00 \ud800 \/ \"q\"", "n": -0.0, "big": 1e400, "i": 12345678901234567890}}"#,
            #"{"span_id": "0x9", "parent_span_id": "0x1", "name": "broken", "attributes": {"a": 1}, "payload": [tru]}"#,
            #"{"span_id": "0xa", "parent_span_id": "0x1", "name": "none"}"#,
            #"{"span_id": "0xb", "span_id": "0xb", "parent_span_id": "0x1", "name": "ids", "attributes": {"x": "y"}}"#,
        ]
        var doc = Array(#"{"trace_id": "0xabc", "spans": [{"span_id": "0x1", "name": "root", "start_time": 1000, "end_time": 9000, "attributes": {"c1": "a"#.utf8)
        doc += [0xC2, 0x85] + Array(#" bad "#.utf8) + [0xFF, 0xC0, 0xAF] + Array(#"", "k\u0000": [1, 2.5, true, null, {}]}}"#.utf8)
        for s in odd { doc += Array(", ".utf8) + Array(s.utf8) }
        doc += Array("]}".utf8)
        let (long, longRange) = LargeTraceTests.longTraceRecord()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tm-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let longID = Trace(json: try JSONParser.parse(long, range: longRange).objectValue!).traceID
        // The odd document does not parse whole (a span's payload is broken): it is read lean, as `trace` reads it.
        for (name, data, range, id) in [("odd", Data(doc), 0..<doc.count, "0xabc"), ("long", long, longRange, longID)] {
            let path = dir.appendingPathComponent("\(name).json").path
            try data.write(to: URL(fileURLWithPath: path))
            let loc = TraceLocation(path: path, byteRange: range, index: 0, fileSize: data.count)
            let a = TraceAnalysis(try RunLoader.loadTrace(at: loc, traceID: id, fs: LocalFileSystem()))
            #expect(a.order.count == (name == "odd" ? odd.count + 1 : 3000) || (name == "long" && a.order.count > 10_000), "\(name): \(a.order.count) spans")
            var fromText: [UInt8] = [], fromValues: [UInt8] = []
            JSONWriter.stream(head: [("trace_id", .string(id))], key: "spans", count: a.order.count, batch: 97, writing: {
                Reports.writeTraceSpans(a, $0, into: &$1)
            }) { fromText.append(contentsOf: $0) }
            JSONWriter.stream(head: [("trace_id", .string(id))], key: "spans", count: a.order.count, batch: 97, elements: {
                Reports.traceSpansJSON(a, $0)
            }) { fromValues.append(contentsOf: $0) }
            #expect(fromText == fromValues, "\(name)")
            // Which spans were written from their text: all but those only their details can say.
            let spans = a.order.map { a.trace.spans[$0] }
            var fromTextNames: [String] = []
            Span.withEachBytes(spans) { k, raw in
                var out: [UInt8] = []
                if let raw, spans[k].reportDetails(raw, keys: JSONKeyTable(), attributes: &out, indent: 6) != nil { fromTextNames.append(spans[k].name) }
            }
            if name == "odd" {
                #expect(Set(fromTextNames) == ["root", "nulls", "text", "null", "escapes", "none", "ids"])
            } else {
                #expect(fromTextNames.count == spans.count)
            }
            if name == "odd" {
                let text = String(decoding: fromText, as: UTF8.self)
                #expect(text.contains(#""k": "v""#) && text.contains(#""b": 2"#))
                #expect(!fromText.contains(0x1B) && !text.contains("\u{85}") && !text.contains("\u{202E}"), "nothing raw that acts on a terminal")
            }
        }
    }
}
