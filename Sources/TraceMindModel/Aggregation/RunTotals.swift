import Foundation
import TraceMindFormats

/// The corrected figures of one analysed run that the leaderboard shows and sorts by (a few numbers, kept per run
/// once its traces have been read).
public struct RunTotals: Sendable, Equatable, Codable {
    public var tests: Int
    public var passed: Int
    public var failed: Int
    public var errored: Int
    public var timedOut: Int
    public var successRate: Double?
    /// nil when the run has no traces (tokens and cost unknown).
    public var tokens: TokenCounts?
    public var cost: CostSum?
    public var costPerPass: Double?
    public var wallMeanMs: Double?
    public var wallP50Ms: Double?
    public var wallP95Ms: Double?
    /// `2× NVIDIA L4` from the GPU metrics, nil without GPU data.
    public var hardware: String?
    public var co2Grams: Double?
    /// Tokens and cost are lower bounds (a traces file read in part, tests without a trace).
    public var partial: Bool
    /// What the run was evaluated on (`TaskSet.id`: its tests, their prompts, its task dataset), nil without results.
    public var taskSet: String?
    /// Each test's outcome (`TestOutcome` raw values) by test key (`agent:task`), for tests with a result row.
    public var outcomes: [String: String]?

    public init(_ a: RunAnalysis) {
        tests = a.testCount
        passed = a.passed
        failed = a.failed
        errored = a.errored
        timedOut = a.timedOut
        successRate = a.successRate
        tokens = a.hasTraces ? a.tokens : nil
        cost = a.hasTraces ? a.cost : nil
        costPerPass = a.costPerPass
        wallMeanMs = a.wall?.mean
        wallP50Ms = a.wall?.p50
        wallP95Ms = a.wall?.p95
        hardware = a.metrics?.hardware
        co2Grams = a.co2Grams
        partial = a.tokensAreLowerBound
        taskSet = a.tests.isEmpty ? nil : TaskSet(a).id
        var o: [String: String] = [:]
        for t in a.tests where t.result != nil { o[t.key] = t.outcome.rawValue }
        outcomes = o.isEmpty ? nil : o
    }
}

extension RunMetrics {
    /// The GPUs measured, as `NVIDIA L4` or `2× NVIDIA L4` (mixed models joined with `+`).
    public var hardware: String? {
        guard hasGPUData else { return nil }
        var names: [String] = []
        var counts: [String: Int] = [:]
        for g in gpuIDs {
            let n = series.first { $0.gpuID == g && $0.gpuName != nil }?.gpuName ?? "GPU"
            if counts[n] == nil { names.append(n) }
            counts[n, default: 0] += 1
        }
        return names.map { counts[$0]! > 1 ? "\(counts[$0]!)× \($0)" : $0 }.joined(separator: " + ")
    }
}

extension RunTotals {
    /// One run read and analysed: its counted-once figures and what went wrong on the way, from `cache` when it holds
    /// them for the run's files as they are now. The leaderboard screen's background analysis and `tracemind
    /// leaderboard` both use this.
    public static func analyse(_ entry: RunEntry, progress: LoadProgress? = nil, cache: AnalysisCache? = nil) -> (totals: RunTotals, diagnostics: [Diagnostic]) {
        // The files' identity is taken once, before they are read: a hit, or the key the fresh analysis is kept under.
        let readKey = cache.flatMap { _ in AnalysisCache.key(entry) }
        if let cache, let readKey, let hit = cache.lookup(entry, key: readKey) { return hit }
        return analyseFresh(entry, progress: progress, cache: cache, readKey: readKey)
    }

    /// The run read and analysed, kept in `cache` under `readKey` when its files did not change meanwhile.
    public static func analyseFresh(
        _ entry: RunEntry, progress: LoadProgress? = nil, cache: AnalysisCache?, readKey: String?
    ) -> (totals: RunTotals, diagnostics: [Diagnostic]) {
        let data = RunLoader.load(entry, progress: progress, summaries: cache?.summaries)
        let totals = RunTotals(RunAnalysis(entry: entry, data: data))
        cache?.store(entry, readKey: readKey, totals, data.diagnostics)
        return (totals, data.diagnostics)
    }

    /// The runs whose analysis `cache` holds for their files as they are now (from the runs' pack, else each run's
    /// file), on all cores; nothing is analysed. `pack`: look in the pack of exactly these runs (a whole catalog's,
    /// as the leaderboard keeps it), not for a batch of some of its runs. The browser shows these at once.
    public static func cachedAll(_ entries: [RunEntry], cache: AnalysisCache, pack: Bool = true) -> [String: RunTotals] {
        let names = entries.map { cache.name($0) }
        let packed = pack ? cache.pack(names) : [:]
        let slots = RecordSlots<RunTotals>(count: entries.count)
        DispatchQueue.concurrentPerform(iterations: entries.count) { i in
            guard let key = AnalysisCache.key(entries[i]), let hit = cached(entries[i], name: names[i], key: key, packed: packed, cache) else { return }
            slots.buffer[i] = .value(hit.totals)
        }
        var out: [String: RunTotals] = [:]
        for (i, slot) in slots.buffer.enumerated() { if case .value(let t) = slot { out[entries[i].key] = t } }
        return out
    }

    /// A run's analysis kept for its files as they are (`key`): its line of the pack, else its own file.
    static func cached(
        _ e: RunEntry, name: String, key: String, packed: [String: (key: String, totals: RunTotals, diagnostics: [Diagnostic])], _ cache: AnalysisCache
    ) -> (totals: RunTotals, diagnostics: [Diagnostic], fromPack: Bool)? {
        if let p = packed[name], p.key == AnalysisCache.packedKey(key) { return (p.totals, p.diagnostics, true) }
        return cache.lookup(e, key: key).map { ($0.totals, $0.diagnostics, false) }
    }

    /// Every run analysed (cached ones read back), on all cores, in catalog order. `progress` gets the fraction of
    /// runs done.
    /// `pack`: read and keep the pack of these runs (see `cachedAll`).
    public static func analyseAll(
        _ entries: [RunEntry], cache: AnalysisCache? = nil, pack: Bool = true, progress: (@Sendable (Double) -> Void)? = nil
    ) -> (totals: [String: RunTotals], diagnostics: [Diagnostic]) {
        // With a cache, the runs' pack first (one file), then each run's own file, then a fresh analysis.
        let names = cache.map { c in entries.map { c.name($0) } } ?? []
        let packed = pack ? cache.map { $0.pack(names) } ?? [:] : [:]
        let slots = RecordSlots<(totals: RunTotals, diagnostics: [Diagnostic], key: String?, packed: Bool)>(count: entries.count)
        let done = ProgressCounter(total: entries.count, progress: progress)
        DispatchQueue.concurrentPerform(iterations: entries.count) { i in
            let e = entries[i]
            let readKey = cache.flatMap { _ in AnalysisCache.key(e) }
            if let cache, let readKey, let hit = cached(e, name: names[i], key: readKey, packed: packed, cache) {
                slots.buffer[i] = .value((hit.totals, hit.diagnostics, readKey, hit.fromPack))
            } else {
                let r = analyseFresh(e, cache: cache, readKey: readKey)
                slots.buffer[i] = .value((r.totals, r.diagnostics, readKey, false))
            }
            done.add(1)
        }
        var totals: [String: RunTotals] = [:]
        var diagnostics: [Diagnostic] = []
        var repack: [(name: String, key: String, totals: RunTotals, diagnostics: [Diagnostic])] = []
        var allPacked = true
        for (i, slot) in slots.buffer.enumerated() {
            if case .value(let r) = slot {
                totals[entries[i].key] = r.totals
                diagnostics += r.diagnostics
                allPacked = allPacked && r.packed
                if let k = r.key, cache != nil { repack.append((names[i], k, r.totals, r.diagnostics)) }
            }
        }
        if let cache, pack, !allPacked, !repack.isEmpty { cache.storePack(names, repack) }
        return (totals, diagnostics)
    }
}

extension RunTotals {
    /// The totals as a pack keeps them: an array of every field in a fixed order (the pack's own form, versioned by
    /// the rules version). Numbers are written shortest round-trip, so they read back exactly.
    var packed: JSON {
        func d(_ v: Double?) -> JSON { v.map { .double($0) } ?? .null }
        let tok: JSON = tokens.map { t in
            .array([.int(Int64(t.prompt)), .int(Int64(t.completion)), .int(Int64(t.total)), .bool(t.hasSplit), .int(Int64(t.reasoning)), .int(Int64(t.cacheRead)), .int(Int64(t.cacheWrite))])
        } ?? .null
        let cst: JSON = cost.map { c in
            .array([.double(c.knownUSD), .int(Int64(c.priced)), .int(Int64(c.unpriced)), .double(c.split.prompt), .double(c.split.completion),
                    .double(c.split.reasoning), .double(c.split.cacheRead), .double(c.split.cacheWrite), .int(Int64(c.split.calls))])
        } ?? .null
        let out: JSON = outcomes.map { o in .array(o.keys.sorted().flatMap { [JSON.string($0), .string(o[$0]!)] }) } ?? .null
        return .array([
            .int(Int64(tests)), .int(Int64(passed)), .int(Int64(failed)), .int(Int64(errored)), .int(Int64(timedOut)), d(successRate), tok, cst,
            d(costPerPass), d(wallMeanMs), d(wallP50Ms), d(wallP95Ms), hardware.map { .string($0) } ?? .null, d(co2Grams), .bool(partial),
            taskSet.map { .string($0) } ?? .null, out,
        ])
    }

    /// Totals from their packed form; nil for anything else.
    init?(packed v: JSON) {
        guard let a = v.arrayValue, a.count == 17, let tests = a[0].int, let passed = a[1].int, let failed = a[2].int, let errored = a[3].int,
            let timedOut = a[4].int, let partial = a[14].bool
        else { return nil }
        func d(_ j: JSON) -> Double?? {
            if j.isNull { return .some(nil) }
            return j.number.map { .some($0) } ?? nil
        }
        guard let successRate = d(a[5]), let costPerPass = d(a[8]), let wallMean = d(a[9]), let wallP50 = d(a[10]), let wallP95 = d(a[11]),
            let co2 = d(a[13])
        else { return nil }
        self.tests = tests
        self.passed = passed
        self.failed = failed
        self.errored = errored
        self.timedOut = timedOut
        self.successRate = successRate
        if a[6].isNull {
            tokens = nil
        } else {
            guard let t = a[6].arrayValue, t.count == 7, let p = t[0].int, let c = t[1].int, let tot = t[2].int, let split = t[3].bool, let r = t[4].int,
                let cr = t[5].int, let cw = t[6].int
            else { return nil }
            tokens = TokenCounts(prompt: p, completion: c, total: tot, hasSplit: split, reasoning: r, cacheRead: cr, cacheWrite: cw)
        }
        if a[7].isNull {
            cost = nil
        } else {
            guard let c = a[7].arrayValue, c.count == 9, let usd = c[0].number, let priced = c[1].int, let unpriced = c[2].int,
                let sp = c[3].number, let sc = c[4].number, let sr = c[5].number, let scr = c[6].number, let scw = c[7].number, let calls = c[8].int
            else { return nil }
            var split = CostSplit()
            split.prompt = sp
            split.completion = sc
            split.reasoning = sr
            split.cacheRead = scr
            split.cacheWrite = scw
            split.calls = calls
            cost = CostSum(knownUSD: usd, priced: priced, unpriced: unpriced, split: split)
        }
        self.costPerPass = costPerPass
        wallMeanMs = wallMean
        wallP50Ms = wallP50
        wallP95Ms = wallP95
        hardware = a[12].isNull ? nil : a[12].text
        co2Grams = co2
        self.partial = partial
        taskSet = a[15].isNull ? nil : a[15].text
        if a[16].isNull {
            outcomes = nil
        } else {
            guard let o = a[16].arrayValue, o.count % 2 == 0 else { return nil }
            var m: [String: String] = [:]
            for i in stride(from: 0, to: o.count, by: 2) {
                guard let k = o[i].text, let x = o[i + 1].text else { return nil }
                m[k] = x
            }
            outcomes = m
        }
    }
}
