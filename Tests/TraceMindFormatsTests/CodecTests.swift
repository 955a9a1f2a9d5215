import Foundation
import TestSupport
import Testing
@testable import TraceMindFormats

/// The decompressors against the real `gzip` and `zstd` tools (skipped when they are missing).
@Suite struct CodecTests {
    /// Inputs that exercise different paths: text (literals and matches), noise (raw blocks), runs, sizes.
    static func inputs() -> [(String, [UInt8])] {
        var rng = SystemRandomNumberGenerator()
        let noise = (0..<70_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        var text = ""
        var k = 0
        while text.utf8.count < 400_000 {
            text += "{\"span_id\": \"0x\(String(k &* 2_654_435_761 % 1_000_003, radix: 16))\", \"name\": \"completion\", \"attributes\": {\"llm.token_count.total\": \(k % 977), \"input.value\": \"You are an expert assistant 東京 step \(k)\"}}\n"
            k += 1
        }
        return [
            ("empty", []), ("one byte", [42]), ("short", Array("hello hello hello".utf8)), ("text", Array(text.utf8)),
            ("noise", noise), ("runs", [UInt8](repeating: 7, count: 300_000) + [UInt8](repeating: 9, count: 5000)),
            ("mixed", Array(text.utf8.prefix(50_000)) + noise.prefix(20_000) + Array(text.utf8.suffix(80_000))),
        ]
    }

    static func tool(_ name: String) -> Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/" + name) }

    func compress(_ data: [UInt8], _ command: String) -> [UInt8] {
        let dir = tempDir()
        defer { removeTemp(dir) }
        write(Data(data), to: dir + "/in")
        let r = Subprocess.shell("\(command) < '\(dir)/in' > '\(dir)/out'", timeout: 60)
        #expect(r.status == 0, "\(command) failed")
        return Array(FileManager.default.contents(atPath: dir + "/out") ?? Data())
    }

    @Test(.enabled(if: CodecTests.tool("gzip"), "needs gzip")) func gzipAtEveryLevel() throws {
        for (name, input) in Self.inputs() {
            for level in [1, 6, 9] {
                let z = compress(input, "gzip -c -\(level)")
                #expect(try Gzip.decompress(z) == input, "\(name) at level \(level)")
            }
        }
        // Two gzip members back to back.
        let a = Array("first member ".utf8), b = Array("second member".utf8)
        #expect(try Gzip.decompress(compress(a, "gzip -c") + compress(b, "gzip -c")) == a + b)
    }

    @Test(.enabled(if: CodecTests.tool("zstd"), "needs zstd")) func zstdAtManyLevels() throws {
        for (name, input) in Self.inputs() {
            for level in [1, 3, 9, 19] {
                let z = compress(input, "zstd -q -c -\(level)")
                let out = try Zstd.decompress(z)
                #expect(out == input, "\(name) at level \(level): \(out.count) of \(input.count) bytes")
            }
        }
        // A checksum, and several frames back to back.
        let (_, text) = Self.inputs()[3]
        #expect(try Zstd.decompress(compress(text, "zstd -q -c --check")) == text)
        let two = compress(Array(text.prefix(1000)), "zstd -q -c") + compress(Array(text.suffix(1000)), "zstd -q -c")
        #expect(try Zstd.decompress(two) == Array(text.prefix(1000)) + Array(text.suffix(1000)))
    }

    @Test func theProjectsOwnEncodersRoundTrip() throws {
        for (name, input) in Self.inputs() {
            #expect(try Snappy.decompress(Snappy.compress(input)) == input, "snappy \(name)")
            #expect(try Gzip.decompress(Gzip.compress(input)) == input, "gzip \(name)")
            #expect(try Zstd.decompress(Zstd.compress(input)) == input, "zstd \(name)")
        }
        if Self.tool("gzip") {
            // The system's gzip accepts what the writer produces.
            let dir = tempDir()
            defer { removeTemp(dir) }
            write(Data(Gzip.compress(Array("checked by gzip".utf8))), to: dir + "/x.gz")
            #expect(Subprocess.shell("gzip -dc '\(dir)/x.gz'").output == "checked by gzip")
        }
        if Self.tool("zstd") {
            let dir = tempDir()
            defer { removeTemp(dir) }
            write(Data(Zstd.compress(Array("checked by zstd".utf8))), to: dir + "/x.zst")
            #expect(Subprocess.shell("zstd -q -dc '\(dir)/x.zst'").output == "checked by zstd")
        }
    }

    /// A page that decodes past its limit is refused (a decompression bomb), one exactly at it is not, and a cut
    /// stream is an error rather than a short page.
    @Test func limitsAndTruncationAreEnforced() throws {
        let input = [UInt8](repeating: 7, count: 100_000) + Array("end".utf8)
        let n = input.count
        #expect(throws: CodecError.self) { try Zstd.decompress(Zstd.compress(input), limit: 1000) }
        #expect(throws: CodecError.self) { try Gzip.decompress(Gzip.compress(input), limit: 1000) }
        #expect(throws: CodecError.self) { try Snappy.decompress(Snappy.compress(input), limit: 1000) }
        #expect(try Zstd.decompress(Zstd.compress(input), limit: n) == input)
        #expect(try Gzip.decompress(Gzip.compress(input), limit: n) == input)
        #expect(try Snappy.decompress(Snappy.compress(input), limit: n) == input)
        let z = Zstd.compress(input), g = Gzip.compress(input)
        #expect(throws: CodecError.self) { try Zstd.decompress(Array(z.dropLast(3))) }
        #expect(throws: CodecError.self) { try Gzip.decompress(Array(g.prefix(g.count / 2))) }
    }

    @Test func snappyOverlappingCopies() throws {
        // "ab" then a copy of 10 bytes from 2 back: "abababababab".
        let z: [UInt8] = [12, 1 << 2, UInt8(ascii: "a"), UInt8(ascii: "b"), UInt8((10 - 1) << 2 | 2), 2, 0]
        #expect(try Snappy.decompress(z) == Array("abababababab".utf8))
    }

    @Test func damagedInputIsAnErrorNeverACrash() {
        let (_, text) = Self.inputs()[3]
        var candidates: [[UInt8]] = [[0xFF, 0x00, 0x12], [0x28, 0xB5, 0x2F, 0xFD], [0x1F, 0x8B, 8, 0]]
        candidates.append(Snappy.compress(text).dropLast(100).map { $0 })
        if Self.tool("zstd") { candidates.append(Array(compress(text, "zstd -q -c -3").prefix(5000))) }
        if Self.tool("gzip") { candidates.append(Array(compress(text, "gzip -c").prefix(5000))) }
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 { candidates.append((0..<Int.random(in: 1...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }) }
        for c in candidates {
            // Any outcome but a crash: an error, or (for garbage that happens to be valid) some bytes.
            _ = try? Snappy.decompress(c, limit: 1 << 20)
            _ = try? Gzip.decompress(c, limit: 1 << 20)
            _ = try? Zstd.decompress(c, limit: 1 << 20)
        }
        #expect(throws: CodecError.self) { try Zstd.decompress([0x28, 0xB5, 0x2F, 0xFD]) }
        #expect(throws: CodecError.self) { try Snappy.decompress([10, 0]) }
    }
}
