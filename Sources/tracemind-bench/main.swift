import Foundation
import TerminalUI
import TraceMindApp
import TraceMindDemo
import TraceMindFixtures
import TraceMindFormats
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
/// `BENCH_DIR=path` keeps the generated data there (for profiling); otherwise a temporary folder, removed at the end.
let keep = ProcessInfo.processInfo.environment["BENCH_DIR"]
let work = keep ?? FileManager.default.temporaryDirectory.appendingPathComponent("tracemind-bench-\(ProcessInfo.processInfo.processIdentifier)").path
try? FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
defer { if keep == nil { try? FileManager.default.removeItem(atPath: work) } }

func writeFiles(_ files: [String: Data], to dir: String) {
    for (p, d) in files {
        let full = URL(fileURLWithPath: dir).appendingPathComponent(p)
        try? FileManager.default.createDirectory(at: full.deletingLastPathComponent(), withIntermediateDirectories: true)
        try! d.write(to: full)
    }
}

struct Measure { var seconds: Double; var maxRSSKiB: Int }

/// Runs a command with output discarded: its wall time, and its peak RSS as the child reports it on stderr
/// (`tracemind-stats: VmHWM: …`, which `TRACEMIND_STATS=1` makes tracemind print; the Python yardsticks print it too).
func spawn(_ exe: String, _ args: [String]) -> Measure {
    // posix_spawn, not Foundation's Process: its waitUntilExit can hang on a child that daemonizes (tmux does).
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

/// The real Python executable (a version manager's `python3` shim adds ~70 ms to every start).
let python: String = {
    let out = Pipe()
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", "-c", "import sys; print(sys.executable)"]
    p.standardOutput = out
    try? p.run()
    p.waitUntilExit()
    let path = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    return p.terminationStatus == 0 && !path.isEmpty ? path : "python3"
}()

/// Median wall time and the last peak RSS of `n` runs after a warm-up.
func measured(_ exe: String, _ args: [String], n: Int = 3) -> (seconds: Double, rssMB: Double) {
    _ = spawn(exe, args)
    let ms = (0..<n).map { _ in spawn(exe, args) }
    return (median(ms.map(\.seconds)), Double(ms.last!.maxRSSKiB) / 1024)
}

/// The arguments of a Python yardstick that reports its peak RSS (it does not report its own: `resource` does).
func pythonArguments(_ code: String) -> [String] {
    ["-c", code + "\nimport resource, sys; sys.stderr.write('tracemind-stats: VmHWM: %d kB\\n' % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"]
}

/// Median wall time and the last peak RSS of a Python yardstick.
func pythonMeasured(_ code: String, n: Int = 3) -> (seconds: Double, rssMB: Double) { measured(python, pythonArguments(code), n: n) }

/// `measured` of several commands taken in turns — one run of each, `n` times over, after a warm-up of each — so that a
/// yardstick and what is compared with it see the same state of the machine (a ratio of figures taken seconds apart
/// moved by a quarter with the machine's load on a shared 2-core machine). Each command's median and last peak RSS.
func alternated(_ commands: [(exe: String, args: [String])], n: Int) -> [(seconds: Double, rssMB: Double)] {
    for c in commands { _ = spawn(c.exe, c.args) }
    var times = [[Double]](repeating: [], count: commands.count)
    var last = [Measure](repeating: Measure(seconds: 0, maxRSSKiB: 0), count: commands.count)
    for _ in 0..<n {
        for (i, c) in commands.enumerated() {
            last[i] = spawn(c.exe, c.args)
            times[i].append(last[i].seconds)
        }
    }
    return commands.indices.map { (median(times[$0]), Double(last[$0].maxRSSKiB) / 1024) }
}

/// Issue 15's inputs at scale, each figure beside its yardstick in the same run. `SCALE_ONLY=15mb,real,300k,1m,1k,10k`
/// limits it.
func benchScale() {
    let only = Set((ProcessInfo.processInfo.environment["SCALE_ONLY"] ?? "15mb,real,300k,1m,1k,10k").split(separator: ",").map(String.init))
    let trueTime = measured("/bin/true", [], n: 11).seconds
    let version = measured(tracemind, ["--version"], n: 11)
    print(String(format: "scale: start-up, `tracemind --version` %.1f ms, %.1f MB (/bin/true %.1f ms)", version.seconds * 1000, version.rssMB, trueTime * 1000))
    for (label, steps) in [("300k", 60_000), ("1m", 200_000)] where only.contains(label) {
        var o = DemoOptions()
        o.longTraceSteps = steps
        let dir = work + "/scale-" + label
        if !FileManager.default.fileExists(atPath: dir) {
            log("generating a trace of ~\(steps * 5) spans…")
            writeFiles(DemoGenerator(options: o).files(), to: dir)
        }
        let catalog = CatalogLoader.load(sources: [dir])
        let entry = catalog.runs.first { $0.key.hasPrefix("b1d2e3f4") }!
        let traces = entry.files.traces!
        let mb = Double(LocalFileSystem().fileSize(traces) ?? 0) / 1_048_576
        let analysis = RunAnalysis(entry: entry, data: RunLoader.load(entry))
        let long = analysis.tests.compactMap(\.trace).max { $0.spanCount < $1.spanCount }!

        let py = pythonMeasured("import json; json.load(open('\(traces)'))")
        // Cold: read and analysed every time (--no-cache); warm: its traces' summaries kept from a read before.
        let run = measured(tracemind, ["run", "--run", entry.key, dir, "-f", "json", "--no-cache"])
        let warmRun = measured(tracemind, ["run", "--run", entry.key, dir, "-f", "json"])
        log("trace: --trace \(long.traceID) --run \(entry.key) \(dir)")
        let trace = measured(tracemind, ["trace", "--trace", long.traceID, "--run", entry.key, dir, "-f", "json"])
        print(String(format: "scale: %@ spans, traces.json %.0f MB; python json.load %.2f s, %.0f MB", Format.grouped(long.spanCount), mb, py.seconds, py.rssMB))
        print(String(format: "scale:   run -f json   %.2f s = %.2fx json.load (budget 0.33x); peak %.0f MB = %.2fx the file (budget 2x)", run.seconds, run.seconds / py.seconds, run.rssMB, run.rssMB / mb))
        print(String(format: "scale:   run -f json, read before (summaries kept) %.3f s = %.3fx json.load; peak %.0f MB", warmRun.seconds, warmRun.seconds / py.seconds, warmRun.rssMB))
        print(String(format: "scale:   trace -f json %.2f s = %.2fx json.load (budget 0.5x); peak %.0f MB = %.2fx the file (budget 2x)", trace.seconds, trace.seconds / py.seconds, trace.rssMB, trace.rssMB / mb))
    }
    if only.contains("15mb") {
        // A run the size of the real one the issue measured (14.6 MB of traces): 142 tests of 4 agent steps each with
        // SMOLTRACE's long system prompt on every LLM call.
        let dir = generatedRuns("scale-15mb", runs: 1, tests: 142, steps: 4, promptBytes: 9000)
        let entry = CatalogLoader.load(sources: [dir]).runs[0]
        let traces = entry.files.traces!
        let mb = Double(LocalFileSystem().fileSize(traces) ?? 0) / 1_048_576
        let m = alternated([(python, pythonArguments("import json; json.load(open('\(traces)'))")), (tracemind, ["run", "--run", entry.key, dir, "-f", "json", "--no-cache"])], n: 11)
        let (py, run) = (m[0], m[1])
        print(String(format: "scale: one run, traces.json %.1f MB; python json.load %.3f s", mb, py.seconds))
        print(String(format: "scale:   run -f json %.3f s = %.2fx json.load (budget 0.2x); peak %.0f MB", run.seconds, run.seconds / py.seconds, run.rssMB))
    }
    if only.contains("real") {
        let realDir = work + "/scale-real"
        if let real = realShapedRun(realDir) {
            // Read afresh (--no-cache), and read before (its traces' summaries kept: the default).
            let m = alternated(
                [
                    (python, pythonArguments("import json; json.load(open('\(real.traces)'))")), (tracemind, ["run", "--run", real.key, realDir, "-f", "json", "--no-cache"]),
                    (tracemind, ["run", "--run", real.key, realDir, "-f", "json"]),
                ],
                n: 11)
            let (py, run, warm) = (m[0], m[1], m[2])
            print(String(format: "scale: a real run's traces (%@) laid end to end, %.1f MB, %d tests; python json.load %.3f s", real.name, real.mb, real.tests, py.seconds))
            print(String(format: "scale:   run -f json %.3f s = %.2fx json.load (budget 0.2x); peak %.0f MB", run.seconds, run.seconds / py.seconds, run.rssMB))
            print(String(format: "scale:   run -f json, read before (summaries kept) %.3f s = %.2fx json.load; peak %.0f MB", warm.seconds, warm.seconds / py.seconds, warm.rssMB))
        } else {
            print("scale: a real run's traces: skipped (no SMOLTRACE 0.2.12 runs under $SHARED_DATA or ../shared/data)")
        }
    }
    if only.contains("1k") {
        let dir = generatedRuns("scale-1k", runs: 1000, tests: 2, steps: 1, promptBytes: 200)
        let rows = "import json, glob; rows = [json.load(open(p)) for p in glob.glob('\(dir)/smoltrace_results/*/*/leaderboard_row.json')]"
        let m = alternated([(python, pythonArguments(rows)), (tracemind, ["leaderboard", dir, "-q", "-f", "json"])], n: 11)
        let (py, warm) = (m[0], m[1])
        // Cold: an empty cache folder each time (every run's traces read and analysed, the caches written).
        let cold = (0..<3).map { i -> Measure in
            let cache = work + "/cold-cache-\(i)"
            try? FileManager.default.removeItem(atPath: cache)
            setenv("XDG_CACHE_HOME", cache, 1)
            defer { unsetenv("XDG_CACHE_HOME"); try? FileManager.default.removeItem(atPath: cache) }
            return spawn(tracemind, ["leaderboard", dir, "-q", "-f", "json"])
        }
        print(String(format: "scale: 1,000 runs; python reading the 1,000 rows %.3f s", py.seconds))
        print(String(format: "scale:   leaderboard (counted once, warm cache) %.3f s = %.2fx (budget 0.5x); peak %.0f MB", warm.seconds, warm.seconds / py.seconds, warm.rssMB))
        print(String(format: "scale:   leaderboard (counted once, cold: every run analysed) %.3f s; peak %.0f MB", median(cold.map(\.seconds)), Double(cold.last!.maxRSSKiB) / 1024))
    }
    if only.contains("10k") {
        let dir = generatedRuns("scale-10k", runs: 10_000, tests: 1, steps: 1, promptBytes: 200)
        let rows = "import json, glob; rows = [json.load(open(p)) for p in glob.glob('\(dir)/smoltrace_results/scale/*/leaderboard_row.json')]"
        let m = alternated(
            [(python, pythonArguments(rows)), (tracemind, ["leaderboard", dir, "-q", "--recorded", "-f", "json"]), (tracemind, ["leaderboard", dir, "-q", "-f", "json"])],
            n: 11)
        let (py, recorded, counted) = (m[0], m[1], m[2])
        print(String(format: "scale: 10,000 runs; python reading the 10,000 rows %.2f s", py.seconds))
        print(String(format: "scale:   leaderboard --recorded %.2f s = %.2fx (budget 0.33x); peak %.0f MB", recorded.seconds, recorded.seconds / py.seconds, recorded.rssMB))
        print(String(format: "scale:   leaderboard (counted once, warm cache) %.2f s = %.2fx (budget 0.33x); peak %.0f MB", counted.seconds, counted.seconds / py.seconds, counted.rssMB))
        let t0 = Date()
        var s = AppState(catalog: CatalogLoader.load(sources: [dir]))
        _ = App.update(&s, .resize(width: 160, height: 48))
        _ = Renderer(theme: Theme.builtinDefault).view(s)
        print(String(format: "scale:   TUI, catalog + state + first view in process %.3f s", Date().timeIntervalSince(t0)))
        if let t = tmuxTimes(dir, rows: "10000 of 10000 runs") {
            print(String(format: "scale:   TUI, the real binary in tmux: first frame %.3f s (budget 0.2 s), all 10,000 rows %.3f s (incl. tmux start and polling)", t.first, t.rows))
        }
    }
}

/// `work/name`: `runs` generated run folders of `tests` tests of `steps` agent steps each (a system prompt of
/// `promptBytes` on every LLM call), made by the project's generator unless the folder is there (`fresh`: made again).
func generatedRuns(_ name: String, runs: Int, tests: Int, steps: Int, promptBytes: Int, fresh: Bool = false) -> String {
    var o = DemoOptions()
    o.includeFixedRuns = false
    o.extraRuns = runs
    o.testsPerExtraRun = tests
    o.stepsPerTest = steps
    o.systemPromptBytes = promptBytes
    let dir = work + "/" + name
    if fresh || !FileManager.default.fileExists(atPath: dir) {
        log("generating \(Format.grouped(runs)) run folder(s) in \(name)…")
        writeFiles(DemoGenerator(options: o).files(), to: dir)
    }
    return dir
}

/// 1,000 small generated run folders in `work/name`, made afresh.
func thousandRuns(_ name: String) -> String { generatedRuns(name, runs: 1000, tests: 2, steps: 1, promptBytes: 200, fresh: true) }

func benchLeaderboard() {
    let dir = thousandRuns("lb")
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
    let files = DemoGenerator(options: o).files()
    writeFiles(files, to: dir)
    let catalog = CatalogLoader.load(sources: [dir])
    let entry = catalog.runs[0]
    let traces = entry.files.traces!
    let size = LocalFileSystem().fileSize(traces) ?? 0
    /// `tracemind run` on a source 11 times after a warm-up: the times and the last peak RSS.
    func runTimes(_ source: String) -> (times: [Double], rss: Int) {
        _ = spawn(tracemind, ["run", "--run", entry.key, source, "-f", "json", "--no-cache"])
        let ms = (0..<11).map { _ in spawn(tracemind, ["run", "--run", entry.key, source, "-f", "json", "--no-cache"]) }
        return (ms.map(\.seconds), ms.last!.maxRSSKiB)
    }
    let (tm, rss) = runTimes(dir)
    var py: [Double] = []
    for _ in 0..<5 {
        py.append(spawn(python, ["-c", "import json; json.load(open('\(traces)'))"]).seconds)
    }
    let mb = Double(size) / 1_048_576
    print(String(format: "run: 264 tests, traces.json %.1f MB: `tracemind run -f json` median %.3f s, Python json.load median %.3f s → %.1fx faster", mb, median(tm), median(py), median(py) / median(tm)))
    // The same run as SMOLTRACE's Hub push: Parquet, SNAPPY, dictionary-encoded strings, 100-row row groups.
    var po = ParquetWriter.Options()
    po.rowGroupRows = 100
    let hubDir = work + "/hub"
    writeFiles(HubLayout.convert(files, user: "bench", options: po), to: hubDir)
    let pq = try! FileManager.default.contentsOfDirectory(atPath: hubDir + "/bench").first { $0.contains("traces") }!
    let pqSize = LocalFileSystem().fileSize(hubDir + "/bench/" + pq + "/data/train-00000-of-00001.parquet") ?? 0
    // Compared in alternation with the JSON form, so a machine that speeds up or slows down during the benchmark
    // favours neither.
    _ = spawn(tracemind, ["run", "--run", entry.key, hubDir, "-f", "json", "--no-cache"])
    var tp: [Double] = [], tj: [Double] = []
    var rssP = 0
    for _ in 0..<11 {
        let p = spawn(tracemind, ["run", "--run", entry.key, hubDir, "-f", "json", "--no-cache"])
        tp.append(p.seconds)
        rssP = p.maxRSSKiB
        tj.append(spawn(tracemind, ["run", "--run", entry.key, dir, "-f", "json", "--no-cache"]).seconds)
    }
    print(String(format: "run: the same run from Hub Parquet (traces %.1f MB): median %.3f s vs %.3f s from JSON in alternation (budget: no slower); peak RSS %.1f MB", Double(pqSize) / 1_048_576, median(tp), median(tj), Double(rssP) / 1024))
    // The other codecs SMOLTRACE's writers use (pyarrow: ZSTD or GZIP by choice), through the system's libraries.
    for codec in [ParquetWriter.Codec.zstd, .gzip] {
        var co = po
        co.codec = codec
        let codecDir = work + "/hub-\(codec)"
        writeFiles(HubLayout.convert(files, user: "bench", options: co), to: codecDir)
        _ = spawn(tracemind, ["run", "--run", entry.key, codecDir, "-f", "json", "--no-cache"])
        var tc: [Double] = [], ts: [Double] = []
        for _ in 0..<11 {
            tc.append(spawn(tracemind, ["run", "--run", entry.key, codecDir, "-f", "json", "--no-cache"]).seconds)
            ts.append(spawn(tracemind, ["run", "--run", entry.key, hubDir, "-f", "json", "--no-cache"]).seconds)
        }
        print(String(format: "run: the same Hub Parquet with %@ pages: median %.3f s vs %.3f s with SNAPPY in alternation", "\(codec)".uppercased(), median(tc), median(ts)))
    }
    let base = spawn(tracemind, ["--version"]).maxRSSKiB
    print(String(format: "run: peak RSS %.1f MB = %.2fx the traces file (budget 3x); the binary alone (--version) %.1f MB", Double(rss) / 1024, Double(rss) / 1024 / mb, Double(base) / 1024))
}

/// Runs the app's loop synchronously (as the tests' harness does): keys through `App.update`, loads inline.
final class Box: @unchecked Sendable {
    let lock = NSLock()
    var items: [LoadResult] = []
    func post(_ r: LoadResult) { lock.withLock { items.append(r) } }
}

/// Loads run inline, as the harness does; with `deferring`, background searches are only collected (the runner runs
/// them on a thread while the key's frame is drawn).
func drive(_ s: inout AppState, _ effects: [Effect], deferring: UnsafeMutablePointer<[LoadRequest]>? = nil) {
    for e in effects {
        if case .load(let r) = e {
            if case .search = r, let deferring {
                deferring.pointee.append(r)
                continue
            }
            let box = Box()
            Loads.perform(Loads.job(r, s), post: { box.post($0) }, isCancelled: { false })
            for res in box.items { drive(&s, App.apply(&s, res)) }
        }
    }
}

/// Where the time of a keypress goes: update, view, frame comparison (medians in ms).
func breakdown(_ s: inout AppState, _ r: Renderer, _ keys: [Key], rounds: Int) -> String {
    var u: [Double] = [], v: [Double] = [], c: [Double] = []
    var last = r.view(s)
    for i in 0..<rounds {
        let t0 = DispatchTime.now().uptimeNanoseconds
        drive(&s, App.update(&s, .key(keys[i % keys.count])))
        let t1 = DispatchTime.now().uptimeNanoseconds
        let frame = r.view(s)
        let t2 = DispatchTime.now().uptimeNanoseconds
        _ = frame == last
        let t3 = DispatchTime.now().uptimeNanoseconds
        last = frame
        u.append(Double(t1 - t0) / 1e6); v.append(Double(t2 - t1) / 1e6); c.append(Double(t3 - t2) / 1e6)
    }
    return String(format: "update %.2f ms · view %.2f ms · compare %.2f ms", median(u), median(v), median(c))
}

/// Median time from a key to its new frame (update, view, and the frame comparison the runner does). Background
/// searches the keys start are not part of it: they run after the frame, and `searches` gets their median time to
/// their matches on screen.
func keyLatency(_ s: inout AppState, _ r: Renderer, _ keys: [Key], rounds: Int, searches: UnsafeMutablePointer<Double>? = nil) -> (median: Double, p95: Double) {
    var last = r.view(s)
    var times: [Double] = [], searchTimes: [Double] = []
    for i in 0..<rounds {
        let k = keys[i % keys.count]
        var deferred: [LoadRequest] = []
        let t0 = DispatchTime.now().uptimeNanoseconds
        drive(&s, App.update(&s, .key(k)), deferring: &deferred)
        let frame = r.view(s)
        _ = frame == last
        last = frame
        times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
        for q in deferred {
            let t1 = DispatchTime.now().uptimeNanoseconds
            drive(&s, [.load(q)])
            last = r.view(s)
            searchTimes.append(Double(DispatchTime.now().uptimeNanoseconds - t1) / 1e6)
        }
    }
    if let searches, !searchTimes.isEmpty { searches.pointee = median(searchTimes) }
    let sorted = times.sorted()
    return (sorted[sorted.count / 2], sorted[sorted.count * 95 / 100])
}

func benchUI() {
    let dir = thousandRuns("ui")
    _ = CatalogLoader.load(sources: [dir])  // warm the page cache
    var firsts: [Double] = []
    var state: AppState?
    let r = Renderer(theme: Theme.builtinDefault)
    for _ in 0..<5 {
        let t0 = Date()
        var s = AppState(catalog: CatalogLoader.load(sources: [dir]))
        _ = App.update(&s, .resize(width: 160, height: 48))
        _ = r.view(s)
        firsts.append(Date().timeIntervalSince(t0))
        state = s
    }
    print(String(format: "ui: first frame of the leaderboard with 1,000 runs (load + state + view), median %.3f s (budget 0.3 s)", median(firsts)))
    var s = state!
    let moves: [Key] = [.down, .down, .char("j"), .pageDown, .up, .char("k"), .pageUp, .end, .home]
    if ProcessInfo.processInfo.environment["BENCH_BREAKDOWN"] != nil { print("ui breakdown: " + breakdown(&s, r, moves, rounds: 200)) }
    let m = keyLatency(&s, r, moves, rounds: 400)
    print(String(format: "ui: leaderboard keypress to new frame (moves), median %.2f ms, p95 %.2f ms (budget 16 ms median)", m.median, m.p95))
    let sorts = keyLatency(&s, r, [.char("s"), .char("S"), .char("m"), .char("m")], rounds: 80)
    print(String(format: "ui: leaderboard sort/group keypress to new frame, median %.2f ms, p95 %.2f ms", sorts.median, sorts.p95))
    drive(&s, App.update(&s, .key(.char("/"))))
    var typed: [Key] = "gpt-4o mini".map { Key.char($0) }
    typed += Array(repeating: Key.backspace, count: 11)
    let typing = keyLatency(&s, r, typed, rounds: 88)
    print(String(format: "ui: leaderboard live filter keystroke to new frame, median %.2f ms, p95 %.2f ms", typing.median, typing.p95))
    // The real binary in tmux: from start to the leaderboard on screen.
    if FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") {
        var times: [Double] = []
        for k in 0..<5 {
            let sock = "tracemind-bench-\(ProcessInfo.processInfo.processIdentifier)-\(k)"
            let t0 = Date()
            _ = shell("tmux -L \(sock) new-session -d -x 160 -y 48 'TERM=xterm-256color \(tracemind) --no-prefetch \(dir); sleep 5'")
            while Date().timeIntervalSince(t0) < 10 {
                if shell("tmux -L \(sock) capture-pane -p").contains("1000 of 1000 runs") { break }
                Thread.sleep(forTimeInterval: 0.002)
            }
            times.append(Date().timeIntervalSince(t0))
            _ = shell("tmux -L \(sock) kill-server")
        }
        print(String(format: "ui: the real binary in tmux, start to leaderboard on screen (incl. tmux start and polling), median %.3f s", median(times)))
    }
}

/// The real binary in tmux over `dir`: seconds from start to the first frame, and to `rows` on screen (medians).
func tmuxTimes(_ dir: String, rows: String, rounds: Int = 3) -> (first: Double, rows: Double)? {
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") else { return nil }
    var firsts: [Double] = [], full: [Double] = []
    for k in 0..<rounds {
        let sock = "tracemind-bench-\(ProcessInfo.processInfo.processIdentifier)-s\(k)"
        let t0 = Date()
        _ = shell("tmux -L \(sock) new-session -d -x 160 -y 48 'TERM=xterm-256color \(tracemind) --no-prefetch \(dir); sleep 5'")
        var first: Double?
        while Date().timeIntervalSince(t0) < 30 {
            let screen = shell("tmux -L \(sock) capture-pane -p")
            if first == nil, screen.contains("TraceMind") { first = Date().timeIntervalSince(t0) }
            if screen.contains(rows) { break }
            Thread.sleep(forTimeInterval: 0.002)
        }
        full.append(Date().timeIntervalSince(t0))
        firsts.append(first ?? full.last!)
        _ = shell("tmux -L \(sock) kill-server")
    }
    return (median(firsts), median(full))
}

func shell(_ cmd: String) -> String {
    let out = work + "/sh-\(UUID().uuidString)"
    let args: [String] = ["/bin/sh", "-c", cmd + " >" + out + " 2>/dev/null"]
    let argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    guard posix_spawn(&pid, "/bin/sh", nil, nil, argv, environ) == 0 else { return "" }
    var status: Int32 = 0
    _ = waitpid(pid, &status, 0)
    defer { try? FileManager.default.removeItem(atPath: out) }
    return (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
}

/// `TRACE_STEPS=60000` measures a 300,000-span trace (five spans a step; default 4,000 steps, 20,000 spans).
func benchTrace() {
    var o = DemoOptions()
    o.longTraceSteps = ProcessInfo.processInfo.environment["TRACE_STEPS"].flatMap { Int($0) } ?? 4000
    let dir = work + "/trace-\(o.longTraceSteps)"
    if !FileManager.default.fileExists(atPath: dir) {
        log("generating a trace of ~\(o.longTraceSteps * 5) spans…")
        writeFiles(DemoGenerator(options: o).files(), to: dir)
    }
    var s = AppState(catalog: CatalogLoader.load(sources: [dir]))
    _ = App.update(&s, .resize(width: 160, height: 48))
    let r = Renderer(theme: Theme.builtinDefault)
    // Open the run, its Tests tab, select the long test.
    s.leaderboard.list.selected = s.visibleRuns.firstIndex { $0.key.hasPrefix("b1d2e3f4") }!
    drive(&s, App.update(&s, .key(.enter)))
    drive(&s, App.update(&s, .key(.char("2"))))
    guard case .run(let rv) = s.route, let a = s.analysis(rv.key) else { fatalError("run not loaded") }
    let idx = a.tests.firstIndex { $0.taskID == "long_horizon_audit" }!
    var opens: [Double] = []
    var spans = 0
    var opened = s
    for _ in 0..<5 {
        var s2 = s
        var v = rv
        v.tests.selected = idx
        s2.setRoute(.run(v))
        let t0 = Date()
        drive(&s2, App.update(&s2, .key(.enter)))
        _ = r.view(s2)
        opens.append(Date().timeIntervalSince(t0))
        if case .trace(let tv) = s2.route { spans = s2.traces[tv.ref]?.value?.analysis.figures.count ?? 0 }
        opened = s2
    }
    if ProcessInfo.processInfo.environment["BENCH_BREAKDOWN"] != nil, let summary = a.tests[idx].trace, let entry = s.entry(rv.key) {
        let t0 = Date()
        let trace = try! RunLoader.loadTrace(summary, fs: entry.files.fs)
        let t1 = Date()
        let an = TraceAnalysis(trace)
        let t2 = Date()
        let wf = Waterfall(an)
        let t3 = Date()
        _ = wf
        print(String(format: "trace breakdown: read+parse %.3f s · analysis %.3f s · waterfall %.3f s", t1.timeIntervalSince(t0), t2.timeIntervalSince(t1), t3.timeIntervalSince(t2)))
    }
    print(String(format: "trace: open a %@-span trace (read, analyse, first frame), median %.3f s (budget 0.5 s)", Format.grouped(spans), median(opens)))
    var s3 = opened
    drive(&s3, App.update(&s3, .key(.char("Z"))))
    if ProcessInfo.processInfo.environment["BENCH_BREAKDOWN"] != nil { print("trace breakdown: " + breakdown(&s3, r, [.down, .down, .char("j"), .pageDown, .up, .pageUp], rounds: 200)) }
    let scroll = keyLatency(&s3, r, [.down, .down, .char("j"), .pageDown, .up, .pageUp, .end, .home], rounds: 400)
    print(String(format: "trace: scroll keypress to new frame, median %.2f ms, p95 %.2f ms (budget 16 ms median)", scroll.median, scroll.p95))
    let fold = keyLatency(&s3, r, [.char("j"), .char("h"), .char("l"), .char("z"), .char("Z")], rounds: 200)
    print(String(format: "trace: fold/unfold keypress to new frame, median %.2f ms, p95 %.2f ms", fold.median, fold.p95))
    let zoom = keyLatency(&s3, r, [.char("+"), .char("+"), .char("L"), .char("H"), .char("-"), .char("-"), .char("x"), .char("x")], rounds: 400)
    print(String(format: "trace: zoom/pan/axis keypress to new frame, median %.2f ms, p95 %.2f ms", zoom.median, zoom.p95))
    // Typing a search (every key searches every span's name and attributes), then stepping through the matches.
    var searchMs = 0.0
    let typing = keyLatency(&s3, r, [.char("/"), .char("t"), .char("o"), .char("o"), .char("l"), .ctrl("u"), .enter], rounds: 21, searches: &searchMs)
    print(String(format: "trace: search keypress (typing /tool, clearing) to new frame, median %.2f ms, p95 %.2f ms; the matches follow from the background search in median %.0f ms", typing.median, typing.p95, searchMs))
    for k in [Key.char("/"), .char("t"), .char("o"), .char("o"), .char("l"), .enter] { drive(&s3, App.update(&s3, .key(k))) }
    let matches = keyLatency(&s3, r, [.char("n"), .char("n"), .char("N")], rounds: 100)
    print(String(format: "trace: next/previous match keypress to new frame, median %.2f ms, p95 %.2f ms", matches.median, matches.p95))
}

switch which {
case "leaderboard": benchLeaderboard()
case "run": benchRun()
case "ui": benchUI()
case "trace": benchTrace()
case "scale": benchScale()
default:
    benchLeaderboard()
    benchRun()
    benchUI()
    benchTrace()
}
