import FoundationEssentials
import TraceMindFormats

/// The leaderboard as a report shows it: the runs, the order they are shown in (places in `runs`), and each run's
/// counted-once totals and place (`LeaderboardFigures.places`) by its place in `runs`. A report of 10,000 runs reads
/// them by place, where tables keyed by run cost three string look-ups a run.
public struct LeaderboardRows: Sendable {
    public var runs: [RunEntry]
    /// The runs shown, in order (places in `runs`).
    public var order: [Int]
    /// Each run's counted-once totals (nil where it has none); nil: the recorded figures only.
    public var totals: [RunTotals?]?
    /// Each run's place among all the runs of the sources; nil: not ranked.
    public var places: [Int?]

    public init(runs: [RunEntry], order: [Int], totals: [RunTotals?]?, places: [Int?]) {
        (self.runs, self.order, self.totals, self.places) = (runs, order, totals, places)
    }

    /// `shown` in its order, the totals and places of its runs looked up by run key.
    public init(shown: [RunEntry], corrected: [String: RunTotals]?, ranks: [String: Int]) {
        runs = shown
        order = Array(shown.indices)
        totals = corrected.map { c in shown.map { c[$0.key] } }
        places = shown.map { ranks[$0.key] }
    }

    /// The leaderboard of `runs` as `query` shows it, with the counted-once `totals` of each (nil: recorded figures):
    /// the places and the order computed at once, on two cores.
    public init(_ runs: [RunEntry], query: LeaderboardQuery, totals: [RunTotals?]?) {
        let mode: FigureMode = totals == nil ? .recorded : .countedOnce
        func counted(_ i: Int) -> RunTotals? { totals?[i] ?? nil }
        let (places, order) = Parallel.both(
            { LeaderboardFigures.places(runs, totals: counted, mode: mode) }, { query.order(runs, corrected: counted) })
        self.init(runs: runs, order: order, totals: totals, places: places)
    }

    public var count: Int { order.count }
    /// Whether the counted-once figures are part of the rows.
    public var counted: Bool { totals != nil }
    public var mode: FigureMode { counted ? .countedOnce : .recorded }

    /// The `k`th row shown: its run, counted totals and place.
    public func row(_ k: Int) -> (entry: RunEntry, totals: RunTotals?, place: Int?) {
        let i = order[k]
        return (runs[i], totals?[i] ?? nil, places[i])
    }
}
