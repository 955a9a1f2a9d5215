import Dispatch
import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#endif

extension LocalFileSystem {
    /// `fileStamp` of every path, on all cores. A kept catalog of 10,000 runs checks 20,000 paths and their analyses
    /// 30,000 more, each a `stat` whose path walk from `/` is most of its cost: here each part of the list opens the
    /// folder two levels above its paths once (kept while the next paths are under it, closed at the end
    /// of the part) and looks up only the last two names from there, the way `stat` would look them up (links
    /// followed). A path that is not absolute with two names under a folder, or whose folder cannot be opened, gets
    /// a plain `stat`. Nothing is kept open after the call.
    public func fileStamps(_ paths: [String]) -> [FileStamp] { fileStamps(count: paths.count) { paths[$0] } }

    /// `fileStamps` of the paths `path` gives for the indices below `count` (called on all cores); an index with no
    /// path is nothing there.
    public func fileStamps(count n: Int, _ path: (Int) -> String?) -> [FileStamp] {
        stamps(count: n) { at, i in path(i).map { at.stamp($0) } }
    }

    /// `fileStamps` of paths given as their UTF-8 bytes (`path` gives the bytes of the path at an index, or nil for
    /// nothing there): a kept catalog's paths are checked where they lie in the file, with no text made for each.
    public func fileStamps(count n: Int, bytes path: (Int) -> UnsafeRawBufferPointer?) -> [FileStamp] {
        stamps(count: n) { at, i in path(i).map { at.stamp(bytes: $0.assumingMemoryBound(to: UInt8.self)) } }
    }

    /// The stamps `stamp` gives for the indices below `n`, in parts on all cores (sixteen a core: a part left to one
    /// core at the end is short), each part with its own open folders.
    private func stamps(count n: Int, _ stamp: (inout StatAt, Int) -> FileStamp?) -> [FileStamp] {
        guard n > 0 else { return [] }
        let out = UnsafeMutableBufferPointer<FileStamp>.allocate(capacity: n)
        out.initialize(repeating: FileStamp())
        defer { out.deallocate() }
        let shared = UncheckedBox(out)
        let parts = n < 64 ? 1 : min(n / 16, Parallel.cores * 16)
        withoutActuallyEscaping(stamp) { stamp in
            let stamp = UncheckedBox(stamp)
            DispatchQueue.concurrentPerform(iterations: parts) { p in
                var at = StatAt()
                defer { at.close() }
                for i in (p * n / parts)..<((p + 1) * n / parts) {
                    if let s = stamp.value(&at, i) { shared.value[i] = s }
                }
            }
        }
        return Array(out)
    }
}

/// One part's open folders (the last two: a catalog's sorted paths alternate between a run's folder and the files in
/// it, two levels under different folders), and its `stat`s relative to them.
private struct StatAt {
    /// The folder used last, and the one before (each moved, never copied: a copy counts the path's references).
    var first: (path: [UInt8], fd: Int32)?
    var second: (path: [UInt8], fd: Int32)?

    mutating func stamp(_ path: String) -> FileStamp {
        // The bytes read in place where the text holds them whole (a native string), without a copy of the text.
        if let stamp = path.utf8.withContiguousStorageIfAvailable({ stamp(bytes: $0) }) { return stamp }
        return LocalFileSystem().fileStamp(path)
    }

    /// `stamp` of the path whose UTF-8 bytes are `u`.
    mutating func stamp(bytes u: UnsafeBufferPointer<UInt8>) -> FileStamp {
        // A path with a zero byte names nothing (`stat` would look up the path cut there).
        if let b = u.baseAddress, memchr(b, 0, u.count) != nil { return FileStamp() }
        #if os(Linux)
            // nil: not a path to look up from a folder (a plain `stat` then).
            let found: FileStamp? = { () -> FileStamp? in
                // "/…/folder/a/b": the folder, then "a/b" (no empty name, no trailing slash).
                let n = u.count
                guard n > 3, n < 4096, u[0] == UInt8(ascii: "/"), let last = u.lastIndex(of: UInt8(ascii: "/")), last < n - 1,
                    let mid = u[..<last].lastIndex(of: UInt8(ascii: "/")), mid > 0, mid < last - 1
                else { return nil }
                let dir = UnsafeBufferPointer(rebasing: u[..<mid])
                let fd: Int32
                if let f = first, StatAt.same(f.path, dir) {
                    fd = f.fd
                } else if let f = second, StatAt.same(f.path, dir) {
                    fd = f.fd
                    swap(&first, &second)
                } else {
                    let folder = Array(dir)
                    fd = (folder + [0]).withUnsafeBufferPointer { b in
                        b.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
                    }
                    if let old = second { closeFolder(old.fd) }
                    second = first.take()
                    first = (folder, fd)
                }
                guard fd >= 0 else { return nil }
                return withUnsafeTemporaryAllocation(of: CChar.self, capacity: n - mid) { name in
                    let rest = UnsafeBufferPointer(rebasing: u[(mid + 1)...])
                    UnsafeMutableRawPointer(name.baseAddress!).copyMemory(from: rest.baseAddress!, byteCount: rest.count)
                    name[rest.count] = 0
                    var st = stat()
                    // A name that is not there is an answer (nothing there), as `stat`'s is.
                    return fstatat(fd, name.baseAddress!, &st, 0) == 0 ? FileStamp(st) : FileStamp()
                }
            }()
            if let found { return found }
        #endif
        return LocalFileSystem().fileStamp(String(decoding: u, as: UTF8.self))
    }

    /// Whether a folder's bytes are `dir` (one comparison of memory, not a generic walk of two sequences).
    @inline(__always)
    static func same(_ path: [UInt8], _ dir: UnsafeBufferPointer<UInt8>) -> Bool {
        path.count == dir.count && path.withUnsafeBufferPointer { p in p.count == 0 || memcmp(p.baseAddress!, dir.baseAddress!, p.count) == 0 }
    }

    mutating func close() {
        if let f = first.take() { closeFolder(f.fd) }
        if let f = second.take() { closeFolder(f.fd) }
    }

    func closeFolder(_ fd: Int32) {
        #if os(Linux)
            if fd >= 0 { _ = Glibc.close(fd) }
        #endif
    }
}
