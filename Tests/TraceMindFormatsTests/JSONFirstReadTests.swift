import Foundation
import Testing
import TraceMindFormats

/// `JSONKeyTable`: every key it is given comes back as itself, across its growth and across keys that share their
/// first bytes or differ only in their last one (the table compares bytes itself, eight at a time).
@Suite struct JSONKeyTableTests {
    @Test func aTableGivesBackEachKeyItWasGiven() {
        let t = JSONKeyTable()
        let keys = (0..<5000).map { "attribute.key.number.\($0)" }
        for k in keys { #expect(t.intern(k) == k) }
        for k in keys.reversed() { #expect(t.intern(k) == k) }
        // Lengths on both sides of each word boundary, the last byte alone telling two keys apart.
        for n in 16...41 {
            let stem = String(repeating: "k", count: n - 1)
            #expect(t.intern(stem + "a") == stem + "a")
            #expect(t.intern(stem + "b") == stem + "b")
            #expect(t.intern(stem + "a") == stem + "a")
        }
        // Non-ASCII keys, and a key that is a prefix of another.
        #expect(t.intern("gen_ai.usage.prompt_tokens.é€😀") == "gen_ai.usage.prompt_tokens.é€😀")
        #expect(t.intern("gen_ai.usage.prompt_tokens") == "gen_ai.usage.prompt_tokens")
        #expect(t.intern("gen_ai.usage.prompt_tokens.x") == "gen_ai.usage.prompt_tokens.x")
    }

    @Test func objectsParsedWithOneTableKeepEveryKey() throws {
        let t = JSONKeyTable()
        // Thousands of distinct keys (the table grows several times), short ones, an empty one, escaped ones.
        let keys = (0..<3000).map { "k\($0)" } + ["", "a", "\u{e9}t\u{e9}", "llm.input_messages.0.message.contents.0.message_content.text"]
        var text = "{"
        for (n, k) in keys.enumerated() {
            let escaped = String(data: try JSONSerialization.data(withJSONObject: [k], options: [.fragmentsAllowed]), encoding: .utf8)!.dropFirst().dropLast()
            text += (n == 0 ? "" : ",") + "\(escaped): \(n)"
        }
        text += ", \"k\\u0031\": -1}"
        let data = Data(text.utf8)
        for _ in 0..<2 {
            let o = try #require(try JSONParser.parse(data, range: 0..<data.count, keys: t).objectValue)
            #expect(o.keys == keys + ["k1"])
            #expect(o.values.map(\.int) == (0..<keys.count).map { Int?($0) } + [-1])
        }
    }
}

/// Numbers are read in the C locale's form whatever locale the thread has (the browser takes the user's locale: a
/// decimal comma stopped the C library's reading of `0.0063` at the point).
@Suite struct JSONNumberLocaleTests {
    /// A locale whose decimal separator is a comma, compiled into a scratch folder (nil when `localedef` or the
    /// locale's sources are missing: the test is then skipped, and says so).
    nonisolated(unsafe) static let commaLocale: locale_t? = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tm-locale-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/localedef")
        p.arguments = ["-i", "de_DE", "-f", "UTF-8", dir + "/de_DE.UTF-8"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return nil }
        p.waitUntilExit()
        setenv("LOCPATH", dir, 1)
        defer {
            unsetenv("LOCPATH")
            try? FileManager.default.removeItem(atPath: dir)
        }
        guard let loc = newlocale(LC_NUMERIC_MASK, "de_DE.UTF-8", nil) else { return nil }
        return loc
    }()

    @Test(.enabled(if: commaLocale != nil, "no locale with a decimal comma could be made (localedef, de_DE sources)"))
    func aNumberIsReadTheSameInALocaleWithADecimalComma() throws {
        let old = uselocale(JSONNumberLocaleTests.commaLocale!)
        defer { uselocale(old) }
        // The locale is in force: the C library alone stops at the point.
        #expect(strtod("0.0063475", nil) == 0)
        let data = Data(#"{"cost": 0.0063475, "big": 1.5e300, "t": 1793613600007000000}"#.utf8)
        let o = try #require(try JSONParser.parse(data, range: 0..<data.count).objectValue)
        #expect(o["cost"] == .double(0.0063475))
        #expect(o["big"] == .double(1.5e300))
        #expect(o["t"] == .int(1_793_613_600_007_000_000))
    }
}

/// A document read in one pass (`JSONParser.parseObject(_:range:picking:with:keys:)`) gives for each element what a
/// parse of that element alone gives, when small objects repeat byte for byte from element to element (a span's
/// resource and status: the first reading is reused), when the same bytes come under another key or pick (never
/// reused), and when an object begins like one read before and differs at its last byte.
@Suite struct RepeatedObjectTests {
    static let resource = JSONPick(keys: ["attributes", "service.name"], nested: ["attributes": JSONPick(keys: ["service.name"])])
    static let pick = JSONPick(keys: ["name", "status"], nested: ["attributes": JSONPick(keys: ["a", "run.id"]), "resource": resource])

    @Test func repeatedObjectsReadOnceGiveWhatEachReadAloneGives() throws {
        let r = #"{"attributes": {"service.name": "svc", "run.id": "r1"}}"#
        let spans = [
            #"{"name": "a", "status": {"code": "OK", "description": null}, "resource": \#(r), "attributes": {"a": 1}}"#,
            #"{"name": "b", "status": {"code": "OK", "description": null}, "resource": \#(r), "attributes": {"a": 2}}"#,
            // The resource differs at its last bytes; then the span's attributes are the bytes of the resource's.
            #"{"name": "c", "status": {"code": "OK", "description": "x"}, "resource": {"attributes": {"service.name": "svc", "run.id": "r2"}}, "attributes": {"service.name": "svc", "run.id": "r1"}}"#,
            #"{"name": "d", "resource": {"attributes": {"service.name": "svc", "run.id": "r1"}}, "status": {"code": "OK", "description": null}}"#,
            // The resource's text under the span's own key, and a resource whose attributes are the resource itself.
            #"{"name": "e", "attributes": \#(r), "resource": {"service.name": "other"}}"#,
            #"{"name": "f", "resource": \#(r)}"#,
        ]
        let text = "{\"id\": 1, \"spans\": [\n" + spans.joined(separator: ",\n") + "\n]}"
        let data = Data(text.utf8)
        let keys = JSONKeyTable()
        let read = try #require(try JSONParser.parseObject(data, range: 0..<data.count, picking: "spans", with: RepeatedObjectTests.pick, keys: keys))
        let elements = try #require(read.elements)
        #expect(elements.count == spans.count)
        for (k, e) in elements.enumerated() {
            let alone = try JSONParser.parse(data, range: e.range, pick: RepeatedObjectTests.pick)
            #expect(e.value == alone, "span \(k)")
        }
        #expect(elements[2].value["resource"]?["attributes"]?["service.name"] == "svc")
        #expect(elements[2].value["status"]?["description"] == "x")
        // The span's attributes are read with their own pick, not taken for the resource's of the same bytes.
        #expect(elements[2].value["attributes"]?["run.id"] == "r1")
        #expect(elements[2].value["attributes"]?["service.name"] == nil)
        #expect(elements[4].value["attributes"]?.objectValue?.isEmpty == true)
        #expect(elements[5].value["resource"]?["attributes"]?["service.name"] == "svc")
    }
}

/// Decimal numbers read by the fast path (a mantissa of at most 2^53 times a power of ten of at most 10^22) are the
/// doubles the C library reads, bit for bit, and the others still go to the C library.
@Suite struct JSONNumberTests {
    func read(_ text: String) throws -> JSON {
        let data = Data("[\(text)]".utf8)
        return try #require(try JSONParser.parse(data, range: 0..<data.count).arrayValue?.first)
    }

    /// Integers of every length from 1 to 25 digits (read eight digits at a time while they cannot overflow), at every
    /// alignment, followed by every kind of byte that may end them or by the end of the text: an `Int64` when they fit,
    /// else the double the C library reads.
    @Test func integersOfEveryLengthReadAsTheirValue() throws {
        var g = SystemRandomNumberGenerator()
        var texts = ["0", "-0", "9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809",
            "18446744073709551615", "18446744073709551616", "9999999999999999999", "10000000000000000000", "0000000000000000001",
            "12345678", "123456789", "1234567890123456", "99999999", "100000000", "1793610924038550000"]
        for length in 1...25 {
            for _ in 0..<400 {
                var t = String((0..<length).map { _ in Character(String(Int.random(in: 0...9, using: &g))) })
                if length > 1, Bool.random(using: &g) { t = String(Int.random(in: 1...9, using: &g)) + t.dropFirst() }
                if Bool.random(using: &g) { t = "-" + t }
                texts.append(t)
            }
        }
        func expected(_ t: String) -> JSON {
            if let i = Int64(t) { return .int(i) }
            return .double(strtod(t, nil))
        }
        var checked = 0
        for (n, t) in texts.enumerated() {
            let pad = String(repeating: " ", count: n % 8)
            let endings = [",1]", "]", " ]", "\n]", ".5]", "e2]", "E-1]"]
            let ending = endings[n % endings.count]
            let doc = Data("[\(pad)\(t)\(ending)".utf8)
            let read = try #require(JSONParser.parse(doc, range: 0..<doc.count).arrayValue?.first, "\(t)\(ending)")
            let whole = ending.hasPrefix(".") || ending.hasPrefix("e") || ending.hasPrefix("E")
            let want: JSON = whole ? .double(strtod(t + String(ending.dropLast()), nil)) : expected(t)
            if case .double(let a) = read, case .double(let b) = want {
                #expect(a.bitPattern == b.bitPattern, "\(t)\(ending): \(a) against \(b)")
            } else {
                #expect(read == want, "\(t)\(ending): \(read) against \(want)")
            }
            // The whole text: no byte after it to load.
            let bare = Data(t.utf8)
            let alone = try JSONParser.parse(bare, range: 0..<bare.count)
            if case .double(let a) = alone, case .double(let b) = expected(t) {
                #expect(a.bitPattern == b.bitPattern, "\(t) alone")
            } else {
                #expect(alone == expected(t), "\(t) alone: \(alone)")
            }
            checked += 1
        }
        #expect(checked > 10_000)
    }

    @Test func everyDecimalReadsAsTheCLibraryReadsIt() throws {
        var g = SystemRandomNumberGenerator()
        var texts = [
            "0.0", "-0.0", "1.0", "0.1", "0.3", "1028.0", "0.0063475", "0.00036999999999999967", "9007199254740993.0",
            "9007199254740992.5", "1e22", "1e23", "1.7976931348623157e308", "5e-324", "2.2250738585072014e-308",
            "123456789012345678901234567890.5", "1E5", "1e+5", "1e-5", "-1.5e-7", "0.1e1", "3.14159265358979323846",
        ]
        for _ in 0..<50_000 {
            let digits = Int.random(in: 1...19, using: &g)
            var s = String((0..<digits).map { _ in Character(String(Int.random(in: 0...9, using: &g))) })
            if s.count > 1 { s = String(Int.random(in: 1...9, using: &g)) + s.dropFirst() }
            let point = Int.random(in: 0...s.count, using: &g)
            var t = point == s.count ? s + ".0" : (point == 0 ? "0." + s : String(s.prefix(point)) + "." + s.dropFirst(point))
            if Bool.random(using: &g) { t += "e\(Int.random(in: -30...30, using: &g))" }
            if Bool.random(using: &g) { t = "-" + t }
            texts.append(t)
        }
        for t in texts {
            let expected = strtod(t, nil)
            guard case .double(let d) = try read(t) else {
                Issue.record("\(t) is not read as a double")
                continue
            }
            #expect(d.bitPattern == expected.bitPattern, "\(t): \(d) against \(expected)")
        }
    }
}
