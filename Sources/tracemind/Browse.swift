import ArgumentParser
import Foundation

struct BrowseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "browse", abstract: "Open the full-screen browser (the default).")
    @OptionGroup var source: SourceOptions
    func run() throws {
        throw Failure(description: "the full-screen browser is not built yet; use the report commands")
    }
}
