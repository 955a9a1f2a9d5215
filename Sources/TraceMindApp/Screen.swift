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
    /// The `/` prompt's text: a live filter, or a search.
    static func setPrompt(_ s: inout AppState, _ text: String)
    static func promptText(_ s: AppState) -> String
}

extension ScreenID {
    var type: any Screen.Type {
        switch self {
        case .leaderboard: return LeaderboardScreen.self
        case .run: return RunScreen.self
        case .trace: return TraceScreen.self
        case .compare: return CompareScreen.self
        case .trajectory: return TrajectoryScreen.self
        }
    }
}

extension LeaderboardScreen: Screen {
    static func crumb(_ s: AppState, _ route: Route) -> String { "Leaderboard" }
    static func setPrompt(_ s: inout AppState, _ text: String) { setFilter(&s, text) }
    static func promptText(_ s: AppState) -> String { s.leaderboard.query.text }
}

extension RunScreen: Screen {
    static func crumb(_ s: AppState, _ route: Route) -> String {
        guard case .run(let v) = route else { return "" }
        return s.entry(v.key).map(Format.runLabel) ?? v.key
    }
    static func render(_ b: inout Buffer, _ body: Rect, _ s: AppState, _ r: Renderer) {
        if case .run(let v) = s.route { render(&b, body, s, v, r) }
    }
    static func status(_ s: AppState) -> String {
        guard case .run(let v) = s.route else { return "" }
        return status(s, v)
    }
    static func setPrompt(_ s: inout AppState, _ text: String) {
        guard case .run(var v) = s.route else { return }
        v.filter = text
        v.tests = ListPosition()
        if v.tab != .tests { v.tab = .tests }
        s.setRoute(.run(v))
    }
    static func promptText(_ s: AppState) -> String {
        guard case .run(let v) = s.route else { return "" }
        return v.filter
    }
}

extension TraceScreen: Screen {
    static func crumb(_ s: AppState, _ route: Route) -> String {
        guard case .trace(let v) = route else { return "" }
        return v.label
    }
    static func render(_ b: inout Buffer, _ body: Rect, _ s: AppState, _ r: Renderer) {
        if case .trace(let v) = s.route { render(&b, body, s, v, r) }
    }
    static func status(_ s: AppState) -> String {
        guard case .trace(let v) = s.route else { return "" }
        return status(s, v)
    }
    static func setPrompt(_ s: inout AppState, _ text: String) {
        guard case .trace(var v) = s.route else { return }
        v.search = text
        s.setRoute(.trace(v))
        jumpToMatch(&s, forward: true, includeCurrent: true)
    }
    static func promptText(_ s: AppState) -> String {
        guard case .trace(let v) = s.route else { return "" }
        return v.search
    }
}

extension CompareScreen: Screen {
    static func crumb(_ s: AppState, _ route: Route) -> String {
        guard case .compare(let v) = route else { return "" }
        return "Compare \(v.keys.count) runs"
    }
    static func render(_ b: inout Buffer, _ body: Rect, _ s: AppState, _ r: Renderer) {
        if case .compare(let v) = s.route { render(&b, body, s, v, r) }
    }
    static func status(_ s: AppState) -> String {
        guard case .compare(let v) = s.route else { return "" }
        return status(s, v)
    }
    static func setPrompt(_ s: inout AppState, _ text: String) {
        guard case .compare(var v) = s.route else { return }
        v.text = text
        v.tests = ListPosition()
        v.tab = .tests
        s.setRoute(.compare(v))
    }
    static func promptText(_ s: AppState) -> String {
        guard case .compare(let v) = s.route else { return "" }
        return v.text
    }
}

extension TrajectoryScreen: Screen {
    static func crumb(_ s: AppState, _ route: Route) -> String {
        guard case .trajectory(let v) = route else { return "" }
        return "Trajectories · \(v.taskLabel)"
    }
    static func render(_ b: inout Buffer, _ body: Rect, _ s: AppState, _ r: Renderer) {
        if case .trajectory(let v) = s.route { render(&b, body, s, v, r) }
    }
    static func status(_ s: AppState) -> String {
        guard case .trajectory(let v) = s.route else { return "" }
        return status(s, v)
    }
    static func setPrompt(_ s: inout AppState, _ text: String) {}
    static func promptText(_ s: AppState) -> String { "" }
}
