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
