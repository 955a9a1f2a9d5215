import Foundation
import Testing

@testable import TraceMindModel

/// A failed test's error kind (the run screen's and report's error groups) names the same token whichever way the
/// error text is read: an ASCII text by its bytes, any other by its characters.
@Suite struct ErrorKindTests {
    /// The characters' way, as the kind was first defined: the reference.
    static func reference(_ e: String) -> String? {
        let tokens = e.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "." || $0 == "_") })
        for t in tokens {
            let name = t.split(separator: ".").last.map(String.init) ?? String(t)
            if (name.hasSuffix("Error") || name.hasSuffix("Exception") || name == "Timeout") && name != "Error" && name != "Exception" {
                if name != "AgentGenerationError" && name != "AgentExecutionError" { return name }
            }
        }
        return nil
    }

    @Test func theBytesNameWhatTheCharactersName() {
        let texts = [
            "Error while generating output:\nlitellm.RateLimitError: RateLimitError: OpenAIException - 429",
            "Traceback (most recent call last):\r\n  File \"x.py\", line 3\r\nsmolagents.utils.AgentGenerationError: boom\r\nValueError: bad",
            "AgentExecutionError then KeyError", "Error", "Exception", ".Error", "a.b.TimeoutError.", "...", "x..ZeroDivisionError..",
            "Timeout", "timeout Timeout.", "9Error", "_Error", "Error_", "MyException:MyError", "", "no kind here",
            "tab\tIndexError\u{7F}next", "caf\u{E9}Error", "\u{1F600}ValueError", "e\u{301}Error OSError", "ÜberError",
            "中文Error", "\u{212A}eyError", "\u{0660}Error",
        ]
        for t in texts {
            #expect(RunAnalysis.errorName(t) == ErrorKindTests.reference(t), "\(t.debugDescription)")
        }
        // Random ASCII texts from an alphabet that makes tokens, dots and separators of every kind.
        var g = SystemRandomNumberGenerator()
        let alphabet = Array("ErorxcpinTmeut._.. :\n\r\t-09KV".utf8) + [0x00, 0x7F, 0x22]
        for _ in 0..<2_000 {
            let n = Int.random(in: 0..<40, using: &g)
            let t = String(decoding: (0..<n).map { _ in alphabet.randomElement(using: &g)! }, as: UTF8.self)
            #expect(RunAnalysis.errorName(t) == ErrorKindTests.reference(t), "\(t.debugDescription)")
        }
    }
}
