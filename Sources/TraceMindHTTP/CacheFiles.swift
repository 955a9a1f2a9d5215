import FoundationEssentials
import TraceMindFormats

#if canImport(Glibc)
    import Glibc
#endif

/// Files being written that must not survive the process (partial downloads). The executable connects this to
/// handlers that remove them when a signal ends the process; a process killed outright leaves them for the next
/// run, which removes the ones whose process is gone (`CacheFiles.removeStalePartials`).
public enum PartialFiles {
    public struct Registry: Sendable {
        public let add: @Sendable (String) -> Int
        public let remove: @Sendable (Int) -> Void
        public init(add: @escaping @Sendable (String) -> Int, remove: @escaping @Sendable (Int) -> Void) {
            self.add = add
            self.remove = remove
        }
    }
    nonisolated(unsafe) public static var registry: Registry?
}

/// What the remote sources' caches share: files written under a temporary name and renamed when complete, so an
/// interrupted download leaves nothing behind, and the temporary files of processes that died cleaned away.
public enum CacheFiles {
    /// Removes the `.part` files of downloads whose process is gone (killed before it could remove them). Names are
    /// `.NAME.PID.RANDOM.part`; a live process's files are left alone.
    public static func removeStalePartials(in dir: String) {
        guard let names = try? FileManager.default.subpathsOfDirectory(atPath: dir) else { return }
        let me = ProcessInfo.processInfo.processIdentifier
        for rel in names where rel.hasSuffix(".part") {
            let base = PathUtil.lastComponent(rel)
            let parts = base.split(separator: ".")
            guard base.hasPrefix("."), parts.count >= 4, let pid = Int32(parts[parts.count - 3]), pid > 0, pid != me else { continue }
            if kill(pid, 0) == 0 || errno != ESRCH { continue }
            try? FileManager.default.removeItem(atPath: PathUtil.appendingComponent(dir, rel))
        }
    }

    public struct WriteError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Writes `data` to `path` through a temporary file renamed into place (`CacheWrite.replace`).
    public static func writeAtomically(_ data: Data, to path: String) throws(WriteError) {
        guard CacheWrite.replace(path, with: data) else { throw WriteError(description: "cannot write \(path)") }
    }
}

/// Where a download's bytes go, counted for the progress bar.
public final class FileSink: @unchecked Sendable {
    let handle: FileDescriptor
    let progress: @Sendable (Int) -> Void
    public private(set) var count = 0
    public private(set) var failed = false
    public init(handle: FileDescriptor, progress: @escaping @Sendable (Int) -> Void) {
        self.handle = handle
        self.progress = progress
    }
    public func write(_ d: Data) {
        guard !failed else { return }
        do { try handle.write(contentsOf: d) } catch { failed = true }
        count += d.count
        progress(count)
    }
}
