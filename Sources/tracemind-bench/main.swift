import Foundation
import TraceMindDemo
import TraceMindModel
import TraceMindReport

#if canImport(Glibc)
    import Glibc
#endif

/// Benchmarks on generated data at scale. Build in release first:
///   swift build -c release && .build/release/tracemind-bench [all|leaderboard|run|ui|trace]
/// Spawns the real `tracemind` binary built beside this one and reports wall time and peak memory.

func log(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }

let exeDir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
let tracemind = exeDir.appendingPathComponent("tracemind").path
let which = CommandLine.arguments.dropFirst().first ?? "all"
let work = FileManager.default.temporaryDirectory.appendingPathComponent("tracemind-bench-\(getpid())").path
try? FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: work) }

func writeFiles(_ files: [String: Data], to dir: String) {
    for (p, d) in files {
        let full = URL(fileURLWithPath: dir).appendingPathComponent(p)
        try? FileManager.default.createDirectory(at: full.deletingLastPathComponent(), withIntermediateDirectories: true)
        try! d.write(to: full)
    }
}

struct Measure { var seconds: Double; var maxRSSKiB: Int }

/// Runs a command with output discarded: its wall time and its own peak RSS (from `wait4`).
func spawn(_ exe: String, _ args: [String]) -> Measure {
    let argv: [UnsafeMutablePointer<CChar>?] = ([exe] + args).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    let errPath = work + "/stderr-\(UUID().uuidString)"
    posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    defer { posix_spawn_file_actions_destroy(&actions) }
    var pid: pid_t = 0
    let t0 = Date()
    setenv("TRACEMIND_STATS", "1", 1)
    guard posix_spawnp(&pid, exe, &actions, nil, argv, environ) == 0 else { fatalError("cannot run \(exe)") }
    var status: Int32 = 0
    _ = waitpid(pid, &status, 0)
    let dt = Date().timeIntervalSince(t0)
    // The child's own VmHWM (its address space after exec), reported by tracemind itself.
    let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
    try? FileManager.default.removeItem(atPath: errPath)
    let kib = err.split(separator: "\n").first { $0.hasPrefix("tracemind-stats: VmHWM:") }
        .flatMap { Int($0.split(separator: " ").dropFirst(2).first ?? "") } ?? 0
    return Measure(seconds: dt, maxRSSKiB: kib)
}

func median(_ xs: [Double]) -> Double { let s = xs.sorted(); return s[s.count / 2] }

func benchLeaderboard() {
    var o = DemoOptions()
    o.includeFixedRuns = false
    o.extraRuns = 1000
    o.testsPerExtraRun = 2
    o.stepsPerTest = 1
    o.systemPromptBytes = 200
    let dir = work + "/lb"
    log("generating 1,000 run folders…")
    writeFiles(DemoGenerator(options: o).files(), to: dir)
    _ = spawn(tracemind, ["leaderboard", dir, "-q"])  // warm the page cache
    let times = (0..<5).map { _ in spawn(tracemind, ["leaderboard", dir, "-q"]).seconds }
    print(String(format: "leaderboard: 1,000 run folders, `tracemind leaderboard`: median %.3f s (budget 0.3 s)", median(times)))
}

func benchRun() {
    var o = DemoOptions()
    o.includeFixedRuns = false
    o.extraRuns = 1
    o.testsPerExtraRun = 264
    o.stepsPerTest = 4
    o.systemPromptBytes = 9000
    let dir = work + "/run"
    log("generating one run with 264 tests…")
    writeFiles(DemoGenerator(options: o).files(), to: dir)
    let catalog = CatalogLoader.load(sources: [dir])
    let entry = catalog.runs[0]
    let traces = entry.files.traces!
    let size = LocalFileSystem().fileSize(traces) ?? 0
    _ = spawn(tracemind, ["run", "--run", entry.key, dir, "-f", "json"])
    var tm: [Double] = []
    var rss = 0
    for _ in 0..<5 {
        let m = spawn(tracemind, ["run", "--run", entry.key, dir, "-f", "json"])
        tm.append(m.seconds)
        rss = m.maxRSSKiB
    }
    var py: [Double] = []
    for _ in 0..<5 {
        py.append(spawn("python3", ["-c", "import json; json.load(open('\(traces)'))"]).seconds)
    }
    let mb = Double(size) / 1_048_576
    print(String(format: "run: 264 tests, traces.json %.1f MB: `tracemind run -f json` median %.3f s, python3 json.load median %.3f s → %.1fx faster", mb, median(tm), median(py), median(py) / median(tm)))
    let base = spawn(tracemind, ["--version"]).maxRSSKiB
    print(String(format: "run: peak RSS %.1f MB = %.2fx the traces file (budget 3x); the binary alone (--version) %.1f MB", Double(rss) / 1024, Double(rss) / 1024 / mb, Double(base) / 1024))
}

switch which {
case "leaderboard": benchLeaderboard()
case "run": benchRun()
default:
    benchLeaderboard()
    benchRun()
}
