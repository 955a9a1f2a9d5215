import CProcess
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A file of the process's own (a cache it wrote whole and renamed into place) mapped read-only instead of read: no
/// copy and no zeroed pages to fill (the kept catalog of 10,000 runs, 29 MB: 13–18 ms of a core read, 0.2 ms mapped).
///
/// The bytes are the file's as long as nobody rewrites it in place; a file cut short under the mapping, which would
/// end the process with SIGBUS at the first access past its new end, reads zeros there instead and the mapping says
/// so (`isDamaged`: the reader treats what it read as a miss). Dataset files are never mapped: a producer rewrites
/// them while they are read, and their parse needs bytes that hold still (`LocalFileSystem.readFile`).
public struct MappedOwnFile: Sendable {
    /// The bytes; the mapping lives as long as this value (and its copies and slices).
    public let data: Data
    private let slot: Int32

    /// The file mapped, or nil when it cannot be opened or mapped, or every guard is in use (the caller reads it).
    public init?(_ path: String) {
        guard let (fd, st) = try? LocalFileSystem.openRegular(path) else { return nil }
        defer { close(fd) }
        let count = Int(st.st_size)
        guard count > 0, let p = mmap(nil, count, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0), p != MAP_FAILED else { return nil }
        let slot = tm_map_guard_add(p, count)
        guard slot >= 0 else {
            munmap(p, count)
            return nil
        }
        self.slot = slot
        data = Data(bytesNoCopy: p, count: count, deallocator: .custom { p, n in
            tm_map_guard_remove(slot)
            munmap(p, n)
        })
    }

    /// Whether the file was cut short under the mapping and zeros were read in place of some of its bytes. Asked
    /// while `data` is alive (its guard is then this mapping's).
    public var isDamaged: Bool { tm_map_guard_damaged(slot) != 0 }
}
