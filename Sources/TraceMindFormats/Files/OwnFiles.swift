import CProcess
import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#endif

/// A file of the process's own (a cache it wrote whole and renamed into place) mapped read-only instead of read: no
/// copy and no zeroed pages to fill (the kept catalog of 10,000 runs, 29 MB: 13–18 ms of a core read, 0.2 ms mapped).
///
/// The bytes are the file's as long as nobody rewrites it in place; a file cut short under the mapping, which would
/// end the process with SIGBUS at the first access past its new end, reads zeros there instead and the mapping says
/// so (`isDamaged`: the reader treats what it read as a miss). Dataset files are mapped only for one pass whose result
/// is checked afterwards (`MappedDataFile`): a producer rewrites them while they are read.
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

/// A dataset file mapped for one pass over its bytes (a run's traces, summarised and dropped), instead of read into
/// fresh pages: the copy and the zeroed pages were a tenth of opening a run of 15 MB of traces (0.054 → 0.048 s), and
/// the pass could not start before they were done.
///
/// A producer may rewrite the file, or cut it short, while the pass reads it. What the pass made is used only if
/// `unchanged()` says afterwards that the file is the one mapped (its size and modification time as they were, no
/// access past a new end): else the caller reads the file again with `readFile` (`DatasetFiles.mapRecordsInFile`). A
/// file cut short reads zeros past its new end instead of ending the process (the guard of `MappedOwnFile`). Nothing
/// made from the bytes may keep them (the bytes of a span's details are read again from the file when shown).
public final class MappedDataFile: @unchecked Sendable {
    /// The bytes; the mapping lives as long as this value (and its copies and slices).
    public let data: Data
    private let slot: Int32
    private let fd: Int32
    private let before: stat

    /// The regular file at `path` mapped, or nil when it is smaller than a megabyte (`LocalFileSystem.pageThreshold`:
    /// a smaller file is read in the time a mapping takes), cannot be opened or mapped, or every guard is in use.
    init?(_ path: String) {
        guard let (fd, st) = try? LocalFileSystem.openRegular(path) else { return nil }
        let count = Int(st.st_size)
        guard count >= LocalFileSystem.pageThreshold, let p = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            close(fd)
            return nil
        }
        let slot = tm_map_guard_add(p, count)
        guard slot >= 0 else {
            munmap(p, count)
            close(fd)
            return nil
        }
        // Read ahead from the disk at once (nothing to do for a file the page cache holds).
        _ = madvise(p, count, MADV_WILLNEED)
        self.fd = fd
        self.slot = slot
        before = st
        data = Data(bytesNoCopy: p, count: count, deallocator: .custom { p, n in
            tm_map_guard_remove(slot)
            LocalFileSystem.release(p, n)  // a mapping (a megabyte or more), unmapped in the background when large
        })
    }

    deinit { close(fd) }

    /// Whether the bytes read are the file's: it has its size and modification time as when it was mapped, and no
    /// access fell past a new end. Asked once the pass is over, while `data` is alive.
    public func unchanged() -> Bool {
        guard tm_map_guard_damaged(slot) == 0 else { return false }
        var now = stat()
        return fstat(fd, &now) == 0 && now.st_size == before.st_size && now.st_mtim.tv_sec == before.st_mtim.tv_sec
            && now.st_mtim.tv_nsec == before.st_mtim.tv_nsec
    }
}
