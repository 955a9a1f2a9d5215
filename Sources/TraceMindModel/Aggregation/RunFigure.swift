import FoundationEssentials
import TraceMindFormats

/// A run's figure that the cross-run views follow (the trends' lines, the analytics' heatmap and scatters), read
/// from the figure registry (`LeaderboardFigures`): counted once unless the mode is recorded.
public enum RunFigure: String, CaseIterable, Sendable {
    case success
    case costPerTest = "cost_per_test"
    case costPerPass = "cost_per_pass"
    case wallP50 = "wall_p50"
    case tokensPerTest = "tokens_per_test"

    /// The figures a trend follows (the trends screen's `m` and `trends --metric`).
    public static let trended: [RunFigure] = [.success, .costPerTest, .wallP50, .tokensPerTest]

    public var title: String {
        switch self {
        case .success: return "success %"
        case .costPerTest: return "cost per test"
        case .costPerPass: return "cost per pass"
        case .wallP50: return "wall p50"
        case .tokensPerTest: return "tokens per test"
        }
    }

    /// The title of a narrow column (the heatmap's).
    public var shortTitle: String {
        switch self {
        case .success: return "success %"
        case .costPerTest: return "cost/test"
        case .costPerPass: return "$/pass"
        case .wallP50: return "wall p50"
        case .tokensPerTest: return "tokens/test"
        }
    }

    /// Success goes up when things get better; cost, time and tokens go down.
    public var higherIsBetter: Bool { self == .success }

    /// The run's figure (counted once unless `mode` is recorded), with whether it is a lower bound.
    public func value(_ e: RunEntry, _ t: RunTotals?, _ mode: FigureMode) -> LeaderboardFigures.Value {
        switch self {
        case .success: return LeaderboardFigures.Value(LeaderboardFigures.successRate(e.row, t, mode))
        case .costPerTest: return LeaderboardFigures.costPerTest(e.row, t, mode)
        case .costPerPass: return LeaderboardFigures.costPerPass(e.row, t, mode)
        case .wallP50: return LeaderboardFigures.Value(mode == .recorded ? nil : LeaderboardFigures.wallMs(t))
        case .tokensPerTest: return LeaderboardFigures.tokensPerTest(e.row, t, mode)
        }
    }

    /// A trended figure by name (`cost_per_test`, `cost-per-test`, or `cost`, `wall`, `tokens`).
    public static func trended(_ s: String) -> RunFigure? {
        let k = s.lowercased().replacingEvery("-", with: "_")
        return trended.first { $0.rawValue == k } ?? ["cost": .costPerTest, "wall": .wallP50, "tokens": .tokensPerTest][k]
    }
}
