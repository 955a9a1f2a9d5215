import Foundation
import Testing
import TraceMindDemo
import TraceMindFormats
@testable import TraceMindModel

/// The lean read of a trace document straight from its bytes (`Span.leanFields`, `JSONReader`) makes the spans the
/// picking parse it replaced made (`JSONParser.parseObject(_:range:picking:with:…)` with `Span.pick`, each span then
/// made of its picked object), fails where that parse fails with the same message at the same byte, and reads the
/// same document head: on every producer's shapes, odd ones, and thousands of broken variants.
@Suite struct SpanLeanReadTests {
    /// What a span's figures and identity are (everything but where its details are kept).
    static func figures(_ s: Span) -> [String] {
        [
            s.traceID, s.spanID, "\(s.parentSpanID as Any)", s.name, "\(s.startNs as Any)", "\(s.endNs as Any)",
            "\(s.storedDurationMs as Any)", s.otelKind, s.category.rawValue, "\(s.status)", "\(s.usage)",
            "\(s.traceState as Any)", "\(s.facts)", "\(s.serviceName as Any)", "\(s.resourceRunID as Any)",
            "\(s.exception as Any)", "\(s.hasExceptionEvent)",
        ]
    }

    /// The document as the picking parse read it: its head and its spans' figures, or its error.
    static func picked(_ data: Data) -> Result<(JSONObject, [[String]]?)?, JSONParseError> {
        do throws(JSONParseError) {
            guard let (head, elements) = try JSONParser.parseObject(
                data, range: 0..<data.count, picking: "spans", with: Span.pick, maxStringBytes: 4096, keys: JSONKeyTable())
            else { return .success(nil) }
            let tid = head["trace_id"]?.text ?? head["traceId"]?.text
            let spans = elements.map { $0.compactMap { $0.value.objectValue.map { figures(Span(json: $0, traceID: tid)) } } }
            return .success((head, spans))
        } catch {
            return .failure(error)
        }
    }

    /// The document as the lean read reads it, in the same form.
    static func read(_ data: Data) -> Result<(JSONObject, [[String]]?)?, JSONParseError> {
        do throws(JSONParseError) {
            switch try Trace.read(data, range: 0..<data.count, maxStringBytes: 4096, parallel: false, keys: JSONKeyTable()) {
            case nil: return .success(nil)
            case .object(let o)?: return .success((o, nil))
            case .trace(let t)?: return .success((t.raw, t.spans.map(figures)))
            }
        } catch {
            return .failure(error)
        }
    }

    /// Both reads of `data` agree: the same head and spans, or the same error at the same byte.
    static func agree(_ data: Data, _ label: String) {
        switch (picked(data), read(data)) {
        case (.failure(let a), .failure(let b)):
            #expect(a.message == b.message && a.offset == b.offset, "\(label): \(a) / \(b)")
        case (.success(let a), .success(let b)):
            #expect(a?.0 == b?.0, "\(label): the heads differ")
            // A document without a spans array is its head (both: nil spans).
            #expect(a?.1 == b?.1, "\(label): the spans differ")
        case (let a, let b):
            Issue.record("\(label): one read failed: \(a) / \(b)")
        }
    }

    static let odd: [String] = [
        // Members given twice: the last counts, for fields, attributes, status, resource and the spans array.
        #"{"trace_id": "t", "spans": [{"span_id": "a", "name": "x", "name": "y", "attributes": {"llm.token_count.prompt": 5}, "attributes": {"gen_ai.usage.input_tokens": 7, "gen_ai.usage.input_tokens": 9}, "status": {"code": "OK"}, "status": {"code": 2}}]}"#,
        #"{"trace_id": "t", "spans": [{"span_id": "old"}], "spans": [{"span_id": "new"}], "spans": []}"#,
        // Nulls in the attributes (Hub rows), attributes of OTLP's array form, of no form at all.
        #"{"trace_id": "t", "spans": [{"span_id": "a", "attributes": {"gen_ai.usage.input_tokens": null, "llm.token_count.prompt": 3, "tool.name": null}}]}"#,
        #"{"trace_id": "t", "spans": [{"span_id": "a", "attributes": [{"key": "gen_ai.usage.input_tokens", "value": {"intValue": "12"}}, {"key": "other", "value": {"stringValue": "x"}}]}, {"span_id": "b", "attributes": "text"}, {"span_id": "c", "attributes": 4}, {"span_id": "d", "attributes": null}]}"#,
        // Keys with escapes, keys beyond ASCII (one canonically equivalent to ASCII text: the Kelvin sign).
        #"{"trace_id": "t", "spans": [{"span\u005fid": "a", "attributes": {"gen_ai.usage.input\u005ftokens": 4, "gen_ai.usage.input_tokens\u00e9": 5, "\u212Aind": 1}, "\u212Aind": "SERVER", "na\u0301me": "n"}]}"#,
        // The document's id after its spans, spans with ids of their own and without, camelCase spellings.
        #"{"spans": [{"span_id": "a"}, {"span_id": "b", "trace_id": "own"}, {"spanId": "c", "traceId": "t"}], "trace_id": "t"}"#,
        #"{"traceId": "t2", "spans": [{"spanId": "a", "parentSpanId": "0000000000000000", "startTimeUnixNano": "1700000000000000000", "endTimeUnixNano": "1700000000500000000", "kind": 3, "status": {"code": "STATUS_CODE_ERROR", "message": "m"}}]}"#,
        // Events: an exception among others, events that are no array, an event of OTLP's attribute form.
        #"{"trace_id": "t", "spans": [{"span_id": "a", "events": [{"name": "step", "attributes": {"i": 1}}, {"name": "exception", "timestamp": 5, "attributes": {"exception.type": "E", "exception.message": "boom"}}]}, {"span_id": "b", "events": {"name": "exception"}}, {"span_id": "c", "events": [{"name": "exception", "attributes": [{"key": "exception.type", "value": {"stringValue": "T"}}]}]}]}"#,
        // Events given twice (the last counts), an exception's name given twice, its time as `timeUnixNano`, null
        // attributes, an exception after another, nested values passed over, events that are no objects.
        #"{"trace_id": "t", "spans": [{"span_id": "a", "events": [{"name": "exception", "attributes": {"exception.type": "A"}}], "events": [{"name": "x", "name": "exception", "timeUnixNano": "1700000000000000000", "attributes": {"exception.type": null, "exception.message": "m", "other": [{"a": "]"}]}}, {"name": "exception", "attributes": {"exception.type": "second"}}]}, {"span_id": "b", "events": [1, [2], "three", null, {"attributes": {"exception.type": "T"}}, {"name": "exception"}]}, {"span_id": "c", "events": [{"name": "exception", "attributes": null, "timestamp": null, "timeUnixNano": 5}]}]}"#,
        // Service and costs on the span itself, a resource without attributes, one given as an array, links skipped.
        #"{"trace_id": "t", "spans": [{"span_id": "a", "service_name": "svc", "cost_usd": 0.5, "accumulated_cost_usd": null, "resource": {"service.name": "r", "run.id": "x"}, "links": [{"trace_id": "l"}]}, {"span_id": "b", "service": null, "service": "s2", "resource": [{"key": "service.name", "value": {"stringValue": "v"}}]}]}"#,
        // The same resource and status in every span, then a different one of the same length.
        #"{"trace_id": "t", "spans": [{"span_id": "a", "resource": {"attributes": {"service.name": "aa"}}, "status": {"code": "OK"}}, {"span_id": "b", "resource": {"attributes": {"service.name": "aa"}}, "status": {"code": "OK"}}, {"span_id": "c", "resource": {"attributes": {"service.name": "bb"}}, "status": {"code": "ER"}}]}"#,
        // Elements that are no spans, nested deep values passed over, a long value elided.
        #"{"trace_id": "t", "spans": [1, "two", null, [[[]]], {"span_id": "a", "extra": {"a": [{"b": [1, {"c": "}"}]}]}, "name": "\#(String(repeating: "n", count: 5000))"}]}"#,
        #"[{"trace_id": "t", "spans": []}]"#, #"{"trace_id": "t", "spans": "none"}"#, #"{}"#, #"{"spans": [{}]}"#,
    ]

    @Test func oddDocumentsReadAsThePickingParseReadThem() {
        for (k, text) in Self.odd.enumerated() { Self.agree(Data(text.utf8), "odd \(k)") }
    }

    /// Every document of the demo (both eras, other producers) cut short at many places, and with structural bytes
    /// put in at random ones: each fails as the picking parse fails, at the same byte, or reads the same.
    @Test func brokenDocumentsFailAsThePickingParseFails() throws {
        var docs = try LeanSpanTests.documents().prefix(40).map { Data($0.data[$0.range]) }
        docs += Self.odd.map { Data($0.utf8) }
        var rng = SplitMix64(seed: 0x5EED)
        let bytes: [UInt8] = Array(#"{}[]",:\"0n-tfe "#.utf8) + [0x0A, 0x00, 0xC3, 0x80]
        var cases = 0
        for (d, doc) in docs.enumerated() {
            for _ in 0..<25 {
                let cut = Int(rng.next() % UInt64(doc.count))
                Self.agree(doc.prefix(cut), "document \(d) cut at \(cut)")
                var changed = doc
                let at = Int(rng.next() % UInt64(doc.count))
                changed[changed.startIndex + at] = bytes[Int(rng.next() % UInt64(bytes.count))]
                Self.agree(changed, "document \(d) changed at \(at)")
                cases += 2
            }
        }
        #expect(cases > 2000)
    }

    /// Keys are matched by their bytes where the picking parse matched texts: the same only while no key the read
    /// knows holds a letter another character is canonically equivalent to (U+212A is `K`, U+037E `;`, U+1FEF `` ` ``).
    @Test func theKnownKeysHoldNoLetterWithACanonicalTwin() {
        let keys = SpanFields.names + Span.leanOthers + Array(Span.figureKeys) + ["name", "timestamp", "timeUnixNano", "attributes", "exception.type", "exception.message"]
            + TestResult.memberKeys
        for k in keys {
            #expect(!k.contains("K") && !k.contains(";") && !k.contains("`") && k.utf8.allSatisfy { $0 < 0x80 }, "\(k)")
        }
        #expect("\u{212A}" == "K", "Swift compares texts canonically: the reason for the check")
    }
}
