import Testing
import TerminalUI
@testable import TraceMindApp

/// Every theme in every colour mode, measured on xterm's palette: each role readable on what it is drawn on, the
/// selection readable over every role it can cover, and the roles that carry meaning never the same colour.
@Suite struct ThemeContrastTests {
    typealias RGB = (Int, Int, Int)

    /// A terminal: its default foreground and background.
    struct Terminal {
        var name: String
        var fg: RGB
        var bg: RGB
    }
    static let dark = Terminal(name: "dark", fg: (229, 229, 229), bg: (0, 0, 0))
    static let light = Terminal(name: "light", fg: (0, 0, 0), bg: (255, 255, 255))

    /// The terminals a theme is made for.
    static func terminals(_ theme: String) -> [Terminal] {
        switch Theme.background(ofBuiltin: theme) {
        case .light: return [light]
        case .dark: return [dark]
        case .any: return [dark, light]
        }
    }

    /// (text colour, background colour) as drawn.
    static func drawn(_ st: Style, _ depth: ColorDepth, _ t: Terminal) -> (RGB, RGB) {
        let f = ColorDowngrade.rgb(st.fg, depth: depth, defaultRGB: t.fg)
        let b = ColorDowngrade.rgb(st.bg, depth: depth, defaultRGB: t.bg)
        return st.attrs.contains(.reverse) ? (b, f) : (f, b)
    }

    /// Roles that draw lines, ticks and fills rather than words: graphics need 3:1, words 4.5:1.
    static let graphics: Set<Role> = [.border, .gap, .axis, .barFill, .barAlt, .kindOther]
    /// Text roles that may sit on a selected row, with the selection behind them.
    static let onRows: [Role] = [
        .pass, .fail, .warn, .error, .cost, .tokens, .muted, .recorded, .accent, .marked, .critical, .costPath,
        .kindAgent, .kindChain, .kindLLM, .kindTool, .better, .worse, .best,
    ]
    /// Bars and marks drawn on a selected row.
    static let marksOnRows: [Role] = [.kindAgent, .kindChain, .kindLLM, .kindTool, .kindOther, .error, .barFill]

    static let names = ["default", "light", "high-contrast", "mono", "tracemind"]

    @Test(arguments: names)
    func everyRoleIsReadableInEveryColourMode(_ name: String) throws {
        let theme = try Theme.builtin(name)
        var problems: [String] = []
        for depth in ColorDepth.allCases {
            let t = theme.adapted(to: depth)
            for term in Self.terminals(name) {
                let here = "\(name) \(depth) on \(term.name)"
                for role in Role.allCases where role != .base {
                    let (f, b) = Self.drawn(t.style(role), depth, term)
                    // The ANSI palette's own reds and blues reach 3–4:1 on black: with 16 or 8 colours words need 3:1.
                    let few = depth == .c16 || depth == .c8
                    let need = Self.graphics.contains(role) ? (few ? 2.0 : 3.0) : (few ? 3.0 : 4.5)
                    let c = ColorDowngrade.contrast(f, b)
                    if c < need { problems.append("\(here): \(role) \(fmt(c)) < \(need)") }
                }
                let sel = t.style(.selected)
                for role in Self.onRows {
                    let (f, b) = Self.drawn(t.style(role).onSelection(sel), depth, term)
                    let c = ColorDowngrade.contrast(f, b)
                    if c < 3.0 { problems.append("\(here): \(role) on the selection \(fmt(c)) < 3") }
                }
                for role in Self.marksOnRows {
                    let (f, b) = Self.drawn(t.style(role).markOnSelection(sel), depth, term)
                    let c = ColorDowngrade.contrast(f, b)
                    if c < 2.0 { problems.append("\(here): \(role) bar on the selection \(fmt(c)) < 2") }
                }
            }
        }
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    @Test(arguments: names)
    func meaningNeverCollapses(_ name: String) throws {
        let theme = try Theme.builtin(name)
        for depth in ColorDepth.allCases {
            let t = theme.adapted(to: depth)
            for term in Self.terminals(name) {
                func look(_ r: Role) -> String {
                    let st = t.style(r)
                    let (f, b) = Self.drawn(st, depth, term)
                    return "\(f) \(b) \(st.attrs.rawValue)"
                }
                let meaning: [Role] = [.pass, .fail, .error, .warn, .selected]
                for (i, x) in meaning.enumerated() {
                    for y in meaning[(i + 1)...] {
                        #expect(look(x) != look(y), "\(name) \(depth) on \(term.name): \(x) and \(y) look the same")
                    }
                }
                // The selection must show on a plain row: a background or reverse video.
                let sel = t.style(.selected)
                #expect(Self.drawn(sel, depth, term).1 != term.bg, "\(name) \(depth): the selection has no background")
            }
        }
    }

    @Test func contrastArithmetic() {
        #expect(abs(ColorDowngrade.contrast((0, 0, 0), (255, 255, 255)) - 21) < 0.01)
        #expect(abs(ColorDowngrade.contrast((118, 118, 118), (255, 255, 255)) - 4.54) < 0.02, "WCAG's own example: #767676 on white")
        #expect(ColorDowngrade.contrast((10, 20, 30), (10, 20, 30)) == 1)
    }

    @Test func downgradeKeepsTheHue() {
        // Soft green is nearer ANSI grey by RGB distance: by hue it stays green (bright, being light).
        #expect(ColorDowngrade.index(ColorDowngrade.xterm256(0x5f, 0xd7, 0x5f), depth: .c16) == 10)
        #expect(ColorDowngrade.index(ColorDowngrade.xterm256(0x00, 0x87, 0x00), depth: .c16) == 2)
        #expect(ColorDowngrade.index(ColorDowngrade.xterm256(0xff, 0x5f, 0x5f), depth: .c8) == 1)
        #expect(ColorDowngrade.index(ColorDowngrade.xterm256(0x8a, 0x8a, 0x8a), depth: .c16) == 8, "grey stays grey")
        #expect(ColorDowngrade.index(ColorDowngrade.xterm256(0x30, 0x30, 0x30), depth: .c16) == 0)
    }

    @Test func boldNeverFallsOnABrightenableBlack() throws {
        let hc = try Theme.builtin("high-contrast")
        #expect(hc.adapted(to: .c256).style(.keyHint).fg == .indexed(16), "cube black: bold cannot brighten it")
        #expect(hc.adapted(to: .c256).style(.keyHint).attrs.contains(.bold))
        let h16 = hc.adapted(to: .c16)
        for role in Role.allCases where h16.style(role).fg == .indexed(0) {
            #expect(!h16.style(role).attrs.contains(.bold), "\(role): bold black turns grey on terminals that brighten bold")
        }
    }

    func fmt(_ d: Double) -> String { String(Int((d * 100).rounded())).count > 2 ? "\(Double(Int((d * 100).rounded())) / 100)" : "\(d)" }
}

/// The terminal's background, as the terminal or its environment tells it: the light theme on a light terminal.
@Suite struct BackgroundDetectionTests {
    @Test func oscElevenReplies() {
        func parse(_ s: String) -> TerminalBackground? { TerminalBackground.parse(oscReply: Array(s.utf8)) }
        #expect(parse("\u{1b}]11;rgb:ffff/ffff/ffff\u{1b}\\\u{1b}[?64;1c") == .light, "xterm on white, ended by ST")
        #expect(parse("\u{1b}]11;rgb:0000/0000/0000\u{07}") == .dark, "ended by BEL")
        #expect(parse("\u{1b}]11;rgb:1e1e/1e1e/2e2e\u{1b}\\") == .dark)
        #expect(parse("\u{1b}]11;rgb:fd/f6/e3\u{1b}\\") == .light, "two hex digits a channel (Solarized light)")
        #expect(parse("\u{1b}]11;rgba:ffff/ffff/ffff/ffff\u{1b}\\") == .light, "rxvt's rgba")
        #expect(parse("\u{1b}[?1;2c") == nil, "only a device-attributes answer: the terminal did not say")
        #expect(parse("\u{1b}]11;rgb:zz/00/00\u{07}") == nil, "not hex")
        #expect(parse("\u{1b}]11;rgb:ffff/ffff\u{07}") == nil, "two channels")
        #expect(parse("") == nil)
    }

    @Test func colorFGBG() {
        #expect(TerminalBackground.parse(colorFGBG: "15;0") == .dark)
        #expect(TerminalBackground.parse(colorFGBG: "0;15") == .light)
        #expect(TerminalBackground.parse(colorFGBG: "0;default;7") == .light)
        #expect(TerminalBackground.parse(colorFGBG: "12;8") == .dark)
        #expect(TerminalBackground.parse(colorFGBG: "garbage") == nil)
        #expect(TerminalBackground.parse(colorFGBG: "0;99") == nil)
    }
}
