import CNCursesW
import CProcess
import FoundationEssentials
import Glibc
import TerminalUI

public enum TerminalError: Error, CustomStringConvertible {
    case notATerminal
    case dumbTerminal
    case cannotInitialise(String)
    public var description: String {
        switch self {
        case .notATerminal:
            return "not a terminal: the browser needs an interactive terminal; use the report commands instead (tracemind leaderboard|run|compare|trace --format table|json|csv|markdown)"
        case .dumbTerminal:
            return "TERM=dumb cannot show the browser; use the report commands instead (tracemind leaderboard|run|compare|trace)"
        case .cannotInitialise(let t):
            return "cannot initialise the terminal '\(t)'; check $TERM, or use the report commands (tracemind leaderboard|run|compare|trace)"
        }
    }
}

extension TerminalBackground {
    /// Asks the terminal (OSC 11, at most `timeoutMs`), else reads `COLORFGBG`; nil when neither tells. Call before
    /// the screen starts: the terminal's reply must not reach the key reader.
    public static func detect(environment: [String: String] = ProcessInfo.processInfo.environment, timeoutMs: Int32 = 200) -> TerminalBackground? {
        let term = environment["TERM"] ?? ""
        if !term.isEmpty, term != "dumb", term != "linux" {
            var buf = [CChar](repeating: 0, count: 256)
            let n = cn_query_background(&buf, Int32(buf.count), timeoutMs)
            if n > 0, let bg = parse(oscReply: buf.prefix(Int(n)).map { UInt8(bitPattern: $0) }) { return bg }
        }
        return environment["COLORFGBG"].flatMap { parse(colorFGBG: $0) }
    }
}

/// The ncurses screen. Everything that touches C lives here.
public final class NCursesTerminal: TerminalBackend {
    private var screen: OpaquePointer?
    /// The terminal's output stream (for what ncurses does not write: the clipboard's OSC 52).
    private var output: UnsafeMutablePointer<FILE>?
    private var pairs: [Int32: Int16] = [:]  // (fg<<16 | bg) → pair
    public let depth: ColorDepth
    public let unicode: Bool
    private var closed = false
    private var ownsSignals = false

    /// Opens the alternate screen. `colorMode`: nil = auto (NO_COLOR honoured).
    public init(colorMode: ColorDepth? = nil, output: UnsafeMutablePointer<FILE>? = nil, input: UnsafeMutablePointer<FILE>? = nil, termName: String? = nil) throws {
        _ = setlocale(LC_ALL, "")
        // The terminal needs the user's character set; numbers are read and written in the C locale's form.
        _ = setlocale(LC_NUMERIC, "C")
        if String(cString: cn_codeset()) != "UTF-8" { _ = setlocale(LC_CTYPE, "C.UTF-8") }
        unicode = String(cString: cn_codeset()) == "UTF-8"
        let term = termName ?? ProcessInfo.processInfo.environment["TERM"] ?? ""
        if term == "dumb" || term.isEmpty { throw TerminalError.dumbTerminal }
        if output == nil {
            guard isatty(STDOUT_FILENO) == 1, isatty(STDIN_FILENO) == 1 else { throw TerminalError.notATerminal }
        }
        let out = output ?? fdopen(STDOUT_FILENO, "w")
        let inp = input ?? fdopen(STDIN_FILENO, "r")
        if output == nil { cn_save_termios() }
        guard let s = newterm(term, out, inp) else { throw TerminalError.cannotInitialise(term) }
        screen = s
        self.output = out
        if output == nil {
            cn_prepare_restore()
            // Every signal that ends the process puts the terminal back first; SIGTERM, SIGHUP, SIGINT and SIGQUIT
            // end the loop instead, so the terminal is restored by `close` and the process then ends by the signal.
            cn_publish_restore()
            tm_install_signal_handlers(1)
            ownsSignals = true
        }
        raw()
        noecho()
        nonl()
        _ = keypad(cn_stdscr(), true)
        _ = curs_set(0)
        _ = set_escdelay(25)
        // Auto (nil) honours NO_COLOR; an explicit mode overrides it. Either way, no more than the terminal has.
        var supported = ColorDepth.mono
        let noColor = !(ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
        if has_colors() && (colorMode != nil || !noColor) {
            start_color()
            _ = use_default_colors()
            let n = cn_colors()
            supported = n >= 256 ? .c256 : (n >= 16 ? .c16 : (n >= 8 ? .c8 : .mono))
        }
        if let colorMode, colorMode.rawValue < supported.rawValue { depth = colorMode } else { depth = supported }
        var old: mmask_t = 0
        _ = mousemask(CN_ALL_MOUSE_EVENTS, &old)
        _ = mouseinterval(0)
    }

    deinit { close() }

    /// Restores the terminal. Safe to call more than once.
    public func close() {
        guard !closed else { return }
        closed = true
        endwin()
        tm_terminal_restore_clear()
        if let s = screen { delscreen(s) }
        screen = nil
    }

    public var terminationRequested: Bool { tm_termination_signal() != 0 }

    /// After `close`: a signal that asked the program to end now ends it, so its exit status says which one.
    public func endIfSignalled() {
        let sig = tm_termination_signal()
        guard ownsSignals, sig != 0 else { return }
        tm_partial_cleanup()
        signal(sig, SIG_DFL)
        raise(sig)
    }

    /// OSC 52 (`ESC ] 52 ; c ; BASE64 BEL`) straight to the terminal, after the frame: the terminal (and tmux, with
    /// `set-clipboard`) puts the text on the system clipboard if it allows programs to. At most 64 KiB.
    public func copyToClipboard(_ text: String) {
        guard let out = output else { return }
        let b64 = Data(text.utf8.prefix(65_536)).base64EncodedString()
        _ = fputs("\u{1b}]52;c;\(b64)\u{07}", out)
        _ = fflush(out)
    }

    public func page(title: String, text: String) {
        suspend { Pager.show(title: title, text: text) }
    }

    public func suspend(_ body: () -> Void) {
        def_prog_mode()
        endwin()
        body()
        reset_prog_mode()
        _ = clearok(cn_stdscr(), true)
        refresh()
    }

    public var size: (width: Int, height: Int) { (Int(getmaxx(cn_stdscr())), Int(getmaxy(cn_stdscr()))) }

    private func colorIndex(_ c: Color) -> Int16 {
        switch c {
        case .default: return -1
        case .indexed(let i): return Int16(ColorDowngrade.index(Int(i), depth: depth))
        case .rgb(let r, let g, let b): return Int16(ColorDowngrade.index(ColorDowngrade.xterm256(r, g, b), depth: depth))
        }
    }

    private func pair(_ st: Style) -> Int16 {
        guard depth != .mono else { return 0 }
        let f = colorIndex(st.fg), b = colorIndex(st.bg)
        if f == -1 && b == -1 { return 0 }
        let key = Int32(f) << 16 | Int32(UInt16(bitPattern: b))
        if let p = pairs[key] { return p }
        let p = Int16(pairs.count + 1)
        guard Int32(p) < cn_color_pairs() else { return 0 }
        init_pair(p, f, b)
        pairs[key] = p
        return p
    }

    private func attrs(_ st: Style) -> attr_t {
        var a: attr_t = 0
        if st.attrs.contains(.bold) { a |= CN_A_BOLD }
        if st.attrs.contains(.dim) { a |= CN_A_DIM }
        if st.attrs.contains(.underline) { a |= CN_A_UNDERLINE }
        if st.attrs.contains(.reverse) { a |= CN_A_REVERSE }
        if st.attrs.contains(.italic) { a |= CN_A_ITALIC }
        return a
    }

    public func draw(_ frame: Buffer) {
        let (w, h) = size
        for y in 0..<min(h, frame.height) {
            var x = 0
            while x < min(w, frame.width) {
                let cell = frame[x, y]
                if cell.symbol.isEmpty { x += 1; continue }
                var sym = cell.symbol
                // Never let ncurses and the buffer disagree: unknown widths become '?'.
                if let u = sym.unicodeScalars.first, wcwidth(wchar_t(u.value)) < 0 || !unicode && u.value > 0x7E { sym = "?" }
                var wchars = sym.unicodeScalars.map { wchar_t($0.value) } + [0]
                var cc = cchar_t()
                let p = pair(cell.style)
                _ = setcchar(&cc, &wchars, attrs(cell.style), p, nil)
                _ = mvadd_wch(Int32(y), Int32(x), &cc)
                x += 1
            }
        }
        refresh()
    }

    public func nextEvent(timeoutMs: Int32) -> Event? {
        timeout(timeoutMs)
        var ch: wint_t = 0
        let r = get_wch(&ch)
        if r == KEY_CODE_YES {
            switch Int32(ch) {
            case KEY_UP: return .key(.up)
            case KEY_DOWN: return .key(.down)
            case KEY_LEFT: return .key(.left)
            case KEY_RIGHT: return .key(.right)
            case KEY_PPAGE: return .key(.pageUp)
            case KEY_NPAGE: return .key(.pageDown)
            case KEY_HOME: return .key(.home)
            case KEY_END: return .key(.end)
            case KEY_BACKSPACE: return .key(.backspace)
            case KEY_ENTER: return .key(.enter)
            case KEY_BTAB: return .key(.backTab)
            case KEY_RESIZE:
                let (w, h) = size
                return .resize(width: w, height: h)
            case KEY_MOUSE:
                var ev = MEVENT()
                guard getmouse(&ev) == OK else { return nil }
                if ev.bstate & CN_BUTTON4_PRESSED != 0 { return .mouse(MouseEvent(kind: .wheelUp, x: Int(ev.x), y: Int(ev.y))) }
                if ev.bstate & CN_BUTTON5_PRESSED != 0 { return .mouse(MouseEvent(kind: .wheelDown, x: Int(ev.x), y: Int(ev.y))) }
                if ev.bstate & (CN_BUTTON1_CLICKED | CN_BUTTON1_PRESSED) != 0 {
                    return .mouse(MouseEvent(kind: .click, x: Int(ev.x), y: Int(ev.y)))
                }
                return nil
            default:
                let c = Int32(ch)
                if c >= cn_key_f(1) && c <= cn_key_f(12) { return .key(.function(Int(c - cn_key_f(0)))) }
                return nil
            }
        }
        guard r == OK else { return nil }
        switch ch {
        case 0x1B:
            // A terminal's late answer to the start-up queries (OSC 11 `ESC ] … BEL|ST`, DA1 `ESC [ ? … c`) on a slow
            // link must not be read as Escape and a run of keys (`r` reloads): it is read to its end and dropped.
            if swallowReply() { return nil }
            return .key(.escape)
        case 0x0D, 0x0A: return .key(.enter)
        case 0x09: return .key(.tab)
        case 0x7F, 0x08: return .key(.backspace)
        case 0x01...0x1A: return .key(.ctrl(Character(Unicode.Scalar(ch + 0x60)!)))
        default:
            guard let u = Unicode.Scalar(ch) else { return nil }
            return .key(.char(Character(u)))
        }
    }
}

extension NCursesTerminal {
    /// After an ESC: if an OSC or a private CSI reply follows at once, reads it to its end (at most 512 characters,
    /// 50 ms a character) and says so; anything else is put back for the next read.
    func swallowReply() -> Bool {
        timeout(0)
        var c: wint_t = 0
        guard get_wch(&c) == OK else { return false }
        if c != 0x5D && c != 0x5B {  // neither "]" nor "["
            _ = unget_wch(wchar_t(c))
            return false
        }
        let osc = c == 0x5D
        timeout(0)
        var next: wint_t = 0
        guard get_wch(&next) == OK else {
            _ = unget_wch(wchar_t(c))
            return false
        }
        // "[" starts a reply only as "[?" (DA1); a plain CSI key that ncurses did not know is Escape and its keys.
        if !osc && next != 0x3F {
            _ = unget_wch(wchar_t(next))
            _ = unget_wch(wchar_t(c))
            return false
        }
        var prev = next
        timeout(50)
        for _ in 0..<512 {
            if osc && (prev == 0x07 || prev == 0x5C) { break }
            if !osc && prev >= 0x40 && prev <= 0x7E && prev != 0x3F { break }
            var d: wint_t = 0
            guard get_wch(&d) == OK else { break }
            prev = d
        }
        return true
    }
}

/// Shows text in the user's pager (`$PAGER`, else `less -R`, else `more`), from a private temporary file that is
/// removed afterwards. Nothing is ever written into the data folders. The caller makes the text inert.
enum Pager {
    static func show(title: String, text: String) {
        let dir = FileManager.default.temporaryDirectory
        let file = dir.appendingPathComponent("tracemind-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).txt")
        let body = title + "\n" + String(repeating: "─", count: min(80, max(8, title.count))) + "\n\n" + text + "\n"
        guard FileManager.default.createFile(atPath: file.path, contents: Data(body.utf8), attributes: [.posixPermissions: 0o600]) else { return }
        let slot = tm_partial_add(file.path)
        defer {
            try? FileManager.default.removeItem(at: file)
            tm_partial_remove(slot)
        }
        let env = ProcessInfo.processInfo.environment
        let pager = (env["PAGER"].flatMap { $0.isEmpty ? nil : $0 }) ?? "less -R"
        // Every quote closed, escaped and reopened, by its scalar (whatever character it begins).
        var quoted = ""
        for s in file.path.unicodeScalars {
            if s == "'" { quoted += "'\\''" } else { quoted.unicodeScalars.append(s) }
        }
        let command = pager + " '" + quoted + "'"
        var pid: pid_t = 0
        let args: [String] = ["/bin/sh", "-c", command]
        var argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        guard posix_spawn(&pid, "/bin/sh", nil, nil, &argv, environ) == 0 else { return }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }
}
