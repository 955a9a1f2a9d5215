import Foundation
import Testing
import TraceMindFormats

/// The caches' binary form reads back what was written, and reads nothing (never past the end) from anything else.
@Suite struct PackedTests {
    static func written() -> [UInt8] {
        var w = PackWriter()
        for v: Int64 in [0, 1, -1, 63, -64, 64, 127, 128, 300, -300, .max, .min, 1_796_238_301_667_228_093] { w.int(v) }
        for v: UInt64 in [0, 127, 128, 16_383, 16_384, .max] { w.uint(v) }
        for v in [0.0, -0.0, 1.5, -1e300, .infinity, -.infinity, .leastNonzeroMagnitude, 0.1 + 0.2] { w.double(v) }
        w.double(Double.nan)
        w.bool(true)
        w.bool(false)
        w.word(0xDEAD_BEEF_0123_4567)
        w.text("")
        w.text("caf\u{E9} \u{1F600} \u{202E} \u{0}")
        w.text(String?.none)
        w.text(String?.some("x"))
        w.int(Int?.none)
        w.int(Int?.some(-5))
        w.double(Double?.none)
        w.double(Double?.some(2.25))
        w.texts(["a", "", "long text " + String(repeating: "é", count: 300)])
        w.raw(Array("{\"k\":1}".utf8))
        return w.bytes
    }

    static func read(_ r: inout PackReader) -> [String]? {
        var out: [String] = []
        for _ in 0..<13 { guard let v = r.int64() else { return nil }; out.append("\(v)") }
        for _ in 0..<6 { guard let v = r.uint() else { return nil }; out.append("\(v)") }
        for _ in 0..<9 { guard let v = r.double() else { return nil }; out.append("\(v.bitPattern)") }
        guard let t = r.bool(), let f = r.bool(), let word = r.word(), let e = r.text(), let u = r.text(), let none = r.optionalText(),
            let some = r.optionalText(), let ni = r.optionalInt(), let si = r.optionalInt(), let nd = r.optionalDouble(), let sd = r.optionalDouble(),
            let list = r.texts(), let raw = r.rawRange()
        else { return nil }
        out += ["\(t)", "\(f)", "\(word)", e, u, "\(none as Any)", "\(some as Any)", "\(ni as Any)", "\(si as Any)", "\(nd as Any)", "\(sd as Any)"]
        out += list + ["\(raw.count)"]
        return out
    }

    @Test func whatIsWrittenReadsBack() throws {
        let bytes = Self.written()
        let got = try #require(bytes.withUnsafeBytes { all -> [String]? in
            var r = PackReader(all)
            let v = Self.read(&r)
            return r.isAtEnd ? v : nil
        })
        let ints = ["0", "1", "-1", "63", "-64", "64", "127", "128", "300", "-300", "\(Int64.max)", "\(Int64.min)", "1796238301667228093"]
        #expect(Array(got.prefix(13)) == ints)
        #expect(Array(got[13..<19]) == ["0", "127", "128", "16383", "16384", "\(UInt64.max)"])
        let doubles = [0.0, -0.0, 1.5, -1e300, .infinity, -.infinity, .leastNonzeroMagnitude, 0.1 + 0.2, .nan].map { "\($0.bitPattern)" }
        #expect(Array(got[19..<28]) == doubles, "doubles bit for bit (-0, NaN, the smallest)")
        #expect(Array(got[28...]) == [
            "true", "false", "\(UInt64(0xDEAD_BEEF_0123_4567))", "", "caf\u{E9} \u{1F600} \u{202E} \u{0}", "nil", "Optional(\"x\")",
            "nil", "Optional(-5)", "nil", "Optional(2.25)", "a", "", "long text " + String(repeating: "é", count: 300), "7",
        ])
    }

    @Test func cutShortOrOtherBytesReadAsNothing() {
        let bytes = Self.written()
        // Every prefix: some read fails (nil), never one past the end.
        for n in 0..<bytes.count {
            let got = bytes.withUnsafeBytes { all -> [String]? in
                var r = PackReader(all, range: 0..<n)
                return Self.read(&r)
            }
            #expect(got == nil, "cut at \(n) of \(bytes.count)")
        }
        // A varint longer than 64 bits, a length past the end, a bool that is not 0 or 1.
        for bad: [UInt8] in [[0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02], [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]] {
            #expect(bad.withUnsafeBytes { all -> UInt64? in var r = PackReader(all); return r.uint() } == nil)
        }
        #expect([UInt8]([5, 0x61, 0x62]).withUnsafeBytes { all -> String? in var r = PackReader(all); return r.text() } == nil)
        #expect([UInt8]([0x7F]).withUnsafeBytes { all -> [String]? in var r = PackReader(all); return r.texts() } == nil)
        #expect([UInt8]([2]).withUnsafeBytes { all -> Bool? in var r = PackReader(all); return r.bool() } == nil)
        #expect([UInt8]([2, 0]).withUnsafeBytes { all -> String?? in var r = PackReader(all); return r.optionalText() } == nil)
    }

    /// Records of their own lengths: each found where it was written; cut short, a byte more, or lengths that add up
    /// past the end (forged, however large) are none.
    @Test func recordsAreFoundByTheirLengths() {
        let parts: [[UInt8]] = [[1, 2, 3], [], Array(repeating: 7, count: 300), [9]]
        var w = PackWriter()
        w.text("head")
        w.records(parts)
        func read(_ b: [UInt8]) -> [[UInt8]]? {
            b.withUnsafeBytes { all in
                var r = PackReader(all)
                guard r.text() == "head", let ranges = r.records(parts.count), r.isAtEnd else { return nil }
                return ranges.map { Array(all[$0]) }
            }
        }
        #expect(read(w.bytes) == parts)
        #expect(read(w.bytes + [0]) == nil && read(Array(w.bytes.dropLast())) == nil)
        var forged = PackWriter()
        forged.text("head")
        for n: UInt64 in [3, .max / 2, .max / 2, 1] { forged.uint(n) }
        forged.append([1, 2, 3, 4])
        #expect(read(forged.bytes) == nil)
    }

    @Test func aSealedFileIsCheckedWhole() {
        let magic = Array("test\n".utf8)
        var w = PackWriter(magic: magic)
        w.reserve(64)
        w.text("hello")
        w.int(42)
        let sealed = w.seal()
        func open(_ b: [UInt8], _ m: [UInt8] = magic) -> (String, Int)? {
            b.withUnsafeBytes { all in
                guard var r = PackReader(sealed: all, magic: m), let t = r.text(), let i = r.int(), r.isAtEnd else { return nil }
                return (t, i)
            }
        }
        #expect(open(sealed).map { "\($0.0) \($0.1)" } == "hello 42")
        #expect(sealed.starts(with: magic) && sealed.count == magic.count + 6 + 1 + 8, "the magic, the text, the number, the hash")
        #expect(open(sealed, Array("other".utf8)) == nil, "another magic")
        for i in sealed.indices {
            var b = sealed
            b[i] ^= 0x01
            #expect(open(b) == nil, "byte \(i) changed")
            #expect(open(Array(sealed.prefix(i))) == nil, "cut at \(i)")
        }
        #expect(open(sealed + [0]) == nil, "a byte more")
    }

    /// A kept file of megabytes is sealed by blocks hashed on all cores: a change in any block, two blocks swapped, or
    /// a cut at a block's edge is still no file.
    @Test func aLargeSealedFileIsCheckedWhole() {
        let magic = Array("big\n".utf8)
        var w = PackWriter(magic: magic)
        var g = SystemRandomNumberGenerator()
        let payload = (0..<(5 << 20) + 12345).map { _ in UInt8.random(in: 0...255, using: &g) }
        w.raw(payload)
        let sealed = w.seal()
        func opens(_ b: [UInt8]) -> Bool {
            b.withUnsafeBytes { all in
                guard var r = PackReader(sealed: all, magic: magic), let range = r.rawRange(), r.isAtEnd else { return false }
                return all[range].elementsEqual(payload)
            }
        }
        #expect(opens(sealed))
        for i in [magic.count, 1 << 20, (1 << 20) + 7, 3 << 20, sealed.count - 9, sealed.count - 1] {
            var b = sealed
            b[i] ^= 0x80
            #expect(!opens(b), "byte \(i) changed")
        }
        var swapped = sealed
        swapped.replaceSubrange((1 << 20)..<(2 << 20), with: sealed[(2 << 20)..<(3 << 20)])
        swapped.replaceSubrange((2 << 20)..<(3 << 20), with: sealed[(1 << 20)..<(2 << 20)])
        #expect(swapped != sealed && !opens(swapped), "two blocks swapped")
        // Two words swapped within a block (each in a chain of its own, or in one chain), two bytes within a word.
        for (i, j) in [(magic.count + 4096, magic.count + 4104), (magic.count + 4096, magic.count + 4128), ((1 << 20) + 3, (1 << 20) + 4)] {
            var b = sealed
            b.swapAt(i, j)
            if b != sealed { #expect(!opens(b), "bytes \(i) and \(j) swapped") }
        }
        #expect(!opens(Array(sealed.prefix(4 << 20))) && !opens(Array(sealed.dropLast(1))), "cut short")
    }
}

/// A cache file is replaced in one step, its folder made, no temporary file left, and a place it cannot be written
/// is a false, never a partial file.
@Suite struct CacheWriteTests {
    @Test func aCacheFileIsReplacedWholeAndNothingIsLeftBeside() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tracemind-cachewrite-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/v1/deeper/entry.bin"
        #expect(CacheWrite.replace(path, with: Data("first".utf8)))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data("first".utf8))
        let big = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        #expect(CacheWrite.replace(path, with: big))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == big)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/v1/deeper") == ["entry.bin"])
        // A folder where the file should be, and a file where a folder should be: false, nothing written.
        try FileManager.default.createDirectory(atPath: dir + "/taken", withIntermediateDirectories: true)
        #expect(!CacheWrite.replace(dir + "/taken", with: Data("x".utf8)))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["taken", "v1"])
        #expect(!CacheWrite.replace(path + "/under-a-file", with: Data("x".utf8)))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/v1/deeper") == ["entry.bin"])
    }
}
