import Foundation

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
        guard n > 0 else { return [] }
        let out = UnsafeMutableBufferPointer<FileStamp>.allocate(capacity: n)
        out.initialize(repeating: FileStamp())
        defer { out.deallocate() }
        let shared = UncheckedBox(out)
        let parts = n < 64 ? 1 : min(n, Parallel.cores * 4)
        withoutActuallyEscaping(path) { path in
            let path = UncheckedBox(path)
            DispatchQueue.concurrentPerform(iterations: parts) { p in
                var at = StatAt()
                defer { at.close() }
                for i in (p * n / parts)..<((p + 1) * n / parts) {
                    if let s = path.value(i) { shared.value[i] = at.stamp(s) }
                }
            }
        }
        return Array(out)
    }
}

/// One part's open folders (the last two: a catalog's sorted paths alternate between a run's folder and the files in
/// it, two levels under different folders), and its `stat`s relative to them.
private struct StatAt {
    var folders: [(path: [UInt8], fd: Int32)] = []

    mutating func stamp(_ path: String) -> FileStamp {
        #if os(Linux)
            var path = path
            // nil: not a path to look up from a folder (a plain `stat` then).
            let found: FileStamp? = path.withUTF8 { u -> FileStamp? in
                // "/…/folder/a/b": the folder, then "a/b" (no empty name, no trailing slash).
                let n = u.count
                guard n > 3, n < 4096, u[0] == UInt8(ascii: "/"), let last = u.lastIndex(of: UInt8(ascii: "/")), last < n - 1,
                    let mid = u[..<last].lastIndex(of: UInt8(ascii: "/")), mid > 0, mid < last - 1
                else { return nil }
                let dir = UnsafeBufferPointer(rebasing: u[..<mid])
                let fd: Int32
                if let k = folders.firstIndex(where: { $0.path.elementsEqual(dir) }) {
                    fd = folders[k].fd
                    if k > 0 { folders.swapAt(0, k) }
                } else {
                    let folder = Array(dir)
                    fd = (folder + [0]).withUnsafeBufferPointer { b in
                        b.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
                    }
                    if folders.count == 2 { closeFolder(folders.removeLast().fd) }
                    folders.insert((folder, fd), at: 0)
                }
                guard fd >= 0 else { return nil }
                return withUnsafeTemporaryAllocation(of: CChar.self, capacity: n - mid) { name in
                    let rest = UnsafeBufferPointer(rebasing: u[(mid + 1)...])
                    for k in 0..<rest.count { name[k] = CChar(bitPattern: rest[k]) }
                    name[rest.count] = 0
                    var st = stat()
                    // A name that is not there is an answer (nothing there), as `stat`'s is.
                    return fstatat(fd, name.baseAddress!, &st, 0) == 0 ? FileStamp(st) : FileStamp()
                }
            }
            if let found { return found }
        #endif
        return LocalFileSystem().fileStamp(path)
    }

    mutating func close() {
        for f in folders { closeFolder(f.fd) }
        folders = []
    }

    func closeFolder(_ fd: Int32) {
        #if os(Linux)
            if fd >= 0 { _ = Glibc.close(fd) }
        #endif
    }
}
