import Foundation
import TestSupport
import Testing
@testable import TraceMindFormats

@Suite struct JSONParserTests {
    @Test func nanosecondIntegersStayExact() throws {
        let v = try JSONParser.parse("{\"t\": 1795267670104501926, \"n\": -9223372036854775808}")
        #expect(v["t"] == .int(1_795_267_670_104_501_926))
        #expect(v["n"] == .int(Int64.min))
        // Beyond Int64: a double, not a crash.
        #expect(try JSONParser.parse("18446744073709551616").number == 18446744073709551616.0)
    }

    @Test func pythonSpecialFloats() throws {
        let v = try JSONParser.parse("[NaN, Infinity, -Infinity, 1.5e3, -0.25]")
        guard case .array(let a) = v, case .double(let nan) = a[0] else { Issue.record("not an array"); return }
        #expect(nan.isNaN)
        #expect(a[1] == .double(.infinity))
        #expect(a[2] == .double(-.infinity))
        #expect(a[3] == .double(1500))
        #expect(a[4] == .double(-0.25))
    }

    @Test func escapesAndSurrogatePairs() throws {
        let v = try JSONParser.parse(#""\u6771\u4eac \ud83d\ude80 \u00e9 \"q\" \\ \n \ud800x""#)
        #expect(v == .string("東京 🚀 é \"q\" \\ \n \u{FFFD}x"))
    }

    @Test func truncatedInputReportsLineAndColumn() {
        do {
            _ = try JSONParser.parse("[\n  {\"a\": 1},\n  {\"b\": ")
            Issue.record("should fail")
        } catch {
            #expect(error.line == 3)
            #expect(error.message.contains("truncated"))
        }
    }

    @Test func hostileNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "[", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
        // Nothing at all, or whitespace only: an error too.
        #expect(throws: JSONParseError.self) { try JSONParser.parse(Data()) }
        #expect(throws: JSONParseError.self) { try JSONParser.parse("  \n") }
        #expect(throws: JSONParseError.self) { try JSONParser.parse(Data("[1]".utf8), range: 2..<9) }
    }

    @Test func invalidUTF8IsRepaired() throws {
        var d = Data("\"ab".utf8)
        d.append(contentsOf: [0xFF, 0xFE])
        d.append(contentsOf: Array("cd\"".utf8))
        #expect(try JSONParser.parse(d) == .string("ab\u{FFFD}\u{FFFD}cd"))
    }

    @Test func indentedArraysAreSplitFromTheirLayoutOrNotAtAll() throws {
        // Strings holding what looks like layout (",\n  {" escaped, brackets, quotes) cannot fool it: raw line breaks
        // never occur inside strings.
        let elements: [JSON] = (0..<40).map { k in
            .obj([("id", .int(Int64(k))), ("text", .string("a,\n  {b} \"q\" ]")), ("nested", .array([.obj([("x", .int(Int64(k)))]), [1, 2]]))])
        }
        let pretty = JSONWriter.string(.array(elements))
        #expect(pretty.hasPrefix("[\n  {\n    \"id\": 0"), "Python's indent=2 layout")
        for text in [pretty, pretty.replacingOccurrences(of: "\n", with: "\r\n"), "\u{FEFF}" + pretty + "\n\n"] {
            let data = Data(text.utf8)
            let guessed = try #require(JSONParser.indentedElementRanges(data, minimumBytes: 0))
            #expect(try guessed.map { try JSONParser.parse(data, range: $0) } == elements)
        }
        // Other layouts, small files and files that do not end the array: no guess.
        #expect(JSONParser.indentedElementRanges(JSONWriter.data(.array(elements), pretty: false), minimumBytes: 0) == nil)
        #expect(JSONParser.indentedElementRanges(Data(pretty.utf8)) == nil, "under a MiB the scan is cheap")
        #expect(JSONParser.indentedElementRanges(Data(pretty.dropLast(2).utf8), minimumBytes: 0) == nil)
        // Cut after a nested array's "]": a guess, but one whose last range is not a whole value.
        let cut = Data(pretty.dropLast(3).utf8)
        let wrong = try #require(JSONParser.indentedElementRanges(cut, minimumBytes: 0))
        #expect(throws: JSONParseError.self) { try JSONParser.parse(cut, range: wrong.last!) }
        #expect(JSONParser.indentedElementRanges(Data("{\"a\": [\n  1,\n  2\n]}".utf8), minimumBytes: 0) == nil)
    }

    /// After indentation of every width around the eight-byte words it is passed in, a stray byte is reported at its
    /// own column, and the text ending inside it is cut short.
    @Test func aStrayByteAfterIndentationIsAtItsColumn() throws {
        for k in 0...40 {
            let pad = String(repeating: " ", count: k)
            let text = "[\n" + pad + "1,\n" + pad + "\t 2,\n" + pad + "{\"a\":\n" + pad + "3}\n" + pad + "]" + pad
            #expect(try JSONParser.parse(Data(text.utf8)) == [1, 2, .obj([("a", 3)])], "width \(k)")
            do {
                _ = try JSONParser.parse(Data(("[\n" + pad + "x]").utf8))
                Issue.record("a stray byte parsed at width \(k)")
            } catch let e as JSONParseError {
                #expect(e.line == 2 && e.column == k + 1, "width \(k): \(e)")
            }
            #expect(throws: JSONParseError.self) { try JSONParser.parse(Data(("[1,\n" + pad).utf8)) }
        }
    }

    @Test func oneKeyTableServesManyRecords() throws {
        // Keys alike but for a digit in the middle, short and empty keys, past the table's first size.
        let keys = (0..<600).map { "llm.input_messages.\($0).message.content" } + ["", "a", "ab", "12345678", "123456789"]
        let object = JSON.obj(keys.enumerated().map { ($1, .int(Int64($0))) })
        let data = Data(JSONWriter.string(.array([object, object]), pretty: false).utf8)
        let table = JSONKeyTable()
        let ranges = JSONParser.elementRanges(data).ranges
        let parsed = try ranges.map { try JSONParser.parse(data, range: $0, keys: table) }
        #expect(parsed == [object, object])
        #expect(parsed[1].objectValue?.keys == keys)
        var a = parsed[0].objectValue!.keys[7], b = parsed[1].objectValue!.keys[7]
        #expect(a.withUTF8 { $0.baseAddress } == b.withUTF8 { $0.baseAddress }, "the second record shares the first one's key strings")
    }

    @Test func streamingDeliversElementsAndRanges() throws {
        let text = "[{\"a\":1}, {\"a\":2},{\"a\":3}]"
        let data = Data(text.utf8)
        var seen: [(JSON, Range<Int>)] = []
        try JSONParser.forEachElement(data) { v, range in seen.append((v, range)) }
        #expect(seen.map { $0.0["a"]!.int64! } == [1, 2, 3])
        for (v, range) in seen { #expect(try JSONParser.parse(data, range: range) == v) }
    }

    @Test func writerRoundTrips() throws {
        let v: JSON = .obj([("s", "a\u{1b}b\"c"), ("i", .int(1_795_267_670_104_501_926)), ("d", 0.5), ("n", nil), ("l", [true, false])])
        #expect(try JSONParser.parse(JSONWriter.string(v)) == v)
        #expect(!JSONWriter.string(v).contains("\u{1b}"))
    }

    @Test func looseCoercionOfOldEras() throws {
        #expect(JSON.string("1494").int == 1494)
        #expect(JSON.string("0.000123").number == 0.000123)
        #expect(JSON.string("True").bool == true)
        #expect(JSON.string("None").text == nil)
        // Only Python's `None` itself is no text (its length is checked first).
        for t in ["none", "NONE", "None ", " None", "Non", "Nonee", "Né", "N\u{301}one"] { #expect(JSON.string(t).text == t) }
        #expect(JSON.string("1795267670104501926").int64 == 1_795_267_670_104_501_926)
    }

    /// Indentation is passed eight spaces at a time after a line break: every width around the step, tabs and
    /// `\r\n` among the spaces, and blanks running into the end of the bytes, read as the compact text is, by the
    /// whole parse and by the picking one (whose skipped members are passed by `skipValue`).
    @Test func indentationOfEveryWidthIsPassed() throws {
        let compact = #"{"id":"0x1","attrs":{"tokens":12,"model":"m","deep":{"a":[1,{"b":null}]}},"skipped":{"x":[1,2,{"y":"z"}],"w":{"v":true}},"tags":[1,2]}"#
        let whole = try JSONParser.parse(compact)
        let picked = try JSONParser.parse(Data(compact.utf8), range: 0..<compact.utf8.count, pick: JSONPickTests.pick)
        for width in 0...19 {
            for blank in [" ", "\t", "\r"] {
                // Each line indented `width` blanks per level (the first of them `blank`), a line break before each.
                var text = ""
                var level = 0
                func line() { text += (blank == "\r" ? "\r\n" : "\n") + (level * width > 0 ? blank + String(repeating: " ", count: level * width - 1) : "") }
                for c in compact {
                    switch c {
                    case "{", "[": text.append(c); level += 1; line()
                    case "}", "]": level -= 1; line(); text.append(c)
                    case ",": text.append(c); line()
                    case ":": text += ": "
                    default: text.append(c)
                    }
                }
                for tail in ["", "\n", "\n" + String(repeating: " ", count: width), "\n" + String(repeating: " ", count: 8 + width)] {
                    let data = Data((text + tail).utf8)
                    #expect(try JSONParser.parse(data) == whole, "width \(width), \(blank.debugDescription), tail \(tail.utf8.count)")
                    #expect(try JSONParser.parse(data, range: 0..<data.count, pick: JSONPickTests.pick) == picked, "picked: width \(width)")
                }
            }
        }
        // Blanks inside strings are kept, whatever follows a line break escaped in them.
        let spaced = "{\"s\": \"a\\n" + String(repeating: " ", count: 17) + "b\"}"
        #expect(try JSONParser.parse(spaced)["s"]?.stringValue == "a\n" + String(repeating: " ", count: 17) + "b")
        // A value after indentation that is no blank ends the skip where it starts.
        #expect(throws: JSONParseError.self) { try JSONParser.parse("{\"a\":\n" + String(repeating: " ", count: 16) + "x}") }
    }

    /// An object's lookup passes keys of another length without comparing them only where that is exact: a key is
    /// found as Swift compares texts (canonically), keys with a Kelvin sign, a Greek question mark or varia, and
    /// decomposed accents included, the last of duplicates first, in small objects and in indexed large ones.
    @Test func lookUpsCompareTextsAsSwiftDoes() {
        let keys = ["\u{212A}ey", "a;b", "x\u{1FEF}", "e\u{301}t\u{E9}", "gen_ai.system", "K", ";", "`", "name", "name", "tool.name", "\u{37E}"]
        #expect(TextEquality.lengthDecides("gen_ai.usage.prompt_tokens") && TextEquality.lengthDecides(""))
        #expect(!TextEquality.lengthDecides("Key") && !TextEquality.lengthDecides("a;b") && !TextEquality.lengthDecides("x`") && !TextEquality.lengthDecides("\u{E9}"))
        for n in [3, keys.count, 30] {
            let ks = (0..<n).map { keys[$0 % keys.count] + ($0 < keys.count ? "" : "-\($0)") }
            let o = JSONObject(keys: ks, values: (0..<n).map { .int(Int64($0)) })
            for probe in ["Key", "\u{212A}ey", "a;b", "a\u{37E}b", "x`", "x\u{1FEF}", "\u{E9}t\u{E9}", "e\u{301}te\u{301}", "gen_ai.system", "K", "\u{212A}", ";", "`", "name", "tool.name", "nam", "absent", ""] {
                // The reference: the last key equal to the probe, as `==` compares.
                let expected = ks.lastIndex(where: { $0 == probe }).map { JSON.int(Int64($0)) }
                #expect(o[probe] == expected, "\(n) keys, \(probe.debugDescription)")
            }
        }
        #expect(JSONPick(keys: [], nested: ["attributes": JSONPick(), "\u{212A}": JSONPick()]).nestedPick("K") != nil)
    }

    /// Arrays made by moving values out of memory hold them as they were, and leave the memory to be reused.
    @Test func arraysAreMadeByMovingValues() {
        let source = UnsafeMutablePointer<JSON>.allocate(capacity: 40)
        defer { source.deallocate() }
        for n in [0, 1, 7, 40] {
            let values: [JSON] = (0..<n).map { .string("value \($0) " + String(repeating: "x", count: $0)) }
            source.initialize(from: values, count: n)
            let moved = ArrayBuilding.moved(from: source, count: n)
            #expect(moved == values && moved.capacity >= n)
            // The source holds nothing now: initialised again with no deinitialisation, nothing leaks or doubles.
            source.initialize(repeating: .null, count: n)
            source.deinitialize(count: n)
        }
    }
}

/// The picking parse builds only the members it is asked for and checks the others' structure.
@Suite struct JSONPickTests {
    static let pick = JSONPick(
        keys: ["id", "tags"],
        nested: [
            "attrs": JSONPick(keys: ["tokens", "model"]),
            "events": JSONPick(elements: JSONPick(keys: ["name"])),
        ])

    @Test func onlyPickedMembersAreBuilt() throws {
        let text = #"{"id": "0x1", "prompt": "long \"quoted\" {text} [x]", "attrs": {"tokens": 12, "input": {"messages": [1, 2]}, "model": "m"}, "events": [{"name": "exception", "attributes": {"big": "…"}}, 7], "tags": [1, {"a": 2}], "n": 1.5e3}"#
        let data = Data(text.utf8)
        let v = try JSONParser.parse(data, range: 0..<data.count, pick: Self.pick)
        #expect(v == (try JSONParser.parse(#"{"id": "0x1", "attrs": {"tokens": 12, "model": "m"}, "events": [{"name": "exception"}, 7], "tags": [1, {"a": 2}]}"#)))
        // A key table remembers each pick's answers: a second parse with the same table gives the same value.
        let keys = JSONKeyTable()
        for _ in 0..<3 { #expect(try JSONParser.parse(data, range: 0..<data.count, pick: Self.pick, keys: keys) == v) }
    }

    @Test func attributesInArrayFormAreBuiltWhole() throws {
        // OTLP's `[{"key", "value"}]` form is an array: a member pick does not apply to it.
        let data = Data(#"{"attrs": [{"key": "tokens", "value": {"intValue": "3"}}]}"#.utf8)
        let v = try JSONParser.parse(data, range: 0..<data.count, pick: Self.pick)
        #expect(v == (try JSONParser.parse(data)))
    }

    @Test func skippedValuesAreCheckedForStructure() {
        for bad in [#"{"prompt": "unterminated}"#, #"{"prompt": [1, 2}"#, #"{"prompt": tru, "id": "x"}"#, #"{"prompt": , "id": "x"}"#, #"{"prompt": {"a": 1}"#, #"{"id": "x" "n": 1}"#] {
            let data = Data(bad.utf8)
            #expect(throws: JSONParseError.self, "\(bad)") { try JSONParser.parse(data, range: 0..<data.count, pick: Self.pick) }
        }
    }

    @Test func aHeadIsReadUpToItsArray() throws {
        let data = Data(#"{"trace_id": "0xabc", "n": [1], "spans": [{"broken": }], "after": 1}"#.utf8)
        let (head, reached) = try #require(try JSONParser.parseHead(data, range: 0..<data.count, before: "spans"))
        let expected = try JSONParser.parse(#"{"trace_id": "0xabc", "n": [1]}"#).objectValue!
        #expect(reached && head == expected)
        let noArray = Data(#"{"trace_id": "0xabc", "spans": "none"}"#.utf8)
        let (whole, reached2) = try #require(try JSONParser.parseHead(noArray, range: 0..<noArray.count, before: "spans"))
        #expect(!reached2 && whole.count == 2)
        #expect(try JSONParser.parseHead(Data("[1]".utf8), range: 0..<3, before: "spans") == nil)
    }
}

/// A nested array laid out one element per indented block is split from the layout; any other layout is left to the
/// structural scan, and a wrong guess never passes for a right one.
@Suite struct JSONLayoutTests {
    static func doc(after: [(String, JSON)] = [("total_tokens", 5)]) -> Data {
        let spans: [JSON] = (0..<50).map { i in .obj([("span_id", .string("0x\(i)")), ("attributes", .obj([("input.value", .string("a\n\"b\" ]\n  },\n    {")), ("n", .array([1, .obj([("k", "v")])]))]))]) }
        return JSONWriter.data(.object(JSONObject(writing: [("trace_id", "0xabc"), ("spans", .array(spans))] + after)))
    }

    @Test func elementsOfANestedArrayFromTheLayout() throws {
        let data = Self.doc()
        let (object, elements) = try #require(try JSONParser.parseObject(data, range: 0..<data.count, layingOut: "spans"))
        let (exact, deferred) = try #require(try JSONParser.parseObject(data, range: 0..<data.count, deferring: ["spans"]))
        #expect(object == exact)
        let scanned = try #require(deferred["spans"])
        #expect(elements.count == 50)
        #expect(try elements.map { try JSONParser.parse(data, range: $0) } == scanned.map { try JSONParser.parse(data, range: $0) })
        // Empty arrays, and documents not laid out so.
        let empty = JSONWriter.data(.obj([("trace_id", "0x1"), ("spans", .array([]))]))
        #expect(try JSONParser.parseObject(empty, range: 0..<empty.count, layingOut: "spans")?.elements == [])
        let minified = JSONWriter.data(.object(JSONObject(writing: [("spans", .array([1, 2]))])), pretty: false)
        #expect(try JSONParser.parseObject(minified, range: 0..<minified.count, layingOut: "spans") == nil)
    }

    @Test func aWrongGuessFailsToParseNeverPassesForRight() throws {
        // An array member after the spans at the same level, near the end: the spans' own close is found.
        let near = Self.doc(after: [("test_ids", .array(["a", "b"])), ("total_tokens", 5)])
        let (_, guessed) = try #require(try JSONParser.parseObject(near, range: 0..<near.count, layingOut: "spans"))
        let (_, deferred) = try #require(try JSONParser.parseObject(near, range: 0..<near.count, deferring: ["spans"]))
        #expect(try guessed.map { try JSONParser.parse(near, range: $0) } == deferred["spans"]!.map { try JSONParser.parse(near, range: $0) })
        // An array after the spans longer than the lines looked at from the end: its close is taken for the spans',
        // and the last guessed element holds more than one value — it fails to parse.
        let ids = JSON.array((0..<400).map { .string("t\($0)") })
        let far = JSONWriter.data(.object(JSONObject(writing: [("trace_id", "0xabc"), ("spans", .array([.obj([("span_id", "0x1")]), .obj([("span_id", "0x2")])])), ("test_ids", ids)])))
        let (_, wrong) = try #require(try JSONParser.parseObject(far, range: 0..<far.count, layingOut: "spans"))
        #expect(wrong.contains { (try? JSONParser.parse(far, range: $0)) == nil }, "a wrong guess is seen as one")
    }
}
