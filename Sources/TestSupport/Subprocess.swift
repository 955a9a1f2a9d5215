import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs commands for the tests without Foundation's `Process`: on Linux its `waitUntilExit()` can miss the child's
/// exit and block forever, which hung CI. This uses `posix_spawn` and polls `waitpid` against a hard deadline, so a
/// stuck child is killed and reported instead of stalling the suite.
public enum Subprocess {
    public struct Result: Sendable {
        public var status: Int32
        public var output: String
        public var timedOut: Bool
    }

    /// The cache folder (`XDG_CACHE_HOME`) of every program the tests start, unless a command sets its own: one per
    /// test process under the temporary folder, so no test reads or writes the user's caches.
    public static let cacheHome: String = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tracemind-test-cache-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        // Removed when the test process ends.
        atexit { try? FileManager.default.removeItem(atPath: Subprocess.cacheHome) }
        return dir
    }()

    /// This process's environment with `XDG_CACHE_HOME` set to `cacheHome`.
    static let environment: [String] = {
        var env = ProcessInfo.processInfo.environment
        env["XDG_CACHE_HOME"] = cacheHome
        return env.map { "\($0.key)=\($0.value)" }
    }()

    /// Runs `/bin/sh -c command`; stdout (and stderr when `mergeStderr`) captured. Never waits past `timeout`.
    @discardableResult
    public static func shell(_ command: String, timeout: Double = 30, mergeStderr: Bool = false) -> Result {
        run(["/bin/sh", "-c", command], timeout: timeout, mergeStderr: mergeStderr)
    }

    public static func run(_ argv: [String], timeout: Double = 30, mergeStderr: Bool = false) -> Result {
        let outPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("tracemind-sub-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).out").path
        defer { unlink(outPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        if mergeStderr {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        // Its own process group, so a timeout can kill the whole tree.
        // Default dispositions and no blocked signals: the test runner's threads may block some, and a child
        // inherits that mask across exec.
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attr, 0)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attr, &none)
        var all = sigset_t()
        sigfillset(&all)
        sigdelset(&all, SIGKILL)
        sigdelset(&all, SIGSTOP)
        posix_spawnattr_setsigdefault(&attr, &all)

        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) } }
        var cEnv: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer { for p in cEnv { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, &attr, &cArgs, &cEnv)
        guard rc == 0 else { return Result(status: -1, output: "spawn failed: \(rc)", timedOut: false) }

        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        var timedOut = false
        while true {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { break }
            if r < 0 && errno != EINTR { break }
            if Date() > deadline {
                timedOut = true
                kill(-pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                break
            }
            usleep(5_000)
        }
        let data = FileManager.default.contents(atPath: outPath) ?? Data()
        let exit: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Result(status: timedOut ? -1 : exit, output: String(decoding: data, as: UTF8.self), timedOut: timedOut)
    }
}
