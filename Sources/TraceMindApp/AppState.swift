import Foundation
import TerminalUI
import TraceMindModel

public enum Screen: Equatable, Sendable {
    case leaderboard
    case run(String)
}

public enum RunTab: Int, CaseIterable, Sendable {
    case overview, tests, performance, gpu, errors
    public var title: String {
        switch self {
        case .overview: return "Overview"
        case .tests: return "Tests"
        case .performance: return "Performance"
        case .gpu: return "GPU & energy"
        case .errors: return "Errors"
        }
    }
}

public enum Action: Equatable, Sendable {
    case up, down, pageUp, pageDown, top, bottom
    case open, back, quit, help, filter
    case sortNext, sortReverse, toggleMark, toggleRecorded, groupByModel
    case nextTab, prevTab, tab(Int), failedOnly, reload
}

/// One key binding: what the footer and the help overlay show, and what it does.
public struct Binding: Sendable {
    public var keys: [Key]
    public var label: String
    public var help: String
    public var action: Action
    public var screens: Set<String>  // "leaderboard", "run", "*"
    public var inFooter: Bool
}

public enum KeyMap {
    public static let bindings: [Binding] = [
        Binding(keys: [.up, .char("k")], label: "↑↓/jk", help: "move", action: .up, screens: ["*"], inFooter: true),
        Binding(keys: [.down, .char("j")], label: "", help: "", action: .down, screens: ["*"], inFooter: false),
        Binding(keys: [.pageUp, .ctrl("b")], label: "PgUp/PgDn", help: "page up / down", action: .pageUp, screens: ["*"], inFooter: false),
        Binding(keys: [.pageDown, .ctrl("f")], label: "", help: "", action: .pageDown, screens: ["*"], inFooter: false),
        Binding(keys: [.home, .char("g")], label: "g/G", help: "first / last", action: .top, screens: ["*"], inFooter: false),
        Binding(keys: [.end, .char("G")], label: "", help: "", action: .bottom, screens: ["*"], inFooter: false),
        Binding(keys: [.enter], label: "⏎", help: "open", action: .open, screens: ["leaderboard", "run"], inFooter: true),
        Binding(keys: [.escape, .backspace], label: "Esc", help: "back / cancel", action: .back, screens: ["*"], inFooter: true),
        Binding(keys: [.char("/")], label: "/", help: "filter", action: .filter, screens: ["*"], inFooter: true),
        Binding(keys: [.char("s")], label: "s/S", help: "sort by next column / reverse", action: .sortNext, screens: ["leaderboard", "run"], inFooter: true),
        Binding(keys: [.char("S")], label: "", help: "", action: .sortReverse, screens: ["leaderboard", "run"], inFooter: false),
        Binding(keys: [.char(" ")], label: "Space", help: "mark run", action: .toggleMark, screens: ["leaderboard"], inFooter: true),
        Binding(keys: [.char("m")], label: "m", help: "group by model", action: .groupByModel, screens: ["leaderboard"], inFooter: false),
        Binding(keys: [.char("R")], label: "R", help: "show recorded figures", action: .toggleRecorded, screens: ["leaderboard", "run"], inFooter: false),
        Binding(keys: [.tab, .right, .char("l")], label: "Tab/1-5", help: "next tab", action: .nextTab, screens: ["run"], inFooter: true),
        Binding(keys: [.backTab, .left, .char("h")], label: "", help: "previous tab", action: .prevTab, screens: ["run"], inFooter: false),
        Binding(keys: [.char("f")], label: "f", help: "failed tests only", action: .failedOnly, screens: ["run"], inFooter: true),
        Binding(keys: [.char("r")], label: "r", help: "reload from disk", action: .reload, screens: ["*"], inFooter: false),
        Binding(keys: [.char("?")], label: "?", help: "help", action: .help, screens: ["*"], inFooter: true),
        Binding(keys: [.char("q"), .ctrl("c")], label: "q", help: "quit", action: .quit, screens: ["*"], inFooter: true),
    ]

    public static func action(for key: Key, screen: String) -> Action? {
        if case .char(let c) = key, let d = c.wholeNumberValue, (1...5).contains(d), screen == "run" { return .tab(d - 1) }
        return bindings.first { ($0.screens.contains("*") || $0.screens.contains(screen)) && $0.keys.contains(key) }?.action
    }
}

/// Loading of one run's details in the background.
public enum LoadState: Sendable {
    case loading(phase: String, fraction: Double)
    case loaded(RunAnalysis)
}

public struct LeaderboardState: Sendable {
    public var query = LeaderboardQuery()
    public var selected = 0
    public var offset = 0
    public var marked: Set<String> = []
    public var showRecorded = true
    public var groupByModel = false
}

public struct RunDetailState: Sendable {
    public var tab: RunTab = .overview
    public var selected = 0
    public var offset = 0
    public var failedOnly = false
    public var filter = ""
    public var sortColumn = 0
    public var sortDescending = false
}

public enum Overlay: Equatable, Sendable {
    case help
    case filter(String)
}

public struct AppState: Sendable {
    public var catalog: Catalog
    public var stack: [Screen] = [.leaderboard]
    public var leaderboard = LeaderboardState()
    public var runDetail = RunDetailState()
    public var loads: [String: LoadState] = [:]
    public var overlay: Overlay?
    public var width = 80
    public var height = 24
    public var message: String?

    public init(catalog: Catalog) {
        self.catalog = catalog
        if let first = catalog.diagnostics.first(where: { $0.severity != .note }) {
            message = "\(catalog.diagnostics.filter { $0.severity != .note }.count) problem(s) loading: \(first.description)"
        } else if catalog.isDemo {
            message = "showing the embedded demo data (no ./smoltrace_results here)"
        }
    }

    public var screen: Screen { stack.last ?? .leaderboard }
    public var screenName: String {
        switch screen {
        case .leaderboard: return "leaderboard"
        case .run: return "run"
        }
    }

    /// Rows after sort and filter (grouped by model when asked).
    public var visibleRuns: [RunEntry] {
        let rows = leaderboard.query.apply(catalog.runs)
        guard leaderboard.groupByModel else { return rows }
        var order: [String] = []
        var groups: [String: [RunEntry]] = [:]
        for r in rows {
            if groups[r.row.model] == nil { order.append(r.row.model) }
            groups[r.row.model, default: []].append(r)
        }
        return order.flatMap { groups[$0]! }
    }

    public var currentRun: RunEntry? {
        if case .run(let key) = screen { return catalog.runs.first { $0.key == key } }
        return nil
    }

    public var currentAnalysis: RunAnalysis? {
        guard case .run(let key) = screen, case .loaded(let a)? = loads[key] else { return nil }
        return a
    }

    /// Tests shown in the Tests tab, after filter, failed-only and sort.
    public func visibleTests(_ a: RunAnalysis) -> [TestRow] {
        var t = a.tests
        if runDetail.failedOnly { t = t.filter { $0.outcome != .passed } }
        let f = runDetail.filter.lowercased()
        if !f.isEmpty {
            t = t.filter { r in
                [r.taskID, r.agentType, r.outcome.rawValue, r.error ?? "", r.result?.difficulty ?? ""].contains { $0.lowercased().contains(f) }
            }
        }
        let col = runDetail.sortColumn
        let sorted: [TestRow]
        switch col {
        case 1: sorted = t.sorted { $0.outcome < $1.outcome }
        case 2: sorted = t.sorted { ($0.wallMs ?? -1) < ($1.wallMs ?? -1) }
        case 3: sorted = t.sorted { ($0.tokens?.total ?? -1) < ($1.tokens?.total ?? -1) }
        case 4: sorted = t.sorted { ($0.cost?.knownUSD ?? -1) < ($1.cost?.knownUSD ?? -1) }
        default: sorted = t
        }
        return runDetail.sortDescending ? sorted.reversed() : sorted
    }
}
