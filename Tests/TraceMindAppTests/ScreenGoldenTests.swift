import Foundation
import TerminalUI
import TestSupport
import Testing
import TraceMindDemo
import TraceMindModel
@testable import TraceMindApp

@Suite(.serialized) struct ScreenGoldenTests {
    static let catalog = DemoData.catalog()

    func state(_ w: Int, _ h: Int) -> AppState {
        var s = AppState(catalog: Self.catalog)
        s.width = w
        s.height = h
        return s
    }

    func open(_ s: inout AppState, run query: String, tab: RunTab) {
        let entry = try! Self.catalog.run(matching: query)
        s.stack.append(.run(entry.key))
        s.loads[entry.key] = .loaded(RunAnalysis(entry: entry, data: RunLoader.load(entry)))
        s.runDetail.tab = tab
        s.message = nil
    }

    func check(_ s: AppState, _ name: String) {
        let b = Renderer(theme: Theme.builtinDefault).view(s)
        assertGolden(b.plainText, named: name + ".txt")
        assertGolden(b.styleDump, named: name + ".style")
    }

    @Test(arguments: [(80, 24), (160, 48)]) func leaderboard(size: (Int, Int)) {
        check(state(size.0, size.1), "leaderboard_\(size.0)x\(size.1)")
    }

    @Test(arguments: [(80, 24), (160, 48)]) func runTabs(size: (Int, Int)) {
        for tab in RunTab.allCases {
            var s = state(size.0, size.1)
            open(&s, run: tab == .gpu ? "gpu-qwen" : "b1d2e3f4", tab: tab)
            check(s, "run_\(tab.title.lowercased().replacingOccurrences(of: " & ", with: "_"))_\(size.0)x\(size.1)")
        }
    }

    @Test func apiRunSaysNoGPUData() {
        var s = state(80, 24)
        open(&s, run: "7f3c2a10", tab: .gpu)
        #expect(Renderer(theme: Theme.builtinDefault).view(s).plainText.contains("No GPU data for this run"))
    }

    @Test func monoThemeKeepsTheSelectionVisible() throws {
        let (mono, problem) = Theme.resolve("mono", environment: [:])
        #expect(problem == nil)
        let b = Renderer(theme: mono).view(state(80, 24))
        #expect(b[5, 2].style.attrs.contains(.reverse))
    }

    @Test func hostileTextIsInert() {
        var o = DemoOptions()
        o.hostileText = true
        let catalog = DemoData.catalog(options: o)
        var s = AppState(catalog: catalog)
        s.width = 160
        s.height = 48
        let entry = try! catalog.run(matching: "b1d2e3f4")
        s.stack.append(.run(entry.key))
        s.loads[entry.key] = .loaded(RunAnalysis(entry: entry, data: RunLoader.load(entry)))
        s.runDetail.tab = .tests
        let text = Renderer(theme: Theme.builtinDefault).view(s).plainText
        #expect(!text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || ($0.value < 0x20 && $0 != "\n") })
        #expect(text.contains("gpt-4o-mini"))
    }

    @Test func keysDriveNavigation() {
        var s = state(80, 24)
        #expect(App.update(&s, .key(.char("j"))) == .none)
        #expect(s.leaderboard.selected == 1)
        let eff = App.update(&s, .key(.enter))
        guard case .loadRun = eff else { Issue.record("expected a load"); return }
        #expect(s.screen != .leaderboard)
        _ = App.update(&s, .key(.escape))
        #expect(s.screen == .leaderboard)
        _ = App.update(&s, .key(.char("/")))
        for c in "qwen" { _ = App.update(&s, .key(.char(c))) }
        #expect(s.visibleRuns.count == 1)
        _ = App.update(&s, .key(.enter))
        #expect(s.overlay == nil && s.visibleRuns.count == 1)
        #expect(App.update(&s, .key(.char("q"))) == .quit)
    }

    @Test func everyBundledThemeFileMatchesTheBuiltInCopy() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Themes")
        for name in BuiltinThemes.names {
            let text = try String(contentsOf: dir.appendingPathComponent(name + ".toml"), encoding: .utf8)
            #expect(text == BuiltinThemes.files[name]! + "\n", "Themes/\(name).toml and BuiltinThemes differ")
            _ = try Theme.parse(text, fallbackName: name)
        }
        #expect(throws: Theme.LoadError.self) { try Theme.parse("[roles.nope]\nfg = \"red\"", fallbackName: "x") }
        let (t, problem) = Theme.resolve("/nonexistent/theme.toml", environment: [:])
        #expect(t.name == "default" && problem != nil)
    }
}
