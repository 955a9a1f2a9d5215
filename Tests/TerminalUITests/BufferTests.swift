@testable import TerminalUI
import Testing

@Suite struct BufferTests {
    @Test func widths() {
        #expect(TextWidth.width("abc") == 3)
        #expect(TextWidth.width("中文") == 4)
        #expect(TextWidth.width("e\u{301}") == 1)
        #expect(TextWidth.width("👨‍👩‍👧") == 2)
        #expect(TextWidth.width("❤️") == 1)
        #expect(TextWidth.width("🇺🇸") == 2)
        #expect(TextWidth.width("👍🏽") == 2)
    }

    @Test func wideCharacterNeverSplitAtTheEdge() {
        var b = Buffer(width: 5, height: 1)
        let end = b.put("ab中文", x: 0, y: 0)
        #expect(end == 4)
        #expect(b.plainText == "ab中 ")
    }

    /// The report's lines are `plainText`'s lines without their trailing blanks, wide characters and all.
    @Test func trimmedLinesArePlainTextTrimmed() {
        var b = Buffer(width: 7, height: 4)
        b.put("ab中 c", x: 0, y: 0)
        b.put("  x", x: 1, y: 2)
        b.put("中中中", x: 1, y: 3)
        let expected = b.plainText.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            var s = String(line)
            while s.hasSuffix(" ") { s.removeLast() }
            return s
        }
        #expect(b.trimmedLines == expected && expected == ["ab中 c", "", "   x", " 中中中"])
    }

    @Test func controlsAndEscapesAreInert() {
        var b = Buffer(width: 20, height: 1)
        b.put("a\u{1b}[2Jb\u{7}c\u{202E}", x: 0, y: 0)
        #expect(b.plainText.hasPrefix("a\u{FFFD}[2Jb\u{FFFD}c\u{FFFD}"), "controls become the replacement character, which every font has")
    }

    @Test func barUsesEighths() {
        var b = Buffer(width: 4, height: 1)
        Bar(fraction: 0.5 + 2.0 / 32, style: .plain).render(into: &b, area: Rect(x: 0, y: 0, width: 4, height: 1))
        #expect(b.plainText == "██▎ ")
    }

    @Test func truncateWithEllipsis() {
        #expect(TextWidth.truncate("mistral-small-latest", 8) == "mistral…")
        #expect(TextWidth.truncate("東京東京", 5) == "東京…")
    }
}

@Suite struct UnderlineTests {
    @Test func anUnderlineNeverRunsUnderPadding() {
        var b = Buffer(width: 12, height: 1)
        b.put("  two words ", x: 0, y: 0, style: Style(attrs: [.underline, .bold]))
        let underlined = (0..<12).map { b[$0, 0].style.attrs.contains(.underline) }
        #expect(underlined == [false, false, true, true, true, true, true, true, true, true, true, false], "the inner space keeps it")
        #expect((0..<11).allSatisfy { b[$0, 0].style.attrs.contains(.bold) }, "other attributes cover the whole text")
        var c = Buffer(width: 4, height: 1)
        c.put("   ", x: 0, y: 0, style: Style(attrs: [.underline]))
        #expect((0..<4).allSatisfy { !c[$0, 0].style.attrs.contains(.underline) }, "a blank is never an underlined slot")
    }
}
