/// One key hint: the key(s) and what they do.
public struct KeyHint: Sendable, Equatable {
    public var keys: String
    public var help: String
    public init(_ keys: String, _ help: String) {
        self.keys = keys
        self.help = help
    }
}

/// Key hints left to right, on the area's first row, while they fit.
public struct KeyHints {
    public var hints: [KeyHint]
    public var keyStyle: Style
    public var textStyle: Style

    public init(_ hints: [KeyHint], keyStyle: Style, textStyle: Style) {
        self.hints = hints
        self.keyStyle = keyStyle
        self.textStyle = textStyle
    }

    /// Draws what fits; returns the next free column.
    @discardableResult
    public func render(into buf: inout Buffer, area: Rect) -> Int {
        var cx = area.x
        for h in hints {
            let need = TextWidth.width(h.keys) + TextWidth.width(h.help) + 3
            if cx + need > area.maxX { break }
            cx = buf.put(" " + h.keys + " ", x: cx, y: area.y, style: keyStyle)
            cx = buf.put(h.help + " ", x: cx, y: area.y, style: textStyle)
        }
        return cx
    }
}
