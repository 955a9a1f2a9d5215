@testable import TerminalUI
import Testing

@Suite struct TableTests {
    let cols = [
        Column("name", width: 6, frozen: true), Column("a", width: 3, right: true), Column("b", width: 3, right: true),
        Column("c", width: 3, right: true), Column("d", width: 3, right: true),
    ]

    @Test func frozenColumnsStayAndTheRestScroll() {
        let l0 = TableView.layout(cols, width: 16, hOffset: 0)
        #expect(l0.placed.map(\.index) == [0, 1, 2])
        #expect(!l0.hiddenLeft && l0.hiddenRight)
        let l2 = TableView.layout(cols, width: 16, hOffset: 2)
        #expect(l2.placed.map(\.index) == [0, 3, 4])
        #expect(l2.hiddenLeft && !l2.hiddenRight)
        #expect(TableView.maxHOffset(cols, width: 16) == 2)
    }

    @Test func rendersHeaderRowsSelectionAndIndicators() {
        let rows = [TableRow(["alpha", "1", "2", "3", "4"]), TableRow(["beta", "10", "20", "30", "40"])]
        let sel = Style(attrs: [.reverse])
        var b = Buffer(width: 16, height: 3)
        TableView(columns: cols, rows: rows, selected: 1, offset: 0, hOffset: 1, headerStyle: Style(attrs: [.bold]), selectedStyle: sel)
            .render(into: &b, area: b.area)
        #expect(b.plainText == "name  ◀  b   c ▶\nalpha    2   3  \nbeta    20  30  ")
        #expect(b[0, 2].style.attrs.contains(.reverse) && b[15, 2].style.attrs.contains(.reverse), "the selection spans the row")
        let tv = TableView(columns: cols, rows: rows, selected: nil, offset: 0, hOffset: 1, headerStyle: .plain, selectedStyle: sel)
        #expect(tv.column(at: 8, area: b.area) == 2)
        #expect(tv.column(at: 1, area: b.area) == 0)
    }

    @Test func offsetKeepsTheSelectionVisible() {
        #expect(TableView.offset(selected: 12, current: 0, visible: 5, count: 20) == 8)
        #expect(TableView.offset(selected: 2, current: 8, visible: 5, count: 20) == 2)
        #expect(TableView.offset(selected: 19, current: 0, visible: 5, count: 20) == 15)
        #expect(TableView.offset(selected: 3, current: 0, visible: 10, count: 4) == 0)
    }
}

@Suite struct ChartTests {
    @Test func spanBarsHaveSubCellStartsAndEnds() {
        var b = Buffer(width: 6, height: 1)
        // From 1.5 cells to 4.25 cells: a right half block, two full cells, a quarter block.
        SpanBar(start: 1.5, end: 4.25, style: Style(fg: .indexed(2))).render(into: &b, area: Rect(x: 0, y: 0, width: 6, height: 1))
        #expect(b.plainText == " ▐██▎ ")
        #expect((0..<6).allSatisfy { !b[$0, 0].style.attrs.contains(.reverse) }, "never reverse video: it leaves lines of colour around a glyph")
        // A start in a cell's first quarter fills it; in its last quarter, a right eighth marks it.
        var c = Buffer(width: 6, height: 1)
        SpanBar(start: 1.2, end: 3, style: .plain).render(into: &c, area: Rect(x: 0, y: 0, width: 6, height: 1))
        #expect(c.plainText == " ██   ")
        var d = Buffer(width: 6, height: 1)
        SpanBar(start: 1.9, end: 3, style: .plain).render(into: &d, area: Rect(x: 0, y: 0, width: 6, height: 1))
        #expect(d.plainText == " ▕█   ")
    }

    @Test func zeroLengthSpansStillShow() {
        var b = Buffer(width: 4, height: 1)
        SpanBar(start: 2.0, end: 2.0, style: .plain).render(into: &b, area: Rect(x: 0, y: 0, width: 4, height: 1))
        #expect(b.plainText == "  ▏ ")
    }

    @Test func barTextAndSparklines() {
        #expect(barText(0.5, width: 4) == "██  ")
        #expect(barText(0.01, width: 4) == "▏   ", "a non-zero value is never invisible")
        #expect(barText(0, width: 3) == "   ")
        #expect(sparkText([0, 1, 2, 3, 4, 5, 6, 7], width: 8) == "▁▂▃▄▅▆▇█")
        #expect(sparkText([1, 9, 1, 1], width: 2) == "█▁", "peaks survive resampling")
    }

    @Test func columnChartsStackEighthsAndStretchShortSeries() {
        let rows = columnChartText([0, 50, 100], width: 6, height: 2, lo: 0, hi: 100)
        #expect(rows == ["    ██", "  ████"])
    }

    @Test func niceTicks() {
        #expect(niceStep(1160, maxTicks: 6) == 200)
        #expect(niceStep(1160, maxTicks: 5) == 500)
        #expect(niceStep(0.0041, maxTicks: 4) == 0.002)
        #expect(niceStep(73_000, maxTicks: 7) == 20_000)
    }

    @Test func brailleDots() {
        var c = BrailleCanvas(width: 2, height: 1)
        c.set(0, 0)
        c.set(3, 3)
        #expect(c.lines() == ["⠁⢀"])
        var l = BrailleCanvas(width: 2, height: 1)
        l.line(0, 3, 3, 0)
        #expect(l.lines()[0].count == 2)
    }
}

@Suite struct TextTests {
    @Test func wrapsAtWordsAndHardBreaksLongWords() {
        #expect(wrapText("the quick brown fox", width: 9) == ["the quick", "brown fox"])
        #expect(wrapText("abcdefghij", width: 4) == ["abcd", "efgh", "ij"])
        #expect(wrapText("a\nb", width: 5) == ["a", "b"])
        #expect(wrapText("東京の天気", width: 4) == ["東京", "の天", "気"], "wide characters count two columns")
    }

    @Test func wrapKeepsStyles() {
        let line: Line = [Segment("red ", Style(fg: .indexed(1))), Segment("blue", Style(fg: .indexed(4)))]
        let out = wrap(line, width: 4)
        #expect(out.count == 2)
        #expect(out[1].first?.style.fg == .indexed(4))
    }

    @Test func highlightMarksEveryMatch() {
        let h = highlight([Segment("abcABC")], "bc", Style(attrs: [.reverse]))
        #expect(h.map(\.text) == ["a", "bc", "A", "BC"])
        #expect(h[1].style.attrs.contains(.reverse) && h[3].style.attrs.contains(.reverse))
    }

    @Test func textViewScrollsAndShowsAScrollBar() {
        let lines: [Line] = (1...10).map { [Segment("line \($0)")] }
        var b = Buffer(width: 10, height: 3)
        TextView(lines: lines, offset: 4, indicatorStyle: .plain).render(into: &b, area: b.area)
        #expect(b.plainText.hasPrefix("line 5"))
        #expect(b[9, 0].symbol != " ", "a scroll bar on the right edge")
        #expect(TextView.maxOffset(lines: 10, height: 3) == 7)
    }

    @Test func gaugeLabelStaysReadable() {
        var b = Buffer(width: 10, height: 1)
        Gauge(fraction: 0.6, label: "60%", fill: Style(fg: .indexed(2)), track: .plain).render(into: &b, area: Rect(x: 0, y: 0, width: 10, height: 1))
        #expect(b.plainText.contains("60%"))
    }

    @Test func keyHintsStopWhenFull() {
        var b = Buffer(width: 20, height: 1)
        KeyHints([KeyHint("q", "quit"), KeyHint("?", "help"), KeyHint("/", "filter")], keyStyle: .plain, textStyle: .plain).render(into: &b, area: Rect(x: 0, y: 0, width: 20, height: 1))
        #expect(b.plainText.hasPrefix(" q quit  ? help "))
        #expect(!b.plainText.contains("filter"))
    }
}
