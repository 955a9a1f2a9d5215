import TraceMindModel

/// How each span kind is shown, defined once: its glyph, its theme role, and its place in the waterfall's `K` filter
/// cycle. The waterfall, the span detail, the trajectories, the cost-by-kind bars and the help all read this; a new
/// kind is one case here.
enum SpanKinds {
    struct Presentation {
        let glyph: String
        let role: Role
        /// Where `K` cycles to it (nil: never filtered alone).
        let filterOrder: Int?
    }

    static func of(_ c: SpanCategory) -> Presentation {
        switch c {
        case .llm: return Presentation(glyph: "L", role: .kindLLM, filterOrder: 0)
        case .tool: return Presentation(glyph: "T", role: .kindTool, filterOrder: 1)
        case .agent: return Presentation(glyph: "A", role: .kindAgent, filterOrder: 2)
        case .chain: return Presentation(glyph: "C", role: .kindChain, filterOrder: 3)
        case .retriever: return Presentation(glyph: "R", role: .kindOther, filterOrder: nil)
        case .embedding: return Presentation(glyph: "M", role: .kindOther, filterOrder: nil)
        case .evaluation: return Presentation(glyph: "E", role: .kindOther, filterOrder: nil)
        case .other: return Presentation(glyph: "·", role: .kindOther, filterOrder: nil)
        }
    }

    /// The kinds `K` shows one at a time, then all (nil).
    static let filterCycle: [SpanCategory?] =
        SpanCategory.allCases.compactMap { c in of(c).filterOrder.map { (c, $0) } }.sorted { $0.1 < $1.1 }.map { $0.0 } + [nil]

    /// `LLM, TOOL, AGENT, CHAIN, all`, for the key's help.
    static let filterHelp = filterCycle.map { $0?.rawValue ?? "all" }.joined(separator: ", ")
}
