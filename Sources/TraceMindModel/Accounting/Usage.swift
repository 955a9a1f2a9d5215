import Foundation

/// Token counts. `hasSplit` says whether the prompt/completion split was reported at all.
public struct TokenCounts: Sendable, Equatable {
    public var prompt: Int
    public var completion: Int
    public var total: Int
    public var hasSplit: Bool

    public init(prompt: Int = 0, completion: Int = 0, total: Int = 0, hasSplit: Bool = false) {
        self.prompt = prompt
        self.completion = completion
        self.total = total
        self.hasSplit = hasSplit
    }

    public static let zero = TokenCounts()

    public static func + (a: TokenCounts, b: TokenCounts) -> TokenCounts {
        TokenCounts(
            prompt: a.prompt + b.prompt, completion: a.completion + b.completion, total: a.total + b.total,
            hasSplit: a.hasSplit || b.hasSplit)
    }

    public static func += (a: inout TokenCounts, b: TokenCounts) { a = a + b }
}

/// A cost that may be partly or wholly unknown. Unknown is never shown as $0.
///
/// - `priced`: usage-bearing spans whose cost is known;
/// - `unpriced`: usage-bearing spans with no cost, or marked `pricing_source: unpriced`.
public struct CostSum: Sendable, Equatable {
    public var knownUSD: Double
    public var priced: Int
    public var unpriced: Int

    public init(knownUSD: Double = 0, priced: Int = 0, unpriced: Int = 0) {
        self.knownUSD = knownUSD
        self.priced = priced
        self.unpriced = unpriced
    }

    public static let zero = CostSum()

    /// The total when fully known. Nothing used at all is a known $0.
    public var value: Double? { unpriced == 0 ? knownUSD : nil }
    /// Some calls are priced, some are not: `knownUSD` is a lower bound.
    public var isPartial: Bool { unpriced > 0 && priced > 0 }
    public var isUnknown: Bool { unpriced > 0 }

    public static func + (a: CostSum, b: CostSum) -> CostSum {
        CostSum(knownUSD: a.knownUSD + b.knownUSD, priced: a.priced + b.priced, unpriced: a.unpriced + b.unpriced)
    }

    public static func += (a: inout CostSum, b: CostSum) { a = a + b }

    /// The cost of one usage-bearing span.
    public static func of(_ u: SpanUsage) -> CostSum {
        guard u.carriesUsage else { return .zero }
        if let c = u.knownCost { return CostSum(knownUSD: c, priced: 1, unpriced: 0) }
        return CostSum(knownUSD: 0, priced: 0, unpriced: 1)
    }
}

/// The attribute conventions for usage on a span.
public enum UsageConventions {
    public static let promptKeys = ["llm.token_count.prompt", "gen_ai.usage.prompt_tokens", "gen_ai.usage.input_tokens"]
    public static let completionKeys = [
        "llm.token_count.completion", "gen_ai.usage.completion_tokens", "gen_ai.usage.output_tokens",
    ]
    public static let totalKeys = ["llm.token_count.total", "gen_ai.usage.total_tokens"]
    public static let costKeys = ["gen_ai.usage.cost.total", "llm.cost.total"]
    public static let modelKeys = ["gen_ai.response.model", "gen_ai.request.model", "llm.model_name"]

    public static func extract(_ a: JSONObject) -> SpanUsage {
        func firstInt(_ keys: [String]) -> Int? {
            for k in keys { if let v = a[k]?.int, v >= 0 { return v } }
            return nil
        }
        func firstNumber(_ keys: [String]) -> Double? {
            for k in keys { if let v = a[k]?.number, v >= 0 { return v } }
            return nil
        }
        var u = SpanUsage()
        u.promptTokens = firstInt(promptKeys)
        u.completionTokens = firstInt(completionKeys)
        u.totalTokens = firstInt(totalKeys)
        if u.totalTokens == nil, u.promptTokens != nil || u.completionTokens != nil {
            u.totalTokens = (u.promptTokens ?? 0) + (u.completionTokens ?? 0)
        }
        u.costUSD = firstNumber(costKeys)
        u.promptCostUSD = firstNumber(["gen_ai.usage.cost.prompt", "llm.cost.prompt"])
        u.completionCostUSD = firstNumber(["gen_ai.usage.cost.completion", "llm.cost.completion"])
        if u.costUSD == nil, let p = u.promptCostUSD, let c = u.completionCostUSD { u.costUSD = p + c }
        u.pricingSource = a["gen_ai.usage.cost.pricing_source"]?.text
        for k in modelKeys { if let m = a[k]?.text, !m.isEmpty { u.model = m; break } }
        return u
    }
}
