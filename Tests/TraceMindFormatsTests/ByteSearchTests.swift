import Testing
import TraceMindFormats

@Suite struct ByteSearchTests {
    func has(_ haystack: String, _ needle: String) -> Bool {
        Array(haystack.utf8).withUnsafeBytes { ByteSearch.containsFoldingCase($0, Array(needle.utf8)) }
    }

    @Test func asciiLettersMatchInEitherCase() {
        #expect(has("0xABCDEF12", "abcd"))
        #expect(has("WebSearchTool", "searcht"))
        #expect(has("aaab", "aab"), "a partial match is retried one byte on")
        #expect(!has("WebSearch", "searcht"), "the needle runs past the end")
        #expect(!has("tool", "tools"))
        #expect(has("x", ""))
        #expect(!has("", "x"))
        #expect(has("…tool…", "tool"), "non-ASCII bytes around it")
        #expect(!has("T-O-O-L", "tool"))
        #expect(has("[1, 2]", "[1, ") && !has("[1, 2]", "[1,2"), "punctuation and spaces are compared as they are")
    }

    /// The search agrees with lowering the haystack and searching it, on random bytes over a small alphabet (so that
    /// partial matches, both cases of the first letter and matches at the ends all occur).
    @Test func agreesWithASearchOfTheLoweredHaystack() {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("aAbB\\u-".utf8)
        func lowered(_ b: [UInt8]) -> [UInt8] { b.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 32 : $0 } }
        func naive(_ h: [UInt8], _ n: [UInt8]) -> Bool {
            let l = lowered(h)
            guard n.count <= l.count else { return n.isEmpty }
            return (0...(l.count - n.count)).contains { Array(l[$0..<($0 + n.count)]) == n }
        }
        for _ in 0..<3000 {
            let h = (0..<Int.random(in: 0...40, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            let n = lowered((0..<Int.random(in: 1...4, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
            #expect(h.withUnsafeBytes { ByteSearch.containsFoldingCase($0, n) } == naive(h, n), "\(h) \(n)")
        }
    }
}
