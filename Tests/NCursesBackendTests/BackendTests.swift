import Foundation
@testable import NCursesBackend
import TerminalUI
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// ncurses is process-global: one screen at a time.
@Suite(.serialized) struct BackendTests {
    @Test func colourDowngrade() {
        #expect(ColorDowngrade.xterm256(0xff, 0x00, 0x00) == 196)
        #expect(ColorDowngrade.xterm256(0x30, 0x30, 0x30) == 236, "greys use the grey ramp")
        #expect(ColorDowngrade.index(196, depth: .c8) == 1)
        #expect(ColorDowngrade.index(9, depth: .c8) == 1, "bright red falls back to red")
        #expect(ColorDowngrade.index(200, depth: .c256) == 200)
        #expect(ColorDowngrade.index(231, depth: .c16) == 15, "white from the cube is bright white")
    }

    /// Draws through a real ncurses screen (newterm to a file, no terminal needed) and reads what ncurses wrote.
    /// `color` is explicit: `swift test` sets NO_COLOR, which auto mode would honour.
    func render(_ buffer: Buffer, term: String, color: ColorDepth = .c256) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tracemind-backend-\(UUID().uuidString)").path
        defer { unlink(path) }
        guard let out = fopen(path, "w"), let inp = fopen("/dev/null", "r") else { throw CocoaError(.fileWriteUnknown) }
        let t = try NCursesTerminal(colorMode: color, output: out, input: inp, termName: term)
        t.draw(buffer)
        t.close()
        fclose(out)
        fclose(inp)
        return String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
    }

    @Test func textWideCharactersAnd256ColoursReachTheTerminal() throws {
        var b = Buffer(width: 30, height: 3)
        b.put("héllo 中文", x: 0, y: 0, style: Style(fg: .indexed(208), attrs: [.bold]))
        let text = try render(b, term: "xterm-256color")
        #expect(text.contains("héllo") && text.contains("中文"))
        #expect(text.contains("\u{1b}[38;5;208m"), "a 256-colour foreground")
        #expect(text.contains("\u{1b}[?1049h"), "the alternate screen is used")
        #expect(text.contains("\u{1b}[?1049l"), "and left on close")
    }

    @Test func hostileTextNeverReachesTheTerminalRaw() throws {
        var b = Buffer(width: 60, height: 2)
        b.put("x\u{1b}]0;pwned\u{07}y\u{1b}[2Jz\u{9b}31m", x: 0, y: 0)
        let text = try render(b, term: "xterm-256color")
        #expect(!text.contains("]0;pwned\u{07}"), "no OSC title sequence")
        #expect(!text.contains("y\u{1b}[2Jz"), "no screen-clearing CSI from the data")
        #expect(text.contains("x\u{FFFD}]0;pwned\u{FFFD}y\u{FFFD}[2Jz\u{FFFD}31m"), "drawn as the replacement character")
    }

    @Test func eightColourTerminalsGetDowngradedColours() throws {
        var b = Buffer(width: 10, height: 1)
        b.put("red", x: 0, y: 0, style: Style(fg: .rgb(255, 0, 0)))
        let text = try render(b, term: "xterm")
        #expect(text.contains("red"))
        #expect(!text.contains("38;5;"), "no 256-colour sequences on an 8-colour terminal")
        #expect(text.contains("\u{1b}[31m"), "red becomes ANSI red")
    }

    @Test func monochromeDrawsNoColour() throws {
        var b = Buffer(width: 10, height: 1)
        b.put("plain", x: 0, y: 0, style: Style(fg: .indexed(196), attrs: [.reverse]))
        let text = try render(b, term: "xterm-256color", color: .mono)
        #expect(text.contains("plain"))
        #expect(!text.contains("38;5;196"))
        #expect(text.contains(";7m") || text.contains("\u{1b}[7m"), "attributes still carry the meaning")
    }

    @Test func aBadTermIsAnErrorNotAnExit() {
        #expect(throws: TerminalError.self) { try render(Buffer(width: 5, height: 1), term: "no-such-terminal-type") }
    }
}
