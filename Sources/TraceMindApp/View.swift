import FoundationEssentials
import TraceMindFormats
import TerminalUI
import TraceMindModel
import TraceMindReport

/// `view(state) -> Buffer`: pure. Screens draw their body; the frame (breadcrumb, footer, overlays) is drawn here.
public struct Renderer: Sendable {
    public var theme: Theme
    public var symbols: Symbols

    public init(theme: Theme, symbols: Symbols = .unicode) {
        self.theme = theme
        self.symbols = symbols
    }

    func st(_ r: Role) -> Style { theme.style(r) }

    /// A role drawn on the status bars (breadcrumb, footer): the bar's colours under it; on a bar of reverse video
    /// (mono) without dim, which there draws a grey box rather than fainter text.
    func onBar(_ r: Role) -> Style {
        var s = st(.status).patched(st(r))
        if st(.status).attrs.contains(.reverse) { s.attrs.remove(.dim) }
        return s
    }

    static let minWidth = 40, minHeight = 10

    public func view(_ s: AppState) -> Buffer {
        var b = Buffer(width: s.width, height: s.height)
        guard s.width >= Renderer.minWidth, s.height >= Renderer.minHeight else {
            let lines = wrapText("Terminal too small (\(s.width)×\(s.height)): TraceMind needs at least \(Renderer.minWidth)×\(Renderer.minHeight). Enlarge the window, or press q to quit.", width: max(1, s.width))
            for (i, l) in lines.enumerated() { b.put(l, x: 0, y: i, style: st(.warn)) }
            return b
        }
        let body = App.body(s)
        breadcrumb(&b, Rect(x: 0, y: 0, width: s.width, height: 1), s)
        s.route.screen.type.render(&b, body, s, self)
        footer(&b, Rect(x: 0, y: s.height - 1, width: s.width, height: 1), s)
        switch s.overlay {
        case .help(let scroll)?: help(&b, s, scroll: scroll)
        case .facets(let p)?: facets(&b, s, p)
        case .columns(let c)?: columnChooser(&b, s, c)
        case .text(let title, let lines, let scroll)?: textPanel(&b, s, title: title, lines: lines, scroll: scroll)
        default: break
        }
        if let canvas = theme.canvas { b.paint(canvas) }
        return b
    }

    // MARK: frame

    /// `Leaderboard › gpt-4o · tool › weather_003`
    static func crumbs(_ s: AppState) -> [String] {
        s.stack.map { $0.screen.type.crumb(s, $0) }
    }

    func breadcrumb(_ b: inout Buffer, _ r: Rect, _ s: AppState) {
        b.fill(r, st(.status))
        var x = b.put(" TraceMind ", x: r.x, y: r.y, style: onBar(.title))
        let parts = Renderer.crumbs(s)
        let src = s.catalog.isDemo ? "demo data" : (s.catalog.sources.count == 1 ? s.catalog.sources[0] : "\(s.catalog.sources.count) sources")
        let right = " " + TextWidth.truncate(src, max(8, r.width / 4)) + " "
        let maxX = r.maxX - TextWidth.width(right) - 1
        for (i, p) in parts.enumerated() {
            if i > 0 { x = b.put(" › ", x: x, y: r.y, maxX: maxX, style: onBar(.muted)) }
            let last = i == parts.count - 1
            x = b.put(p, x: x, y: r.y, maxX: maxX, style: last ? st(.status).patched(Style(attrs: [.bold])) : st(.status))
        }
        b.put(right, x: r.maxX - TextWidth.width(right), y: r.y, style: onBar(.muted))
    }

    /// What the footer's right side says for the current screen.
    static func status(_ s: AppState) -> String {
        s.route.screen.type.status(s)
    }

    func spinner(_ s: AppState) -> String {
        // Quarter-filled circles (Geometric Shapes): in every common monospace font, unlike braille.
        let frames = symbols.braille ? ["◐", "◓", "◑", "◒"] : ["|", "/", "-", "\\"]
        return frames[s.tick % frames.count]
    }

    func footer(_ b: inout Buffer, _ r: Rect, _ s: AppState) {
        b.fill(r, st(.status))
        var right = Renderer.status(s)
        if App.isBusy(s) { right = spinner(s) + " " + right }
        let rightW = TextWidth.width(right) + 1
        let maxX = r.maxX - rightW - 1
        if case .export(let name)? = s.overlay {
            var x = b.put(" write to ", x: r.x, y: r.y, style: st(.keyHint))
            x = b.put(" " + name, x: x, y: r.y, maxX: maxX - 1, style: st(.status))
            b.put(symbols.eighths[0], x: x, y: r.y, style: onBar(.accent))
            b.put("  .txt .md .csv .json · Enter writes · Esc cancels", x: x + 1, y: r.y, maxX: maxX, style: onBar(.muted))
        } else if case .prompt(let text)? = s.overlay {
            let label = s.route.screen == .trace ? " search " : " filter "
            var x = b.put(label, x: r.x, y: r.y, style: st(.keyHint))
            x = b.put(" " + text, x: x, y: r.y, maxX: maxX - 1, style: st(.status))
            b.put(symbols.eighths[0], x: x, y: r.y, style: onBar(.accent))
        } else if let m = s.message {
            b.put(" " + Format.oneLine(m, max: 400), x: r.x, y: r.y, maxX: maxX, style: onBar(.warn))
        } else {
            KeyHints(KeyMap.hints(for: s.route.screen), keyStyle: st(.keyHint), textStyle: st(.status)).render(into: &b, area: Rect(x: r.x, y: r.y, width: max(0, maxX - r.x), height: 1))
        }
        b.put(right + " ", x: r.maxX - rightW, y: r.y, style: onBar(.muted))
    }

    // MARK: overlays

    func help(_ b: inout Buffer, _ s: AppState, scroll: Int) {
        let screen = s.route.name
        let rows = KeyMap.help(for: s.route.screen)
        let keyW = min(18, rows.map { TextWidth.width($0.keys) }.max() ?? 8)
        let w = min(84, s.width - 4)
        let note = "Tokens and cost are counted once, on the deepest spans that carry them; SMOLTRACE's own figures are shown beside them as recorded. Unknown cost is shown as unknown, never $0."
        // The text's width inside the card: the border, a margin each side, and the scroll bar when the text is
        // longer than the card (wrapped to what is really drawn, so no word is cut and no line meets the border).
        func build(_ textW: Int) -> [Line] {
            var lines: [Line] = []
            for r in rows {
                for (i, l) in wrapText(r.help, width: max(10, textW - keyW - 2)).enumerated() {
                    lines.append([Segment(TextWidth.pad(i == 0 ? r.keys : "", keyW) + "  ", st(.accent)), Segment(l)])
                }
            }
            lines.append([])
            for l in wrapText(note, width: max(10, textW)) { lines.append([Segment(l, st(.muted))]) }
            return lines
        }
        let full = w - 4
        var lines = build(full)
        let h = min(lines.count + 2, s.height - 2)
        if lines.count > h - 2 { lines = build(full - 1) }
        let area = Panel.centered(Rect(x: 0, y: 1, width: s.width, height: s.height - 2), width: w, height: h)
        let card = st(.status)
        let inner = Panel(title: "Keys — \(screen) (any other key closes)", fill: card, border: st(.border), titleStyle: st(.title), symbols: symbols).render(into: &b, area: area)
        TextView(lines: lines, offset: scroll, indicatorStyle: st(.muted), symbols: symbols, base: card)
            .render(into: &b, area: Rect(x: inner.x + 1, y: inner.y, width: inner.width - 1, height: inner.height))
    }

    func facets(_ b: inout Buffer, _ s: AppState, _ p: FacetPicker) {
        let w = min(64, s.width - 4)
        let h = min(p.items.count + 4, s.height - 2)
        let area = Panel.centered(Rect(x: 0, y: 1, width: s.width, height: s.height - 2), width: w, height: h)
        let inner = Panel(title: "Facets — " + KeyMap.overlayHints(for: .facets).joined(separator: " · "), fill: st(.status), border: st(.border), titleStyle: st(.title), symbols: symbols).render(into: &b, area: area)
        let visible = inner.height - 1
        let off = TableView.offset(selected: p.list.selected, current: p.list.offset, visible: visible, count: p.items.count)
        let q = s.leaderboard.query
        for i in 0..<visible {
            let k = off + i
            guard k < p.items.count else { break }
            let item = p.items[k]
            let y = inner.y + i
            var style = st(.status)
            var text: String
            if let v = item.value {
                let on = q.facets[item.facet]?.contains(v) == true
                text = "  [\(on ? "x" : " ")] \(v)"
                if on { style = style.patched(st(.marked)) }
            } else {
                let active = !(q.facets[item.facet] ?? []).isEmpty
                text = item.facet.replacingEvery("_", with: " ") + (active ? "  (filtering; Space here clears)" : "")
                style = style.patched(st(.title))
            }
            if k == p.list.selected { style = style.patched(st(.selected)) }
            b.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), style)
            b.put(text, x: inner.x + 1, y: y, maxX: inner.maxX - 6, style: style)
            b.put(String(item.count), x: inner.maxX - 1 - String(item.count).count, y: y, style: style.patched(st(.muted)))
        }
    }

    func columnChooser(_ b: inout Buffer, _ s: AppState, _ c: ColumnChooser) {
        let w = min(56, s.width - 4)
        let h = min(c.items.count + 2, s.height - 2)
        let area = Panel.centered(Rect(x: 0, y: 1, width: s.width, height: s.height - 2), width: w, height: h)
        let inner = Panel(title: "Columns — " + KeyMap.overlayHints(for: .columns).joined(separator: " · "), fill: st(.status), border: st(.border), titleStyle: st(.title), symbols: symbols).render(into: &b, area: area)
        let hidden = s.hiddenColumns[c.screen] ?? []
        let visible = max(1, inner.height)
        let off = TableView.offset(selected: c.list.selected, current: c.list.offset, visible: visible, count: c.items.count)
        for i in 0..<visible {
            let k = off + i
            guard k < c.items.count else { break }
            let item = c.items[k]
            let y = inner.y + i
            let shown = !hidden.contains(item.id)
            var style = st(.status)
            if shown { style = style.patched(st(.marked)) }
            if k == c.list.selected { style = style.patched(st(.selected)) }
            b.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), style)
            let note = item.locked ? "  (always shown)" : ""
            let cursor = k == c.list.selected ? symbols.rightMore : " "
            b.put("\(cursor)[\(shown ? "x" : " ")] \(item.title)\(note)", x: inner.x, y: y, maxX: inner.maxX, style: style)
        }
    }

    func textPanel(_ b: inout Buffer, _ s: AppState, title: String, lines: [String], scroll: Int) {
        let area = Rect(x: 2, y: 2, width: s.width - 4, height: s.height - 4)
        let inner = Panel(title: title + " — " + (KeyMap.overlayHints(for: .text) + ["any other key closes"]).joined(separator: " · "), fill: st(.base), border: st(.border), titleStyle: st(.title), symbols: symbols).render(into: &b, area: area)
        let wrapped = lines.flatMap { l -> [Line] in
            let isHeading = l.hasPrefix("## ")
            let text = isHeading ? String(l.dropFirst(3)) : l
            return wrap([Segment(text, isHeading ? st(.title) : .plain)], width: max(1, inner.width - 3))
        }
        TextView(lines: wrapped, offset: scroll, indicatorStyle: st(.muted), symbols: symbols)
            .render(into: &b, area: Rect(x: inner.x + 1, y: inner.y, width: inner.width - 1, height: inner.height))
    }

    // MARK: shared helpers for screens

    func kindRole(_ c: SpanCategory) -> Role { SpanKinds.of(c).role }

    func outcomeRole(_ o: TestOutcome?) -> Role {
        switch o {
        case .passed?: return .pass
        case .failed?: return .fail
        case .error?: return .error
        case .timeout?: return .warn
        case nil: return .muted
        }
    }

    /// A one-line labelled row of styled parts.
    func line(_ b: inout Buffer, _ r: Rect, _ y: inout Int, _ parts: [(String, Role?)]) {
        guard y < r.maxY else { return }
        var x = r.x + 1
        for (t, role) in parts { x = b.put(t, x: x, y: y, maxX: r.maxX, style: role.map(st) ?? .plain) }
        y += 1
    }

    /// A centered note in an empty area (loading, nothing to show, failure).
    func note(_ b: inout Buffer, _ r: Rect, _ text: String, _ role: Role = .muted) {
        let lines = wrapText(text, width: max(10, min(r.width - 4, 80)))
        for (i, l) in lines.enumerated() where r.y + 2 + i < r.maxY {
            b.put(l, x: r.x + 2, y: r.y + 2 + i, maxX: r.maxX, style: st(role))
        }
    }

    /// A progress line for a background load.
    func loading(_ b: inout Buffer, _ r: Rect, _ s: AppState, what: String, phase: String, fraction: Double) {
        let y = r.y + 2
        guard y < r.maxY else { return }
        var x = b.put("  " + spinner(s) + " loading \(what): \(phase)… ", x: r.x, y: y, style: st(.accent))
        x += 1
        Gauge(fraction: fraction, label: NumberText.fixed(fraction * 100, 0) + "%", fill: st(.barFill), track: st(.muted), symbols: symbols)
            .render(into: &b, area: Rect(x: x, y: y, width: max(10, min(40, r.maxX - x - 2)), height: 1))
        if y + 2 < r.maxY { b.put("  Esc cancels and goes back", x: r.x, y: y + 2, style: st(.muted)) }
    }
}
