import Foundation
import TerminalUI
import TraceMindModel

/// Side effects the runner carries out; `update` itself is pure.
public enum Effect: Equatable, Sendable {
    case none, quit
    case loadRun(String)
    case reload
}

public enum App {
    static let leaderboardSortKeys: [LeaderboardSortKey] = [
        .successRate, .passAt1, .cost, .tokens, .duration, .costPerPass, .model, .agentType, .provider, .timestamp,
    ]

    /// Height of a table's body on the current screen (header, breadcrumb, tabs, footer taken off).
    static func bodyRows(_ s: AppState) -> Int {
        switch s.screen {
        case .leaderboard: return max(1, s.height - 4)
        case .run: return max(1, s.height - 7)
        }
    }

    public static func update(_ s: inout AppState, _ event: Event) -> Effect {
        switch event {
        case .resize(let w, let h):
            s.width = w
            s.height = h
            clamp(&s)
            return .none
        case .mouse(let m):
            return mouse(&s, m)
        case .key(let k):
            return key(&s, k)
        }
    }

    static func key(_ s: inout AppState, _ k: Key) -> Effect {
        // A filter prompt takes every key first.
        if case .filter(var text)? = s.overlay {
            switch k {
            case .escape:
                s.overlay = nil
                setFilter(&s, "")
            case .enter: s.overlay = nil
            case .backspace:
                if !text.isEmpty { text.removeLast() }
                s.overlay = .filter(text)
                setFilter(&s, text)
            case .char(let c):
                text.append(c)
                s.overlay = .filter(text)
                setFilter(&s, text)
            default: break
            }
            return .none
        }
        if s.overlay == .help {
            if k == .char("q") || k == .ctrl("c") { return .quit }
            s.overlay = nil
            return .none
        }
        guard let action = KeyMap.action(for: k, screen: s.screenName) else { return .none }
        return perform(&s, action)
    }

    static func setFilter(_ s: inout AppState, _ text: String) {
        switch s.screen {
        case .leaderboard:
            s.leaderboard.query.text = text
            s.leaderboard.selected = 0
            s.leaderboard.offset = 0
        case .run:
            s.runDetail.filter = text
            s.runDetail.selected = 0
            s.runDetail.offset = 0
            if s.runDetail.tab != .tests { s.runDetail.tab = .tests }
        }
    }

    public static func perform(_ s: inout AppState, _ a: Action) -> Effect {
        s.message = nil
        switch a {
        case .quit: return .quit
        case .help: s.overlay = .help
        case .filter:
            let cur = s.screen == .leaderboard ? s.leaderboard.query.text : s.runDetail.filter
            s.overlay = .filter(cur)
        case .back:
            if s.stack.count > 1 {
                s.stack.removeLast()
            } else if !s.leaderboard.query.text.isEmpty {
                setFilter(&s, "")
            }
        case .up: move(&s, -1)
        case .down: move(&s, 1)
        case .pageUp: move(&s, -bodyRows(s))
        case .pageDown: move(&s, bodyRows(s))
        case .top: move(&s, Int.min / 2)
        case .bottom: move(&s, Int.max / 2)
        case .open:
            switch s.screen {
            case .leaderboard:
                let runs = s.visibleRuns
                guard s.leaderboard.selected < runs.count else { return .none }
                let key = runs[s.leaderboard.selected].key
                s.stack.append(.run(key))
                s.runDetail = RunDetailState()
                if s.loads[key] == nil {
                    s.loads[key] = .loading(phase: "starting", fraction: 0)
                    return .loadRun(key)
                }
            case .run:
                if s.runDetail.tab != .tests { s.runDetail.tab = .tests } else {
                    s.message = "the trace waterfall opens from here once it is built (use `tracemind trace --trace ID`)"
                }
            }
        case .sortNext, .sortReverse:
            if s.screen == .leaderboard {
                var q = s.leaderboard.query
                if a == .sortNext {
                    let i = leaderboardSortKeys.firstIndex(of: q.sortKey) ?? -1
                    q.sortKey = leaderboardSortKeys[(i + 1) % leaderboardSortKeys.count]
                    q.descending = q.sortKey.isText ? false : q.sortKey.higherIsBetter
                } else {
                    q.descending.toggle()
                }
                s.leaderboard.query = q
                s.message = "sorted by \(q.sortKey.rawValue) \(q.descending ? "↓" : "↑")"
            } else {
                if a == .sortNext { s.runDetail.sortColumn = (s.runDetail.sortColumn + 1) % 5 } else { s.runDetail.sortDescending.toggle() }
                s.runDetail.tab = .tests
            }
        case .toggleMark:
            let runs = s.visibleRuns
            guard s.leaderboard.selected < runs.count else { return .none }
            let k = runs[s.leaderboard.selected].key
            if s.leaderboard.marked.contains(k) { s.leaderboard.marked.remove(k) } else { s.leaderboard.marked.insert(k) }
            move(&s, 1)
        case .toggleRecorded: s.leaderboard.showRecorded.toggle()
        case .groupByModel: s.leaderboard.groupByModel.toggle()
        case .nextTab: s.runDetail.tab = RunTab(rawValue: (s.runDetail.tab.rawValue + 1) % RunTab.allCases.count)!
        case .prevTab: s.runDetail.tab = RunTab(rawValue: (s.runDetail.tab.rawValue + RunTab.allCases.count - 1) % RunTab.allCases.count)!
        case .tab(let i): if let t = RunTab(rawValue: i) { s.runDetail.tab = t }
        case .failedOnly:
            s.runDetail.failedOnly.toggle()
            s.runDetail.tab = .tests
            s.runDetail.selected = 0
            s.runDetail.offset = 0
        case .reload: return .reload
        }
        clamp(&s)
        return .none
    }

    static func move(_ s: inout AppState, _ d: Int) {
        switch s.screen {
        case .leaderboard:
            s.leaderboard.selected = max(0, min(s.visibleRuns.count - 1, s.leaderboard.selected + d))
        case .run:
            guard let a = s.currentAnalysis else { return }
            let n = s.visibleTests(a).count
            s.runDetail.selected = max(0, min(n - 1, s.runDetail.selected + d))
            if s.runDetail.tab == .overview { s.runDetail.tab = .tests }
        }
    }

    /// Keeps selections inside their lists and visible.
    static func clamp(_ s: inout AppState) {
        let n = s.visibleRuns.count
        s.leaderboard.selected = max(0, min(s.leaderboard.selected, n - 1))
        s.leaderboard.offset = TableView.offset(selected: s.leaderboard.selected, current: s.leaderboard.offset, visible: bodyRows(s), count: n)
        if let a = s.currentAnalysis {
            let m = s.visibleTests(a).count
            s.runDetail.selected = max(0, min(s.runDetail.selected, m - 1))
            s.runDetail.offset = TableView.offset(selected: s.runDetail.selected, current: s.runDetail.offset, visible: bodyRows(s), count: m)
        }
    }

    static func mouse(_ s: inout AppState, _ m: MouseEvent) -> Effect {
        switch m.kind {
        case .wheelUp: move(&s, -3)
        case .wheelDown: move(&s, 3)
        case .click:
            let top = s.screen == .leaderboard ? 2 : 5
            let row = m.y - top
            guard row >= 0 else { return .none }
            if s.screen == .leaderboard {
                let idx = s.leaderboard.offset + row
                if idx == s.leaderboard.selected { return perform(&s, .open) }
                if idx < s.visibleRuns.count { s.leaderboard.selected = idx }
            } else if let a = s.currentAnalysis {
                let idx = s.runDetail.offset + row
                if idx < s.visibleTests(a).count { s.runDetail.selected = idx; s.runDetail.tab = .tests }
            }
        }
        clamp(&s)
        return .none
    }

    /// Applies a finished background load.
    public static func loaded(_ s: inout AppState, key: String, _ state: LoadState) {
        s.loads[key] = state
        if case .loaded(let a) = state, let d = a.diagnostics.first {
            s.message = "\(a.diagnostics.count) problem(s): \(d.description)"
        }
        clamp(&s)
    }
}
