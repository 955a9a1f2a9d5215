import CProcess
import FoundationEssentials
import Glibc

/// The process-level platform calls of the executable: signal handling for every command, the files that must not
/// outlive the process, and whether a stream is a terminal.
public enum ProcessSafety {
    /// Every signal that ends the process removes the registered partial files first (the browser adds terminal
    /// restoration when it opens the terminal); a report piped into `head` ends quietly by SIGPIPE; signals the
    /// process was started with ignored stay ignored. Partial files are removed at a normal exit too.
    public static func installForReports() {
        tm_install_signal_handlers(0)
        atexit { tm_partial_cleanup() }
    }

    /// Registers a file being written (a partial download) for removal if the process ends by a signal; the id
    /// unregisters it.
    public static func addPartialFile(_ path: String) -> Int { Int(tm_partial_add(path)) }
    public static func removePartialFile(_ id: Int) { tm_partial_remove(Int32(id)) }

    /// The allocator tuned for a report: a short-lived burst of small objects on all cores
    /// (`tm_allocator_for_short_lived_work`); not for the browser.
    public static func tuneAllocatorForReport() { tm_allocator_for_short_lived_work() }

    /// Whether standard error is a terminal (progress bars are drawn only there).
    public static var standardErrorIsTerminal: Bool { isatty(2) == 1 }

    /// The width of the terminal on standard output; nil when it is not a terminal.
    public static var standardOutputColumns: Int? {
        guard isatty(1) == 1 else { return nil }
        var size = winsize()
        guard ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }
}
