import FoundationEssentials
import TraceMindFormats
import TOMLKit
import TerminalUI
import TraceMindThemes

/// Semantic roles: themes name these, never widgets.
public enum Role: String, CaseIterable, Sendable {
    case base, title, header, border, selected, marked, muted, accent, pass, fail, warn, error, cost, tokens
    case barFill = "bar_fill", barAlt = "bar_alt", keyHint = "key_hint", status, tabActive = "tab_active"
    case tabInactive = "tab_inactive", recorded
    case kindAgent = "kind_agent", kindChain = "kind_chain", kindLLM = "kind_llm", kindTool = "kind_tool"
    case kindOther = "kind_other"
    case critical, costPath = "cost_path", match, better, worse, best, group, gap, axis
}

public struct Theme: Sendable {
    public var name: String
    public var styles: [Role: Style]
    /// `[roles16.NAME]`: the role as drawn with 16 or 8 colours, where the downgraded colours would not read
    /// (a selection background that turns cyan under white text).
    public var styles16: [Role: Style] = [:]
    /// The terminal background the theme is made for (`background = "dark" | "light"`; none: either).
    public var background: Background = .any
    public func style(_ r: Role) -> Style { styles[r] ?? .plain }

    public enum Background: String, Sendable { case dark, light, any }

    /// The theme's own background and text colour, painted under every cell that would show the terminal's: set
    /// when a theme made for one background runs on a terminal of the other (`high-contrast` on white), so
    /// nothing of it vanishes into the terminal's colours.
    public var canvas: Style?

    /// The theme on a terminal of this background (nil: unknown, drawn as written).
    public func on(_ terminal: TerminalBackground?) -> Theme {
        var out = self
        switch (background, terminal) {
        case (.dark, .light?): out.canvas = Style(fg: .indexed(254), bg: .indexed(16))
        case (.light, .dark?): out.canvas = Style(fg: .indexed(16), bg: .indexed(231))
        default: out.canvas = nil
        }
        return out
    }

    public init(name: String, styles: [Role: Style], styles16: [Role: Style] = [:], background: Background = .any) {
        self.name = name
        self.styles = styles
        self.styles16 = styles16
        self.background = background
    }

    static func background(ofBuiltin name: String) -> Background { ((try? builtin(name))?.background) ?? .any }

    /// The theme as a terminal of this depth draws it: with 16 or 8 colours the `roles16` variants replace their
    /// roles and colours are downgraded by hue; bold never falls on a black that a terminal brightening bold would
    /// turn grey (at 256 colours such a black becomes the cube's black, which bold does not brighten; with fewer,
    /// the bold is dropped). Without colour, every colour goes and the attributes stay.
    public func adapted(to depth: ColorDepth) -> Theme {
        var out = self
        out.styles16 = [:]
        if let c = canvas, depth == .c16 || depth == .c8 {
            out.canvas = Style(fg: Theme.indexed(c.fg, depth), bg: Theme.indexed(c.bg, depth))
        }
        if depth == .mono {
            out.canvas = nil
            // Without colour a colour theme's roles differ by nothing: they are the mono theme's, which differ by
            // attributes (a theme of attributes alone is kept as it is).
            let colourless = styles.values.allSatisfy { $0.fg == .default && $0.bg == .default }
            if !colourless, let mono = try? Theme.builtin("mono") { out.styles = mono.styles }
            return out
        }
        for (role, st0) in styles {
            var st = st0
            switch depth {
            case .mono: break
            case .c256:
                if st.attrs.contains(.bold), case .indexed(let i) = st.fg, i < 8 {
                    let (r, g, b) = ColorDowngrade.rgb(of: Int(i))
                    st.fg = .indexed(UInt8(ColorDowngrade.xterm256(UInt8(r), UInt8(g), UInt8(b))))
                }
            case .c16, .c8:
                if let v = styles16[role] {
                    st = v
                } else if role == .selected, st.bg != .default {
                    // Few colours leave no background that every role's colour reads on: reverse video, which
                    // turns each cell's own colour into its background.
                    st = Style(attrs: st.attrs.union([.reverse, .bold]))
                }
                st.fg = Theme.indexed(st.fg, depth)
                st.bg = Theme.indexed(st.bg, depth)
                if st.attrs.contains(.bold), st.fg == .indexed(0) { st.attrs.remove(.bold) }
                // Eight colours have no bright blue, and ANSI blue on black is barely legible: cyan on dark themes.
                if depth == .c8, background != .light, st.bg == .default, st.fg == .indexed(4) { st.fg = .indexed(6) }
                // A grey that fell to the terminal's own background colour would vanish: the other end of the ramp.
                if st.bg == .default, background != .any {
                    let vanishing: Set<Color> = background == .dark ? [.indexed(0)] : [.indexed(7), .indexed(15)]
                    if vanishing.contains(st.fg) { st.fg = .indexed(background == .dark ? (depth == .c16 ? 8 : 7) : 0) }
                }
            }
            out.styles[role] = st
        }
        return out
    }

    static func indexed(_ c: Color, _ depth: ColorDepth) -> Color {
        switch c {
        case .default: return .default
        case .indexed(let i): return .indexed(UInt8(ColorDowngrade.index(Int(i), depth: depth)))
        case .rgb(let r, let g, let b): return .indexed(UInt8(ColorDowngrade.index(ColorDowngrade.xterm256(r, g, b), depth: depth)))
        }
    }

    public struct LoadError: Error, CustomStringConvertible {
        public var description: String
    }

    static let namedColors: [String: UInt8] = [
        "black": 0, "red": 1, "green": 2, "yellow": 3, "blue": 4, "magenta": 5, "cyan": 6, "white": 7,
        "bright-black": 8, "gray": 8, "grey": 8, "bright-red": 9, "bright-green": 10, "bright-yellow": 11, "bright-blue": 12,
        "bright-magenta": 13, "bright-cyan": 14, "bright-white": 15,
    ]

    static func color(_ s: String, palette: [String: String], depth: Int = 0) throws -> Color {
        let t = s.trimmingBlanks().lowercased()
        if t == "default" || t.isEmpty { return .default }
        if let p = palette[t], depth < 4 { return try color(p, palette: palette, depth: depth + 1) }
        if let n = namedColors[t] { return .indexed(n) }
        if let i = UInt8(t) { return .indexed(i) }
        if t.hasPrefix("#"), t.count == 7, let v = UInt32(t.dropFirst(), radix: 16) {
            return .rgb(UInt8(v >> 16), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF))
        }
        throw LoadError(description: "unknown colour '\(s)' (use #rrggbb, 0–255, a colour name or a [palette] name)")
    }

    /// Reads `[palette]` and the `[roles.NAME]` tables (fg, bg, attribute flags), or another such group
    /// (`roles16`). Unknown roles are errors.
    static func styles(from table: TOMLTable, group: String = "roles") throws -> [Role: Style] {
        var palette: [String: String] = [:]
        if let p = table["palette"]?.table {
            for (k, v) in p { if let s = v.string { palette[k.lowercased()] = s } }
        }
        guard let roles = table[group]?.table else {
            if group != "roles" { return [:] }
            throw LoadError(description: "no [roles] table")
        }
        var styles: [Role: Style] = [:]
        for (k, v) in roles {
            guard let role = Role(rawValue: k) else {
                throw LoadError(description: "unknown role '\(k)' (roles: \(Role.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard let t = v.table else { throw LoadError(description: "role '\(k)' must be a table") }
            var st = Style()
            if let fg = t["fg"]?.string { st.fg = try color(fg, palette: palette) } else if let i = t["fg"]?.int { st.fg = .indexed(UInt8(clamping: i)) }
            if let bg = t["bg"]?.string { st.bg = try color(bg, palette: palette) } else if let i = t["bg"]?.int { st.bg = .indexed(UInt8(clamping: i)) }
            let flags: [(String, Attributes)] = [("bold", .bold), ("dim", .dim), ("underline", .underline), ("reverse", .reverse), ("italic", .italic)]
            for (name, attr) in flags where t[name]?.bool == true { st.attrs.insert(attr) }
            styles[role] = st
        }
        return styles
    }

    /// Parses a theme file: `name`, optional `[palette]`, `[roles.NAME]` tables. Roles a user theme leaves out come
    /// from the default theme.
    public static func parse(_ text: String, fallbackName: String, fillFromDefault: Bool = true) throws -> Theme {
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch { throw LoadError(description: "invalid TOML: \(error)") }
        var styles = try styles(from: table)
        var styles16 = try Theme.styles(from: table, group: "roles16")
        if fillFromDefault {
            let base = builtinDefault
            for r in Role.allCases where styles[r] == nil {
                styles[r] = base.styles[r] ?? .plain
                if styles16[r] == nil, let s16 = base.styles16[r] { styles16[r] = s16 }
            }
        }
        let bg = table["background"]?.string.flatMap { Background(rawValue: $0.lowercased()) } ?? .any
        return Theme(name: table["name"]?.string ?? fallbackName, styles: styles, styles16: styles16, background: bg)
    }

    /// A built-in theme. Built-ins are complete on their own (mono leaves roles plain on purpose).
    public static func builtin(_ name: String) throws -> Theme {
        guard let text = BundledThemes.files[name] else { throw LoadError(description: "no built-in theme '\(name)'") }
        return try parse(text, fallbackName: name, fillFromDefault: false)
    }

    public static let builtinDefault: Theme = (try? builtin("default")) ?? Theme(name: "default", styles: [:])

    static func configDir(_ environment: [String: String]) -> String {
        (environment["XDG_CONFIG_HOME"] ?? ((environment["HOME"] ?? "~") + "/.config")) + "/tracemind/themes"
    }

    /// Resolves `--theme NAME|PATH`, then `TRACEMIND_THEME`, then the user's themes folder, then built-ins.
    /// A broken theme: a message, and the default theme.
    public static func resolve(_ spec: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> (Theme, String?) {
        let wanted = spec ?? environment["TRACEMIND_THEME"] ?? "default"
        var path: String?
        if wanted.containsText("/") || wanted.hasSuffix(".toml") {
            path = wanted
        } else {
            let user = configDir(environment) + "/" + wanted + ".toml"
            if FileManager.default.fileExists(atPath: user) { path = user }
        }
        if let path {
            guard let data = FileManager.default.contents(atPath: path) else {
                return (builtinDefault, "theme \(path): cannot be read; using the default theme")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                return (builtinDefault, "theme \(path): not UTF-8 text; using the default theme")
            }
            do { return (try parse(text, fallbackName: PathUtil.deletingPathExtension(PathUtil.lastComponent(path))), nil) } catch {
                return (builtinDefault, "theme \(path): \(error); using the default theme")
            }
        }
        if let t = try? builtin(wanted) { return (t, nil) }
        return (builtinDefault, "unknown theme '\(wanted)' (built-in: \(BundledThemes.names.joined(separator: ", "))); using the default theme")
    }

    /// Built-in theme names and user themes found.
    public static func available(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        var out = BundledThemes.names
        if let files = try? FileManager.default.contentsOfDirectory(atPath: configDir(environment)) {
            out += files.filter { $0.hasSuffix(".toml") }.map { String($0.dropLast(5)) + " (user)" }.sorted()
        }
        return out
    }
}
