import Foundation
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
    public func style(_ r: Role) -> Style { styles[r] ?? .plain }

    public struct LoadError: Error, CustomStringConvertible {
        public var description: String
    }

    static let namedColors: [String: UInt8] = [
        "black": 0, "red": 1, "green": 2, "yellow": 3, "blue": 4, "magenta": 5, "cyan": 6, "white": 7,
        "bright-black": 8, "gray": 8, "grey": 8, "bright-red": 9, "bright-green": 10, "bright-yellow": 11, "bright-blue": 12,
        "bright-magenta": 13, "bright-cyan": 14, "bright-white": 15,
    ]

    static func color(_ s: String, palette: [String: String], depth: Int = 0) throws -> Color {
        let t = s.trimmingCharacters(in: .whitespaces).lowercased()
        if t == "default" || t.isEmpty { return .default }
        if let p = palette[t], depth < 4 { return try color(p, palette: palette, depth: depth + 1) }
        if let n = namedColors[t] { return .indexed(n) }
        if let i = UInt8(t) { return .indexed(i) }
        if t.hasPrefix("#"), t.count == 7, let v = UInt32(t.dropFirst(), radix: 16) {
            return .rgb(UInt8(v >> 16), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF))
        }
        throw LoadError(description: "unknown colour '\(s)' (use #rrggbb, 0–255, a colour name or a [palette] name)")
    }

    /// Reads `[palette]` and the `[roles.NAME]` tables (fg, bg, attribute flags). Unknown roles are errors.
    static func styles(from table: TOMLTable) throws -> [Role: Style] {
        var palette: [String: String] = [:]
        if let p = table["palette"]?.table {
            for (k, v) in p { if let s = v.string { palette[k.lowercased()] = s } }
        }
        guard let roles = table["roles"]?.table else { throw LoadError(description: "no [roles] table") }
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
        if fillFromDefault {
            let base = builtinDefault
            for r in Role.allCases where styles[r] == nil { styles[r] = base.styles[r] ?? .plain }
        }
        return Theme(name: table["name"]?.string ?? fallbackName, styles: styles)
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
        if wanted.contains("/") || wanted.hasSuffix(".toml") {
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
            do { return (try parse(text, fallbackName: ((path as NSString).lastPathComponent as NSString).deletingPathExtension), nil) } catch {
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
