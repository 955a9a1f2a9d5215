import FoundationEssentials
import TraceMindFormats
import TraceMindModel
import TraceMindReport

/// `w`: the view written to a file the user names, as the report the CLI prints for it — a table (`.txt`),
/// Markdown (`.md`), CSV (`.csv`) or JSON (`.json`) by the name's extension; the trends and analytics also as a
/// picture (`.svg`). Never into a data folder (a source
/// folder, or the folder of a source file) and never over an existing file.
enum Export {
    struct Refusal: Error, Equatable { var reason: String }

    /// The report format a file name asks for.
    static func format(of name: String) -> OutputFormat? {
        switch PathUtil.pathExtension(name).lowercased() {
        case "json": return .json
        case "csv": return .csv
        case "md", "markdown": return .markdown
        case "txt", "text": return .table
        case "svg": return .svg
        default: return nil
        }
    }

    /// Enter in the export prompt: the current view's report for the name's format, handed to the runner to write.
    static func request(_ s: inout AppState, _ name: String) -> [Effect] {
        let name = name.trimmingBlanks()
        guard !name.isEmpty else {
            s.message = "no file name: nothing written"
            return []
        }
        guard let format = format(of: name) else {
            s.message = "name the file .txt, .md, .csv or .json (the extension picks the format; .svg on the trends and analytics)"
            return []
        }
        if format == .svg && s.route.screen != .trends && s.route.screen != .analytics {
            s.message = "only the trends and the analytics are pictures: name the file .txt, .md, .csv or .json"
            return []
        }
        switch s.route.screen.type.exportText(s, format) {
        case .success(let text):
            s.message = "writing \(name)…"
            return [.export(path: name, text: text)]
        case .failure(let r):
            s.message = r.reason
            return []
        }
    }

    /// Writes `text` to `name` (relative to `cwd`, `~/` for the home folder): refused inside a data folder or over
    /// an existing file; written to a temporary file beside it and renamed, so no partial file is left. Returns
    /// the message to show.
    static func write(_ name: String, _ text: String, sources: [String], cwd: String, home: String?) -> String {
        var path = name
        if path.hasPrefix("~/"), let home { path = home + String(path.dropFirst(1)) }
        if !path.hasPrefix("/") { path = cwd + "/" + path }
        let target = URL(fileURLWithPath: path).standardizedFileURL
        let folder = target.deletingLastPathComponent().resolvingSymlinksInPath().path
        for src in sources where !RemoteReference.isRemote(src) {
            var isDir = false
            let abs = src.hasPrefix("/") ? src : cwd + "/" + src
            guard FileManager.default.fileExists(atPath: abs, isDirectory: &isDir) else { continue }
            let url = URL(fileURLWithPath: abs).standardizedFileURL
            let data = (isDir ? url : url.deletingLastPathComponent()).resolvingSymlinksInPath().path
            if folder == data || folder.hasPrefix(data.hasSuffix("/") ? data : data + "/") {
                return "not written: \(target.path) is inside the data folder \(data) (nothing is ever written there)"
            }
        }
        guard !FileManager.default.fileExists(atPath: target.path) else {
            return "not written: \(target.path) exists (choose another name)"
        }
        var isDir = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir), isDir else {
            return "not written: no folder \(folder)"
        }
        // A temporary file beside the target, moved into place (a move never replaces a file that appeared meanwhile).
        let final = URL(fileURLWithPath: folder).appendingPathComponent(target.lastPathComponent).path
        let temp = URL(fileURLWithPath: folder).appendingPathComponent(".\(target.lastPathComponent).\(UInt32.random(in: 0...UInt32.max)).part").path
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: temp), options: [.withoutOverwriting])
            try FileManager.default.moveItem(atPath: temp, toPath: final)
        } catch {
            try? FileManager.default.removeItem(atPath: temp)
            return "not written: \(target.path): \(FileErrors.describe(error))"
        }
        return "wrote \(target.path) (\(text.utf8.count) bytes)"
    }
}
