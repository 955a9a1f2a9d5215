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

    /// A traces file mapped for the pass (`mapped`) makes what a read of it makes; one that changes under the pass is
    /// read again (what the pass made from it is dropped), with the read's own warnings and no others.
    @Test func aFileMappedForThePassIsReadAgainWhenItChangesUnderIt() throws {
        let dir = tempDir()
        defer { removeTemp(dir) }
        let path = dir + "/traces.json"
        let pad = String(repeating: "p", count: 200_000)
        let records = (0..<12).map { "  {\"trace_id\": \"t\($0)\", \"s\": \"\(pad)\"}" }
        let text = "[\n" + records.joined(separator: ",\n") + "\n]\n"
        write(text, to: path)
        final class Calls: @unchecked Sendable {
            let lock = NSLock()
            var n = 0
            var strike: ((Int) -> Void)?
            func called() { lock.withLock { n += 1; strike?(n) } }
        }
        func load(mapped: Bool, _ calls: Calls) -> ([String], [Diagnostic]) {
            var diags: [Diagnostic] = []
            let v = DatasetFiles.mapRecords(LocalFileSystem(), path, into: &diags, maxStringBytes: 64, mapped: mapped) { v, _ in
                calls.called()
                return v["trace_id"]?.text
            }
            return (v, diags)
        }
        let ids = (0..<12).map { "t\($0)" }
        let read = Calls(), mapped = Calls()
        #expect(load(mapped: false, read) == (ids, []))
        let (m, md) = load(mapped: true, mapped)
        #expect(m == ids && md.isEmpty, "\(md)")
        #expect(read.n == 12 && mapped.n == 12)
        // Grown under the pass (blanks: the same records): every record is made again from a read.
        let grown = Calls()
        grown.strike = { n in
            if n == 1, let h = FileHandle(forWritingAtPath: path) {
                h.seekToEndOfFile()
                h.write(Data("\n\n".utf8))
                try? h.close()
            }
        }
        let (g, gd) = load(mapped: true, grown)
        #expect(g == ids && gd.isEmpty, "\(gd)")
        #expect(grown.n == 24)
        // Cut short under the pass: the bytes past the new end read as zeros, the pass is dropped, and the file as it
        // is now is read, with its warning (once).
        write(text, to: path)
        let cut = Calls()
        cut.strike = { n in if n == 1 { _ = truncate(path, off_t(text.utf8.count / 2)) } }
        let (c, cd) = load(mapped: true, cut)
        #expect(c.count < ids.count)
        #expect(cd.count == 1 && cd[0].path == path, "\(cd)")
    }

    /// Arrays of objects laid out as `json.dump(…, indent=2)` writes them are split at each `{` that starts a line at
    /// the elements' indentation after a line ending in `,` (CRLF line breaks too; braces inside strings and nested
    /// objects are not boundaries); an array whose elements are not all objects, or laid out otherwise, still reads
    /// every element (the guess fails and the array is scanned).
    @Test func anArrayOfObjectsIsSplitAtItsElementsBraces() throws {
        let dir = tempDir()
        defer { removeTemp(dir) }
        let pad = String(repeating: "x", count: 300_000)  // over a MiB in all: the layout guess is tried
        func element(_ k: Int) -> String {
            "  {\n    \"k\": \(k),\n    \"s\": \"\(pad) {not a brace that counts},\",\n    \"n\": {\n      \"a\": [\n        {\n          \"b\": 1\n        },\n        {\n          \"b\": 2\n        }\n      ]\n    }\n  }"
        }
        func load(_ text: String) -> ([JSON], [Diagnostic]) {
            write(text, to: dir + "/traces.json")
            var diags: [Diagnostic] = []
            let v = DatasetFiles.mapRecords(LocalFileSystem(), dir + "/traces.json", into: &diags) { v, _ in v }
            return (v, diags)
        }
        let dumped = "[\n" + (0..<5).map(element).joined(separator: ",\n") + "\n]"
        let guessed = try #require(JSONParser.indentedElementRanges(Data(dumped.utf8)))
        #expect(guessed.count == 5)
        for (text, label) in [(dumped, "LF"), (dumped.replacingOccurrences(of: "\n", with: "\r\n"), "CRLF")] {
            let (v, d) = load(text)
            #expect(d.isEmpty, "\(label): \(d)")
            #expect(v.map { $0["k"]?.int } == [0, 1, 2, 3, 4], "\(label)")
            #expect(v.allSatisfy { $0["n"]?["a"]?.arrayValue?.count == 2 }, "\(label)")
        }
        // A number among the objects, and objects one per line: every element still read.
        let mixed = "[\n" + element(0) + ",\n  7,\n" + element(2) + ",\n  {\"k\": 3, \"s\": \"\(pad)\"},\n  {\"k\": 4}\n]"
        let (m, md) = load(mixed)
        #expect(md.isEmpty, "\(md)")
        #expect(m.map { $0["k"]?.int ?? $0.int } == [0, 7, 2, 3, 4])
    }
}
