import Foundation
import TerminalUI
import TestSupport
import Testing
@testable import TraceMindApp
import TraceMindDemo
import TraceMindModel

/// The screens where the look used to break, in every theme as a terminal draws it (256 colours; 16 for the colour
/// themes whose 16-colour variant differs): a selected row over coloured cells, the selected span's bar, the errors
/// tab's selected group, the help card, the comparison's tests. One text golden per screen (the text is the same
/// in every theme) and a style dump per theme.
@Suite struct ThemeGoldenTests {
    static let themes = ["default", "light", "high-contrast", "mono", "tracemind"]
    static let width = 120, height = 32

    /// The screens, each as the keys that reach it.
    static let screens: [(name: String, go: @Sendable (inout Harness) -> Void)] = [
        ("leaderboard", { h in h.press(.char("j")) }),
        ("run_tests", { h in h.openRun("b1d2e3f4"); h.press(.char("2"), .char("j"), .char("j")) }),
        ("run_errors", { h in h.openRun("b1d2e3f4"); h.press(.char("5")) }),
        ("trace_errors", { h in
            h.openRun("7f3c2a10")
            h.openTrace("weather_tokyo")
            h.press(.char("e"))
            h.s.message = nil
        }),
        ("help", { h in h.press(.char("?")) }),
        ("compare_tests", { h in h.compare(["7f3c2a10", "b1d2e3f4"]); h.press(.char("2"), .char("j")) }),
    ]

    static func harness(_ theme: String, _ depth: ColorDepth, _ screen: Int) throws -> Harness {
        var h = Harness(width: width, height: height, theme: try Theme.builtin(theme).adapted(to: depth), prefetch: false)
        screens[screen].go(&h)
        return h
    }

    @Test(arguments: themes) func everyScreenInTheme(_ theme: String) throws {
        for (i, screen) in Self.screens.enumerated() {
            let b = try Self.harness(theme, .c256, i).buffer
            // One text for every theme: a theme changes colours, never text.
            assertGolden(b.plainText, named: "theme_\(screen.name).txt")
            assertGolden(b.styleDump, named: "theme_\(screen.name)_\(theme).style")
        }
        // The 16-colour variants (the selection in reverse video, hues kept) where a theme has colours.
        if theme != "mono" {
            for name in ["run_tests", "trace_errors"] {
                let i = try #require(Self.screens.firstIndex { $0.name == name })
                let h = try Self.harness(theme, .c16, i)
                assertGolden(h.buffer.styleDump, named: "theme_\(name)_\(theme)_16.style")
            }
        }
    }

    /// The selected span keeps its kind's or its error's colour: the selection shows as the row's background (or,
    /// in reverse-video themes, leaves the bar as it is), never a white or background-coloured bar.
    @Test(arguments: themes) func theSelectedBarKeepsItsColour(_ theme: String) throws {
        let i = try #require(Self.screens.firstIndex { $0.name == "trace_errors" })
        let h = try Self.harness(theme, .c256, i)
        let t = try Theme.builtin(theme)
        let sel = t.style(.selected)
        // The selected row: the selection's background, or reverse video below the bars at the top and bottom.
        let b = h.buffer
        let row = try #require((2..<(h.s.height - 1)).first { y in
            let st = b[3, y].style
            return sel.bg != .default ? st.bg == sel.bg : st.attrs.contains(.reverse)
        }, "\(theme): no selected row")
        let blocks = (0..<h.s.width).filter { "▏▎▍▌▋▊▉█▐▕".contains(b[$0, row].symbol) }
        #expect(!blocks.isEmpty, "\(theme): the selected row has its bar")
        for x in blocks {
            let st = b[x, row].style
            #expect(!st.attrs.contains(.reverse), "\(theme): a reversed block is a hole")
            #expect(st.fg != sel.fg || sel.fg == .default, "\(theme): the bar took the selection's colour")
            #expect(st.fg == t.style(.error).fg, "\(theme): the selected error span's bar keeps the error colour")
        }
    }

    /// Every glyph the screens draw (chrome, marks, bars, arrows) is in the repertoire that common monospace fonts
    /// share; when DejaVu Sans Mono is installed, each is checked against its character map too.
    @Test func everyGlyphIsInTheCommonRepertoire() throws {
        var drawn: [Character: String] = [:]
        func collect(_ h: Harness, _ name: String) {
            let b = h.buffer  // rendered once: `buffer` renders anew on every access
            for y in 0..<b.height {
                for x in 0..<b.width {
                    let sym = b[x, y].symbol
                    // Wide characters are the data's (a task's Japanese prompt), never the screen's own.
                    if let c = sym.first, sym.unicodeScalars.count == 1, !c.isASCII, TextWidth.width(sym) == 1, drawn[c] == nil { drawn[c] = name }
                }
            }
        }
        for i in Self.screens.indices { collect(try Self.harness("default", .c256, i), Self.screens[i].name) }
        for tab in RunTab.allCases {
            var h = Harness(width: Self.width, height: Self.height, prefetch: false)
            h.openRun(tab == .gpu ? "gpu-qwen" : "b1d2e3f4")
            h.press(.char(Character(String(tab.rawValue + 1))))
            collect(h, "run tab \(tab.title)")
        }
        var h = Harness(width: Self.width, height: Self.height, prefetch: false)
        h.openRun("7f3c2a10")
        h.openTrace("search_release")
        h.press(.char("x"))
        collect(h, "trace, cost axis")
        h.press(.char("F"))
        collect(h, "facets")
        var l = Harness(width: Self.width, height: Self.height, prefetch: false)
        l.press(.char("C"))
        collect(l, "column chooser")
        l.press(.escape, .char("F"))
        collect(l, "facets")
        // The trends screen's chart: braille dots, checked against the fallback font below.
        var t = Harness(TrendsScreenTests.catalog, width: Self.width, height: Self.height)
        t.press(.char("T"))
        var charts: [Character: String] = [:]
        let tb = t.buffer
        for y in 0..<tb.height {
            for x in 0..<tb.width where Glyphs.isChart(tb[x, y].symbol.first ?? " ") { charts[tb[x, y].symbol.first!] = "trends chart" }
        }
        #expect(!charts.isEmpty, "the trends chart draws braille dots")
        collect(t, "trends")
        t.press(.char("2"))
        collect(t, "flaky tests")
        t.press(.escape, .char("A"))
        for tab in AnalyticsTab.allCases {
            t.press(.char(Character(String(tab.rawValue + 1))))
            let ab = t.buffer
            for y in 0..<ab.height {
                for x in 0..<ab.width where Glyphs.isChart(ab[x, y].symbol.first ?? " ") { charts[ab[x, y].symbol.first!] = "analytics" }
            }
            collect(t, "analytics \(tab.title)")
        }
        drawn = drawn.filter { !Glyphs.isChart($0.key) }
        #expect(!drawn.isEmpty, "the screens draw glyphs beyond ASCII")
        let outside = drawn.filter { !Glyphs.isCommon($0.key) }
        #expect(outside.isEmpty, "outside the common repertoire: \(outside.map { "\($0.key) U+\(String($0.key.unicodeScalars.first!.value, radix: 16, uppercase: true)) on \($0.value)" })")
        // The real check, where the font is there: fontconfig's character map of DejaVu Sans Mono.
        let font = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
        guard FileManager.default.fileExists(atPath: font), let ranges = try? Self.fontRanges(font) else {
            print("DejaVu Sans Mono or fc-query is not installed: the glyphs were checked against the repertoire only")
            return
        }
        let missing = drawn.keys.filter { c in !ranges.contains { $0.contains(c.unicodeScalars.first!.value) } }
        #expect(missing.isEmpty, "not in DejaVu Sans Mono: \(missing.map { "\($0) on \(drawn[$0]!)" })")
        // The chart's dots: in DejaVu Sans, the font fontconfig falls back to for DejaVu Sans Mono.
        let sans = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
        guard FileManager.default.fileExists(atPath: sans), let sansRanges = try? Self.fontRanges(sans) else {
            print("DejaVu Sans is not installed: the chart's braille dots were not checked against a font")
            return
        }
        let missingDots = charts.keys.filter { c in !sansRanges.contains { $0.contains(c.unicodeScalars.first!.value) } }
        #expect(missingDots.isEmpty, "braille dots not in DejaVu Sans: \(missingDots)")
    }

    static func fontRanges(_ font: String) throws -> [ClosedRange<UInt32>] {
        let r = Subprocess.run(["fc-query", "--format=%{charset}", font])
        guard r.status == 0 else { throw CocoaError(.fileReadUnknown) }
        return r.output.split(separator: " ").compactMap { part in
            let ends = part.split(separator: "-").compactMap { UInt32($0, radix: 16) }
            guard let lo = ends.first else { return nil }
            return lo...(ends.last ?? lo)
        }
    }
}

/// The mono theme's tables: attributes on a cell's text, never on its padding (no underlined blanks before a
/// right-aligned figure, no reversed slab for an empty error column, no underlined blank mark column), and no dim
/// on a reversed selection (grey patches).
@Suite struct MonoTableTests {
    @Test func attributesCoverTextNotPadding() throws {
        var h = Harness(width: 160, height: 40, theme: try Theme.builtin("mono"), prefetch: false)
        h.openRun("b1d2e3f4")
        h.press(.char("2"))
        let b = h.buffer
        var problems: [String] = []
        // Runs of one underlined or reversed style (off the selected row) neither start nor end with a blank:
        // spaces inside a text are its own, padding is not.
        for y in 5..<(b.height - 1) {
            let selected = y == 5
            var x = 0
            while x < b.width {
                let st = b[x, y].style
                var e = x
                while e + 1 < b.width, b[e + 1, y].style == st { e += 1 }
                if !selected, st.attrs.contains(.underline) || st.attrs.contains(.reverse), b[x, y].symbol == " " || b[e, y].symbol == " " {
                    problems.append("\(x)-\(e),\(y)")
                }
                if selected, st.attrs.contains(.dim) { problems.append("dim on the selection at \(x)") }
                x = e + 1
            }
        }
        #expect(problems.isEmpty, "styled blanks: \(problems.prefix(10))")
        // The leaderboard: the mark column is not an underlined blank on every row.
        let l = Harness(width: 160, height: 40, theme: try Theme.builtin("mono"), prefetch: false).buffer
        let markColumn = (2..<8).filter { l[4, $0].symbol == " " }
        #expect(!markColumn.isEmpty, "the unmarked runs' mark cells were looked at")
        for y in markColumn { #expect(!l[4, y].style.attrs.contains(.underline)) }
    }
}

/// A column of figures lines up on its decimal point, on every screen that has one.
@Suite struct DecimalAlignmentTests {
    @Test func theTestsTabsCostColumnsLineUp() {
        var h = Harness(width: 160, height: 40, prefetch: false)
        h.openRun("b1d2e3f4")
        h.press(.char("2"))
        let lines = h.text.split(separator: "\n").map(String.init)
        let header = lines.first { $0.hasPrefix(" task") } ?? ""
        for title in ["cost", "cost·rec"] {
            guard let r = header.range(of: " \(title) ") ?? header.range(of: " \(title)") else { Issue.record("no \(title) column"); continue }
            let end = header.distance(from: header.startIndex, to: r.upperBound)
            // Each figure's decimal point sits the same number of columns left of the column's right edge.
            var points = Set<Int>()
            for l in lines where l.contains("$") {
                let chars = Array(l)
                guard end <= chars.count else { continue }
                let cell = String(chars[max(0, end - 12)..<end])
                if let dot = cell.lastIndex(of: "."), cell.contains("$") { points.insert(cell.distance(from: dot, to: cell.endIndex)) }
            }
            #expect(points.count == 1, "\(title): decimal points at \(points)")
        }
    }

    @Test func sharedOpeningsOfErrors() {
        let a = "ToolCallError: the weather service at api.example.com answered 503 for Paris"
        let b = "ToolCallError: the weather service at api.example.com answered 503 for Tokyo"
        let n = RunScreen.sharedOpening([a, b, a, ""])
        #expect(n > 24 && String(a.prefix(n)).hasSuffix(" ") && a.dropFirst(n) == "Paris")
        #expect(RunScreen.sharedOpening([a, a]) == 0, "one distinct error: nothing to leave out")
        #expect(RunScreen.sharedOpening(["short: x", "short: y"]) == 0, "a short opening stays")
    }
}

/// A theme on a terminal of the other background paints its own: no cell is left in the terminal's colours.
@Suite struct ThemeCanvasTests {
    @Test(arguments: ["default", "light", "high-contrast", "tracemind"])
    func aThemeOnTheOtherBackgroundPaintsItsOwn(_ name: String) throws {
        let theme = try Theme.builtin(name)
        let other: TerminalBackground = theme.background == .light ? .dark : .light
        for depth in [ColorDepth.c256, .c16] {
            var h = Harness(width: 100, height: 30, theme: theme.on(other).adapted(to: depth), prefetch: false)
            h.openRun("b1d2e3f4")
            h.press(.char("2"))
            let b = h.buffer
            let bare = (0..<b.height).flatMap { y in (0..<b.width).map { (x: $0, y: y) } }
                .filter { b[$0.x, $0.y].style.fg == .default || b[$0.x, $0.y].style.bg == .default }
            #expect(bare.isEmpty, "\(name) \(depth): cells in the terminal's colours at \(bare.prefix(5).map { "\($0.x),\($0.y)" })")
        }
        // On its own background, nothing is painted: the terminal's colours are the theme's.
        let own: TerminalBackground = theme.background == .light ? .light : .dark
        #expect(theme.on(own).canvas == nil && theme.on(nil).canvas == nil)
    }
}
