import Foundation
import Testing

/// The README's screen captures are golden files as they are now (a capture that drifted from its screen fails).
@Suite struct ReadmeCaptureTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func everyCaptureInTheReadmeIsAGolden() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        guard let start = readme.range(of: "## What it looks like") else {
            Issue.record("the README has no screen captures")
            return
        }
        let section = readme[start.upperBound...].prefix { _ in true }
        let end = section.range(of: "\n## ").map { section[..<$0.lowerBound] } ?? section
        let blocks = end.components(separatedBy: "```text\n").dropFirst().compactMap { $0.components(separatedBy: "\n```").first }
        #expect(blocks.count >= 5, "the captures were found")
        let snapshots = Self.root.appendingPathComponent("Tests/TraceMindAppTests/__Snapshots__")
        let goldens = try FileManager.default.contentsOfDirectory(atPath: snapshots.path).filter { $0.hasSuffix(".txt") }.map { name in
            try String(contentsOf: snapshots.appendingPathComponent(name), encoding: .utf8)
                .split(separator: "\n", omittingEmptySubsequences: false).map { $0.replacingOccurrences(of: " +$", with: "", options: .regularExpression) }
                .joined(separator: "\n").trimmingCharacters(in: .newlines)
        }
        for b in blocks {
            let found = goldens.contains(b.trimmingCharacters(in: .newlines))
            #expect(found, "a README capture is no golden (copy it again from __Snapshots__):\n\(b.prefix(200))")
        }
    }
}
