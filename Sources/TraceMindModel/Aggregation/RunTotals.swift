import Dispatch
import FoundationEssentials
import TraceMindFormats

/// The corrected figures of one analysed run that the leaderboard shows and sorts by (a few numbers, kept per run
/// once its traces have been read).
///
/// A value with its fields in one shared, immutable box (figures are made by an analysis, never changed): the
/// leaderboard of 10,000 runs gathers, ranks, sorts and writes their totals by the ten thousand, and a copy is then
/// one reference count instead of 330 bytes and a count for each of its texts.
public struct RunTotals: Sendable, Equatable, Codable {
    final class Box: @unchecked Sendable {
        let v: Values
        /// The outcomes where they are still in a pack (`v.outcomes` is then nil): read when asked for. A leaderboard
        /// never asks, and a run of 500 tests made 1,000 texts and a table for each warm leaderboard.
        let packedOutcomes: PackedOutcomes?
        init(_ v: consuming Values, packedOutcomes: PackedOutcomes? = nil) {
            self.v = v
            self.packedOutcomes = packedOutcomes
        }
    }
    private let box: Box

    /// The fields, the outcomes read from their pack if they are there.
    var values: Values {
        guard let p = box.packedOutcomes else { return box.v }
        var v = box.v
        v.outcomes = p.table
        return v
    }

    public init(_ a: RunAnalysis) { box = Box(Values(a)) }

    init(values: Values) { box = Box(values) }

    /// These totals with `change` made to their fields (tests forge figures with it).
    func with(_ change: (inout Values) -> Void) -> RunTotals {
        var v = values
        change(&v)
        return RunTotals(values: v)
    }

    public static func == (a: RunTotals, b: RunTotals) -> Bool { a.box === b.box || a.values == b.values }

    // The kept form is the fields' own (the per-run cache files read before and after the box).
    public init(from decoder: any Decoder) throws { box = Box(try Values(from: decoder)) }
    public func encode(to encoder: any Encoder) throws { try values.encode(to: encoder) }

    public var tests: Int { box.v.tests }
    public var passed: Int { box.v.passed }
    public var failed: Int { box.v.failed }
    public var errored: Int { box.v.errored }
    public var timedOut: Int { box.v.timedOut }
    public var successRate: Double? { box.v.successRate }
    /// nil when the run has no traces (tokens and cost unknown).
    public var tokens: TokenCounts? { box.v.tokens }
    public var cost: CostSum? { box.v.cost }
    public var costPerPass: Double? { box.v.costPerPass }
    public var wallMeanMs: Double? { box.v.wallMeanMs }
    public var wallP50Ms: Double? { box.v.wallP50Ms }
    public var wallP95Ms: Double? { box.v.wallP95Ms }
    /// `2× NVIDIA L4` from the GPU metrics, nil without GPU data.
    public var hardware: String? { box.v.hardware }
    public var co2Grams: Double? { box.v.co2Grams }
    /// Tokens and cost are lower bounds (a traces file read in part, tests without a trace).
    public var partial: Bool { box.v.partial }
    /// What the run was evaluated on (`TaskSet.id`: its tests, their prompts, its task dataset), nil without results.
    public var taskSet: String? { box.v.taskSet }
    /// Each test's outcome (`TestOutcome` raw values) by test key (`agent:task`), for tests with a result row.
    public var outcomes: [String: String]? { box.packedOutcomes?.table ?? box.v.outcomes }

    /// The fields.
    struct Values: Sendable, Equatable, Codable {
        // The meanings are the accessors' above.
        var tests: Int
        var passed: Int
        var failed: Int
        var errored: Int
        var timedOut: Int
        var successRate: Double?
        var tokens: TokenCounts?
        var cost: CostSum?
        var costPerPass: Double?
        var wallMeanMs: Double?
        var wallP50Ms: Double?
        var wallP95Ms: Double?
        var hardware: String?
        var co2Grams: Double?
        var partial: Bool
        var taskSet: String?
        var outcomes: [String: String]?

        init(_ a: RunAnalysis) {
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
        let (names, keys) = AnalysisCache.namesAndKeys(entries, cache)
        let packed = pack ? cache.pack(names) : PackedAnalyses()
        let slots = RecordSlots<RunTotals>(count: entries.count)
        func lookUp(_ packed: PackedAnalyses) {
            DispatchQueue.concurrentPerform(iterations: entries.count) { i in
                guard let key = keys[i], let hit = cached(entries[i], place: i, key: key, packed: packed, cache) else { return }
                slots.buffer[i] = .value(hit.totals)
            }
        }
        lookUp(packed)
        // A pack cut short under its mapping while it was read: read as if there were none.
        if packed.isDamaged {
            for i in slots.buffer.indices { slots.buffer[i] = .empty }
            lookUp(PackedAnalyses())
        }
        var out: [String: RunTotals] = [:]
        for (i, slot) in slots.buffer.enumerated() { if case .value(let t) = slot { out[entries[i].key] = t } }
        return out
    }

    /// A run's analysis kept for its files as they are (`key`): its line of the pack (the run at `place` of the list
    /// the pack is for), else its own file.
    static func cached(
        _ e: RunEntry, place: Int, key: String, packed: PackedAnalyses, _ cache: AnalysisCache
    ) -> (totals: RunTotals, diagnostics: [Diagnostic], fromPack: Bool)? {
        if let p = packed.at(place), p.key == AnalysisCache.packedKey(key) { return (p.totals, p.diagnostics, true) }
        return cache.lookup(e, key: key).map { ($0.totals, $0.diagnostics, false) }
    }

    /// Every run analysed (cached ones read back), on all cores, in catalog order. `progress` gets the fraction of
    /// runs done.
    /// `pack`: read and keep the pack of these runs (see `cachedAll`).
    public static func analyseAll(
        _ entries: [RunEntry], cache: AnalysisCache? = nil, pack: Bool = true, progress: (@Sendable (Double) -> Void)? = nil
    ) -> (totals: [String: RunTotals], diagnostics: [Diagnostic]) {
        let all = analyseAllInOrder(entries, cache: cache, pack: pack, progress: progress)
        return (byRun(entries, all.totals), all.diagnostics)
    }

    /// Totals by place in `entries` (`analyseAllInOrder`) as a table keyed by run.
    public static func byRun(_ entries: [RunEntry], _ totals: [RunTotals?]) -> [String: RunTotals] {
        var out: [String: RunTotals] = [:]
        out.reserveCapacity(entries.count)
        for (e, t) in zip(entries, totals) { if let t { out[e.key] = t } }
        return out
    }

    /// `analyseAll`, each run's totals at its place in `entries` (nil where it has none): a report of every run reads
    /// them by place, with no table keyed by run.
    public static func analyseAllInOrder(
        _ entries: [RunEntry], cache: AnalysisCache? = nil, pack: Bool = true, progress: (@Sendable (Double) -> Void)? = nil
    ) -> (totals: [RunTotals?], diagnostics: [Diagnostic]) {
        // With a cache, the runs' pack first (one file), then each run's own file, then a fresh analysis. Each run's
        // name in the cache and its files as they are before any is read (a hit, or the key a fresh analysis is kept
        // under) are made in one pass over the runs.
        let (names, keys) = cache.map { AnalysisCache.namesAndKeys(entries, $0) } ?? ([], [])
        let packed = pack ? cache.map { $0.pack(names) } ?? PackedAnalyses() : PackedAnalyses()
        let slots = RecordSlots<(totals: RunTotals, diagnostics: [Diagnostic], key: String?, packed: Bool)>(count: entries.count)
        let done = ProgressCounter(total: entries.count, progress: progress)
        // Run `i`'s analysis: kept (in `packed`, else in its own file), else made afresh.
        @Sendable func resolve(_ i: Int, _ packed: PackedAnalyses) {
            let readKey = cache == nil ? nil : keys[i]
            if let cache, let readKey, let hit = cached(entries[i], place: i, key: readKey, packed: packed, cache) {
                slots.buffer[i] = .value((hit.totals, hit.diagnostics, readKey, hit.fromPack))
            } else {
                let r = analyseFresh(entries[i], cache: cache, readKey: readKey)
                slots.buffer[i] = .value((r.totals, r.diagnostics, readKey, false))
            }
        }
        DispatchQueue.concurrentPerform(iterations: entries.count) { i in
            resolve(i, packed)
            done.add(1)
        }
        // A pack cut short under its mapping while it was read: what came from it read again without it.
        if packed.isDamaged {
            let fromPack = slots.buffer.indices.filter { if case .value(let r) = slots.buffer[$0] { return r.packed } else { return false } }
            DispatchQueue.concurrentPerform(iterations: fromPack.count) { resolve(fromPack[$0], PackedAnalyses()) }
        }
        var totals = [RunTotals?](repeating: nil, count: entries.count)
        var diagnostics: [Diagnostic] = []
        var allPacked = true
        for (i, slot) in slots.buffer.enumerated() {
            if case .value(let r) = slot {
                totals[i] = r.totals
                diagnostics += r.diagnostics
                allPacked = allPacked && r.packed
            }
        }
        // The pack written again when some run was not in it as it is now.
        if let cache, pack, !allPacked {
            var repack: [(name: String, key: String, totals: RunTotals, diagnostics: [Diagnostic])] = []
            for (i, slot) in slots.buffer.enumerated() {
                if case .value(let r) = slot, let k = r.key { repack.append((names[i], k, r.totals, r.diagnostics)) }
            }
            if !repack.isEmpty { cache.storePack(names, repack) }
        }
        return (totals, diagnostics)
    }
}

extension RunTotals {
    /// The totals as a pack keeps them: every field in a fixed order, in the binary form of `PackWriter` (the pack's
    /// own form, versioned by the rules version). Doubles are kept as their bits, so they read back exactly.
    func pack(into w: inout PackWriter) {
        for v in [tests, passed, failed, errored, timedOut] { w.int(v) }
        w.double(successRate)
        w.bool(tokens != nil)
        tokens?.pack(into: &w)
        w.bool(cost != nil)
        cost?.pack(into: &w)
        for v in [costPerPass, wallMeanMs, wallP50Ms, wallP95Ms] { w.double(v) }
        w.text(hardware)
        w.double(co2Grams)
        w.bool(partial)
        w.text(taskSet)
        w.bool(outcomes != nil)
        if let o = outcomes {
            // One block, its length first: reading the totals passes over a run's outcomes in one step.
            var ow = PackWriter()
            ow.texts(o.keys.sorted().flatMap { [$0, o[$0]!] })
            w.raw(ow.bytes)
        }
    }

    /// Totals `pack(into:)` wrote; nil when the bytes are not one.
    /// `data`: the bytes `r` reads, where the outcomes are left until asked for.
    init?(unpacking r: inout PackReader, in data: Data) {
        guard let v = Values(unpacking: &r), let hasOutcomes = r.bool() else { return nil }
        guard hasOutcomes else {
            box = Box(v)
            return
        }
        guard let block = r.rawRange() else { return nil }
        box = Box(v, packedOutcomes: PackedOutcomes(data: data, range: block))
    }
}

/// A run's outcomes as its pack keeps them: one block (its length first, so that reading the totals passes over it)
/// of texts (`PackWriter.texts`: each test key, then its outcome), read when asked for.
struct PackedOutcomes: Sendable {
    let data: Data
    let range: Range<Int>

    /// The outcomes by test key. The pack's seal covers the block, which its writer makes an even list of texts
    /// filling it; bytes that are not one (which only a changed file under a mapping could give) are no outcomes.
    var table: [String: String] {
        data.withUnsafeBytes { all in
            var r = PackReader(all, range: range)
            guard let o = r.texts(), o.count % 2 == 0, r.isAtEnd else { return [:] }
            var m: [String: String] = [:]
            m.reserveCapacity(o.count / 2)
            for i in stride(from: 0, to: o.count, by: 2) { m[o[i]] = o[i + 1] }
            return m
        }
    }
}

extension RunTotals.Values {
    /// Totals `RunTotals.pack(into:)` wrote, but for the outcomes that follow them (`RunTotals.init(unpacking:in:)`
    /// reads those); nil when the bytes are not one.
    init?(unpacking r: inout PackReader) {
        guard let tests = r.int(), let passed = r.int(), let failed = r.int(), let errored = r.int(), let timedOut = r.int(),
            let successRate = r.optionalDouble(), let hasTokens = r.bool()
        else { return nil }
        (self.tests, self.passed, self.failed, self.errored, self.timedOut, self.successRate) = (tests, passed, failed, errored, timedOut, successRate)
        tokens = nil
        if hasTokens {
            guard let t = TokenCounts(unpacking: &r) else { return nil }
            tokens = t
        }
        guard let hasCost = r.bool() else { return nil }
        cost = nil
        if hasCost {
            guard let c = CostSum(unpacking: &r) else { return nil }
            cost = c
        }
        guard let costPerPass = r.optionalDouble(), let wallMean = r.optionalDouble(), let wallP50 = r.optionalDouble(),
            let wallP95 = r.optionalDouble(), let hardware = r.optionalText(), let co2 = r.optionalDouble(), let partial = r.bool(),
            let taskSet = r.optionalText()
        else { return nil }
        (self.costPerPass, wallMeanMs, wallP50Ms, wallP95Ms, self.hardware, co2Grams) = (costPerPass, wallMean, wallP50, wallP95, hardware, co2)
        (self.partial, self.taskSet) = (partial, taskSet)
        outcomes = nil
    }
}
