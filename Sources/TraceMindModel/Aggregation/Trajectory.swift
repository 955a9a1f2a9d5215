import FoundationEssentials
import TraceMindFormats

/// One step of an agent's trajectory: an LLM call or a tool call.
public struct TrajectoryStep: Sendable, Equatable {
    public enum Kind: String, Sendable { case llm = "LLM", tool = "TOOL" }
    public var span: Int
    public var kind: Kind
    /// The tool's name, or the model.
    public var name: String
    /// The tool's arguments, or the tool calls (or text) the model answered with.
    public var detail: String
    public var tokens: TokenCounts
    public var cost: CostSum
    public var durationMs: Double
    public var isError: Bool

    /// What must match for two steps to be "the same step": the kind and the tool.
    public var signature: String { kind == .tool ? "tool:" + name : "llm" }
}

/// Two trajectories of the same test aligned step by step (longest common subsequence over step signatures).
public struct TrajectoryAlignment: Sendable {
    public struct Row: Sendable, Equatable {
        public var left: Int?
        public var right: Int?
        /// Both sides did the same thing (same tool with the same arguments, same model answer, same status).
        public var same: Bool
    }

    public let left: [TrajectoryStep]
    public let right: [TrajectoryStep]
    public let rows: [Row]
    /// The first row where the two runs did something different (nil: identical trajectories).
    public let firstDivergence: Int?

    public static func steps(_ wf: Waterfall) -> [TrajectoryStep] {
        let spans = wf.analysis.trace.spans
        return wf.steps.map { i in
            let s = spans[i]
            let f = wf.analysis.figures[i]
            if s.category == .tool {
                let call = SpanContent.toolCall(s)
                return TrajectoryStep(
                    span: i, kind: .tool, name: call?.name ?? s.toolName ?? s.name, detail: normalized(call?.arguments ?? ""),
                    tokens: f.inclusiveTokens, cost: f.inclusiveCost, durationMs: f.durationMs, isError: s.isError)
            }
            // The model's answer, from this span or the nearest LLM ancestor that recorded the messages.
            var answer = ""
            var c: Int? = i
            var model = s.usage.model
            while let k = c, answer.isEmpty {
                let out = SpanContent.outputMessages(spans[k])
                if let m = out.first {
                    answer = m.toolCalls.isEmpty ? String(m.content.prefix(200)) : m.toolCalls.map { "\($0.name)(\(normalized($0.arguments)))" }.joined(separator: ", ")
                }
                if model == nil { model = spans[k].usage.model }
                c = wf.analysis.figures[k].parent
                if let p = c, spans[p].category != .llm { break }
            }
            if answer.isEmpty, s.isError { answer = s.errorMessage ?? "error" }
            return TrajectoryStep(
                span: i, kind: .llm, name: model ?? s.name, detail: answer, tokens: f.inclusiveTokens, cost: f.inclusiveCost,
                durationMs: f.durationMs, isError: s.isError)
        }
    }

    /// JSON text re-serialised compactly so that spacing differences do not count as divergence.
    static func normalized(_ s: String) -> String {
        if let j = try? JSONParser.parse(s) { return JSONWriter.string(j, pretty: false) }
        return s.trimmingBlanksAndNewlines()
    }

    public init(left l: Waterfall, right r: Waterfall) {
        self.init(left: TrajectoryAlignment.steps(l), right: TrajectoryAlignment.steps(r))
    }

    public init(left: [TrajectoryStep], right: [TrajectoryStep]) {
        self.left = left
        self.right = right
        let a = left.map(\.signature), b = right.map(\.signature)
        var pairs: [(Int?, Int?)] = []
        if a.count * b.count <= 4_000_000 {
            // LCS table (suffix lengths), then walk it.
            let n = a.count, m = b.count
            var t = [UInt16](repeating: 0, count: (n + 1) * (m + 1))
            if n > 0 && m > 0 {
                for i in stride(from: n - 1, through: 0, by: -1) {
                    for j in stride(from: m - 1, through: 0, by: -1) {
                        t[i * (m + 1) + j] = a[i] == b[j] ? t[(i + 1) * (m + 1) + j + 1] &+ 1 : max(t[(i + 1) * (m + 1) + j], t[i * (m + 1) + j + 1])
                    }
                }
            }
            var i = 0, j = 0
            while i < n || j < m {
                if i < n && j < m && a[i] == b[j] {
                    pairs.append((i, j))
                    i += 1
                    j += 1
                } else if j >= m || (i < n && t[(i + 1) * (m + 1) + j] >= t[i * (m + 1) + j + 1]) {
                    pairs.append((i, nil))
                    i += 1
                } else {
                    pairs.append((nil, j))
                    j += 1
                }
            }
        } else {
            for k in 0..<max(a.count, b.count) { pairs.append((k < a.count ? k : nil, k < b.count ? k : nil)) }
        }
        rows = pairs.map { p in
            guard let i = p.0, let j = p.1 else { return Row(left: p.0, right: p.1, same: false) }
            let x = left[i], y = right[j]
            let sameDetail = x.detail == y.detail || TrajectoryAlignment.normalized(x.detail) == TrajectoryAlignment.normalized(y.detail)
            return Row(left: i, right: j, same: x.signature == y.signature && sameDetail && x.isError == y.isError)
        }
        firstDivergence = rows.firstIndex { !$0.same }
    }
}
