import ArgumentParser
import FoundationEssentials
import Glibc
import NCursesBackend
import TraceMindFormats
import TraceMindHub
import TraceMindHTTP
import TraceMindModel
import TraceMindReport

/// `tracemind [SOURCE...]` opens the browser; the subcommands print reports.
struct TraceMind: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tracemind",
        abstract: "A keyboard-first terminal explorer for SMOLTRACE agent-evaluation datasets.",
        discussion: """
            With no source: ./smoltrace_results if present, else the embedded demo data.
            Tokens and cost are counted once, on the deepest spans that carry them; SMOLTRACE's own (recorded) \
            figures are shown beside them, labelled.
            """,
        version: "0.1.0",
        subcommands: [
            BrowseCommand.self, LeaderboardCommand.self, RunCommand.self, CompareCommand.self, TraceCommand.self, BreakdownCommand.self, TopCommand.self, CardCommand.self,
            TrendsCommand.self, FlakyCommand.self, AnalyticsCommand.self,
            ThemesCommand.self, DemoCommand.self, InspectCommand.self,
        ],
        defaultSubcommand: BrowseCommand.self)
}

/// For the benchmark: the process's own peak resident memory (VmHWM) on stderr at exit.
if getenv("TRACEMIND_STATS") != nil {
    atexit {
        if let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = s.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        {
            FileDescriptor.standardError.write("tracemind-stats: \(line)\n")
        }
    }
}

// Every signal that ends the process removes partial downloads first (the browser adds terminal restoration);
// a report piped into `head` ends quietly by SIGPIPE.
ProcessSafety.installForReports()
// This thread's passes over a file start their helpers on the other cores (`Parallel.perform`).
Parallel.ownThread()
PartialFiles.registry = PartialFiles.Registry(add: ProcessSafety.addPartialFile, remove: ProcessSafety.removePartialFile)

// The tables a command's first read of a run uses, made on another core while ArgumentParser parses the command line
// on this one (1.8 M instructions the read itself made before, one reading thread waiting for the other); not for a
// command line that asks only for help or the version (it reads no run, and would pay for the thread).
if !CommandLine.arguments.dropFirst().contains(where: { ["--help", "-h", "help", "--version", "--generate-completion-script"].contains($0) }) {
    Threads.detach(elsewhere: true) { ReadingTables.prepare() }
}

// ArgumentParser's own messages quote what was typed (an id pasted from a dataset, say): they are made inert too.
do {
    var command = try TraceMind.parseAsRoot()
    try command.run()
} catch {
    let code = TraceMind.exitCode(for: error)
    let message = Inert.terminal(TraceMind.fullMessage(for: error))
    if code == .success {
        if !message.isEmpty { print(message) }
    } else {
        FileDescriptor.standardError.write((message + "\n"))
    }
    exit(code.rawValue)
}
