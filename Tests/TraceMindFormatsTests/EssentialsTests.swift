import Foundation
import Testing

@testable import TraceMindFormats

// The binary links FoundationEssentials only; what the project took from Foundation proper is made in
// `TraceMindFormats/Essentials`. These tests hold each to Foundation's own answer on the same inputs (the tests
// link Foundation).

/// A deterministic stream of numbers for the generated cases.
private struct Stream {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func pick<T>(_ a: [T]) -> T { a[Int(next() % UInt64(a.count))] }
}

/// Blanks of every kind, letters, marks and symbols, for texts made of them.
private let pieces: [String] = [
    " ", "\t", "\n", "\r", "\u{0B}", "\u{0C}", "\u{85}", "\u{A0}", "\u{1680}", "\u{2000}", "\u{2007}", "\u{200A}", "\u{200B}",
    "\u{200C}", "\u{2028}", "\u{2029}", "\u{202F}", "\u{205F}", "\u{3000}", "\u{FEFF}", "a", "Z", "0", "é", "e\u{301}", "\u{301}",
    "|", "\"", "'", "/", ".", "..", "-", "_", "~", "%", "ß", "Ω", "字", "🙂", "👩‍💻", "\\", ",", ":", "@", "+", "=",
]

private func texts(_ count: Int, seed: UInt64) -> [String] {
    var r = Stream(state: seed)
    var out = pieces + pieces.map { $0 + "x" + $0 }
    for _ in 0..<count {
        var s = ""
        for _ in 0..<Int(r.next() % 8) { s += r.pick(pieces) }
        out.append(s)
    }
    return out
}

@Suite struct EssentialsTests {
    @Test func trimmingAsFoundationTrims() {
        for s in texts(3000, seed: 1) {
            #expect(s.trimmingBlanks() == s.trimmingCharacters(in: .whitespaces), "\(s.unicodeScalars.map { $0.value })")
            #expect(s.trimmingBlanksAndNewlines() == s.trimmingCharacters(in: .whitespacesAndNewlines), "\(s.unicodeScalars.map { $0.value })")
            #expect(s[...].trimmingBlanks() == s.trimmingCharacters(in: .whitespaces))
        }
    }

    @Test func blankSetsAreFoundations() {
        for v in 0..<0x1_0000 {
            guard let u = Unicode.Scalar(v) else { continue }
            #expect(u.isBlank == CharacterSet.whitespaces.contains(u), "U+\(String(v, radix: 16))")
            #expect(u.isBlankOrNewline == CharacterSet.whitespacesAndNewlines.contains(u), "U+\(String(v, radix: 16))")
        }
    }

    @Test func alphanumericsAsFoundationsBelowTheNewerScripts() {
        // Foundation's tables are of an older Unicode: the scripts every version holds (below U+0800) agree.
        for v in 0..<0x800 {
            guard let u = Unicode.Scalar(v) else { continue }
            #expect(u.isAlphanumeric == CharacterSet.alphanumerics.contains(u), "U+\(String(v, radix: 16))")
        }
    }

    @Test func literalReplacementAndSearch() {
        for s in texts(2000, seed: 2) {
            for (t, w) in [("|", "\\|"), ("\"", "\"\""), ("-", "_"), ("..", "."), ("a", "")] {
                let ours = s.replacingEvery(t, with: w)
                // Byte for byte: every target's bytes replaced, nothing else touched.
                #expect(Array(ours.utf8) == Self.replacedBytes(Array(s.utf8), Array(t.utf8), Array(w.utf8)), "\(s)")
                if s.utf8.allSatisfy({ $0 < 0x80 }) { #expect(ours == s.replacingOccurrences(of: t, with: w)) }
            }
            if s.utf8.allSatisfy({ $0 < 0x80 }) {
                #expect(s.firstRange(ofText: "..") == s.range(of: ".."))
                #expect(s.lastRange(ofText: "/.") == s.range(of: "/.", options: .backwards))
            }
        }
        // A quote or a pipe is escaped whatever combining mark follows it (Foundation's search, by characters, left
        // `|\u{301}` alone: a cell's separator).
        #expect("a|\u{301}b".replacingEvery("|", with: "\\|") == "a\\|\u{301}b")
        #expect("x\"\u{308}".replacingEvery("\"", with: "\"\"") == "x\"\"\u{308}")
        #expect("".replacingEvery("a", with: "b") == "")
        #expect("abc".replacingEvery("", with: "b") == "abc")
        #expect(!"abc".containsText("") && !"abc".containsText("abcd") && "a\r\nb".containsText("\r") && "a|\u{301}".containsText("|"))
        #expect(ByteSearch.contains(Array("x\"spans\": 1".utf8), "\"spans\"") && !ByteSearch.contains(Array("\"span\"".utf8), "\"spans\""))
        #expect("aaa".replacingEvery("aa", with: "b") == "ba")
        let s = "é->字->🙂"
        #expect(s.firstRange(ofText: "->").map { s[$0] } == "->")
        #expect(s.lastRange(ofText: "->").map { String(s[$0.upperBound...]) } == "🙂")
        #expect(s.firstRange(ofText: "x") == nil)
    }

    static func replacedBytes(_ s: [UInt8], _ t: [UInt8], _ w: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < s.count {
            if i + t.count <= s.count && Array(s[i..<(i + t.count)]) == t {
                out += w
                i += t.count
            } else {
                out.append(s[i])
                i += 1
            }
        }
        return out
    }

    @Test func percentEncodingAsFoundationEncodes() {
        var unreserved = CharacterSet.alphanumerics
        unreserved.insert(charactersIn: "-._~")
        for s in texts(2000, seed: 3) + ["a b", "a/b?c#d", "%41", "é/字", "x;y", "[::1]", "a:b/c:d", ":/:"] {
            #expect(s.percentEncodedPath() == s.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed), "\(s)")
            #expect(s.percentEncoded(keeping: URLBytes.isUnreserved) == s.addingPercentEncoding(withAllowedCharacters: unreserved), "\(s)")
        }
    }

    @Test func pathsAsNSStringTakesThemApart() {
        let parts = ["", "/", "//", "a", "b.json", ".hidden", "..", ".", "a.", "a.b.c", "dir/", "x y.tar.gz", "é.txt", "~"]
        var paths: [String] = []
        for a in parts { for b in parts { paths += [a + b, a + "/" + b, "/" + a + "/" + b, a + "//" + b + "/"] } }
        for p in paths {
            let ns = p as NSString
            #expect(PathUtil.lastComponent(p) == ns.lastPathComponent, "\(p)")
            // Foundation traps on a one-character relative path (a precondition of its own): those are checked below.
            if PathUtil.fixingSlashes(p).count > 1 || PathUtil.fixingSlashes(p) == "/" {
                #expect(PathUtil.deletingLastComponent(p) == ns.deletingLastPathComponent, "\(p)")
            }
            #expect(PathUtil.pathExtension(p) == ns.pathExtension, "\(p)")
            #expect(PathUtil.deletingPathExtension(p) == ns.deletingPathExtension, "\(p)")
            for c in ["", "c", "c.json", "/c", "c/"] {
                #expect(PathUtil.appendingComponent(p, c) == ns.appendingPathComponent(c), "\(p) + \(c)")
            }
        }
    }

    @Test func oneCharacterPaths() {
        #expect(PathUtil.deletingLastComponent("a") == "")
        #expect(PathUtil.deletingLastComponent("a/") == "")
        #expect(PathUtil.deletingLastComponent("/a") == "/")
        #expect(PathUtil.deletingLastComponent("") == "")
        #expect(PathUtil.lastComponent("a") == "a")
        #expect(PathUtil.pathExtension(".") == "")
    }

    @Test func numbersAsPrintfWritesThem() {
        var r = Stream(state: 4)
        var values: [Double] = [
            0, -0.0, 0.5, 1.5, 2.5, -2.5, 0.125, 0.375, 1e15, 1e15 + 0.5, 9_007_199_254_740_992, 1e21, 1e300, -1e300,
            .greatestFiniteMagnitude, .leastNonzeroMagnitude, .leastNormalMagnitude, 0.1, 0.7, 1.005, 2.675, 123.456,
            99.95, 99.995, 999_999.5, .infinity, -.infinity, .nan, -Double.nan,
        ]
        for _ in 0..<4000 {
            let bits = r.next()
            switch bits % 4 {
            case 0: values.append(Double(bitPattern: r.next()))
            case 1: values.append(Double(Int64(bitPattern: r.next()) % 10_000_000) / 1000)
            case 2: values.append(Double(r.next() % 1_000_000) / 8 * (bits & 16 == 0 ? 1 : -1))
            default: values.append((Double(r.next() % 100_000) + 0.5) / pow(10, Double(r.next() % 12)))
            }
        }
        for v in values {
            for d in [0, 1, 2, 3, 6, 9, 10, 17] {
                let c = String(format: "%.\(d)f", v)
                #expect(NumberText.fixed(v, d) == c, "\(v) %.\(d)f")
                #expect(NumberText.fixed(v, d, plus: true) == String(format: "%+.\(d)f", v), "\(v) %+.\(d)f")
            }
        }
        for n in [0, 1, 7, -7, 42, 99_999, 100_000, -100_000, Int.max, Int.min] {
            #expect(NumberText.padded(n, width: 5) == String(format: "%05ld", n))
            #expect(NumberText.padded(n, width: 2) == String(format: "%02ld", n))
        }
        for n in [0, 1, 15, 16, 255, 4096, 0xD83D, 0xFFFF] {
            #expect(NumberText.hex(n, width: 2) == String(format: "%02x", n))
            #expect(NumberText.hex(n, width: 4) == String(format: "%04x", n))
        }
        #expect(NumberText.hex(UInt32.max, width: 8) == String(format: "%08x", UInt32.max))
    }

    @Test func lockThreadsAndThreadValues() async {
        let lock = Lock()
        final class Counter: @unchecked Sendable { var n = 0 }
        let counter = Counter()
        let done = DispatchSemaphore(value: 0)
        for _ in 0..<8 {
            Threads.detach {
                for _ in 0..<10_000 { lock.withLock { counter.n += 1 } }
                done.signal()
            }
        }
        for _ in 0..<8 { done.wait() }
        #expect(counter.n == 80_000)

        // Each thread keeps its own value; one that asks for renewal gets a fresh one.
        final class Box { var n = 0 }
        let local = ThreadLocal { Box() }
        let here = local.value()
        here.n = 5
        #expect(local.value() === here)
        #expect(local.value(renew: { $0.n == 5 }) !== here)
        let elsewhere = Counter()
        Threads.detach {
            elsewhere.n = local.value().n
            done.signal()
        }
        done.wait()
        #expect(elsewhere.n == 0)

        let start = DispatchTime.now()
        Threads.sleep(0.05)
        #expect(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds >= 50_000_000)
    }

    @Test func fileDescriptorsWriteAndReadWhole() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tm-essentials-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/f"
        #expect(FileDescriptor(forWritingAtPath: path) == nil)  // never creates
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let out = try #require(FileDescriptor(forWritingAtPath: path))
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try out.write(contentsOf: bytes)
        try out.write(contentsOf: Data("end".utf8))
        out.close()
        let input = try #require(FileDescriptor(forReadingAtPath: path))
        #expect(input.read(upToCount: 300_000) == Data(bytes))
        #expect(input.read(upToCount: 10) == Data("end".utf8))
        #expect(input.read(upToCount: 10) == Data())

        // A failure in the system's words.
        do {
            try Data("x".utf8).write(to: URL(fileURLWithPath: path), options: [.withoutOverwriting])
            Issue.record("wrote over a file")
        } catch {
            #expect(FileErrors.describe(error) == "file exists")
        }
    }

    /// The offset in force at an instant, by the C library's zone rules, as Foundation's current zone gives it (in
    /// whatever zone the tests run; a zone of its own changes `TZ` for the whole process, so none is set here).
    @Test func localOffsetsAreFoundations() {
        for t in stride(from: Int64(-2_000_000_000), through: 4_000_000_000, by: 7_777_777) {
            let foundations: Int = TimeZone.current.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(t)))
            #expect(LocalClock.utcOffset(atUnixSeconds: t) == foundations, "\(t)")
        }
    }

    @Test func localTimeOfDayAsAFormatterWritesIt() {
        let f = DateFormatter()
        f.dateFormat = "HH:mm:ss"
        for t in [0, 1_733_000_000, 1_764_000_123, 2_000_000_000] {
            #expect(LocalClock.timeOfDay(time_t(t)) == f.string(from: Date(timeIntervalSince1970: TimeInterval(t))))
        }
    }

    /// The modules linked into `tracemind` import FoundationEssentials, never Foundation: Foundation proper would
    /// bring CoreFoundation's start-up, ICU's data and 1,100 conformance records back into every start.
    @Test func theBinarysModulesImportFoundationEssentialsOnly() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let modules = [
            "TraceMindFormats", "TraceMindModel", "TraceMindHTTP", "TraceMindHub", "TraceMindOpenSearch", "TraceMindDemo",
            "TraceMindReport", "TraceMindApp", "TerminalUI", "NCursesBackend", "tracemind",
        ]
        var files = 0
        for m in modules {
            let dir = root.appendingPathComponent("Sources/" + m).path
            for rel in try FileManager.default.subpathsOfDirectory(atPath: dir) where rel.hasSuffix(".swift") {
                files += 1
                let text = try String(contentsOfFile: dir + "/" + rel, encoding: .utf8)
                for line in text.split(separator: "\n") {
                    let words = line.split(separator: " ")
                    guard let i = words.firstIndex(of: "import"), i + 1 < words.count else { continue }
                    let name = words[i + 1]
                    #expect(!["Foundation", "FoundationNetworking", "FoundationXML", "FoundationInternationalization"].contains(name), "\(m)/\(rel): \(line)")
                }
            }
        }
        #expect(files > 100)
    }
}
