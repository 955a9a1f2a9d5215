import ArgumentParser
import FoundationEssentials
import TraceMindApp
import TraceMindDemo
import TraceMindModel
import TraceMindReport

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Write the generated demo runs (SMOLTRACE-shaped folders) to a new folder.",
        discussion: "Used for fixtures and benchmarks. --scale N adds N generated runs; --tests and --spans size them.")

    @Argument(help: "A folder to create (must not exist, or be empty).")
    var output: String

    @Option(help: "Extra generated runs beyond the fixed demo set.")
    var scale: Int = 0

    @Option(help: "Tests per extra run.")
    var tests: Int = 24

    @Option(help: "Number of steps (LLM calls) per test in extra runs.")
    var steps: Int = 3

    @Option(help: "Bytes of agent system prompt repeated in every LLM span (sizes the traces).")
    var promptBytes: Int = 900

    @Flag(help: "Leave out the fixed demo runs; write only the --scale and --history runs.")
    var onlyScale = false

    @Option(help: "Runs of three models, three a day over the days before the fixed runs (trends, regressions, flaky tests).")
    var history: Int = 0

    func run() throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: output), let c = try? fm.contentsOfDirectory(atPath: output), !c.isEmpty {
            throw Failure(description: "\(output): the folder exists and is not empty; refusing to write into it")
        }
        var options = DemoOptions()
        options.extraRuns = scale
        options.testsPerExtraRun = tests
        options.stepsPerTest = steps
        options.includeFixedRuns = !onlyScale
        options.historyRuns = max(0, history)
        options.systemPromptBytes = promptBytes
        let files = DemoGenerator(options: options).files()
        for (path, data) in files.sorted(by: { $0.key < $1.key }) {
            let full = URL(fileURLWithPath: output).appendingPathComponent(path)
            try fm.createDirectory(at: full.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: full)
        }
        warn("wrote \(files.count) files to \(output)")
    }
}
