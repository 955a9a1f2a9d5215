import TerminalUI
import TraceMindModel
import TraceMindReport

/// What every screen does, so the app dispatches through one table (`ScreenID.type`) instead of a switch per
/// concern. A new screen is one file conforming to this, one `ScreenID` case and one `Route` case.
protocol Screen {
    /// Its part of the breadcrumb (`Leaderboard › gpt-4o · tool › weather_003`) for a route of this screen.
    static func crumb(_ s: AppState, _ route: Route) -> String
    static func render(_ b: inout Buffer, _ body: Rect, _ s: AppState, _ r: Renderer)
    /// The footer's right side.
    static func status(_ s: AppState) -> String
    static func perform(_ s: inout AppState, _ a: Action) -> [Effect]
    static func click(_ s: inout AppState, _ x: Int, _ y: Int) -> [Effect]
    /// Keeps selections inside their lists and visible.
    static func clamp(_ s: inout AppState)
    /// The `/` prompt's text: a live filter, or a search (which may run in the background: its effects).
    static func setPrompt(_ s: inout AppState, _ text: String) -> [Effect]
    static func promptText(_ s: AppState) -> String
    /// What `y` copies: the selected item's id and what it is (`run id`, `test id`, `span id`).
    static func copyTarget(_ s: AppState) -> (what: String, id: String)?
    /// What `w` writes: the view as a report in this format, or why it cannot be.
    static func exportText(_ s: AppState, _ format: OutputFormat) -> Result<String, Export.Refusal>
}

extension ScreenID {
    var type: any Screen.Type {
        switch self {
        case .leaderboard: return LeaderboardScreen.self
        case .run: return RunScreen.self
        case .trace: return TraceScreen.self
        case .compare: return CompareScreen.self
        case .trajectory: return TrajectoryScreen.self
        case .trends: return TrendsScreen.self
        case .analytics: return AnalyticsScreen.self
        }
    }
}

extension LeaderboardScreen: Screen {
    static func crumb(_ s: AppState, _ route: Route) -> String { "Leaderboard" }
    static func setPrompt(_ s: inout AppState, _ text: String) -> [Effect] {
        setFilter(&s, text)
        return []
    }
    static func promptText(_ s: AppState) -> String { s.leaderboard.query.text }
    static func exportText(_ s: AppState, _ format: OutputFormat) -> Result<String, Export.Refusal> {
        .success(Reports.leaderboard(s.visibleRuns, format: format, corrected: s.leaderboard.showRecorded ? nil : s.totals, ranks: s.ranks))
    }
    static func copyTarget(_ s: AppState) -> (what: String, id: String)? {
        guard s.leaderboard.list.selected < s.visibleRuns.count else { return nil }
        let e = s.visibleRuns[s.leaderboard.list.selected]
        return e.row.runID.map { ("run id", $0) } ?? ("run", e.key)
    }
}

/// A screen whose state lives in its route (every screen but the leaderboard): it reads its view state from the
/// route once, and the rest of `Screen` follows.
protocol RoutedScreen: Screen {
    associatedtype ViewState
    static func view(_ route: Route) -> ViewState?
    static func route(_ v: ViewState) -> Route
    static func crumb(_ s: AppState, _ v: ViewState) -> String
    static func render(_ b: inout Buffer, _ body: Rect, _ s: AppState, _ v: ViewState, _ r: Renderer)
    static func status(_ s: AppState, _ v: ViewState) -> String
    static func promptText(of v: ViewState) -> String
}

extension RoutedScreen {
    static func crumb(_ s: AppState, _ route: Route) -> String { view(route).map { crumb(s, $0) } ?? "" }
    static func render(_ b: inout Buffer, _ body: Rect, _ s: AppState, _ r: Renderer) {
        if let v = view(s.route) { render(&b, body, s, v, r) }
    }
    static func status(_ s: AppState) -> String { view(s.route).map { status(s, $0) } ?? "" }
    static func promptText(_ s: AppState) -> String { view(s.route).map { promptText(of: $0) } ?? "" }
    /// Writes a changed view state back into the current route.
    static func store(_ s: inout AppState, _ v: ViewState) { s.setRoute(route(v)) }
}

extension RunScreen: RoutedScreen {
    static func view(_ route: Route) -> RunView? {
        if case .run(let v) = route { return v }
        return nil
    }
    static func route(_ v: RunView) -> Route { .run(v) }
    static func crumb(_ s: AppState, _ v: RunView) -> String { s.entry(v.key).map(Format.runLabel) ?? v.key }
    static func promptText(of v: RunView) -> String { v.filter }
    static func setPrompt(_ s: inout AppState, _ text: String) -> [Effect] {
        guard var v = view(s.route) else { return [] }
        v.filter = text
        v.tests = ListPosition()
        if v.tab != .tests { v.tab = .tests }
        store(&s, v)
        return []
    }
}

extension TraceScreen: RoutedScreen {
    static func view(_ route: Route) -> TraceView? {
        if case .trace(let v) = route { return v }
        return nil
    }
    static func route(_ v: TraceView) -> Route { .trace(v) }
    static func crumb(_ s: AppState, _ v: TraceView) -> String { v.label }
    static func promptText(of v: TraceView) -> String { v.search }
    static func setPrompt(_ s: inout AppState, _ text: String) -> [Effect] {
        guard var v = view(s.route) else { return [] }
        v.search = text
        store(&s, v)
        return searchTyped(&s)
    }
}

extension CompareScreen: RoutedScreen {
    static func view(_ route: Route) -> CompareView? {
        if case .compare(let v) = route { return v }
        return nil
    }
    static func route(_ v: CompareView) -> Route { .compare(v) }
    static func crumb(_ s: AppState, _ v: CompareView) -> String { "Compare \(v.keys.count) runs" }
    static func promptText(of v: CompareView) -> String { v.text }
    static func setPrompt(_ s: inout AppState, _ text: String) -> [Effect] {
        guard var v = view(s.route) else { return [] }
        v.text = text
        v.tests = ListPosition()
        v.tab = .tests
        store(&s, v)
        return []
    }
}

extension TrajectoryScreen: RoutedScreen {
    static func view(_ route: Route) -> TrajectoryView? {
        if case .trajectory(let v) = route { return v }
        return nil
    }
    static func route(_ v: TrajectoryView) -> Route { .trajectory(v) }
    static func crumb(_ s: AppState, _ v: TrajectoryView) -> String { "Trajectories · \(v.taskLabel)" }
    static func promptText(of v: TrajectoryView) -> String { "" }
    static func setPrompt(_ s: inout AppState, _ text: String) -> [Effect] { [] }
}

extension TrendsScreen: RoutedScreen {
    static func view(_ route: Route) -> TrendsView? {
        if case .trends(let v) = route { return v }
        return nil
    }
    static func route(_ v: TrendsView) -> Route { .trends(v) }
    static func crumb(_ s: AppState, _ v: TrendsView) -> String { v.tab == .trends ? "Trends" : "Flaky tests" }
    static func promptText(of v: TrendsView) -> String { "" }
    static func setPrompt(_ s: inout AppState, _ text: String) -> [Effect] { [] }
}

extension AnalyticsScreen: RoutedScreen {
    static func view(_ route: Route) -> AnalyticsView? {
        if case .analytics(let v) = route { return v }
        return nil
    }
    static func route(_ v: AnalyticsView) -> Route { .analytics(v) }
    static func crumb(_ s: AppState, _ v: AnalyticsView) -> String { "Analytics · \(v.tab.title)" }
    static func promptText(of v: AnalyticsView) -> String { "" }
    static func setPrompt(_ s: inout AppState, _ text: String) -> [Effect] { [] }
}
