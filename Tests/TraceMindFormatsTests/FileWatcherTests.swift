import Foundation
import TestSupport
import Testing
@testable import TraceMindFormats

/// The live watch's watcher: the kernel's notifications for files and folders anywhere below, new folders watched as
/// they appear; nothing when nothing changes; polling says "look" at its interval.
@Suite struct FileWatcherTests {
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/sys/fs/inotify"), "needs inotify (Linux)"))
    func notificationsSeeFilesAndNewFoldersBelow() throws {
        let dir = tempDir()
        defer { removeTemp(dir) }
        try FileManager.default.createDirectory(atPath: dir + "/runs/a", withIntermediateDirectories: true)
        let w = FileWatcher(paths: [dir])
        #expect(w.mode == .notifications && w.folders == 3, "the folder and the two below it")
        #expect(!w.wait(timeout: 0.2), "nothing changed")
        write("{}", to: dir + "/runs/a/leaderboard_row.json")
        #expect(w.wait(timeout: 2), "a file written two folders down")
        while w.wait(timeout: 0.1) {}
        // A new run folder, then a file inside it: the new folder is watched as it appears.
        try FileManager.default.createDirectory(atPath: dir + "/runs/b", withIntermediateDirectories: false)
        #expect(w.wait(timeout: 2))
        while w.wait(timeout: 0.1) {}
        #expect(w.folders == 4)
        write("[]", to: dir + "/runs/b/traces.json")
        #expect(w.wait(timeout: 2), "a file in the new folder")
        // A source that is a file: its folder is watched.
        let f = FileWatcher(paths: [dir + "/runs/b/traces.json"])
        #expect(f.mode == .notifications && f.folders == 1)
        let h = FileHandle(forWritingAtPath: dir + "/runs/b/traces.json")!
        h.seekToEndOfFile()
        h.write(Data("\n".utf8))
        try h.close()
        #expect(f.wait(timeout: 2), "the file grew")
        w.stop()
        #expect(!w.wait(timeout: 0.1), "stopped: nothing more")
    }

    @Test func pollingLooksAtItsInterval() {
        let dir = tempDir()
        defer { removeTemp(dir) }
        let w = FileWatcher(paths: [dir], polling: true, interval: 0.1)
        #expect(w.mode == .polling)
        let t0 = Date()
        #expect(w.wait(timeout: 5), "polling: time to look again")
        let took = Date().timeIntervalSince(t0)
        #expect(took >= 0.09 && took < 2, "after its interval, not the timeout (\(took) s)")
    }
}
