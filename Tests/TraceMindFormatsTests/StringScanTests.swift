import CScan
import Foundation
import Testing

@testable import TraceMindFormats

// `tm_json_string_end` (the SSE2 scan, 64 bytes at a time) against the rule written out byte by byte, and the
// portable search that stands in for it elsewhere against the same rule: on strings dense in quotes and runs of
// backslashes, of every length around the 64-byte blocks, ending at every place in and after a block.

/// The closing quote's offset by the rule itself: a backslash escapes the byte after it.
private func byRule(_ b: [UInt8]) -> Int {
    var escaped = false
    for (k, c) in b.enumerated() {
        if escaped {
            escaped = false
        } else if c == UInt8(ascii: "\\") {
            escaped = true
        } else if c == UInt8(ascii: "\"") {
            return k
        }
    }
    return b.count
}

/// Bytes of `length` from `seed`: quotes, backslashes (in runs) and letters, more of the first two with `density`.
private func bytes(_ length: Int, seed: UInt64, density: UInt64) -> [UInt8] {
    var s = seed
    return (0..<length).map { _ in
        s = s &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        let r = (s >> 33) % 16
        return r < density ? UInt8(ascii: "\"") : r < density * 3 + 2 ? UInt8(ascii: "\\") : UInt8(ascii: "a") + UInt8(r)
    }
}

/// Each scan the reader may run: the one it runs, each instruction set's, and the portable one. AVX2's only where the
/// processor has it (elsewhere its instructions fault; `theAVX2ScanIsChosenExactlyWhereTheProcessorHasIt` says so).
private func allScans() -> [(String, (UnsafeRawPointer?, Int) -> Int)] {
    var scans: [(String, (UnsafeRawPointer?, Int) -> Int)] = [
        ("chosen", { Int(tm_json_string_end($0, $1)) }), ("SSE2", { Int(tm_json_string_end_sse2($0, $1)) }),
        ("portable", { Int(tm_json_string_end_portable($0, $1)) }),
    ]
    if tm_scan_has_avx2() == 1 { scans.append(("AVX2", { Int(tm_json_string_end_avx2($0, $1)) })) }
    return scans
}

struct StringScanTests {
    /// This machine's answer is the processor's own (`/proc/cpuinfo`'s flags), so that the AVX2 scan the tests hold to
    /// the rule is the one the reader runs.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/cpuinfo"), "no /proc/cpuinfo to ask"))
    func theAVX2ScanIsChosenExactlyWhereTheProcessorHasIt() throws {
        let info = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        // An x86 processor lists its instruction sets as `flags` (others, as `Features`, have no AVX2).
        let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
        let avx2 = flags?.split(separator: " ").contains("avx2") ?? false
        #expect((tm_scan_has_avx2() == 1) == avx2)
        if !avx2 { print("StringScanTests: this processor has no AVX2; the AVX2 scan was not run") }
    }

    @Test func agreesWithTheRuleOnDenseStrings() {
        let scans = allScans()
        var cases = 0
        for length in 0...260 {
            for density in 0..<4 as Range<UInt64> {
                for seed in 0..<40 as Range<UInt64> {
                    let b = bytes(length, seed: seed &* 7919 &+ UInt64(length), density: density)
                    let want = byRule(b)
                    for (name, scan) in scans {
                        #expect(Int(b.withUnsafeBytes { scan($0.baseAddress, $0.count) }) == want, "\(name): \(String(decoding: b, as: UTF8.self))")
                    }
                    cases += 1
                }
            }
        }
        #expect(cases == 261 * 4 * 40)
    }

    /// A run of backslashes that crosses a block's end escapes the next block's first byte exactly when it is odd.
    @Test func runsAcrossBlocks() {
        let scans = allScans()
        for end in 1...130 {
            for run in 1...70 where run <= end {
                var b = [UInt8](repeating: UInt8(ascii: "x"), count: end + 8)
                for k in (end - run)..<end { b[k] = UInt8(ascii: "\\") }
                b[end] = UInt8(ascii: "\"")
                b[end + 3] = UInt8(ascii: "\"")
                let want = run % 2 == 0 ? end : end + 3
                for (name, scan) in scans {
                    #expect(Int(b.withUnsafeBytes { scan($0.baseAddress, $0.count) }) == want, "\(name): run \(run) ending at \(end)")
                }
            }
        }
    }

    /// None of the bytes past `n` is read: a quote just past the end is not found.
    @Test func staysInsideItsBytes() {
        let scans = allScans()
        for n in 0...200 {
            var b = [UInt8](repeating: UInt8(ascii: "y"), count: n + 64)
            b[n] = UInt8(ascii: "\"")
            for (name, scan) in scans { #expect(Int(b.withUnsafeBytes { scan($0.baseAddress, n) }) == n, "\(name)") }
        }
    }

    /// Through the parser: long strings full of escaped quotes are elided whole, short ones decoded, a skipped array
    /// of them ends where it ends, and a string cut short is an error.
    @Test func theParserSkipsEscapedStrings() throws {
        let inner = String(repeating: #"{\"role\": \"user\", \"content\": \"a \\\"quoted\\\" word\\\\\"}, "#, count: 40)
        let text = #"{"skipped": ""# + inner + #"", "short": "a\"b", "later": [""# + inner + #"", 1], "kept": 7}"#
        let data = Data(text.utf8)
        let v = try JSONParser.parse(data, maxStringBytes: 16)
        #expect(v["kept"] == .int(7))
        #expect(v["short"] == .string("a\"b"))
        #expect(v["skipped"] == .string(JSONParser.elided))
        let whole = try JSONParser.parse(data)
        #expect(whole["skipped"] == .string(String(repeating: #"{"role": "user", "content": "a \"quoted\" word\\"}, "#, count: 40)))
        let (head, deferred) = try #require(try JSONParser.parseObject(data, range: 0..<data.count, deferring: ["later"]))
        #expect(head["kept"] == .int(7))
        let later = try #require(deferred["later"])
        #expect(try later.map { try JSONParser.parse(data, range: $0) } == [whole["later"]!.arrayValue![0], .int(1)])
        #expect(throws: JSONParseError.self) { try JSONParser.parse(Data(#"{"a": "\\\"cut"#.utf8), maxStringBytes: 16) }
    }

    /// `tm_string_stop` (16 bytes at a time) and its portable twin against the rule, at every length around the blocks,
    /// the first quote or backslash at every place, and with neither; no byte past the `n` read.
    @Test func stringStopsAgreeWithTheRule() {
        for n in 0...100 {
            for place in 0...n {
                for stop in [UInt8(ascii: "\""), UInt8(ascii: "\\")] {
                    var b = [UInt8](repeating: UInt8(ascii: "k"), count: n + 20)
                    if place < n { b[place] = stop }
                    if place + 1 < n { b[place + 1] = UInt8(ascii: "\"") }
                    b[n] = UInt8(ascii: "\"")  // just past the end: never found
                    let want = place
                    #expect(Int(b.withUnsafeBytes { tm_string_stop($0.baseAddress, n) }) == want, "n \(n), at \(place)")
                    #expect(Int(b.withUnsafeBytes { tm_string_stop_portable($0.baseAddress, n) }) == want, "n \(n), at \(place)")
                }
            }
        }
    }
}
