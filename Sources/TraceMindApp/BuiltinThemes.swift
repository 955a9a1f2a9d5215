// The built-in themes, identical to Themes/*.toml (a test keeps them in step), so the binary works anywhere.
enum BuiltinThemes {
    static let names = ["default", "light", "high-contrast", "mono", "tracemind"]
    static let files: [String: String] = [
        "default": #"""
# TraceMind default: dark terminals.
name = "default"

[palette]
accent = "#5fafd7"
pass = "#5fd75f"
fail = "#ff5f5f"
warn = "#ffaf00"
muted = "#8a8a8a"

[roles.base]
fg = "default"
[roles.title]
fg = "accent"
bold = true
[roles.header]
fg = "#d0d0d0"
bg = "#303030"
bold = true
[roles.border]
fg = "#585858"
[roles.selected]
fg = "#ffffff"
bg = "#005f87"
bold = true
[roles.marked]
fg = "#ffd75f"
[roles.muted]
fg = "muted"
[roles.accent]
fg = "accent"
[roles.pass]
fg = "pass"
[roles.fail]
fg = "fail"
bold = true
[roles.warn]
fg = "warn"
[roles.error]
fg = "#ff5f87"
bold = true
[roles.cost]
fg = "#d7af5f"
[roles.tokens]
fg = "#87afd7"
[roles.recorded]
fg = "muted"
italic = true
[roles.bar_fill]
fg = "accent"
[roles.bar_alt]
fg = "#af87d7"
[roles.key_hint]
fg = "#000000"
bg = "accent"
bold = true
[roles.status]
fg = "#d0d0d0"
bg = "#262626"
[roles.tab_active]
fg = "#000000"
bg = "accent"
bold = true
[roles.tab_inactive]
fg = "muted"
[roles.kind_agent]
fg = "#af87ff"
[roles.kind_chain]
fg = "#5fafaf"
[roles.kind_llm]
fg = "#5fafd7"
[roles.kind_tool]
fg = "#87d787"
[roles.kind_other]
fg = "muted"
"""#,
        "light": #"""
# For light backgrounds.
name = "light"

[palette]
accent = "#005f87"
muted = "#6c6c6c"

[roles.title]
fg = "accent"
bold = true
[roles.header]
fg = "#000000"
bg = "#d0d0d0"
bold = true
[roles.border]
fg = "#a8a8a8"
[roles.selected]
fg = "#ffffff"
bg = "#005f87"
bold = true
[roles.marked]
fg = "#875f00"
bold = true
[roles.muted]
fg = "muted"
[roles.accent]
fg = "accent"
[roles.pass]
fg = "#008700"
[roles.fail]
fg = "#d70000"
bold = true
[roles.warn]
fg = "#af5f00"
[roles.error]
fg = "#d7005f"
bold = true
[roles.cost]
fg = "#875f00"
[roles.tokens]
fg = "#005faf"
[roles.recorded]
fg = "muted"
italic = true
[roles.bar_fill]
fg = "accent"
[roles.bar_alt]
fg = "#5f00af"
[roles.key_hint]
fg = "#ffffff"
bg = "accent"
bold = true
[roles.status]
fg = "#000000"
bg = "#e4e4e4"
[roles.tab_active]
fg = "#ffffff"
bg = "accent"
bold = true
[roles.tab_inactive]
fg = "muted"
[roles.kind_agent]
fg = "#5f00af"
[roles.kind_chain]
fg = "#005f5f"
[roles.kind_llm]
fg = "#005f87"
[roles.kind_tool]
fg = "#005f00"
[roles.kind_other]
fg = "muted"
"""#,
        "high-contrast": #"""
# Maximum contrast: bright colours, bold text.
name = "high-contrast"

[roles.title]
fg = "bright-white"
bold = true
[roles.header]
fg = "black"
bg = "bright-white"
bold = true
[roles.border]
fg = "bright-white"
[roles.selected]
fg = "black"
bg = "bright-yellow"
bold = true
[roles.marked]
fg = "bright-cyan"
bold = true
underline = true
[roles.muted]
fg = "white"
[roles.accent]
fg = "bright-cyan"
bold = true
[roles.pass]
fg = "bright-green"
bold = true
[roles.fail]
fg = "bright-red"
bold = true
[roles.warn]
fg = "bright-yellow"
bold = true
[roles.error]
fg = "bright-magenta"
bold = true
[roles.cost]
fg = "bright-yellow"
[roles.tokens]
fg = "bright-cyan"
[roles.recorded]
fg = "white"
italic = true
[roles.bar_fill]
fg = "bright-white"
[roles.bar_alt]
fg = "bright-magenta"
[roles.key_hint]
fg = "black"
bg = "bright-cyan"
bold = true
[roles.status]
fg = "bright-white"
bg = "black"
[roles.tab_active]
fg = "black"
bg = "bright-white"
bold = true
[roles.tab_inactive]
fg = "white"
[roles.kind_agent]
fg = "bright-magenta"
[roles.kind_chain]
fg = "bright-cyan"
[roles.kind_llm]
fg = "bright-blue"
[roles.kind_tool]
fg = "bright-green"
[roles.kind_other]
fg = "white"
"""#,
        "mono": #"""
# No colour at all: every role differs by attribute or glyph.
name = "mono"

[roles.title]
bold = true
[roles.header]
bold = true
underline = true
[roles.selected]
reverse = true
[roles.marked]
bold = true
underline = true
[roles.muted]
dim = true
[roles.accent]
bold = true
[roles.pass]
bold = true
[roles.fail]
bold = true
underline = true
[roles.warn]
underline = true
[roles.error]
bold = true
reverse = true
[roles.cost]
italic = true
[roles.tokens]
[roles.recorded]
dim = true
italic = true
[roles.bar_fill]
[roles.bar_alt]
dim = true
[roles.key_hint]
reverse = true
[roles.status]
reverse = true
[roles.tab_active]
reverse = true
bold = true
[roles.tab_inactive]
dim = true
[roles.kind_agent]
bold = true
[roles.kind_chain]
[roles.kind_llm]
underline = true
[roles.kind_tool]
italic = true
[roles.kind_other]
dim = true
"""#,
        "tracemind": #"""
# The TraceMind web app's indigo/purple palette.
name = "tracemind"

[palette]
indigo = "#667eea"
purple = "#764ba2"
muted = "#9e9e9e"

[roles.title]
fg = "indigo"
bold = true
[roles.header]
fg = "#ffffff"
bg = "purple"
bold = true
[roles.border]
fg = "purple"
[roles.selected]
fg = "#ffffff"
bg = "indigo"
bold = true
[roles.marked]
fg = "#d7afff"
bold = true
[roles.muted]
fg = "muted"
[roles.accent]
fg = "indigo"
[roles.pass]
fg = "#10b981"
[roles.fail]
fg = "#ef4444"
bold = true
[roles.warn]
fg = "#f59e0b"
[roles.error]
fg = "#dc143c"
bold = true
[roles.cost]
fg = "#f59e0b"
[roles.tokens]
fg = "#8b9cf7"
[roles.recorded]
fg = "muted"
italic = true
[roles.bar_fill]
fg = "indigo"
[roles.bar_alt]
fg = "purple"
[roles.key_hint]
fg = "#ffffff"
bg = "purple"
bold = true
[roles.status]
fg = "#e0e0ff"
bg = "#2a2340"
[roles.tab_active]
fg = "#ffffff"
bg = "indigo"
bold = true
[roles.tab_inactive]
fg = "muted"
[roles.kind_agent]
fg = "purple"
[roles.kind_chain]
fg = "#06b6d4"
[roles.kind_llm]
fg = "indigo"
[roles.kind_tool]
fg = "#10b981"
[roles.kind_other]
fg = "muted"
"""#,
    ]
}
