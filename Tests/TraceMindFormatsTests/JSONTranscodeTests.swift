import Foundation
import Testing
@testable import TraceMindFormats

/// JSON text written from JSON text (`JSONParser.members(of:keys:text:indent:_:)`) is byte for byte what the writer
/// writes of the value the parser builds, and is accepted exactly when the parser accepts the bytes.
@Suite struct JSONTranscodeTests {
    /// Texts of every kind of value: escapes, surrogates (paired, lone), raw controls, bidi and C1 characters, invalid
    /// UTF-8, numbers the parser keeps as integers and as doubles, duplicates, empty containers, odd whitespace.
    static let samples: [[UInt8]] = {
        var s: [String] = [
            #"{"a": 1, "b": -0, "c": -0.0, "d": 1e400, "e": -1e400, "f": 12345678901234567890, "g": -9223372036854775808, "h": 0.1, "i": 1E+2}"#,
            #"{"s": "plain", "e": "tab\there \"q\" \\ \/ \u00e9 \ud83d\ude00 \ud800 x \udc00", "c": "\u001b[31m\u0085\u202e\u2028"}"#,
            #"{"nan": NaN, "inf": Infinity, "minf": -Infinity, "t": true, "f": false, "n": null}"#,
            #"{"dup": 1, "dup": 2, "o": {}, "a": [], "nested": {"x": [1, [2, {"y": null}], {}], "z": {"n": null}}}"#,
            "{\n\t\"ws\" :\r\n [ 1 ,2 ] , \"k\":{ } }",
            #"{"": "", "long": "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz"}"#,
            #"{"k\u0000ey": "v", "ké": "漢字 and ‮ bidi and \u061c"}"#,
            // Escapes at a string's end, a \u cut by the closing quote, a pair whose low half is no escape.
            #"{"a": "\\", "b": "x\\\"", "c": "\u0041", "f": "\ud800\uDC00\u00E9\/\ud800\u0041"}"#,
            #"{"d": "\u004"}"#, #"{"e": "\ud800\u12"}"#,
        ]
        s.append("{\"deep\": " + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "}")
        var out = s.map { Array($0.utf8) }
        // Raw bytes no text escapes: a C1 control, DEL, an overlong form, a stray continuation, a cut sequence, a
        // surrogate's encoding, one beyond U+10FFFF, and raw line breaks inside strings.
        for raw: [UInt8] in [[0xC2, 0x85], [0x7F], [0xC0, 0xAF], [0x80], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x0A, 0x09]] {
            out.append(Array("{\"k\": \"a".utf8) + raw + Array("b\", \"".utf8) + raw + Array("\": 1}".utf8))
        }
        return out
    }()

    /// Every member as text, checked against the writer's text of the member as parsed.
    static func check(_ bytes: [UInt8], droppingNulls: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) {
        let parsed: JSON? = try? JSONParser.parse(Data(bytes))
        var text: [UInt8] = []
        let read: [(String, JSONParser.MemberRead)]??
        do {
            read = try bytes.withUnsafeBytes { raw in
                try JSONParser.members(of: raw, keys: JSONKeyTable(), text: &text, indent: 4) { _ in .text(droppingNulls: droppingNulls) }
            }
        } catch {
            read = nil
        }
        guard let read else {
            #expect(parsed == nil || parsed?.objectValue == nil, "accepted by the parser, refused here: \(String(decoding: bytes, as: UTF8.self))", sourceLocation: sourceLocation)
            return
        }
        guard let members = read else {
            // No object, or built instead: only for values nested too deep to be written as text.
            let deep = bytes.filter { $0 == UInt8(ascii: "[") }.count > JSONParser.transcodeDepth
            #expect(parsed?.objectValue == nil || deep, sourceLocation: sourceLocation)
            return
        }
        guard let o = parsed?.objectValue else {
            Issue.record("refused by the parser, accepted here: \(String(decoding: bytes, as: UTF8.self))", sourceLocation: sourceLocation)
            return
        }
        #expect(members.map(\.0) == o.keys, sourceLocation: sourceLocation)
        for ((_, m), v) in zip(members, o.values) {
            guard case .text(let r) = m else {
                Issue.record("a member not written as text", sourceLocation: sourceLocation)
                continue
            }
            var expected: [UInt8] = []
            var value = v
            if droppingNulls, let inner = v.objectValue {
                value = .object(JSONObject(keys: zip(inner.keys, inner.values).filter { !$0.1.isNull }.map(\.0), values: inner.values.filter { !$0.isNull }))
            }
            JSONWriter.writePretty(value, into: &expected, indent: 4)
            #expect(
                String(decoding: text[r], as: UTF8.self) == String(decoding: expected, as: UTF8.self) && Array(text[r]) == expected,
                "\(String(decoding: bytes, as: UTF8.self))", sourceLocation: sourceLocation)
        }
    }

    @Test func everyKindOfValueIsWrittenAsTheWriterWritesItsParse() {
        for s in Self.samples {
            Self.check(s)
            Self.check(s, droppingNulls: true)
        }
    }

    /// Cut at every byte and with each byte changed: accepted exactly when the parser accepts, the same text then.
    @Test func brokenTextIsRefusedExactlyWhenTheParserRefusesIt() {
        let replacements: [UInt8] = Array("{}[]\",:\\ 0e-.nu".utf8) + [0x00, 0x0A, 0x80, 0xC2, 0xE2, 0xFF]
        for s in Self.samples {
            for cut in 0..<s.count { Self.check(Array(s[..<cut])) }
            for i in s.indices {
                for step in [1, 7] {
                    var changed = s
                    changed[i] = replacements[(i * step + s.count) % replacements.count]
                    Self.check(changed)
                }
            }
        }
    }

    /// Members only checked (`MemberUse.check`: a trace report's span members beside its attributes) are refused
    /// exactly when the parser refuses the bytes, whole, cut at every byte and with each byte changed.
    @Test func checkedMembersAreRefusedExactlyWhenTheParserRefusesThem() {
        var refused = 0, accepted = 0
        func checked(_ bytes: [UInt8]) {
            let parsed: JSON? = try? JSONParser.parse(Data(bytes))
            var text: [UInt8] = []
            let read: [(String, JSONParser.MemberRead)]??
            do {
                read = try bytes.withUnsafeBytes { raw in
                    try JSONParser.members(of: raw, keys: JSONKeyTable(), text: &text, indent: 4) { _ in .check }
                }
            } catch {
                read = nil
            }
            let deep = bytes.filter { $0 == UInt8(ascii: "[") }.count > JSONParser.transcodeDepth
            switch read {
            case .some(.some(let members)):
                #expect(parsed?.objectValue != nil, "refused by the parser, accepted here: \(String(decoding: bytes, as: UTF8.self))")
                #expect(members.isEmpty && text.isEmpty, "nothing built or written")
                accepted += 1
            case .some(.none):
                #expect(parsed?.objectValue == nil || deep, "\(String(decoding: bytes, as: UTF8.self))")
            case .none:
                #expect(parsed?.objectValue == nil, "accepted by the parser, refused here: \(String(decoding: bytes, as: UTF8.self))")
                refused += 1
            }
        }
        let replacements: [UInt8] = Array("{}[]\",:\\ 0e-.nu".utf8) + [0x00, 0x0A, 0x80, 0xC2, 0xE2, 0xFF]
        for s in Self.samples {
            checked(s)
            for cut in 0..<s.count { checked(Array(s[..<cut])) }
            for i in s.indices {
                for step in [1, 7] {
                    var changed = s
                    changed[i] = replacements[(i * step + s.count) % replacements.count]
                    checked(changed)
                }
            }
        }
        // Every escape letter, and \u with each kind of byte at each of its four places.
        for e in UInt8(0x20)..<0x7F {
            checked(Array("{\"k\": \"a\\".utf8) + [e] + Array("b\"}".utf8))
            for at in 0..<4 {
                var hex = Array("00e9".utf8)
                hex[at] = e
                checked(Array("{\"k\": \"\\u".utf8) + hex + Array("\"}".utf8))
                checked(Array("{\"k\": [\"\\u".utf8) + hex + Array("\", {\"\\u".utf8) + hex + Array("\": 1}]}".utf8))
            }
        }
        #expect(refused > 1000 && accepted > 500, "both kinds met: \(refused) refused, \(accepted) accepted")
    }

    /// Strings with something to escape at every place of an eight-byte word (the writer skips plain words whole).
    @Test func stringsAreEscapedWhereverTheSpecialByteFalls() {
        let specials: [[UInt8]] = [[0x22], [0x5C], [0x0A], [0x7F], [0x1B], [0xC2, 0x9B], [0xE2, 0x80, 0xAE], Array("é".utf8), [0xFF]]
        for special in specials {
            for at in 0..<20 {
                let bytes = Array(repeating: UInt8(ascii: "x"), count: at) + special + Array(repeating: UInt8(ascii: "y"), count: 19 - at)
                var viaBytes: [UInt8] = []
                let ok = bytes.withUnsafeBytes { JSONWriter.writeString(utf8: $0, into: &viaBytes) }
                let valid = String(validating: bytes, as: UTF8.self)
                #expect(ok == (valid != nil), "\(special) at \(at)")
                if let valid {
                    var viaString: [UInt8] = []
                    JSONWriter.writeString(valid, into: &viaString)
                    #expect(viaBytes == viaString, "\(special) at \(at)")
                    #expect(!viaBytes.contains(0x1B) && !viaBytes.contains(0x7F) && !viaBytes.contains(0x0A), "nothing raw that acts on a terminal")
                } else {
                    #expect(viaBytes.isEmpty, "nothing written for bytes that are not UTF-8")
                }
            }
        }
    }
}
