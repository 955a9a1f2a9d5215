import FoundationEssentials
import TraceMindFormats

/// Token counts. `hasSplit` says whether the prompt/completion split was reported at all. Reasoning and cache
/// tokens are parts of prompt/completion (as the providers report them), not extra.
public struct TokenCounts: Sendable, Equatable, Codable {
    public var prompt: Int
    public var completion: Int
    public var total: Int
    public var hasSplit: Bool
    public var reasoning: Int
    public var cacheRead: Int
    public var cacheWrite: Int

    public init(
        prompt: Int = 0, completion: Int = 0, total: Int = 0, hasSplit: Bool = false, reasoning: Int = 0, cacheRead: Int = 0,
        cacheWrite: Int = 0
    ) {
        self.prompt = prompt
        self.completion = completion
        self.total = total
        self.hasSplit = hasSplit
        self.reasoning = reasoning
        self.cacheRead = cacheRead
        self.cacheWrite = cacheWrite
    }

    public static let zero = TokenCounts()

    public var isZero: Bool { total == 0 && prompt == 0 && completion == 0 }

    public static func + (a: TokenCounts, b: TokenCounts) -> TokenCounts {
        TokenCounts(
            prompt: a.prompt + b.prompt, completion: a.completion + b.completion, total: a.total + b.total,
            hasSplit: a.hasSplit || b.hasSplit, reasoning: a.reasoning + b.reasoning, cacheRead: a.cacheRead + b.cacheRead,
            cacheWrite: a.cacheWrite + b.cacheWrite)
    }

    public static func += (a: inout TokenCounts, b: TokenCounts) { a = a + b }

    /// What `self` reports beyond `other` (never negative), component by component.
    public func excess(over other: TokenCounts) -> TokenCounts {
        TokenCounts(
            prompt: max(0, prompt - other.prompt), completion: max(0, completion - other.completion),
            total: max(0, total - other.total), hasSplit: hasSplit, reasoning: max(0, reasoning - other.reasoning),
            cacheRead: max(0, cacheRead - other.cacheRead), cacheWrite: max(0, cacheWrite - other.cacheWrite))
    }
}

/// Known parts of a cost (only where a producer reported the split).
public struct CostSplit: Sendable, Equatable, Codable {
    public var prompt: Double = 0
    public var completion: Double = 0
    public var reasoning: Double = 0
    public var cacheRead: Double = 0
    public var cacheWrite: Double = 0
    /// Calls whose split was reported.
    public var calls: Int = 0

    public init() {}

    public static let zero = CostSplit()

    public static func + (a: CostSplit, b: CostSplit) -> CostSplit {
        var s = CostSplit()
        s.prompt = a.prompt + b.prompt
        s.completion = a.completion + b.completion
        s.reasoning = a.reasoning + b.reasoning
        s.cacheRead = a.cacheRead + b.cacheRead
        s.cacheWrite = a.cacheWrite + b.cacheWrite
        s.calls = a.calls + b.calls
        return s
    }

    public static func += (a: inout CostSplit, b: CostSplit) { a = a + b }
}

/// A cost that may be partly or wholly unknown. Unknown is never shown as $0.
///
/// - `priced`: usage-bearing spans (or own costs) whose cost is known;
/// - `unpriced`: usage-bearing spans with no cost, or marked `pricing_source: unpriced`.
public struct CostSum: Sendable, Equatable, Codable {
    public var knownUSD: Double
    public var priced: Int
    public var unpriced: Int
    public var split: CostSplit

    public init(knownUSD: Double = 0, priced: Int = 0, unpriced: Int = 0, split: CostSplit = .zero) {
        self.knownUSD = knownUSD
        self.priced = priced
        self.unpriced = unpriced
        self.split = split
    }

    public static let zero = CostSum()

    /// The total when fully known. Nothing used at all is a known $0.
    public var value: Double? { unpriced == 0 ? knownUSD : nil }
    /// Some calls are priced, some are not: `knownUSD` is a lower bound.
    public var isPartial: Bool { unpriced > 0 && priced > 0 }
    public var isUnknown: Bool { unpriced > 0 }
    public var isZero: Bool { priced == 0 && unpriced == 0 && knownUSD == 0 }

    public static func + (a: CostSum, b: CostSum) -> CostSum {
        CostSum(knownUSD: a.knownUSD + b.knownUSD, priced: a.priced + b.priced, unpriced: a.unpriced + b.unpriced, split: a.split + b.split)
    }

    public static func += (a: inout CostSum, b: CostSum) { a = a + b }

    /// A known amount from one span.
    public static func known(_ usd: Double, split: CostSplit = .zero) -> CostSum { CostSum(knownUSD: usd, priced: 1, unpriced: 0, split: split) }

    /// One call whose price is unknown.
    public static let unknownCall = CostSum(knownUSD: 0, priced: 0, unpriced: 1)
}

/// SMOLTRACE's recorded cost as a known figure or unknown. Before its cost post-calculation (2025-10-30) it wrote
/// `0.0` beside tens of thousands of tokens: a cost of 0 with tokens used means "not computed", never "free".
public enum RecordedCost {
    public static func known(_ cost: Double?, tokens: Int?) -> Double? {
        guard let cost, cost.isFinite else { return nil }
        if cost == 0, let t = tokens, t > 0 { return nil }
        return cost
    }
}

/// What one span reports about usage and cost, before any correction.
///
/// Two families are kept apart because they add up differently:
/// - **call usage** (`gen_ai.usage.*`, `llm.token_count.*`, `llm.cost.*`, `cost.*`): the usage of LLM calls. Nested
///   spans that describe the same call repeat it, so it is a roll-up on every span but the deepest (see
///   `TraceAnalysis`);
/// - **own cost** (`cost_usd`): what the span itself cost (an orchestrator step, a queue hop, a tool). It is never a
///   roll-up, so own costs add up along the tree. `accumulated_cost_usd` *is* a roll-up and is only shown.
public struct SpanUsage: Sendable, Equatable {
    public var promptTokens: Int?
    public var completionTokens: Int?
    public var totalTokens: Int?
    public var reasoningTokens: Int?
    public var cacheReadTokens: Int?
    public var cacheWriteTokens: Int?
    /// Total cost of the call(s), from the call-usage family.
    public var costUSD: Double?
    public var split = CostSplit()
    public var hasSplit = false
    public var pricingSource: String?
    public var model: String?
    /// `cost_usd`: the span's own cost, added along the tree.
    public var ownCostUSD: Double?
    /// `accumulated_cost_usd`: a producer's roll-up; shown, never added.
    public var accumulatedCostUSD: Double?
    /// The attribute keys this was read from, as bits of `UsageConventions.orderedKeys` (a span holds no array).
    public var sourceKeyBits: UInt64 = 0

    /// The attribute keys this was read from (for the detail pane's provenance line), in slot order.
    public var sourceKeys: [String] {
        UsageConventions.orderedKeys.indices.filter { sourceKeyBits & (1 << UInt64($0)) != 0 }.map { UsageConventions.orderedKeys[$0] }
    }

    public init() {}

    /// The span reports call usage (zero-token roll-ups of a streamed agent do not count).
    public var carriesUsage: Bool {
        (totalTokens ?? 0) > 0 || (promptTokens ?? 0) > 0 || (completionTokens ?? 0) > 0 || (costUSD ?? 0) > 0
    }

    /// The call cost is known: present and not marked unpriced.
    public var knownCost: Double? {
        guard let c = costUSD else { return nil }
        if pricingSource?.lowercased() == "unpriced" { return nil }
        return c
    }

    public var tokens: TokenCounts {
        let p = promptTokens ?? 0, c = completionTokens ?? 0
        let t = totalTokens ?? (p + c)
        return TokenCounts(
            prompt: p, completion: c, total: t, hasSplit: promptTokens != nil || completionTokens != nil,
            reasoning: reasoningTokens ?? 0, cacheRead: cacheReadTokens ?? 0, cacheWrite: cacheWriteTokens ?? 0)
    }

    /// The call-usage cost of this span as a `CostSum` (unknown when it carries usage without a known price).
    public var callCost: CostSum {
        guard carriesUsage else { return .zero }
        if let c = knownCost {
            var s = split
            s.calls = hasSplit ? 1 : 0
            return .known(c, split: s)
        }
        return .unknownCall
    }

    public var ownCost: CostSum { ownCostUSD.map { .known($0) } ?? .zero }
}

/// The attribute conventions for usage on a span, in order of preference.
public enum UsageConventions {
    public static let promptKeys = [
        "llm.token_count.prompt", "gen_ai.usage.prompt_tokens", "gen_ai.usage.input_tokens", "cost.prompt_tokens",
    ]
    public static let completionKeys = [
        "llm.token_count.completion", "gen_ai.usage.completion_tokens", "gen_ai.usage.output_tokens", "cost.completion_tokens",
    ]
    public static let totalKeys = ["llm.token_count.total", "gen_ai.usage.total_tokens", "cost.total_tokens"]
    public static let reasoningKeys = [
        "gen_ai.usage.reasoning_tokens", "gen_ai.usage.completion_tokens_details.reasoning_tokens",
        "completion_tokens_details.reasoning_tokens", "llm.token_count.completion_details.reasoning",
        "gen_ai.usage.output_tokens_details.reasoning_tokens",
    ]
    public static let cacheReadKeys = [
        "gen_ai.usage.cache_read_input_tokens", "cache_read_input_tokens", "gen_ai.usage.cache_read_tokens",
        "llm.token_count.prompt_details.cache_read", "gen_ai.usage.prompt_tokens_details.cached_tokens",
    ]
    public static let cacheWriteKeys = [
        "gen_ai.usage.cache_creation_input_tokens", "cache_creation_input_tokens", "gen_ai.usage.cache_write_tokens",
        "llm.token_count.prompt_details.cache_write",
    ]
    public static let costKeys = ["gen_ai.usage.cost.total", "llm.cost.total", "cost.total_usd"]
    public static let promptCostKeys = ["gen_ai.usage.cost.prompt", "llm.cost.prompt", "cost.input_cost_usd"]
    public static let completionCostKeys = ["gen_ai.usage.cost.completion", "llm.cost.completion", "cost.output_cost_usd"]
    public static let modelKeys = ["gen_ai.response.model", "gen_ai.request.model", "llm.model_name", "cost.model_name"]
    public static let ownCostKeys = ["cost_usd"]
    public static let accumulatedCostKeys = ["accumulated_cost_usd"]

    /// Every key that takes part in accounting (the detail pane groups them).
    public static let allKeys: Set<String> = Set(
        promptKeys + completionKeys + totalKeys + reasoningKeys + cacheReadKeys + cacheWriteKeys + costKeys + promptCostKeys
            + completionCostKeys + ownCostKeys + accumulatedCostKeys
            + ["gen_ai.usage.cost.reasoning", "gen_ai.usage.cost.cache_read", "gen_ai.usage.cost.cache_write",
                "gen_ai.usage.cost.pricing_source"])

    /// The slots usage is read into; each has its keys in order of preference.
    enum Slot: Int, CaseIterable {
        case prompt, completion, total, reasoning, cacheRead, cacheWrite, cost, promptCost, completionCost, reasoningCost
        case cacheReadCost, cacheWriteCost, pricing, model, own, accumulated
    }

    static let slotKeys: [Slot: [String]] = [
        .prompt: promptKeys, .completion: completionKeys, .total: totalKeys, .reasoning: reasoningKeys,
        .cacheRead: cacheReadKeys, .cacheWrite: cacheWriteKeys, .cost: costKeys, .promptCost: promptCostKeys,
        .completionCost: completionCostKeys, .reasoningCost: ["gen_ai.usage.cost.reasoning"],
        .cacheReadCost: ["gen_ai.usage.cost.cache_read"], .cacheWriteCost: ["gen_ai.usage.cost.cache_write"],
        .pricing: ["gen_ai.usage.cost.pricing_source"], .model: modelKeys, .own: ownCostKeys, .accumulated: accumulatedCostKeys,
    ]

    /// Every usage key, slot by slot, each in order of preference (at most 64: `SpanUsage.sourceKeyBits`).
    static let orderedKeys: [String] = Slot.allCases.flatMap { slotKeys[$0]! }

    /// Key → (slot, preference): one hash lookup per attribute instead of a scan per key.
    static let keyTable: [String: (Slot, Int)] = {
        var t: [String: (Slot, Int)] = [:]
        for (slot, keys) in slotKeys { for (i, k) in keys.enumerated() { t[k] = (slot, i) } }
        return t
    }()

    /// Key → its bit in `SpanUsage.sourceKeyBits`.
    static let keyBits: [String: UInt64] = {
        precondition(orderedKeys.count <= 64, "usage keys must fit a 64-bit mask")
        var t: [String: UInt64] = [:]
        for (n, k) in orderedKeys.enumerated() where t[k] == nil { t[k] = 1 << UInt64(n) }
        return t
    }()

    /// Most attributes (prompts, tool arguments, ids) fail this without being hashed.
    static let keyShape = KeyShape(keyTable.keys)

    @inline(__always)
    static func mayBeUsageKey(_ k: String) -> Bool { keyShape.admits(k) }

    /// Key → (slot, preference, its bit in `SpanUsage.sourceKeyBits`): the one lookup `extract` makes per key.
    static let keyEntries: (index: KeyIndex, entries: [(slot: Slot, pref: Int, bit: UInt64)]) = {
        let keys = keyTable.keys.sorted()
        return (KeyIndex(keys), keys.map { (keyTable[$0]!.0, keyTable[$0]!.1, keyBits[$0] ?? 0) })
    }()

    /// `extra` holds span fields outside the attributes (single trace documents put `cost_usd` there).
    public static func extract(_ a: JSONObject, extra: JSONObject = JSONObject()) -> SpanUsage {
        // One pass: the most preferred usable value of each slot, noted by its place (in `a`, or at `-1 - k` in
        // `extra`), its preference and its key's bit.
        withUnsafeTemporaryAllocation(of: (pref: Int, bit: UInt64, at: Int).self, capacity: Slot.allCases.count) { best in
            best.initialize(repeating: (.max, 0, Int.min))
            func value(_ at: Int) -> JSON { at >= 0 ? a.values[at] : extra.values[-1 - at] }
            func consider(_ k: String, _ v: JSON, at: Int) {
                guard mayBeUsageKey(k), let n = keyEntries.index.id(k) else { return }
                let (slot, pref, bit) = keyEntries.entries[n]
                let usable: Bool
                switch slot {
                case .pricing: usable = v.text != nil
                case .model: usable = !(v.text ?? "").isEmpty
                // A token count past a trillion is damage, not usage: it would overflow the run's sums.
                case .prompt, .completion, .total, .reasoning, .cacheRead, .cacheWrite: usable = (0...1_000_000_000_000).contains(v.int ?? -1)
                default: usable = (v.number ?? -1) >= 0
                }
                guard usable else { return }
                if best[slot.rawValue].at != Int.min, best[slot.rawValue].pref <= pref { return }
                best[slot.rawValue] = (pref, bit, at)
            }
            for (n, (k, v)) in zip(a.keys, a.values).enumerated() { consider(k, v, at: n) }
            if best[Slot.own.rawValue].at == Int.min || best[Slot.accumulated.rawValue].at == Int.min {
                for (n, (k, v)) in zip(extra.keys, extra.values).enumerated() where k == "cost_usd" || k == "accumulated_cost_usd" {
                    if best[keyTable[k]!.0.rawValue].at == Int.min { consider(k, v, at: -1 - n) }
                }
            }
            var u = SpanUsage()
            func found(_ s: Slot) -> JSON? { best[s.rawValue].at == Int.min ? nil : value(best[s.rawValue].at) }
            func int(_ s: Slot) -> Int? { found(s)?.int }
            func num(_ s: Slot) -> Double? { found(s)?.number }
            u.sourceKeyBits = best.reduce(0) { $0 | ($1.at == Int.min ? 0 : $1.bit) }
            u.promptTokens = int(.prompt)
            u.completionTokens = int(.completion)
            u.totalTokens = int(.total)
            if u.totalTokens == nil, u.promptTokens != nil || u.completionTokens != nil {
                u.totalTokens = (u.promptTokens ?? 0) + (u.completionTokens ?? 0)
            }
            u.reasoningTokens = int(.reasoning)
            u.cacheReadTokens = int(.cacheRead)
            u.cacheWriteTokens = int(.cacheWrite)
            u.costUSD = num(.cost)
            let p = num(.promptCost), c = num(.completionCost)
            let cr = num(.cacheReadCost), cw = num(.cacheWriteCost)
            u.hasSplit = p != nil || c != nil
            u.split.prompt = p ?? 0
            u.split.completion = c ?? 0
            u.split.reasoning = num(.reasoningCost) ?? 0
            u.split.cacheRead = cr ?? 0
            u.split.cacheWrite = cw ?? 0
            if u.costUSD == nil, p != nil || c != nil { u.costUSD = (p ?? 0) + (c ?? 0) + (cr ?? 0) + (cw ?? 0) }
            u.pricingSource = found(.pricing)?.text
            u.model = found(.model)?.text
            u.ownCostUSD = num(.own)
            u.accumulatedCostUSD = num(.accumulated)
            return u
        }
    }
}

/// A filter run before a hash lookup of an attribute key in a set: the set's key lengths (bit n: n bytes, 64 and more
/// folded into bit 63) and first bytes. Most keys of a span fail it without being hashed.
struct KeyShape: Sendable {
    let lengths: UInt64
    let low: UInt64
    let high: UInt64

    init(_ keys: some Sequence<String>) {
        var lengths: UInt64 = 0, lo: UInt64 = 0, hi: UInt64 = 0
        for k in keys {
            lengths |= 1 << UInt64(min(k.utf8.count, 63))
            let f = k.utf8.first ?? 0
            if f < 64 { lo |= 1 << UInt64(f) } else if f < 128 { hi |= 1 << UInt64(f - 64) }
        }
        self.lengths = lengths
        low = lo
        high = hi
    }

    @inline(__always)
    func admits(_ k: String) -> Bool {
        let u = k.utf8
        guard lengths & (1 << UInt64(min(u.count, 63))) != 0, let f = u.first else { return false }
        return f < 64 ? low & (1 << UInt64(f)) != 0 : f < 128 && high & (1 << UInt64(f - 64)) != 0
    }
}

/// Token counts and costs in the caches' binary form (`PackWriter`): the analysis pack's totals and the traces'
/// summaries write them alike. Doubles are kept as their bits.
extension TokenCounts {
    func pack(into w: inout PackWriter) {
        for v in [prompt, completion, total] { w.int(v) }
        w.bool(hasSplit)
        for v in [reasoning, cacheRead, cacheWrite] { w.int(v) }
    }

    /// Counts `pack(into:)` wrote; nil when the bytes are not those.
    init?(unpacking r: inout PackReader) {
        guard let p = r.int(), let c = r.int(), let t = r.int(), let split = r.bool(), let rs = r.int(), let cr = r.int(), let cw = r.int() else {
            return nil
        }
        self.init(prompt: p, completion: c, total: t, hasSplit: split, reasoning: rs, cacheRead: cr, cacheWrite: cw)
    }
}

extension CostSum {
    func pack(into w: inout PackWriter) {
        w.double(knownUSD)
        w.int(priced)
        w.int(unpriced)
        for v in [split.prompt, split.completion, split.reasoning, split.cacheRead, split.cacheWrite] { w.double(v) }
        w.int(split.calls)
    }

    /// A cost `pack(into:)` wrote; nil when the bytes are not one.
    init?(unpacking r: inout PackReader) {
        guard let known = r.double(), let priced = r.int(), let unpriced = r.int(), let p = r.double(), let c = r.double(), let rs = r.double(),
            let cr = r.double(), let cw = r.double(), let calls = r.int()
        else { return nil }
        var s = CostSplit()
        (s.prompt, s.completion, s.reasoning, s.cacheRead, s.cacheWrite, s.calls) = (p, c, rs, cr, cw, calls)
        self.init(knownUSD: known, priced: priced, unpriced: unpriced, split: s)
    }
}
