import Foundation
import Testing
@testable import TraceMindFormats

@Suite struct JSONWriterTests {
    /// A value with nesting, escapes, numbers of every kind and long arrays.
    static let value: JSON = .array((0..<400).map(record))

    static func record(_ i: Int) -> JSON {
        let sign: Int64 = i % 2 == 0 ? 1 : -1
        var pairs: [(String, JSON)] = [("i", .int(Int64(i) * sign)), ("d", .double(Double(i) / 7)), ("whole", .double(Double(i)))]
        pairs += [("neg0", .double(-0.0)), ("big", .double(1e17)), ("nan", .double(.nan))]
        pairs.append(("s", .string("line\n\u{1B}[31m \u{202E}x \"q\" \\ é 漢")))
        pairs += [("n", .null), ("b", .bool(i % 3 == 0))]
        let inner: [JSON] = [.int(Int64.min), .int(Int64.max), .obj([])]
        pairs.append(("a", .array(inner)))
        return .obj(pairs)
    }

    /// A JSON string literal as the writer's documentation says it is: quotes, backslashes, controls (C0, DEL, C1)
    /// and the characters that reorder or break lines escaped; everything else as it is.
    static func escapedReference(_ s: String) -> String {
        let named: [Unicode.Scalar: String] = ["\"": "\\\"", "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"]
        let coded: [ClosedRange<UInt32>] = [0...0x1F, 0x7F...0x9F, 0x061C...0x061C, 0x200E...0x200F, 0x2028...0x202E, 0x2066...0x2069]
        return "\"" + s.unicodeScalars.map { u in
            named[u] ?? (coded.contains { $0.contains(u.value) } ? String(format: "\\u%04x", u.value) : String(u))
        }.joined() + "\""
    }

    /// Texts that need no escape are written whole, with their quotes (a fast path for up to 240 bytes); one character
    /// to escape anywhere in them, at every length around the path's bounds and its word steps, is escaped as ever.
    @Test func aTextIsEscapedWhereverItsSpecialCharacterIs() {
        let plain = Array("abcdefghijklmnopqrstuvwxyz0123456789 -_/:.,{}[]ABCDEFGHIJ")
        let specials = ["\"", "\\", "\n", "\u{01}", "\u{7F}", "\u{85}", "\u{202E}", "\u{2066}", "é", "漢", "\u{1F600}", "\u{061C}"]
        var checked = 0
        for n in [0, 1, 7, 8, 9, 15, 16, 17, 23, 24, 25, 63, 64, 65, 200, 238, 239, 240, 241, 242, 300] {
            let text = String((0..<n).map { plain[$0 % plain.count] })
            var out: [UInt8] = []
            JSONWriter.writeString(text, into: &out)
            #expect(String(decoding: out, as: UTF8.self) == "\"" + text + "\"", "plain, \(n) characters")
            guard n > 0 else { continue }
            for special in specials {
                for at in Set([0, 1, n / 2, n - 8, n - 2, n - 1]) where at >= 0 && at < n {
                    var chars = Array(text)
                    chars[at] = Character(special)
                    let t = String(chars)
                    var o: [UInt8] = []
                    JSONWriter.writeString(t, into: &o)
                    #expect(String(decoding: o, as: UTF8.self) == Self.escapedReference(t), "\(n) characters, \(special.unicodeScalars.first!.value) at \(at)")
                    checked += 1
                }
            }
        }
        #expect(checked > 1000)
    }

    @Test func streamingInSmallPiecesWritesTheSameText() {
        let whole = JSONWriter.string(Self.value) + "\n"
        for chunk in [1, 100, 4096, 1 << 20] {
            var out: [UInt8] = []
            var pieces = 0
            JSONWriter.stream(Self.value, chunk: chunk) { b in
                out.append(contentsOf: b)
                pieces += 1
            }
            #expect(String(decoding: out, as: UTF8.self) == whole, "chunk \(chunk)")
            if chunk <= 4096 { #expect(pieces > 1, "chunk \(chunk): written in pieces") }
        }
    }

    @Test func numbersAreWrittenAsPythonWritesThem() {
        let s = JSONWriter.string(.array([.double(-0.0), .double(3), .double(-12), .double(1e15), .double(1e16), .double(0.1), .int(-7), .int(0), .int(Int64.min)]), pretty: false)
        #expect(s == "[-0.0,3.0,-12.0,1000000000000000.0,1e+16,0.1,-7,0,-9223372036854775808]")
        // Controls and bidi characters never reach the output raw.
        let t = JSONWriter.string(.string("\u{1B}\u{7F}\u{85}\u{202E}\u{2028}"), pretty: false)
        #expect(t == "\"\\u001b\\u007f\\u0085\\u202e\\u2028\"")
    }

    struct Sample: Codable, Equatable {
        enum Kind: String, Codable { case a, b }
        struct Inner: Codable, Equatable {
            var x: Double
            var tags: [String]
        }
        var i: Int
        var u8: UInt8
        var d: Double
        var inf: Double
        var nan: Double
        var s: String
        var b: Bool
        var none: Int?
        var some: Int?
        var kind: Kind
        var inner: Inner?
        var list: [Inner]
        var map: [String: Int]
        var optionals: [Int?]
        var nested: [[Double]]
    }

    @Test func theTreeDecoderReadsWhatJSONEncoderWrites() throws {
        let sample = Sample(
            i: -42, u8: 200, d: 0.1, inf: .infinity, nan: .nan, s: "é \u{1B} \"", b: true, none: nil, some: 7, kind: .b,
            inner: .init(x: 2.5, tags: ["p", "q"]), list: [.init(x: 1, tags: [])], map: ["k": 1, "l": -2], optionals: [1, nil, 3],
            nested: [[1, 2.5], []])
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let data = try encoder.encode(sample)
        var got = try JSONValueDecoder().decode(Sample.self, from: data)
        #expect(got.nan.isNaN)
        got.nan = sample.nan
        var want = sample
        want.nan = got.nan
        #expect(got.i == want.i && got.inf == .infinity && got.map == want.map && got.optionals == want.optionals)
        #expect(got.inner == want.inner && got.list == want.list && got.nested == want.nested && got.kind == .b && got.none == nil)
        // What does not fit is an error, never a wrong value.
        #expect(throws: DecodingError.self) { try JSONValueDecoder().decode(Sample.Inner.self, from: Data(#"{"x": "1", "tags": []}"#.utf8)) }
        #expect(throws: DecodingError.self) { try JSONValueDecoder().decode(Sample.Inner.self, from: Data(#"{"tags": []}"#.utf8)) }
        #expect(throws: DecodingError.self) { try JSONValueDecoder().decode(UInt8.self, from: JSON.int(300)) }
        #expect(throws: DecodingError.self) { try JSONValueDecoder().decode(Sample.Kind.self, from: JSON.string("c")) }
    }
}

/// An object whose last array is made element by element, in batches on all cores, is the same text as the whole.
@Suite struct JSONStreamTests {
    static func streamed(head: [(String, JSON)], key: String, elements: [JSON], batch: Int) -> [UInt8] {
        var out: [UInt8] = []
        let box = Elements(elements)
        JSONWriter.stream(head: head, key: key, count: elements.count, batch: batch, element: { box.items[$0] }) { out.append(contentsOf: $0) }
        return out
    }

    final class Elements: Sendable {
        let items: [JSON]
        init(_ items: [JSON]) { self.items = items }
    }

    /// The text written whole, on this thread (`bytes`: no part made on another core).
    static func whole(_ v: JSON) -> [UInt8] { JSONWriter.bytes(v) + [0x0A] }

    /// An object's members that are long arrays (a run's tests) are written on all cores: the same text as written
    /// whole, wherever they are among the members, however many, at the threshold and below, in pieces of any size.
    @Test func longArraysAmongAnObjectsMembersAreTheWholeTextByteForByte() {
        let element = { (i: Int) -> JSON in
            .obj([("i", .int(Int64(i))), ("s", .string("x\u{1B}\u{202E}é\(i)")), ("d", .double(Double(i) / 7)), ("a", .array(i % 3 == 0 ? [] : [.bool(true), .null]))])
        }
        let long = { (n: Int) -> JSON in .array((0..<n).map(element)) }
        let values: [JSON] = [
            .obj([("run", .obj([("id", "r")])), ("tests", long(178)), ("diagnostics", .array([]))]),
            .obj([("tests", long(64)), ("more", long(300)), ("n", .int(1))]),
            .obj([("first", long(1000)), ("below", long(63)), ("empty", .obj([])), ("nested", .obj([("deep", long(200))]))]),
            .obj([("only", long(65))]),
            .obj([("short", long(3))]),
            long(500),
            .obj([]),
        ]
        var parts = 0
        for v in values {
            for chunk in [1, 100, 1 << 20] {
                var out: [UInt8] = []
                JSONWriter.stream(v, chunk: chunk) {
                    out.append(contentsOf: $0)
                    parts += 1
                }
                #expect(out == Self.whole(v), "chunk \(chunk): \(String(decoding: JSONWriter.bytes(v, pretty: false).prefix(60), as: UTF8.self))")
            }
            var compact: [UInt8] = []
            JSONWriter.stream(v, pretty: false) { compact.append(contentsOf: $0) }
            #expect(compact == JSONWriter.bytes(v, pretty: false) + [0x0A], "compact text: written whole")
        }
        #expect(parts > 100)
    }

    @Test func streamedArrayIsTheWholeTextByteForByte() {
        let head: [(String, JSON)] = [("id", "0x1"), ("n", .int(3)), ("nested", .obj([("a", .array([1, 2])), ("e", .obj([]))])), ("none", .null)]
        let elements = (0..<1000).map { i -> JSON in .obj([("i", .int(Int64(i))), ("s", .string("x\u{7}\u{202E}\(i)")), ("d", .double(Double(i) / 7)), ("a", .array(i % 3 == 0 ? [] : [.bool(true)]))]) }
        for (count, batch) in [(1000, 7), (1000, 4096), (1, 3), (0, 5), (13, 1)] {
            let els = Array(elements.prefix(count))
            let whole = Self.whole(.object(JSONObject(writing: head + [("spans", .array(els))])))
            #expect(Self.streamed(head: head, key: "spans", elements: els, batch: batch) == whole, "\(count) elements in batches of \(batch)")
        }
        #expect(Self.streamed(head: [], key: "k", elements: [1, 2], batch: 1) == Self.whole(.obj([("k", .array([1, 2]))])))
    }

    /// A part of a streamed array gets room for its elements at the size of those written so far (an eighth more and
    /// 4 KB), 64 KB before any part is done; elements larger than the estimate still come out whole (the test above,
    /// whose elements grow).
    @Test func aPartIsGivenRoomAtTheElementsSizeSoFar() {
        let sizes = ElementSizes()
        #expect(sizes.room(1000) == 1 << 16)
        sizes.add(bytes: 1000, elements: 10)
        #expect(sizes.room(20) == 100 * 20 + 100 * 20 / 8 + 4096)
        sizes.add(bytes: 3000, elements: 10)
        #expect(sizes.room(8) == 200 * 8 + 200 * 8 / 8 + 4096)
        var t = JSONElementText(indent: 2, next: 0, capacity: sizes.room(300))
        for i in 0..<300 { t.element(.string(String(repeating: "x", count: 2 * i))) }
        #expect(t.bytes.count > sizes.room(300) && t.bytes.last == UInt8(ascii: "\""))
    }

    /// A top-level array made in batches (the leaderboard of 10,000 runs) is the whole array's text too.
    @Test func streamedTopLevelArrayIsTheWholeTextByteForByte() {
        let elements = (0..<600).map { i -> JSON in .obj([("rank", i % 5 == 0 ? .null : .int(Int64(i))), ("s", .string("r\u{1B}[31m\(i)")), ("d", .double(Double(i) / 3))]) }
        for (count, batch) in [(600, 7), (600, 4096), (1, 2), (0, 5), (9, 1)] {
            let els = Array(elements.prefix(count))
            let box = Elements(els)
            var out: [UInt8] = []
            JSONWriter.stream(count: count, batch: batch, writing: { r, t in for i in r { t.element(box.items[i]) } }) { out.append(contentsOf: $0) }
            #expect(out == Self.whole(.array(els)), "\(count) elements in batches of \(batch)")
        }
    }
}

/// A record written member by member as text is the writer's pretty text of the same record built as a value.
@Suite struct JSONRecordTests {
    static func fill<S: JSONRecordSink>(_ i: Int, _ s: inout S) {
        s.member("rank", i % 4 == 0 ? nil : i)
        s.member("name", "run \u{1B}[31m\u{202E}\"\(i)\"\\")
        s.member("missing", nil as String?)
        s.member("ratio", Double(i) / 7)
        s.member("whole", Double(i))
        s.member("negative_zero", -0.0)
        s.member("ok", i % 2 == 0)
        s.member("list", JSON.array(i % 3 == 0 ? [] : [.string("a"), .int(Int64(i))]))
        s.object("tokens") { o in
            o.member("prompt", i % 5 == 0 ? nil : i * 10)
            o.member("total", i * 11)
            o.object("inner") { _ in }
        }
        if i % 2 == 1 { s.object("empty") { _ in } }
        // Keys that are not plain (written by the string writer, not copied): a quote, a control, a backslash, DEL,
        // a character beyond ASCII, a bidi control; one as long as a plain key may be and one longer.
        s.member("say \"hi\"", i)
        s.member("tab\there\\", i)
        s.member("del\u{7F}caf\u{E9} \u{202E}x", i)
        s.member("a_key_of_sixty_four_bytes_which_is_the_longest_one_copied_whole_", i)
        s.member("a_key_of_sixty_five_bytes_which_is_longer_than_one_copied_whole!!", i)
        // Values around what a member's text made in place holds (texts of up to 254 bytes, numbers), numbers the
        // writer itself writes (not finite), and enough long members to fill the stage more than once.
        s.member("plain", String(repeating: "ab", count: i))
        s.member("long", String(repeating: "x", count: 245 + i))
        s.member("long_escaped", String(repeating: "y", count: 240 + i) + "\u{7}")
        s.member("min", Int.min)
        s.member("max", Int.max)
        s.member("nan", Double.nan)
        s.member("minus_infinity", -Double.infinity)
        s.member("huge", 1e300)
        s.member("tiny", 5e-324)
        let keys: [StaticString] = ["l0", "l1", "l2", "l3", "l4", "l5", "l6", "l7", "l8", "l9", "l10", "l11", "l12", "l13", "l14", "l15", "l16", "l17"]
        for (k, key) in keys.enumerated() where i % 3 == 0 { s.member(key, String(repeating: "z", count: 200 + k)) }
        // Nested deeper than a member's indentation made in place (64 spaces).
        func nest<T: JSONRecordSink>(_ depth: Int, _ t: inout T) {
            t.member("depth", depth)
            t.member("at", "level \(depth)")
            if depth < 36 { t.object("in") { nest(depth + 1, &$0) } }
        }
        if i % 7 == 0 { s.object("nested") { nest(0, &$0) } }
    }

    @Test func aRecordWrittenAsTextIsTheTextOfItsValue() {
        for i in 0..<40 {
            let value = JSONRecordBuilder.build { Self.fill(i, &$0) }
            for indent in [0, 2, 6] {
                var text: [UInt8] = Array("x".utf8)
                JSONRecordText.write(into: &text, indent: indent) { Self.fill(i, &$0) }
                var expected: [UInt8] = Array("x".utf8)
                JSONWriter.writePretty(value, into: &expected, indent: indent)
                #expect(text == expected, "record \(i) at indent \(indent)")
            }
        }
        // No member: `{}`, as the writer writes an empty object.
        var none: [UInt8] = []
        JSONRecordText.write(into: &none, indent: 4) { _ in }
        #expect(String(decoding: none, as: UTF8.self) == "{}")
    }

    @Test func streamedRecordsAreTheWholeArraysText() {
        for (count, batch) in [(300, 7), (300, 4096), (1, 2), (0, 5)] {
            var out: [UInt8] = []
            JSONWriter.stream(count: count, batch: batch, writing: { run, t in for i in run { t.record { Self.fill(i, &$0) } } }) { out.append(contentsOf: $0) }
            let whole = JSONStreamTests.whole(.array((0..<count).map { i in JSONRecordBuilder.build { Self.fill(i, &$0) } }))
            #expect(out == whole, "\(count) records in batches of \(batch)")
            #expect(count == 0 || out.count > 100 * count)
        }
    }
}
