import Foundation

/// Where dataset files are read from: the real disk, or the demo data held in memory.
/// The loader only ever reads through this protocol; nothing here writes.
public protocol DataFileSystem: Sendable {
    func read(_ path: String) throws -> Data
    func isDirectory(_ path: String) -> Bool
    func isFile(_ path: String) -> Bool
    func list(_ path: String) throws -> [String]
    func fileSize(_ path: String) -> Int?
    /// A stable identity of a directory, to avoid symlink loops.
    func canonicalPath(_ path: String) -> String
}

public struct FileReadError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

public struct LocalFileSystem: DataFileSystem {
    public init() {}

    public func read(_ path: String) throws -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path), options: [.alwaysMapped])
        } catch {
            // Only now work out why, for a clear message.
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { throw FileReadError(description: "no such file") }
            if isDir.boolValue { throw FileReadError(description: "is a directory, not a file") }
            guard FileManager.default.isReadableFile(atPath: path) else { throw FileReadError(description: "permission denied") }
            throw FileReadError(description: "cannot be read (\((error as NSError).localizedDescription))")
        }
    }

    public func isDirectory(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }

    public func isFile(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && !isDir.boolValue
    }

    public func list(_ path: String) throws -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: path).sorted()
        } catch {
            throw FileReadError(description: "the folder cannot be read (permission denied?)")
        }
    }

    public func fileSize(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int
    }

    public func canonicalPath(_ path: String) -> String {
        guard let p = realpath(path, nil) else { return path }
        defer { free(p) }
        return String(cString: p)
    }
}

/// Files held in memory (the embedded demo data). Paths are `/`-separated, relative to a virtual root.
public struct MemoryFileSystem: DataFileSystem {
    public let files: [String: Data]
    private let dirs: [String: [String]]

    public init(files: [String: Data]) {
        var norm: [String: Data] = [:]
        var d: [String: Set<String>] = [:]
        for (p, data) in files {
            let np = MemoryFileSystem.normalize(p)
            norm[np] = data
            var parts = np.split(separator: "/").map(String.init)
            var child = parts.removeLast()
            while true {
                let parent = parts.isEmpty ? "" : parts.joined(separator: "/")
                d[parent, default: []].insert(child)
                if parts.isEmpty { break }
                child = parts.removeLast()
            }
        }
        self.files = norm
        self.dirs = d.mapValues { $0.sorted() }
    }

    static func normalize(_ p: String) -> String {
        p.split(separator: "/").filter { $0 != "." && !$0.isEmpty }.joined(separator: "/")
    }

    public func read(_ path: String) throws -> Data {
        guard let d = files[MemoryFileSystem.normalize(path)] else { throw FileReadError(description: "no such file") }
        return d
    }
    public func isDirectory(_ path: String) -> Bool { dirs[MemoryFileSystem.normalize(path)] != nil }
    public func isFile(_ path: String) -> Bool { files[MemoryFileSystem.normalize(path)] != nil }
    public func list(_ path: String) throws -> [String] {
        guard let l = dirs[MemoryFileSystem.normalize(path)] else { throw FileReadError(description: "no such folder") }
        return l
    }
    public func fileSize(_ path: String) -> Int? { files[MemoryFileSystem.normalize(path)]?.count }
    public func canonicalPath(_ path: String) -> String { MemoryFileSystem.normalize(path) }
}

enum PathUtil {
    static func join(_ a: String, _ b: String) -> String {
        if a.isEmpty || a == "." { return b }
        return a.hasSuffix("/") ? a + b : a + "/" + b
    }
    static func basename(_ p: String) -> String {
        let t = p.hasSuffix("/") ? String(p.dropLast()) : p
        return t.split(separator: "/").last.map(String.init) ?? t
    }
    static func dirname(_ p: String) -> String {
        var parts = p.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if parts.count <= 1 { return "." }
        parts.removeLast()
        let d = parts.joined(separator: "/")
        return d.isEmpty ? "/" : d
    }
}

/// One problem with one input. The rest still loads.
public struct Diagnostic: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable { case warning, error, note }
    public var severity: Severity
    public var path: String
    public var message: String

    public init(_ severity: Severity = .warning, path: String, _ message: String) {
        self.severity = severity
        self.path = path
        self.message = message
    }

    public var description: String { "\(severity.rawValue): \(path): \(message)" }
}
