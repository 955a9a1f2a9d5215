import FoundationEssentials

#if canImport(Glibc)
    import Glibc
#endif

/// Tells when something under some folders (or beside some files) changes: the kernel's notifications (inotify) on
/// every folder down to `maxDepth`, new folders included as they appear; polling when notifications are not
/// available (another OS, a network file system, the watch limit reached). It only says *that* something changed —
/// the caller looks again (the catalog's stamps say what).
public final class FileWatcher: @unchecked Sendable {
    public enum Mode: String, Sendable {
        case notifications = "inotify"
        case polling
    }

    public private(set) var mode: Mode
    /// The folders watched (with notifications: how many).
    public private(set) var folders = 0
    /// Polling: how often to look.
    public let interval: Double
    static let maxDepth = 12
    private var fd: Int32 = -1
    private var byWatch: [Int32: String] = [:]
    private let lock = Lock()

    /// Watches `paths` (folders, and the folders of files); `polling` forces polling.
    public init(paths: [String], polling: Bool = false, interval: Double = 2) {
        self.interval = interval
        mode = .polling
        #if os(Linux)
            guard !polling else { return }
            let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
            guard fd >= 0 else { return }
            self.fd = fd
            mode = .notifications
            for p in paths {
                var isDir = false
                guard FileManager.default.fileExists(atPath: p, isDirectory: &isDir) else { continue }
                let parent = PathUtil.deletingLastComponent(p)
                let folder = isDir ? p : (parent.isEmpty ? "." : parent)
                guard addTree(folder, depth: 0) else {
                    // The watch limit (or a file system without notifications): look at intervals instead.
                    close(fd)
                    self.fd = -1
                    byWatch = [:]
                    mode = .polling
                    return
                }
            }
        #endif
    }

    deinit { stop() }

    public func stop() {
        lock.withLock {
            if fd >= 0 { close(fd) }
            fd = -1
            stopped = true
        }
    }

    private var stopped = false

    #if os(Linux)
        static let events = UInt32(IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ATTRIB)

        /// Watches a folder and the folders below it; false when a watch cannot be added for want of watches.
        private func addTree(_ dir: String, depth: Int) -> Bool {
            guard depth <= FileWatcher.maxDepth else { return true }
            let wd = inotify_add_watch(fd, dir, FileWatcher.events | UInt32(IN_ONLYDIR))
            if wd < 0 { return errno != ENOSPC && errno != ENOMEM }
            if byWatch[wd] == nil { folders += 1 }
            byWatch[wd] = dir
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return true }
            for n in names where !n.hasPrefix(".") {
                var isDir = false
                let p = dir + "/" + n
                if FileManager.default.fileExists(atPath: p, isDirectory: &isDir), isDir, !addTree(p, depth: depth + 1) { return false }
            }
            return true
        }
    #endif

    /// Waits until something changes or `timeout` seconds pass; true when something changed. Polling: waits the
    /// interval (or the timeout, if shorter) and says true, for the caller to look. Once stopped: false.
    public func wait(timeout: Double) -> Bool {
        if lock.withLock({ stopped }) { return false }
        #if os(Linux)
            let fd = lock.withLock { self.fd }
            guard mode == .notifications, fd >= 0 else {
                usleep(useconds_t(max(0, min(timeout, interval)) * 1_000_000))
                return true
            }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, Int32(max(0, timeout) * 1000)) > 0 else { return false }
            return drain()
        #else
            Threads.sleep(max(0, min(timeout, interval)))
            return true
        #endif
    }

    #if os(Linux)
        /// Reads the pending events; new folders are watched too. True when any event was read.
        private func drain() -> Bool {
            var any = false
            let size = 64 * 1024
            let buf = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 8)
            defer { buf.deallocate() }
            while true {
                let n = lock.withLock { fd >= 0 ? read(fd, buf, size) : -1 }
                guard n > 0 else { break }
                any = true
                var off = 0
                while off + MemoryLayout<inotify_event>.size <= n {
                    let ev = buf.load(fromByteOffset: off, as: inotify_event.self)
                    let nameLen = Int(ev.len)
                    if ev.mask & UInt32(IN_ISDIR) != 0, ev.mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0, nameLen > 0, let dir = byWatch[ev.wd] {
                        let name = String(cString: buf.advanced(by: off + MemoryLayout<inotify_event>.size).assumingMemoryBound(to: CChar.self))
                        if !name.hasPrefix(".") { _ = lock.withLock { addTree(dir + "/" + name, depth: 1) } }
                    }
                    off += MemoryLayout<inotify_event>.size + nameLen
                }
            }
            return any
        }
    #endif
}
