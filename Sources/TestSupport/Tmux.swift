import Foundation

/// Drives a real program in a detached tmux session on a private socket (so it never touches the user's tmux).
/// Every wait has a deadline; the session is killed on `close()`.
public final class TmuxSession {
    public let socket: String
    public let name = "tm"
    public private(set) var closed = false

    public static var available: Bool {
        ["/usr/bin/tmux", "/usr/local/bin/tmux", "/bin/tmux"].contains { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Starts `command` (a shell command line) in a `width`×`height` pane. The pane stays open after the program
    /// exits and prints `EXITED rc=N`, so the exit status and the restored screen can be checked.
    public init(command: String, width: Int = 100, height: Int = 30, environment: [String: String] = [:]) {
        socket = "tracemind-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        var env = ["TERM": "xterm-256color", "LANG": "C.UTF-8", "XDG_CACHE_HOME": Subprocess.cacheHome]
        for (k, v) in environment { env[k] = v }
        let exports = env.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.quote($0.value))" }.joined(separator: " ")
        let inner = "env \(exports) \(command); echo EXITED rc=$?; sleep 30"
        tmux("new-session -d -x \(width) -y \(height) -s \(name) \(Self.quote(inner))")
    }

    deinit { close() }

    public static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    @discardableResult
    func tmux(_ args: String, timeout: Double = 10) -> String {
        Subprocess.shell("tmux -L \(socket) \(args)", timeout: timeout).output
    }

    /// What programs in the session put on tmux's clipboard with OSC 52 (the session accepts it: `set-clipboard on`).
    public func clipboard() -> String { tmux("show-buffer") }

    /// Lets programs in the session set tmux's clipboard (OSC 52).
    public func acceptClipboard() { tmux("set-option -g set-clipboard on") }

    /// The visible screen as text.
    public func screen() -> String { tmux("capture-pane -p -t \(name)") }

    /// Sends tmux key names (`Enter`, `Escape`, `Down`, `q`, `C-c`…), one argument each.
    public func send(_ keys: String...) {
        tmux("send-keys -t \(name) " + keys.map(Self.quote).joined(separator: " "))
    }

    /// Types text literally.
    public func type(_ text: String) { tmux("send-keys -l -t \(name) \(Self.quote(text))") }

    public func resize(width: Int, height: Int) { tmux("resize-window -t \(name) -x \(width) -y \(height)") }

    /// Polls the screen until `predicate` holds or `seconds` pass; returns the last screen either way.
    @discardableResult
    public func waitFor(seconds: Double = 10, _ predicate: (String) -> Bool) -> String {
        let end = Date().addingTimeInterval(seconds)
        var s = screen()
        while Date() < end {
            if predicate(s) {
                // A capture can land while a frame is half written: return only a screen that holds still.
                usleep(30_000)
                let again = screen()
                if again == s { return s }
                s = again
                continue
            }
            usleep(50_000)
            s = screen()
        }
        return s
    }

    @discardableResult
    public func waitFor(_ text: String, seconds: Double = 10) -> String { waitFor(seconds: seconds) { $0.contains(text) } }

    /// The program's process id: the child of the pane's shell (the pane runs `sh -c "env … PROGRAM; …"`).
    public func programPID() -> pid_t? {
        let shell = tmux("display -p -t \(name) '#{pane_pid}'").trimmingCharacters(in: .whitespacesAndNewlines)
        let out = Subprocess.shell("pgrep -P \(shell)").output
        return out.split(separator: "\n").compactMap { pid_t($0.trimmingCharacters(in: .whitespaces)) }.first
    }

    /// Whether the pane is in the alternate screen.
    public func alternateScreen() -> Bool {
        tmux("display -p -t \(name) '#{alternate_on}'").trimmingCharacters(in: .whitespacesAndNewlines) == "1"
    }

    public func close() {
        guard !closed else { return }
        closed = true
        tmux("kill-server", timeout: 5)
    }
}
