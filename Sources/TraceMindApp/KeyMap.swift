import TerminalUI

public enum Action: Hashable, Sendable {
    case up, down, pageUp, pageDown, halfUp, halfDown, top, bottom, left, right
    case open, back, quit, help, prompt, nextMatch, prevMatch, reload, details
    case sortNext, sortReverse
    case toggleMark, compare, clearMarks, groupByModel, toggleRecorded, facets
    case nextTab, prevTab, tab(Int)
    case failedOnly
    // Trace waterfall.
    case fold, unfold, foldAll, unfoldAll, nextError, toggleAxis, zoomIn, zoomOut, panLeft, panRight, resetZoom
    case kindFilter, switchFocus, pager, parent, toggleGaps, followLink, maximizeDetail, widenNames, narrowNames
    // Comparison.
    case compareFilter, trajectory, openOther
    case chooseColumns
    case copyID, export
    // Trends.
    case trends, nextMetric, toggleGrouping, analytics
    case toggleWatch
}

/// The screens, by type (key bindings, help and footers name them by this, never by a string).
public enum ScreenID: String, CaseIterable, Hashable, Sendable {
    case leaderboard, run, trace, compare, trajectory, trends, analytics
}

/// One key binding: what the footer and the help overlay show, and what it does.
public struct Binding: Sendable {
    public var keys: [Key]
    /// Shown in the footer (`nil`: help only) — e.g. `↑↓`.
    public var hint: String?
    public var help: String
    public var action: Action
    /// Screens it applies to.
    public var screens: Set<ScreenID>

    init(_ keys: [Key], _ hint: String?, _ help: String, _ action: Action, _ screens: Set<ScreenID> = Set(ScreenID.allCases)) {
        self.keys = keys
        self.hint = hint
        self.help = help
        self.action = action
        self.screens = screens
    }

    func applies(to screen: ScreenID) -> Bool { screens.contains(screen) }
}

/// The overlays that take keys of their own.
public enum OverlayID: Hashable, Sendable {
    case prompt, help, text, facets, columns, export
    /// A key these do not bind closes them (and is not passed on).
    var closesOnOtherKeys: Bool { self == .help || self == .text }
}

/// What a key does in an overlay.
public enum OverlayAction: Hashable, Sendable {
    /// Moves in the overlay's own list or text.
    case move(Action)
    /// Goes to the screen beneath, the overlay staying open (the prompt's arrows).
    case screen(Action)
    case close, toggle, clearAll, accept, cancel, deleteBack, clearLine, pager, quit, showAll
}

/// One key binding of an overlay.
public struct OverlayBinding: Sendable {
    public var keys: [Key]
    /// Shown in the overlay's title, when it has one.
    public var hint: String?
    public var help: String
    public var action: OverlayAction
    public var overlays: Set<OverlayID>

    init(_ keys: [Key], _ hint: String?, _ help: String, _ action: OverlayAction, _ overlays: Set<OverlayID>) {
        self.keys = keys
        self.hint = hint
        self.help = help
        self.action = action
        self.overlays = overlays
    }
}

public enum KeyMap {
    static let tables: Set<ScreenID> = [.leaderboard, .run, .compare, .trajectory]

    /// Every binding, in the order the help lists them. The footer shows those with a hint, while they fit.
    public static let bindings: [Binding] = [
        Binding([.enter], "⏎", "open the selected item", .open, [.leaderboard, .run, .compare, .trajectory]),
        Binding([.enter], "⏎", "open the selected run", .open, [.trends]),
        Binding([.enter], "⏎", "show the model's runs on the leaderboard", .open, [.analytics]),
        Binding([.enter], "⏎", "fold or unfold the span", .open, [.trace]),
        Binding([.escape, .backspace], "Esc", "back (clears a filter first; on the leaderboard, its facets, grouping and recorded mode; cancels a load)", .back),
        Binding([.up, .char("k")], nil, "move up", .up),
        Binding([.down, .char("j")], nil, "move down", .down),
        Binding([.pageUp, .ctrl("b")], nil, "page up", .pageUp),
        Binding([.pageDown, .ctrl("f")], nil, "page down", .pageDown),
        Binding([.ctrl("u")], nil, "half a page up", .halfUp),
        Binding([.ctrl("d")], nil, "half a page down", .halfDown),
        Binding([.home, .char("g")], nil, "first", .top),
        Binding([.end, .char("G")], nil, "last", .bottom),
        Binding([.char("/")], "/", "filter (live; Enter keeps it, Esc clears it)", .prompt, tables),
        Binding([.char("/")], "/", "search span names and attribute values", .prompt, [.trace]),
        Binding([.char("n")], nil, "next match", .nextMatch, [.leaderboard, .run, .compare, .trace]),
        Binding([.char("N")], nil, "previous match", .prevMatch, [.leaderboard, .run, .compare, .trace]),
        Binding([.char(" ")], "Space", "mark or unmark the run for comparison, then move to the next run", .toggleMark, [.leaderboard]),
        Binding([.char("c")], "c", "compare the marked runs (the first marked is the baseline)", .compare, [.leaderboard]),
        Binding([.char("u")], nil, "clear the marks", .clearMarks, [.leaderboard]),
        Binding([.char("s")], "s/S", "sort by the next column / reverse the order", .sortNext, [.leaderboard, .run, .compare]),
        Binding([.char("S")], nil, "reverse the sort order", .sortReverse, [.leaderboard, .run, .compare]),
        Binding([.char("T")], "T", "trends: each model's figures over time, regressions, flaky tests (of the runs shown)", .trends, [.leaderboard]),
        Binding([.char("A")], "A", "analytics: models × figures, speed and cost against accuracy, Pareto fronts (of the runs shown)", .analytics, [.leaderboard]),
        Binding([.char("F")], "F", "facet filters (agent, provider, model, status, use case, team)", .facets, [.leaderboard]),
        Binding([.char("m")], nil, "group by model", .groupByModel, [.leaderboard]),
        Binding([.char("R")], nil, "show SMOLTRACE's recorded tokens and cost instead of the corrected ones", .toggleRecorded, [.leaderboard]),
        Binding([.left], nil, "scroll the columns left", .left, [.leaderboard, .run]),
        Binding([.right], nil, "scroll the columns right", .right, [.leaderboard, .run]),
        Binding([.tab], "Tab", "next tab", .nextTab, [.run, .compare, .trends, .analytics]),
        Binding([.backTab], nil, "previous tab", .prevTab, [.run, .compare, .trends, .analytics]),
        Binding([.char("f")], "f", "failed tests only", .failedOnly, [.run]),
        Binding([.char("d")], "d", "details of the selected item (every field, unknown ones too)", .details, [.leaderboard, .run, .compare]),
        Binding([.char("C")], "C", "choose the columns shown (remembered for the session)", .chooseColumns, [.leaderboard, .run]),
        Binding([.char("y")], nil, "copy the selected id (run, test, span) to the clipboard (OSC 52)", .copyID, [.leaderboard, .run, .trace, .compare, .trajectory, .trends, .analytics]),
        Binding([.char("w")], nil, "write the view to a file: .txt table, .md, .csv or .json by its extension (never into a data folder)", .export, [.leaderboard, .run, .trace, .compare, .trends, .analytics]),
        // Trace waterfall.
        Binding([.left, .char("h")], nil, "fold the span (or go to its parent)", .fold, [.trace]),
        Binding([.right, .char("l")], nil, "unfold the span", .unfold, [.trace]),
        Binding([.char("z")], nil, "fold everything below the roots", .foldAll, [.trace]),
        Binding([.char("Z")], nil, "unfold everything", .unfoldAll, [.trace]),
        Binding([.char("e")], "e", "next error", .nextError, [.trace]),
        Binding([.char("x")], "x", "x axis: wall time ⇄ cumulative cost", .toggleAxis, [.trace]),
        Binding([.char("+"), .char("=")], "+/-", "zoom in / out", .zoomIn, [.trace]),
        Binding([.char("-")], nil, "zoom out", .zoomOut, [.trace]),
        Binding([.char("H")], nil, "pan left", .panLeft, [.trace]),
        Binding([.char("L")], nil, "pan right", .panRight, [.trace]),
        Binding([.char("0")], nil, "whole trace (reset zoom and pan)", .resetZoom, [.trace]),
        Binding([.char("K")], "K", "show only one span kind (cycles \(SpanKinds.filterHelp))", .kindFilter, [.trace]),
        Binding([.char("_")], nil, "collapse idle gaps on or off", .toggleGaps, [.trace]),
        Binding([.char("p")], nil, "go to the parent span", .parent, [.trace]),
        Binding([.char("f")], nil, "follow the span's link (again: its next link) to a span of this or another loaded trace", .followLink, [.trace]),
        Binding([.tab], "Tab", "move between the tree and the detail pane", .switchFocus, [.trace]),
        Binding([.char("o")], "o", "open the selected span's details in $PAGER", .pager, [.trace]),
        Binding([.char("m")], nil, "maximise the detail pane (again: restore the tree)", .maximizeDetail, [.trace]),
        Binding([.char(">")], nil, "widen the span-name column", .widenNames, [.trace]),
        Binding([.char("<")], nil, "narrow the span-name column", .narrowNames, [.trace]),
        // Comparison.
        Binding([.char("f")], "f", "filter: flipped, regressions, fixes, failed everywhere, missing, shared only, prompt differs", .compareFilter, [.compare]),
        Binding([.left, .char("h")], nil, "previous run column", .left, [.compare]),
        Binding([.right, .char("l")], nil, "next run column", .right, [.compare]),
        Binding([.char("t")], "t", "trajectories of the test: baseline against the selected run", .trajectory, [.compare]),
        Binding([.char("n")], "n/N", "next difference", .nextMatch, [.trajectory]),
        Binding([.char("N")], nil, "previous difference", .prevMatch, [.trajectory]),
        Binding([.char("O")], "O", "open the other side's trace at the step", .openOther, [.trajectory]),
        // Trends.
        Binding([.char("m")], "m", "next figure: success, cost per test, wall p50, tokens per test", .nextMetric, [.trends]),
        Binding([.char("b")], "b", "a line per model ⇄ per model and agent type", .toggleGrouping, [.trends]),
        Binding([.char("b")], "b", "a row per model ⇄ per model and agent type", .toggleGrouping, [.analytics]),
        Binding([.char("n")], "n/N", "next regression (Flaky tests: next group)", .nextMatch, [.trends]),
        Binding([.char("N")], nil, "previous regression (Flaky tests: previous group)", .prevMatch, [.trends]),
        Binding([.char("r")], nil, "reload from disk", .reload),
        Binding([.char("W")], nil, "live watch on or off: new and changed runs appear as SMOLTRACE writes them (inotify, else polling)", .toggleWatch),
        Binding([.char("?")], "?", "this help", .help),
        Binding([.char("q"), .ctrl("c")], "q", "quit", .quit),
    ]

    /// Keys of the overlays (the `/` prompt, the help, a text panel, the facet picker), in the same form.
    public static let overlayBindings: [OverlayBinding] = [
        OverlayBinding([.escape], nil, "clear the filter or search and close", .cancel, [.prompt]),
        OverlayBinding([.enter], nil, "keep the filter or search", .accept, [.prompt]),
        OverlayBinding([.backspace], nil, "delete a character", .deleteBack, [.prompt]),
        OverlayBinding([.ctrl("u")], nil, "clear the text", .clearLine, [.prompt]),
        OverlayBinding([.up], nil, "move up through the matches, typing on", .screen(.up), [.prompt]),
        OverlayBinding([.down], nil, "move down through the matches", .screen(.down), [.prompt]),
        OverlayBinding([.pageUp], nil, "page up through the matches", .screen(.pageUp), [.prompt]),
        OverlayBinding([.pageDown], nil, "page down through the matches", .screen(.pageDown), [.prompt]),
        OverlayBinding([.char(" "), .enter], "Space toggles", "toggle the value (on a heading: clear that facet)", .toggle, [.facets]),
        OverlayBinding([.char("x")], "x clears all", "clear every facet", .clearAll, [.facets]),
        OverlayBinding([.escape, .char("F")], "Esc closes", "close", .close, [.facets]),
        OverlayBinding([.char(" "), .enter], "Space shows/hides", "show or hide the column", .toggle, [.columns]),
        OverlayBinding([.char("a")], "a all", "show every column", .showAll, [.columns]),
        OverlayBinding([.escape, .char("C")], "Esc closes", "close", .close, [.columns]),
        OverlayBinding([.down, .char("j")], "j/k scroll", "down", .move(.down), [.text]),
        OverlayBinding([.down, .char("j")], nil, "down", .move(.down), [.help, .facets, .columns]),
        OverlayBinding([.up, .char("k")], nil, "up", .move(.up), [.help, .text, .facets, .columns]),
        OverlayBinding([.pageDown, .char(" "), .ctrl("f")], nil, "page down", .move(.pageDown), [.help, .text]),
        OverlayBinding([.pageDown], nil, "page down", .move(.pageDown), [.facets, .columns]),
        OverlayBinding([.pageUp, .ctrl("b")], nil, "page up", .move(.pageUp), [.help, .text, .facets, .columns]),
        OverlayBinding([.home, .char("g")], nil, "first", .move(.top), [.text, .facets, .columns]),
        OverlayBinding([.end, .char("G")], nil, "last", .move(.bottom), [.text, .facets, .columns]),
        OverlayBinding([.char("o")], "o $PAGER", "open the text in $PAGER", .pager, [.text]),
        OverlayBinding([.char("q"), .ctrl("c")], nil, "quit", .quit, [.help, .text, .facets, .columns]),
        OverlayBinding([.ctrl("c")], nil, "quit", .quit, [.prompt]),
        OverlayBinding([.escape], nil, "cancel the export", .cancel, [.export]),
        OverlayBinding([.enter], nil, "write the file", .accept, [.export]),
        OverlayBinding([.backspace], nil, "delete a character", .deleteBack, [.export]),
        OverlayBinding([.ctrl("u")], nil, "clear the name", .clearLine, [.export]),
        OverlayBinding([.ctrl("c")], nil, "quit", .quit, [.export]),
    ]

    /// The action of a key in an overlay; nil for a key it does not bind (typed text in the prompt; in the help and
    /// text panels, a key that closes them).
    public static func overlayAction(for key: Key, overlay: OverlayID) -> OverlayAction? {
        overlayBindings.first { $0.overlays.contains(overlay) && $0.keys.contains(key) }?.action
    }

    /// An overlay's title hints (`Space toggles · x clears all · Esc closes`), from its bindings.
    public static func overlayHints(for overlay: OverlayID) -> [String] {
        overlayBindings.filter { $0.overlays.contains(overlay) }.compactMap(\.hint)
    }

    /// The action of a key on a screen. Digits pick tabs on screens with tabs.
    public static func action(for key: Key, screen: ScreenID) -> Action? {
        if case .char(let c) = key, let d = c.wholeNumberValue, d >= 1 {
            if screen == .run, d <= RunTab.allCases.count { return .tab(d - 1) }
            if screen == .compare, d <= CompareTab.allCases.count { return .tab(d - 1) }
            if screen == .trends, d <= TrendsTab.allCases.count { return .tab(d - 1) }
            if screen == .analytics, d <= AnalyticsTab.allCases.count { return .tab(d - 1) }
        }
        return bindings.first { $0.applies(to: screen) && $0.keys.contains(key) }?.action
    }

    /// Footer hints for a screen (bindings with a hint, once per action).
    public static func hints(for screen: ScreenID) -> [KeyHint] {
        var seen = Set<Action>()
        var out: [KeyHint] = []
        for b in bindings where b.applies(to: screen) {
            guard let h = b.hint, !seen.contains(b.action) else { continue }
            seen.insert(b.action)
            let short = screen == .trends && b.action == .nextMatch ? "regression" : (screen == .analytics && b.action == .toggleGrouping ? "rows" : shortHelp(b.action))
            out.append(KeyHint(h, short))
        }
        return out
    }

    static func shortHelp(_ a: Action) -> String {
        switch a {
        case .open: return "open"
        case .back: return "back"
        case .prompt: return "filter"
        case .toggleMark: return "mark"
        case .compare: return "compare"
        case .sortNext: return "sort"
        case .facets: return "facets"
        case .chooseColumns: return "columns"
        case .nextTab: return "tab"
        case .failedOnly: return "failed"
        case .details: return "details"
        case .nextError: return "error"
        case .toggleAxis: return "axis"
        case .zoomIn: return "zoom"
        case .kindFilter: return "kind"
        case .switchFocus: return "pane"
        case .pager: return "pager"
        case .compareFilter: return "filter"
        case .trajectory: return "trajectory"
        case .nextMatch: return "difference"
        case .openOther: return "other side"
        case .trends: return "trends"
        case .nextMetric: return "figure"
        case .toggleGrouping: return "lines"
        case .analytics: return "analytics"
        case .help: return "help"
        case .quit: return "quit"
        default: return ""
        }
    }

    /// Help lines for a screen: keys and what they do, generated from the same table as the footer.
    public static func help(for screen: ScreenID) -> [(keys: String, help: String)] {
        var out: [(String, String)] = []
        for b in bindings where b.applies(to: screen) {
            out.append((b.keys.map(keyName).joined(separator: " "), b.help))
        }
        if screen == .run { out.insert(("1–5", "tabs: Overview, Tests, Performance, GPU & energy, Errors"), at: 0) }
        if screen == .compare { out.insert(("1 2", "tabs: Summary, Tests"), at: 0) }
        if screen == .trends { out.insert(("1 2", "tabs: Trends, Flaky tests"), at: 0) }
        if screen == .analytics { out.insert(("1 2 3", "tabs: Heatmap, Speed vs accuracy, Cost vs accuracy"), at: 0) }
        return out
    }

    public static func keyName(_ k: Key) -> String {
        switch k {
        case .char(" "): return "Space"
        case .char(let c): return String(c)
        case .ctrl(let c): return "^" + c.uppercased()
        case .enter: return "Enter"
        case .escape: return "Esc"
        case .backspace: return "Bksp"
        case .tab: return "Tab"
        case .backTab: return "S-Tab"
        case .up: return "↑"
        case .down: return "↓"
        case .left: return "←"
        case .right: return "→"
        case .pageUp: return "PgUp"
        case .pageDown: return "PgDn"
        case .home: return "Home"
        case .end: return "End"
        case .function(let n): return "F\(n)"
        }
    }
}
