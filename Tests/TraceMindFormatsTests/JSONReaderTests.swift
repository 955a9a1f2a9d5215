import Foundation
import Testing
import TraceMindFormats

/// `JSONReader`: a reader that keeps some members by their place in a `KeyIndex` and passes over the rest reads what a
/// picking parse of the same keys builds, with the same errors at the same bytes; the key table remembers each key's
/// place per index, across indexes asked in turn and across its growth.
@Suite struct JSONReaderTests {
    static let kept = ["id", "name", "n", "nested", "\u{e9}t\u{e9}", ""]
    static let index = KeyIndex(kept)
    static let pick = JSONPick(keys: Set(kept))

    /// The object at `data` as the reader keeps it (the kept members in order; any other value whole), or the error.
    static func read(_ data: Data, keys: JSONKeyTable) -> Result<JSON, JSONParseError> {
        do throws(JSONParseError) {
            return .success(try JSONParser.read(data, range: 0..<data.count, keys: keys) { r throws(JSONParseError) -> JSON in
                let mark = r.objectMark
                do throws(JSONParseError) {
                    let isObject = try r.members(depth: 1, known: index) { id, r throws(JSONParseError) in
                        guard let id else { return try r.skip(depth: 1) }
                        let k = r.key
                        #expect(kept[id] == k)
                        r.push(k, try r.value(depth: 1))
                    }
                    if isObject { return .object(r.object(from: mark)) }
                } catch {
                    r.drop(to: mark)
                    throw error
                }
                return try r.value(depth: 0)
            })
        } catch {
            return .failure(error)
        }
    }

    static func picked(_ data: Data) -> Result<JSON, JSONParseError> {
        do throws(JSONParseError) { return .success(try JSONParser.parse(data, range: 0..<data.count, pick: pick)) } catch { return .failure(error) }
    }

    static let documents = [
        #"{"id": 1, "name": "a", "other": {"deep": [1, 2, {"x": "}"}]}, "n": null, "nested": {"k": [true, false]}, "name": "b"}"#,
        #"{"\u00e9t\u00e9": "summer", "": "empty", "n\u0061me": "escaped", "skip\"me": "quote in a key", "id": -1.5e3}"#,
        #"{}"#, #"[1, {"id": 2}]"#, #""text""#, #"12"#, #"{"id": {"id": {"id": 3}}, "name": [{"name": 1}]}"#,
        #"{"a": 1, "b": "\ud83d\ude00", "c": NaN, "d": Infinity, "n": -Infinity}"#,
    ]

    @Test func theReaderKeepsWhatAPickBuildsAndFailsWhereItFails() {
        let keys = JSONKeyTable()
        var cases = 0
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33)
        }
        let bytes: [UInt8] = Array(#"{}[]",:\"0n-t "#.utf8) + [0x0A, 0x00, 0xC3]
        for doc in Self.documents {
            let data = Data(doc.utf8)
            var variants = [data]
            for _ in 0..<60 {
                variants.append(data.prefix(next() % data.count))
                var changed = data
                changed[next() % data.count] = bytes[next() % bytes.count]
                variants.append(changed)
            }
            for v in variants {
                switch (Self.read(v, keys: keys), Self.picked(v)) {
                case (.success(let a), .success(let b)): #expect(a == b, "\(String(decoding: v, as: UTF8.self))")
                case (.failure(let a), .failure(let b)):
                    #expect(a.message == b.message && a.offset == b.offset, "\(String(decoding: v, as: UTF8.self)): \(a) / \(b)")
                case (let a, let b): Issue.record("\(String(decoding: v, as: UTF8.self)): \(a) / \(b)")
                }
                cases += 1
            }
        }
        #expect(cases > 900)
    }

    /// Two indexes asked about the same keys in turn, and a table grown past thousands of keys between the asks.
    @Test func aKeysPlaceIsRememberedPerIndex() throws {
        let keys = JSONKeyTable()
        let other = KeyIndex(["name", "id"])
        func places(_ text: String, _ index: KeyIndex) throws -> [Int?] {
            let data = Data(text.utf8)
            return try JSONParser.read(data, range: 0..<data.count, keys: keys) { r throws(JSONParseError) -> [Int?] in
                var out: [Int?] = []
                _ = try r.members(depth: 1, known: index) { id, r throws(JSONParseError) in
                    out.append(id)
                    try r.skip(depth: 1)
                }
                return out
            }
        }
        let doc = #"{"id": 1, "name": 2, "zzz": 3}"#
        #expect(try places(doc, Self.index) == [0, 1, nil])
        #expect(try places(doc, other) == [1, 0, nil])
        let many = "{" + (0..<3000).map { "\"k\($0)\": \($0)" }.joined(separator: ", ") + "}"
        _ = try places(many, other)
        #expect(try places(doc, Self.index) == [0, 1, nil])
        #expect(try places(doc, other) == [1, 0, nil])
    }

    /// Every member's key is its decoded text, known or not, escaped or not, nested objects' keys read in between, in
    /// a table that grows while it reads (its slots move): what the parser makes of the same object.
    @Test func everyMembersKeyIsItsText() throws {
        let keys = JSONKeyTable()
        let inner = "{" + (0..<200).map { "\"in\($0)\": {\"deep\($0)\": \($0)}" }.joined(separator: ", ") + "}"
        let text = #"{"id": 1, "z\u007az": {"a": {"b": 2}}, "tab\tkey": [1], "": 0, "nested": "# + inner + #", "name": "x", "k\"q": 3}"#
        let data = Data(text.utf8)
        let seen = try JSONParser.read(data, range: 0..<data.count, keys: keys) { r throws(JSONParseError) -> [String] in
            var out: [String] = []
            _ = try r.members(depth: 1, known: Self.index) { _, r throws(JSONParseError) in
                out.append(r.key)
                _ = try r.value(depth: 1)
            }
            return out
        }
        #expect(seen == (try JSONParser.parse(data)).objectValue?.keys)
        #expect(seen == ["id", "zzz", "tab\tkey", "", "nested", "name", "k\"q"])
    }
}
