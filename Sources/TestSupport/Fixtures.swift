import Foundation
import Testing

/// The package root (found from this file's path at build time).
public let packageRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// `../shared/data` beside the checkout (or one of its sub-folders), or nil: tests that need it skip cleanly.
public func sharedData(_ sub: String = "") -> String? {
    let root = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data")
    let p = sub.isEmpty ? root.path : root.appendingPathComponent(sub).path
    return FileManager.default.fileExists(atPath: p) ? p : nil
}

/// A fresh temporary folder; remove it with `removeTemp`.
public func tempDir() -> String {
    let p = FileManager.default.temporaryDirectory.appendingPathComponent("tracemind-test-\(UUID().uuidString)").path
    try! FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
    return p
}

public func removeTemp(_ path: String) { try? FileManager.default.removeItem(atPath: path) }

public func write(_ s: String, to path: String) { write(Data(s.utf8), to: path) }

public func write(_ d: Data, to path: String) {
    try! FileManager.default.createDirectory(
        atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try! d.write(to: URL(fileURLWithPath: path))
}

/// Golden files in `__Snapshots__` beside the calling test file. `RECORD_SNAPSHOTS=1 swift test` rewrites them and
/// fails, so a recording is never silent.
public func assertGolden(
    _ actual: String, named name: String, filePath: String = #filePath, sourceLocation: SourceLocation = #_sourceLocation
) {
    let dir = URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent("__Snapshots__")
    let file = dir.appendingPathComponent(name)
    let record = ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] != nil
    if record || !FileManager.default.fileExists(atPath: file.path) {
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try! Data((actual + "\n").utf8).write(to: file)
        Issue.record("recorded \(name); run again without RECORD_SNAPSHOTS", sourceLocation: sourceLocation)
        return
    }
    let expected = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
    if actual + "\n" != expected {
        let a = (actual + "\n").split(separator: "\n", omittingEmptySubsequences: false)
        let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let first = zip(a, e).enumerated().first { $0.element.0 != $0.element.1 }
        let where_ = first.map { "line \($0.offset + 1):\n  want: \($0.element.1)\n  got:  \($0.element.0)" }
            ?? "line count \(e.count) → \(a.count)"
        Issue.record("golden \(name) differs at \(where_)", sourceLocation: sourceLocation)
    }
}

/// The built `tracemind` binary next to the test bundle.
public var tracemindBinary: String? {
    let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    var dir = exe.deletingLastPathComponent()
    for _ in 0..<4 {
        let c = dir.appendingPathComponent("tracemind").path
        if FileManager.default.isExecutableFile(atPath: c) { return c }
        dir = dir.deletingLastPathComponent()
    }
    let p = packageRoot.appendingPathComponent(".build/debug/tracemind").path
    return FileManager.default.isExecutableFile(atPath: p) ? p : nil
}
