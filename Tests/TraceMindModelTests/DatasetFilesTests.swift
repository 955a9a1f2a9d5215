import Foundation
import TestSupport
import Testing
import TraceMindFormats
@testable import TraceMindModel

/// How dataset files are split into records.
@Suite struct DatasetFilesTests {
    @Test func aWrongLayoutGuessFallsBackToTheStructuralScan() throws {
        let dir = tempDir()
        defer { removeTemp(dir) }
        let pad = String(repeating: "x", count: 400_000)  // over a MiB in all: the layout guess is tried
        func load(_ text: String) -> ([JSON], [Diagnostic]) {
            write(text, to: dir + "/traces.json")
            var diags: [Diagnostic] = []
            let v = DatasetFiles.mapRecords(LocalFileSystem(), dir + "/traces.json", into: &diags) { v, _ in v }
            return (v, diags)
        }
        // No indentation: every line after a comma looks like a new element, also inside "a".
        let flat = "[\n{\"a\": [\n1,\n2\n],\n\"s\": \"\(pad)\"},\n{\"b\": 2,\n\"s\": \"\(pad)\"},\n{\"c\": 3,\n\"s\": \"\(pad)\"}\n]"
        let (v, d) = load(flat)
        #expect(d.isEmpty, "\(d)")
        #expect(v.map { $0.objectValue?.keys.first } == ["a", "b", "c"])
        #expect(v.first?["a"] == [1, 2])
        // Python's layout with one broken element: the same one warning as the structural scan gives.
        let broken = "[\n  {\"a\": 1, \"s\": \"\(pad)\"},\n  {\"b\": },\n  {\"c\": 3, \"s\": \"\(pad)\"},\n  {\"d\": 4, \"s\": \"\(pad)\"}\n]"
        let (w, e) = load(broken)
        #expect(w.map { $0.objectValue?.keys.first } == ["a", "c", "d"])
        #expect(e.count == 1 && e[0].message.contains("record 2") && e[0].message.contains("the other 3 records loaded"), "\(e)")
    }
}
