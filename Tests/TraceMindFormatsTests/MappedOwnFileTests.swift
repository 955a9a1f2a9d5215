import Foundation
import Testing
import TraceMindFormats

#if canImport(Glibc)
    import Glibc
#endif

/// `MappedOwnFile`: a cache file mapped instead of read gives its bytes, and one cut short under the mapping reads
/// zeros past its new end and says so, where an unguarded mapping would end the process with SIGBUS.
@Suite struct MappedOwnFileTests {
    func scratch(_ bytes: [UInt8]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tm-mapped-\(UUID().uuidString)").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func aMappedFileGivesItsBytes() throws {
        let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let path = try scratch(bytes)
        defer { unlink(path) }
        let mapped = try #require(MappedOwnFile(path))
        #expect([UInt8](mapped.data) == bytes)
        #expect(!mapped.isDamaged)
        // Replaced whole (as every cache is written: a new file renamed into place): the mapping keeps the old bytes.
        let other = try scratch([1, 2, 3])
        #expect(rename(other, path) == 0)
        #expect([UInt8](mapped.data) == bytes)
        #expect(!mapped.isDamaged)
    }

    @Test func aFileCutShortUnderItsMappingReadsZerosAndSaysSo() throws {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let bytes = [UInt8](repeating: 0x41, count: page * 8)
        let path = try scratch(bytes)
        defer { unlink(path) }
        let mapped = try #require(MappedOwnFile(path))
        #expect(mapped.data[page * 6] == 0x41)
        #expect(truncate(path, off_t(page * 2)) == 0)
        // Within the new end: the bytes as they were.
        #expect(mapped.data[page] == 0x41)
        #expect(!mapped.isDamaged)
        // Past it: zeros, not SIGBUS, and the mapping is marked.
        #expect(mapped.data[page * 5] == 0)
        #expect(mapped.data[page * 8 - 1] == 0)
        #expect(mapped.isDamaged)
        // Each mapping has its own mark.
        let second = try scratch(bytes)
        defer { unlink(second) }
        let intact = try #require(MappedOwnFile(second))
        #expect(intact.data.allSatisfy { $0 == 0x41 })
        #expect(!intact.isDamaged)
    }

    @Test func missingEmptyAndSpecialFilesAreNotMapped() throws {
        #expect(MappedOwnFile("/nonexistent/tracemind/file") == nil)
        let empty = try scratch([])
        defer { unlink(empty) }
        #expect(MappedOwnFile(empty) == nil)
        #expect(MappedOwnFile(FileManager.default.temporaryDirectory.path) == nil)
        #expect(MappedOwnFile("/dev/null") == nil)
    }

    @Test func guardsAreGivenBackWithTheirMappings() throws {
        // More mappings made and dropped than there are guards: each gives its guard back.
        let path = try scratch([UInt8](repeating: 7, count: 10_000))
        defer { unlink(path) }
        for _ in 0..<200 {
            let m = try #require(MappedOwnFile(path))
            #expect(m.data.count == 10_000)
        }
    }
}

/// `MappedDataFile` (`LocalFileSystem.mapForOnePass`): a dataset file mapped for one pass gives its bytes and says
/// afterwards whether the file is still the one mapped.
@Suite struct MappedDataFileTests {
    let fs = LocalFileSystem()

    func scratch(_ count: Int) throws -> (String, [UInt8]) {
        let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 17) }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tm-onepass-\(UUID().uuidString)").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return (path, bytes)
    }

    /// Sets the file's modification time to `seconds` after the epoch (a writer's, without waiting for the clock).
    func touch(_ path: String, _ seconds: Int) {
        var times = [timespec(tv_sec: seconds, tv_nsec: 0), timespec(tv_sec: seconds, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
    }

    @Test func aMappedDatasetFileGivesItsBytesAndSaysWhenItWasRewrittenInPlace() throws {
        let (path, bytes) = try scratch(3 << 20)
        defer { unlink(path) }
        touch(path, 1_000_000)
        let m = try #require(fs.mapForOnePass(path))
        #expect(m.data.count == bytes.count)
        #expect(m.data.elementsEqual(bytes))
        #expect(m.unchanged())
        // Rewritten in place, the size kept: the modification time tells.
        let fd = open(path, O_WRONLY)
        #expect(fd >= 0)
        var b: UInt8 = 0xFF
        #expect(pwrite(fd, &b, 1, 1000) == 1)
        close(fd)
        touch(path, 1_000_001)
        #expect(!m.unchanged())
    }

    @Test func aGrownFileIsNotTheOneMapped() throws {
        let (path, _) = try scratch(2 << 20)
        defer { unlink(path) }
        touch(path, 1_000_000)
        let m = try #require(fs.mapForOnePass(path))
        let h = try #require(FileHandle(forWritingAtPath: path))
        h.seekToEndOfFile()
        h.write(Data([1, 2, 3]))
        try h.close()
        touch(path, 1_000_000)  // the time put back: the size tells
        #expect(!m.unchanged())
    }

    @Test func aFileCutShortUnderThePassReadsZerosAndIsNotTheOneMapped() throws {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let (path, bytes) = try scratch(2 << 20)
        defer { unlink(path) }
        let m = try #require(fs.mapForOnePass(path))
        #expect(m.data[page * 300] == bytes[page * 300])
        #expect(truncate(path, off_t(page * 10)) == 0)
        #expect(m.data[page * 400] == 0)
        #expect(!m.unchanged())
    }

    @Test func smallMissingAndSpecialFilesAreRead() throws {
        let (small, _) = try scratch(100_000)
        defer { unlink(small) }
        #expect(fs.mapForOnePass(small) == nil)
        #expect(fs.mapForOnePass("/nonexistent/tracemind/file") == nil)
        #expect(fs.mapForOnePass(FileManager.default.temporaryDirectory.path) == nil)
        #expect(fs.mapForOnePass("/dev/zero") == nil)
    }
}
