/// A run of text in one style.
public struct Segment: Hashable, Sendable {
    public var text: String
    public var style: Style
    public init(_ text: String, _ style: Style = .plain) {
        self.text = text
        self.style = style
    }
}

/// One line of styled text.
public typealias Line = [Segment]

extension Buffer {
    /// Draws a styled line from (x, y), clipped at `maxX`; returns the next column.
    @discardableResult
    public mutating func put(_ line: Line, x: Int, y: Int, maxX: Int? = nil) -> Int {
        var cx = x
        for s in line { cx = put(s.text, x: cx, y: y, maxX: maxX, style: s.style) }
        return cx
    }
}

/// Display width of a styled line.
public func width(of line: Line) -> Int { line.reduce(0) { $0 + TextWidth.width($1.text) } }

/// Wraps plain text to a width: at spaces where possible, hard breaks otherwise. Newlines start new lines.
public func wrapText(_ text: String, width: Int) -> [String] {
    wrap([Segment(text)], width: width).map { $0.map(\.text).joined() }
}

/// Wraps a styled line to a width (words where possible, hard breaks otherwise); `\n` starts a new line.
public func wrap(_ line: Line, width: Int) -> [Line] {
    guard width > 0 else { return [] }
    var out: [Line] = []
    var cur: Line = []
    var curW = 0
    // The pending word, kept with its styles so a word that does not fit moves to the next line whole.
    var word: [(Character, Style, Int)] = []
    var wordW = 0

    func append(_ ch: Character, _ st: Style, to l: inout Line) {
        if let last = l.last, last.style == st {
            l[l.count - 1].text.append(ch)
        } else {
            l.append(Segment(String(ch), st))
        }
    }
    func newLine() {
        out.append(cur)
        cur = []
        curW = 0
    }
    func flushWord() {
        guard !word.isEmpty else { return }
        if curW > 0 && curW + wordW > width { newLine() }
        for (ch, st, w) in word {
            if curW + w > width { newLine() }
            append(ch, st, to: &cur)
            curW += w
        }
        word = []
        wordW = 0
    }
    for seg in line {
        for ch in seg.text {
            if ch == "\n" || ch == "\r\n" {
                flushWord()
                newLine()
                continue
            }
            let w = TextWidth.sanitize(ch).width
            if ch == " " {
                flushWord()
                if curW + 1 <= width {
                    append(ch, seg.style, to: &cur)
                    curW += 1
                } else {
                    newLine()
                }
                continue
            }
            word.append((ch, seg.style, w))
            wordW += w
        }
    }
    flushWord()
    out.append(cur)
    return out
}

/// Marks every case-insensitive occurrence of `term` in a styled line with `style` patched over.
public func highlight(_ line: Line, _ term: String, _ style: Style) -> Line {
    let t = term.lowercased()
    guard !t.isEmpty else { return line }
    let text = line.map(\.text).joined()
    let lower = text.lowercased()
    guard lower.count == text.count, lower.contains(t) else { return line }
    // Character offsets of hits.
    var hit = [Bool](repeating: false, count: text.count)
    let lc = Array(lower), tc = Array(t)
    var i = 0
    while i + tc.count <= lc.count {
        if Array(lc[i..<(i + tc.count)]) == tc {
            for k in i..<(i + tc.count) { hit[k] = true }
            i += tc.count
        } else {
            i += 1
        }
    }
    var out: Line = []
    var k = 0
    for seg in line {
        for ch in seg.text {
            let st = hit[k] ? seg.style.patched(style) : seg.style
            if let last = out.last, last.style == st { out[out.count - 1].text.append(ch) } else { out.append(Segment(String(ch), st)) }
            k += 1
        }
    }
    return out
}
