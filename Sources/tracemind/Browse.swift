import ArgumentParser
import Foundation
import NCursesBackend
import TerminalUI
import TraceMindApp
import TraceMindModel

struct BrowseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "browse", abstract: "Open the full-screen browser (the default).")

    @OptionGroup var source: SourceOptions

    @Option(help: "Theme name (default, light, high-contrast, mono, tracemind, or a user theme) or a .toml path. Also TRACEMIND_THEME.")
    var theme: String?

    @Option(help: "Colours: auto, 256, 16, 8 or none (NO_COLOR is honoured by auto).")
    var color: String = "auto"

    func run() throws {
        let (th, problem) = Theme.resolve(theme)
        if let problem { warn(problem) }
        let depth: ColorDepth?
        switch color {
        case "auto": depth = nil
        case "256": depth = .c256
        case "16": depth = .c16
        case "8": depth = .c8
        case "none", "mono": depth = .mono
        default: throw Failure(description: "--color takes auto, 256, 16, 8 or none")
        }
        var catalog = source.loadCatalog()
        if let problem { catalog.diagnostics.insert(Diagnostic(path: "theme", problem), at: 0) }
        let term: NCursesTerminal
        do { term = try NCursesTerminal(colorMode: depth) } catch { throw Failure(description: "\(error)") }
        let renderer = Renderer(theme: th, symbols: term.unicode ? .unicode : .ascii)
        var state = AppState(catalog: catalog)
        let src = source
        Runner(renderer: renderer, reloadCatalog: { src.loadCatalog(printing: false) }).run(&state, on: term)
        term.close()
    }
}

struct ThemesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "themes", abstract: "List the themes.")
    func run() throws {
        for t in Theme.available() { print(t) }
    }
}
