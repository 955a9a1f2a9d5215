import ArgumentParser
import TraceMindApp

struct ThemesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "themes", abstract: "List the themes (built-in, then yours).")
    func run() throws {
        for t in Theme.available() { say(t) }
    }
}
