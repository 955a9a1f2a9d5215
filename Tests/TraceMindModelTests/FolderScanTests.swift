import Foundation
import TestSupport
import Testing
import TraceMindDemo
import TraceMindFormats
@testable import TraceMindModel

/// The catalog's folder scan: `readdir` with entry types, subfolders listed on all cores, loops cut by identity.
@Suite struct FolderScanTests {
    /// Two generated runs in `dir/runs`.
    func twoRuns(in dir: String) -> [String] {
        var o = DemoOptions()
        o.includeFixedRuns = false
        o.extraRuns = 2
        o.testsPerExtraRun = 1
        o.stepsPerTest = 1
        var names: [String] = []
        for (p, d) in DemoGenerator(options: o).files() {
            write(d, to: dir + "/runs/" + p)
            names.append(p)
        }
        return names
    }

    @Test func theLocalListingAgreesWithTheGenericOne() throws {
        let dir = tempDir()
        defer { removeTemp(dir) }
        _ = twoRuns(in: dir)
        write("{}", to: dir + "/runs/loose.json")
        try FileManager.default.createSymbolicLink(atPath: dir + "/runs/linked", withDestinationPath: dir + "/runs")
        /// The protocol's own listing (list + isDirectory + realpath), through a wrapper that does not override it.
        struct Generic: DataFileSystem {
            let base = LocalFileSystem()
            func readFile(_ path: String) throws -> FileContents { try base.readFile(path) }
            func readRange(_ path: String, _ range: Range<Int>) throws -> [UInt8] { try base.readRange(path, range) }
            func isDirectory(_ path: String) -> Bool { base.isDirectory(path) }
            func isFile(_ path: String) -> Bool { base.isFile(path) }
            func list(_ path: String) throws -> [String] { try base.list(path) }
            func fileSize(_ path: String) -> Int? { base.fileSize(path) }
            func canonicalPath(_ path: String) -> String { base.canonicalPath(path) }
        }
        for folder in [dir + "/runs", dir + "/runs/smoltrace_results"] {
            let fast = try LocalFileSystem().listFolder(folder)
            let slow = try Generic().listFolder(folder)
            #expect(fast.names == slow.names)
            #expect(fast.folders == slow.folders)
        }
        // A link reaches the same folder: the same identity.
        #expect(try LocalFileSystem().listFolder(dir + "/runs").identity == LocalFileSystem().listFolder(dir + "/runs/linked").identity)
        #expect(try LocalFileSystem().listFolder(dir + "/runs").folders.contains("linked"))
        #expect(throws: FileReadError.self) { try LocalFileSystem().listFolder(dir + "/nothing") }
    }

    @Test func linkedRunFoldersAreFoundOnceAndLoopsEnd() throws {
        let dir = tempDir()
        defer { removeTemp(dir) }
        _ = twoRuns(in: dir)
        let plain = CatalogLoader.load(sources: [dir + "/runs"])
        #expect(plain.runs.count == 2, "\(plain.diagnostics)")
        // A link back up to the top and a second path to the same runs: still two runs, and the scan ends.
        try FileManager.default.createSymbolicLink(atPath: dir + "/runs/smoltrace_results/up", withDestinationPath: dir + "/runs")
        try FileManager.default.createSymbolicLink(atPath: dir + "/runs/again", withDestinationPath: dir + "/runs/smoltrace_results")
        let looped = CatalogLoader.load(sources: [dir + "/runs"])
        #expect(Set(looped.runs.map(\.key)) == Set(plain.runs.map(\.key)))
        #expect(looped.runs.count == 2, "\(looped.runs.map(\.source))")
    }

    @Test(.enabled(if: getuid() != 0, "root reads every folder")) func anUnreadableSubfolderIsOneWarningAndTheRestLoads() throws {
        let dir = tempDir()
        defer {
            chmod(dir + "/runs/locked", 0o755)
            removeTemp(dir)
        }
        _ = twoRuns(in: dir)
        try FileManager.default.createDirectory(atPath: dir + "/runs/locked", withIntermediateDirectories: true)
        chmod(dir + "/runs/locked", 0)
        let c = CatalogLoader.load(sources: [dir + "/runs"])
        #expect(c.runs.count == 2)
        #expect(c.diagnostics.filter { $0.path.hasSuffix("/locked") }.count == 1, "\(c.diagnostics)")
    }

    @Test func manyRunFoldersLoadInScanOrder() throws {
        let dir = tempDir()
        defer { removeTemp(dir) }
        var o = DemoOptions()
        o.includeFixedRuns = false
        o.extraRuns = 80  // over the serial threshold: listed and read on all cores
        o.testsPerExtraRun = 1
        o.stepsPerTest = 1
        for (p, d) in DemoGenerator(options: o).files() { write(d, to: dir + "/" + p) }
        let c = CatalogLoader.load(sources: [dir])
        #expect(c.runs.count == 80, "\(c.diagnostics)")
        let folders = c.runs.compactMap(\.files.folder).map(PathUtil.basename)
        #expect(folders == folders.sorted())
        #expect(c.diagnostics.isEmpty, "\(c.diagnostics)")
    }
}
