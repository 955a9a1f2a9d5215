import Dispatch
import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#endif

/// Where dataset files are read from: the real disk, or the demo data held in memory.
/// The loader only ever reads through this protocol; nothing here writes.
public protocol DataFileSystem: Sendable {
    /// The whole file, read into memory (not mapped: a producer may rewrite or cut it short while it is read; the
    /// process's own caches are mapped, `MappedOwnFile`, and a dataset file only for one pass, `mapForOnePass`), and
    /// whether it changed while it was read.
    func readFile(_ path: String) throws -> FileContents
    /// The file mapped for one pass over its bytes whose result is checked afterwards (`MappedDataFile`), or nil (then
    /// the caller reads it with `readFile`): a file too small to gain from it, one that cannot be mapped, or a file
    /// system that does not map.
    func mapForOnePass(_ path: String) -> MappedDataFile?
    /// Exactly the bytes of `range`; a file that no longer holds them is an error ("changed while reading").
    func readRange(_ path: String, _ range: Range<Int>) throws -> [UInt8]
    func isDirectory(_ path: String) -> Bool
    func isFile(_ path: String) -> Bool
    func list(_ path: String) throws -> [String]
    func fileSize(_ path: String) -> Int?
    /// A stable identity of a directory, to avoid symlink loops.
    func canonicalPath(_ path: String) -> String
    /// A folder's names (sorted), which of them are folders, and the folder's identity (as `canonicalPath`'s, to
    /// avoid loops) — in one pass where the file system allows: the catalog scan lists thousands of run folders.
    func listFolder(_ path: String) throws -> FolderListing
}

/// One folder as listed: its sorted names, the names of its subfolders (symbolic links to folders included), and an
/// identity that is the same for every path that reaches it.
public struct FolderListing: Sendable {
    public var identity: String
    public var names: [String]
    public var folders: Set<String>
    public init(identity: String, names: [String], folders: Set<String>) {
        self.identity = identity
        self.names = names
        self.folders = folders
    }
}

extension DataFileSystem {
    public func mapForOnePass(_ path: String) -> MappedDataFile? { nil }

    public func listFolder(_ path: String) throws -> FolderListing {
        let names = try list(path)
        return FolderListing(
            identity: canonicalPath(path), names: names, folders: Set(names.filter { isDirectory(PathUtil.join(path, $0)) }))
    }

    /// The whole file (see `readFile`).
    public func read(_ path: String) throws -> Data { try readFile(path).data }

    /// At most the first `count` bytes.
    public func readPrefix(_ path: String, _ count: Int) throws -> [UInt8] {
        let size = fileSize(path) ?? 0
        return try readRange(path, 0..<min(max(0, count), size))
    }
}

/// A file as read: its bytes, and whether it changed while they were read (it was truncated, grew, or was rewritten
/// between the first and the last byte, even after a few tries).
public struct FileContents: Sendable {
    public var data: Data
    public var changedWhileReading: Bool
    public init(data: Data, changedWhileReading: Bool = false) {
        self.data = data
        self.changedWhileReading = changedWhileReading
    }
}

public struct FileReadError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(description: String) { self.description = description }
}

/// The disk. Files are read with `pread` into memory of the process's own: a file that is truncated, grows or is
/// replaced while it is read gives a note ("changed while reading"), never a SIGBUS. Only regular files are read (a
/// FIFO or a device would block or never end).
public struct LocalFileSystem: DataFileSystem {
    /// How many times a file that changes under the reader is read again before it is used as read.
    static let attempts = 3
    /// For tests: runs after the bytes of each try are read and before the file is looked at again (a writer that
    /// strikes mid-read, deterministically).
    let afterRead: (@Sendable (_ attempt: Int) -> Void)?

    public init() { afterRead = nil }
    init(afterRead: @escaping @Sendable (_ attempt: Int) -> Void) { self.afterRead = afterRead }

    public func readFile(_ path: String) throws -> FileContents {
        var attempt = 0
        while true {
            attempt += 1
            let (fd, before) = try LocalFileSystem.openRegular(path)
            defer { close(fd) }
            let size = Int(before.st_size)
            // One byte more than the size: a file that grows is noticed.
            let capacity = size + 1
            let parts = LocalFileSystem.readParts(capacity)
            guard let buffer = LocalFileSystem.allocate(capacity, populate: parts == 1) else {
                throw FileReadError(description: "too large to read into memory (\(size) bytes)")
            }
            let (got, failure) = LocalFileSystem.readSpread(fd, into: buffer, count: capacity, parts: parts)
            if failure != 0 {
                LocalFileSystem.release(buffer, capacity)
                throw FileReadError(description: "cannot be read (\(String(cString: strerror(failure))))")
            }
            afterRead?(attempt)
            var after = stat()
            let stable = fstat(fd, &after) == 0 && got == size && after.st_size == before.st_size
                && after.st_mtim.tv_sec == before.st_mtim.tv_sec && after.st_mtim.tv_nsec == before.st_mtim.tv_nsec
            if !stable && attempt < LocalFileSystem.attempts {
                LocalFileSystem.release(buffer, capacity)
                usleep(20_000)
                continue
            }
            let kept = min(got, size)
            if kept == 0 {
                LocalFileSystem.release(buffer, capacity)
                return FileContents(data: Data(), changedWhileReading: !stable)
            }
            let data = Data(bytesNoCopy: buffer, count: kept, deallocator: .custom { p, _ in LocalFileSystem.release(p, capacity) })
            return FileContents(data: data, changedWhileReading: !stable)
        }
    }

    public func mapForOnePass(_ path: String) -> MappedDataFile? { MappedDataFile(path) }

    public func readRange(_ path: String, _ range: Range<Int>) throws -> [UInt8] {
        guard range.lowerBound >= 0 else { throw FileReadError(description: "a negative offset") }
        let (fd, _) = try LocalFileSystem.openRegular(path)
        defer { close(fd) }
        let count = range.count
        var failure: Int32 = 0
        var got = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buf, initialized in
            (got, failure) = count == 0 ? (0, 0) : LocalFileSystem.readFully(fd, into: UnsafeMutableRawPointer(buf.baseAddress!), count: count, at: range.lowerBound)
            initialized = got
        }
        if failure != 0 { throw FileReadError(description: "cannot be read (\(String(cString: strerror(failure))))") }
        guard got == count else {
            throw FileReadError(description: "changed while reading: it now ends at byte \(range.lowerBound + got), before byte \(range.upperBound)")
        }
        return bytes
    }

    /// Large files are read into pages mapped for the purpose and faulted in by the kernel in one go
    /// (`MAP_POPULATE`): a 27 MB traces file otherwise costs thousands of page faults as `pread` fills it.
    static let pageThreshold = 1 << 20

    static func allocate(_ n: Int, populate: Bool = true) -> UnsafeMutableRawPointer? {
        guard n >= pageThreshold else { return malloc(n) }
        let p = mmap(nil, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | (populate ? MAP_POPULATE : 0), -1, 0)
        guard let p, p != MAP_FAILED else { return nil }
        return p
    }

    static func release(_ p: UnsafeMutableRawPointer, _ n: Int) {
        if n >= backgroundUnmapThreshold {
            // Unmapping 15 MB of pages is milliseconds of the kernel's time: done on another core, the thread that
            // dropped the file (a run's traces, once summarised) goes on at once. From the process's own threads, on a
            // thread started there (a pool worker woken for it was often placed on this thread's core, which it then
            // took for a millisecond); from the pool's (a pass over many runs), on the pool.
            let address = UInt(bitPattern: p)
            if Parallel.onOwnThread {
                Threads.detach(elsewhere: true) { munmap(UnsafeMutableRawPointer(bitPattern: address), n) }
            } else {
                DispatchQueue.global(qos: .utility).async { munmap(UnsafeMutableRawPointer(bitPattern: address), n) }
            }
        } else if n >= pageThreshold {
            munmap(p, n)
        } else {
            free(p)
        }
    }

    /// Buffers at least this large are unmapped in the background.
    static let backgroundUnmapThreshold = 4 << 20

    /// How many cores read a file of `count` bytes: one part for each 4 MB, at most one per core.
    static func readParts(_ count: Int) -> Int { max(1, min(Parallel.cores, count / (4 << 20))) }

    /// Reads up to `count` bytes from the start as `readFully` does, a large file in `parts` on all cores, each
    /// filling its own pages (`MADV_POPULATE_WRITE`, else as it faults them): the kernel's copy and the zeroed pages
    /// it fills are the whole cost of reading a file the page cache holds (~7 ms of the ~50 of opening a run of 15 MB
    /// of traces), and they divide. The bytes read are those before the first part that came short.
    static func readSpread(_ fd: Int32, into buffer: UnsafeMutableRawPointer, count: Int, parts: Int) -> (Int, Int32) {
        guard parts > 1 else { return readFully(fd, into: buffer, count: count, at: 0) }
        // Parts start on page boundaries (the buffer is mapped pages), the last one ends at `count`.
        let bounds = (0...parts).map { k in k == parts ? count : (k * count / parts) & ~4095 }
        let results = RecordSlots<(Int, Int32)>(count: parts)
        let base = UncheckedBox(buffer)
        DispatchQueue.concurrentPerform(iterations: parts) { k in
            let lo = bounds[k], n = bounds[k + 1] - lo
            _ = madvise(base.value + lo, n, 23)  // MADV_POPULATE_WRITE (Linux 5.14); without it the pages fault in as read
            results.buffer[k] = .value(readFully(fd, into: base.value + lo, count: n, at: lo))
        }
        var total = 0
        for k in 0..<parts {
            guard case .value(let (got, failure)) = results.buffer[k] else { return (total, EIO) }
            total += got
            if failure != 0 { return (total, failure) }
            if got < bounds[k + 1] - bounds[k] { break }
        }
        return (total, 0)
    }

    /// Reads up to `count` bytes at `offset` (fewer at the end of the file); the bytes read and the error, if any.
    static func readFully(_ fd: Int32, into buffer: UnsafeMutableRawPointer, count: Int, at offset: Int) -> (Int, Int32) {
        var got = 0
        while got < count {
            let n = pread(fd, buffer + got, count - got, off_t(offset + got))
            if n > 0 {
                got += n
            } else if n == 0 {
                break
            } else if errno != EINTR {
                return (got, errno)
            }
        }
        return (got, 0)
    }

    /// Opens a regular file for reading (never blocking on a FIFO) with its status, or says why it cannot be read.
    static func openRegular(_ path: String) throws -> (Int32, stat) {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            let e = errno
            switch e {
            case ENOENT, ENOTDIR: throw FileReadError(description: "no such file")
            case EACCES, EPERM: throw FileReadError(description: "permission denied")
            case ENXIO: throw FileReadError(description: "not a regular file (a socket or device)")
            default: throw FileReadError(description: "cannot be opened (\(String(cString: strerror(e))))")
            }
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            close(fd)
            throw FileReadError(description: "cannot be read (\(String(cString: strerror(errno))))")
        }
        let type = st.st_mode & S_IFMT
        guard type == S_IFREG else {
            close(fd)
            if type == S_IFDIR { throw FileReadError(description: "is a directory, not a file") }
            let what = type == S_IFIFO ? "a FIFO" : type == S_IFSOCK ? "a socket" : type == S_IFCHR || type == S_IFBLK ? "a device" : "special"
            throw FileReadError(description: "not a regular file (\(what))")
        }
        return (fd, st)
    }

    public func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFDIR
    }

    public func isFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && st.st_mode & S_IFMT != S_IFDIR
    }

    public func list(_ path: String) throws -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: path).sorted()
        } catch {
            throw FileReadError(description: "the folder cannot be read (permission denied?)")
        }
    }

    public func fileSize(_ path: String) -> Int? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Int(st.st_size)
    }

    /// What says a file's content is the one seen before, from one `stat`: its size, modification and status-change
    /// times (ns) and its device and inode. The status-change time is set by the kernel on every write, rename or
    /// `touch` and cannot be set back, so a rewrite that keeps the size and restores the modification time still
    /// shows — a surer check than hashing parts of the file, and without reading it (the analysis cache checks every
    /// file of thousands of runs). Nil for what is not a regular file.
    public func identity(_ path: String) -> String? {
        let s = fileStamp(path)
        guard s.kind == UInt8(ascii: "f") else { return nil }
        return "\(s.size) \(s.mtime) \(s.ctime) \(s.device):\(s.inode)"
    }

    /// What is at a path now, from one `stat` (links followed): its kind (`f` file, `d` folder, `o` other), size,
    /// modification and status-change times (ns), device and inode, and the status-change time apart; `-` and 0 when
    /// nothing is there. A folder's times change when a name in it is added, removed or renamed.
    public func stamp(_ path: String) -> (stamp: String, changedNs: Int64) {
        let s = fileStamp(path)
        guard s.kind != 0 else { return ("-", 0) }
        return ("\(Character(UnicodeScalar(s.kind))) \(s.size) \(s.mtime) \(s.ctime) \(s.device):\(s.inode)", s.ctime)
    }

    /// `stamp` as numbers, for comparing many of them.
    public func fileStamp(_ path: String) -> FileStamp {
        var st = stat()
        guard stat(path, &st) == 0 else { return FileStamp() }
        return FileStamp(st)
    }

    /// `readdir` with each entry's type, and the folder's device and inode as its identity: no `stat` per entry
    /// (only for links and file systems that give no type) and no `realpath`, which walks every component.
    public func listFolder(_ path: String) throws -> FolderListing {
        guard let dir = opendir(path) else { throw FileReadError(description: "the folder cannot be read (permission denied?)") }
        defer { closedir(dir) }
        var st = stat()
        guard fstat(dirfd(dir), &st) == 0 else { throw FileReadError(description: "the folder cannot be read") }
        var names: [String] = []
        var folders = Set<String>()
        while let e = readdir(dir) {
            let name = withUnsafeBytes(of: &e.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name == "." || name == ".." { continue }
            names.append(name)
            switch Int32(e.pointee.d_type) {
            case 4: folders.insert(name)  // DT_DIR
            case 8: break  // DT_REG
            case 0, 10:  // DT_UNKNOWN, DT_LNK: ask
                if isDirectory(PathUtil.join(path, name)) { folders.insert(name) }
            default: break
            }
        }
        names.sort()
        return FolderListing(identity: "\(st.st_dev):\(st.st_ino)", names: names, folders: folders)
    }

    public func canonicalPath(_ path: String) -> String {
        guard let p = realpath(path, nil) else { return path }
        defer { free(p) }
        return String(cString: p)
    }
}

/// Files held in memory (the embedded demo data). Paths are `/`-separated, relative to a virtual root.
public struct MemoryFileSystem: DataFileSystem {
    public let files: [String: Data]
    private let dirs: [String: [String]]

    public init(files: [String: Data]) {
        var norm: [String: Data] = [:]
        var d: [String: Set<String>] = [:]
        for (p, data) in files {
            let np = MemoryFileSystem.normalize(p)
            norm[np] = data
            var parts = np.split(separator: "/").map(String.init)
            var child = parts.removeLast()
            while true {
                let parent = parts.isEmpty ? "" : parts.joined(separator: "/")
                d[parent, default: []].insert(child)
                if parts.isEmpty { break }
                child = parts.removeLast()
            }
        }
        self.files = norm
        self.dirs = d.mapValues { $0.sorted() }
    }

    static func normalize(_ p: String) -> String {
        p.split(separator: "/").filter { $0 != "." && !$0.isEmpty }.joined(separator: "/")
    }

    public func readFile(_ path: String) throws -> FileContents {
        guard let d = files[MemoryFileSystem.normalize(path)] else { throw FileReadError(description: "no such file") }
        return FileContents(data: d)
    }
    public func readRange(_ path: String, _ range: Range<Int>) throws -> [UInt8] {
        guard let d = files[MemoryFileSystem.normalize(path)] else { throw FileReadError(description: "no such file") }
        guard range.lowerBound >= 0, range.upperBound <= d.count else {
            throw FileReadError(description: "changed while reading: it now ends at byte \(d.count), before byte \(range.upperBound)")
        }
        return [UInt8](d[(d.startIndex + range.lowerBound)..<(d.startIndex + range.upperBound)])
    }
    public func isDirectory(_ path: String) -> Bool { dirs[MemoryFileSystem.normalize(path)] != nil }
    public func isFile(_ path: String) -> Bool { files[MemoryFileSystem.normalize(path)] != nil }
    public func list(_ path: String) throws -> [String] {
        guard let l = dirs[MemoryFileSystem.normalize(path)] else { throw FileReadError(description: "no such folder") }
        return l
    }
    public func fileSize(_ path: String) -> Int? { files[MemoryFileSystem.normalize(path)]?.count }
    public func canonicalPath(_ path: String) -> String { MemoryFileSystem.normalize(path) }
}

/// What is at a path (see `LocalFileSystem.stamp`): kind 0 when nothing is there, else `f`, `d` or `o` (ASCII).
public struct FileStamp: Sendable, Equatable {
    public var kind: UInt8 = 0
    public var size: Int64 = 0
    public var mtime: Int64 = 0
    public var ctime: Int64 = 0
    public var device: UInt64 = 0
    public var inode: UInt64 = 0

    public init() {}
    public init(kind: UInt8, size: Int64, mtime: Int64, ctime: Int64, device: UInt64, inode: UInt64) {
        (self.kind, self.size, self.mtime, self.ctime, self.device, self.inode) = (kind, size, mtime, ctime, device, inode)
    }

    /// What a `stat` found.
    init(_ st: stat) {
        let type = st.st_mode & S_IFMT
        self.init(
            kind: type == S_IFREG ? UInt8(ascii: "f") : type == S_IFDIR ? UInt8(ascii: "d") : UInt8(ascii: "o"), size: Int64(st.st_size),
            mtime: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec),
            ctime: Int64(st.st_ctim.tv_sec) * 1_000_000_000 + Int64(st.st_ctim.tv_nsec), device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
    }
}

public enum Hash64 {
    /// A seed drawn once per process, for tables that hash untrusted text (object keys, span ids): a file crafted so
    /// that thousands of its texts share one hash cannot know it. Once, not per table: each draw is a `getrandom`
    /// call, and a run's reading makes a table per trace and per record (361 calls in a run of 178 tests).
    public static let processSeed = UInt64.random(in: .min ... .max)

    /// A 64-bit hash, eight bytes a step (not for security: a change detector beside size and time).
    public static func of(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBytes { words($0, seed: 0x2545_F491_4F6C_DD1D) }
    }

    /// `of` a text's UTF-8 bytes, without copying them.
    public static func of(_ s: String) -> UInt64 {
        // In place where the text holds its bytes whole (a native string: no copy of the text, no count taken).
        if let h = s.utf8.withContiguousStorageIfAvailable({ words(UnsafeRawBufferPointer($0), seed: 0x2545_F491_4F6C_DD1D) }) { return h }
        var s = s
        return s.withUTF8 { words(UnsafeRawBufferPointer($0), seed: 0x2545_F491_4F6C_DD1D) }
    }

    /// The hash that seals a kept file (`PackWriter.sealed`): `lanes` of each megabyte, on all cores, then `words` of
    /// those hashes; one `lanes` for a file of two megabytes or less. A kept catalog of 10,000 runs is 29 MB, and one
    /// chain of multiplications through it took 7 ms of every leaderboard.
    public static func seal(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let block = 1 << 20
        guard bytes.count > 2 * block else { return lanes(bytes, seed: 0) }
        let blocks = (bytes.count + block - 1) / block
        let sums = Parallel.values(blocks) { i in
            lanes(UnsafeRawBufferPointer(rebasing: bytes[(i * block)..<min(bytes.count, (i + 1) * block)]), seed: UInt64(i))
        }
        return sums.withUnsafeBytes { words($0, seed: UInt64(bytes.count)) }
    }

    /// `words` in four chains, each taking every fourth word (32 bytes a step), joined at the end: the multiplications
    /// of one chain wait on each other, four keep the multiplier busy (3–4× `words`' speed on long inputs).
    static func lanes(_ bytes: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
        let n = bytes.count
        let m: UInt64 = 0xFF51_AFD7_ED55_8CCD
        var a = seed ^ (UInt64(n) &* 0x9E37_79B9_7F4A_7C15), b = a ^ 0xC2B2_AE3D_27D4_EB4F
        var c = a ^ 0x1656_67B1_9E37_79F9, d = a ^ 0x85EB_CA77_C2B2_AE63
        var k = 0
        while k + 32 <= n {
            a = (a ^ bytes.loadUnaligned(fromByteOffset: k, as: UInt64.self)) &* m
            b = (b ^ bytes.loadUnaligned(fromByteOffset: k + 8, as: UInt64.self)) &* m
            c = (c ^ bytes.loadUnaligned(fromByteOffset: k + 16, as: UInt64.self)) &* m
            d = (d ^ bytes.loadUnaligned(fromByteOffset: k + 24, as: UInt64.self)) &* m
            a ^= a >> 29
            b ^= b >> 29
            c ^= c >> 29
            d ^= d >> 29
            k += 32
        }
        // The chains joined in order (each through a multiplication, so that no two cancel), then the last bytes.
        var h = a
        for x in [b, c, d] { h = ((h ^ (h >> 31)) &* 0x94D0_49BB_1331_11EB) ^ x }
        return words(UnsafeRawBufferPointer(rebasing: bytes[k...]), seed: h)
    }

    /// The word-at-a-time hash behind `of` and the JSON key table (keys run to 40 bytes and differ anywhere).
    @inline(__always)
    public static func words(_ bytes: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
        let n = bytes.count
        var h = seed ^ (UInt64(n) &* 0x9E37_79B9_7F4A_7C15)
        var k = 0
        while k + 8 <= n {
            h = (h ^ bytes.loadUnaligned(fromByteOffset: k, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 29
            k += 8
        }
        if k < n {
            var tail: UInt64 = 0
            for j in k..<n { tail |= UInt64(bytes[j]) << UInt64(8 * (j - k)) }
            h = (h ^ tail) &* 0xC4CE_B9FE_1A85_EC53
        }
        return h ^ (h >> 32)
    }
}

/// Joins and splits `/`-separated paths without touching the disk.
public enum PathUtil {
    public static func join(_ a: String, _ b: String) -> String {
        if a.isEmpty || a == "." { return b }
        return a.hasSuffix("/") ? a + b : a + "/" + b
    }
    public static func basename(_ p: String) -> String {
        let t = p.hasSuffix("/") ? String(p.dropLast()) : p
        return t.split(separator: "/").last.map(String.init) ?? t
    }
    public static func dirname(_ p: String) -> String {
        var parts = p.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if parts.count <= 1 { return "." }
        parts.removeLast()
        let d = parts.joined(separator: "/")
        return d.isEmpty ? "/" : d
    }
}
