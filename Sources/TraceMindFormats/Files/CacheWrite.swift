import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#endif

/// How the caches under `$XDG_CACHE_HOME/tracemind` are written (never a data folder: the executable names the place):
/// the local analyses and catalogs, and the remote sources' downloads (`CacheFiles` in `TraceMindHTTP`).
public enum CacheWrite {
    /// `.NAME.PID.RANDOM.part` beside `path`: where its bytes are written before it is renamed into place (a process
    /// killed meanwhile leaves it, and `CacheFiles.removeStalePartials` knows it by its name).
    public static func temporaryName(for path: String) -> String {
        let dir = PathUtil.deletingLastComponent(path), base = PathUtil.lastComponent(path)
        return PathUtil.appendingComponent(dir, ".\(base).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).part")
    }

    /// Replaces `path` with `data` in one step, making its folder as needed: the bytes go to `temporaryName(for:)`
    /// beside it, which is then renamed over it, so a reader sees the old file or the new one and concurrent writers
    /// never mix. Not forced to the disk first (`fsync`, which Foundation's atomic write does: a tenth of a cold
    /// leaderboard of 1,000 runs): every cache is checked when read, so a file a crash cut short is a miss, never a
    /// figure. False, and nothing left behind, when it cannot be written.
    @discardableResult
    public static func replace(_ path: String, with data: Data) -> Bool { data.withUnsafeBytes { replace(path, raw: $0) } }

    /// `replace(_:with:)` of bytes (no copy into a `Data` first).
    @discardableResult
    public static func replace(_ path: String, with bytes: [UInt8]) -> Bool { bytes.withUnsafeBytes { replace(path, raw: $0) } }

    static func replace(_ path: String, raw: UnsafeRawBufferPointer) -> Bool {
        let dir = PathUtil.deletingLastComponent(path)
        if !dir.isEmpty { try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        let temp = temporaryName(for: path)
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return false }
        let written = { () -> Bool in
            var at = 0
            while at < raw.count {
                let n = write(fd, raw.baseAddress! + at, raw.count - at)
                if n > 0 {
                    at += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    return false
                }
            }
            return true
        }()
        let closed = close(fd) == 0
        guard written, closed, rename(temp, path) == 0 else {
            unlink(temp)
            return false
        }
        return true
    }
}
