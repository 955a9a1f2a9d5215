/// Terminal-agnostic input.
public enum Key: Hashable, Sendable {
    case char(Character)
    case ctrl(Character)
    case enter, escape, backspace, tab, backTab
    case up, down, left, right, pageUp, pageDown, home, end
    case function(Int)
}

public struct MouseEvent: Hashable, Sendable {
    public enum Kind: Hashable, Sendable { case click, wheelUp, wheelDown }
    public var kind: Kind
    public var x: Int
    public var y: Int
    public init(kind: Kind, x: Int, y: Int) { self.kind = kind; self.x = x; self.y = y }
}

public enum Event: Hashable, Sendable {
    case key(Key)
    case mouse(MouseEvent)
    case resize(width: Int, height: Int)
}

/// What the backend must offer the app's loop.
public protocol TerminalBackend: AnyObject {
    var size: (width: Int, height: Int) { get }
    func draw(_ frame: Buffer)
    /// nil on timeout.
    func nextEvent(timeoutMs: Int32) -> Event?
    /// Gives the terminal back to the user while `body` runs (a pager), then takes it again and redraws.
    func suspend(_ body: () -> Void)
    /// A signal (SIGTERM, SIGHUP, SIGINT, SIGQUIT) asked the program to end: the loop stops and the terminal is
    /// restored before the process ends.
    var terminationRequested: Bool { get }
    /// Shows text in the user's pager while the screen is suspended.
    func page(title: String, text: String)
    /// Puts text on the clipboard the terminal offers (OSC 52). The text is sent base64-encoded: inert, whatever it holds.
    func copyToClipboard(_ text: String)
}
