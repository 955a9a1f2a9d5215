import Foundation
import Testing
import TraceMindFormats

/// `fileStamps` (paths looked up from a folder two levels above them) finds what `fileStamp` (a `stat` from `/`)
/// finds, for every shape of path.
@Suite struct FileStampsTests {
    @Test func stampsLookedUpTogetherAreEachPathsOwn() throws {
        let fm = FileManager.default
        let root = fm.temporaryDirectory.appendingPathComponent("tm-stamps-\(UUID().uuidString)").path
        defer { try? fm.removeItem(atPath: root) }
        var paths: [String] = []
        for r in 0..<150 {
            let run = "\(root)/runs/run-\(r)"
            try fm.createDirectory(atPath: run, withIntermediateDirectories: true)
            for (i, name) in ["results.json", "traces.json"].enumerated() where r % 7 != 0 || i == 0 {
                try Data(repeating: UInt8(r & 0xFF), count: r * 10 + i).write(to: URL(fileURLWithPath: "\(run)/\(name)"))
            }
            // A run folder, then the files in it, then one that is not there: the order of a kept catalog's paths.
            paths += [run, "\(run)/results.json", "\(run)/traces.json", "\(run)/metrics.json"]
        }
        try fm.createSymbolicLink(atPath: "\(root)/link", withDestinationPath: "\(root)/runs")
        try fm.createDirectory(atPath: "\(root)/locked/inner", withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: "\(root)/locked/inner/f.json"))
        paths += [
            "\(root)/link/run-3/results.json",  // through a link
            "\(root)/runs/run-4/../run-5/traces.json",  // a parent step
            "\(root)/runs//run-6/results.json",  // an empty name
            "\(root)/runs/run-8/",  // a trailing slash
            "\(root)/runs/run-9/results.json/x",  // under a file
            "\(root)/missing/run/traces.json",  // a folder that is not there
            "\(root)/locked/inner/f.json",  // under a folder that cannot be read (below)
            // One name under `/` (a plain `stat`): a folder nothing writes in while the tests run (`/tmp`, where the
            // other tests make their folders at the same time, changed between two lookups).
            "/", "/usr", "relative/path.json", "",
        ]
        try fm.setAttributes([.posixPermissions: 0o311], ofItemAtPath: "\(root)/locked")
        defer { try? fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: "\(root)/locked") }
        let fs = LocalFileSystem()
        let together = fs.fileStamps(paths)
        #expect(together.count == paths.count)
        for (p, s) in zip(paths, together) { #expect(s == fs.fileStamp(p), "\(p)") }
        // The test would pass on stamps all empty: most of these paths are files and folders.
        #expect(together.filter { $0.kind == UInt8(ascii: "f") }.count > 250)
        #expect(together.filter { $0.kind == UInt8(ascii: "d") }.count >= 150)
        #expect(fs.fileStamps([]).isEmpty)
        // The same paths given as their bytes (a kept catalog's, where they lie in its file): the same stamps.
        let bytes = paths.map { Array($0.utf8) }
        let fromBytes = bytes.withUnsafeBufferPointer { all in
            fs.fileStamps(count: all.count, bytes: { i in all[i].withUnsafeBytes { UnsafeRawBufferPointer(start: $0.baseAddress, count: $0.count) } })
        }
        #expect(fromBytes == together)
        // A path whose bytes hold a zero names nothing.
        let zero = Array("\(root)/runs/run-1/results.json".utf8) + [0] + Array("x".utf8)
        let z = zero.withUnsafeBytes { b in fs.fileStamps(count: 1, bytes: { _ in b }) }
        #expect(z == [FileStamp()])
    }
}
