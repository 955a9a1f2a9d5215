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
}
