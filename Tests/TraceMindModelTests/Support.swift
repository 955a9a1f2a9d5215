import Foundation
import Testing
@testable import TraceMindModel

/// `../shared/data` beside the checkout, or nil (tests that need it skip cleanly).
func sharedData(_ sub: String = "") -> String? {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data")
    let p = sub.isEmpty ? root.path : root.appendingPathComponent(sub).path
    return FileManager.default.fileExists(atPath: p) ? p : nil
}

/// A fresh temporary folder, removed by the caller's defer.
func tempDir() -> String {
    let p = FileManager.default.temporaryDirectory.appendingPathComponent("tracemind-test-\(UUID().uuidString)").path
    try! FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
    return p
}

func write(_ s: String, to path: String) {
    try! FileManager.default.createDirectory(
        atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try! Data(s.utf8).write(to: URL(fileURLWithPath: path))
}

/// Builds a span JSON object for accounting tests.
func spanJSON(_ id: String, _ parent: String?, _ name: String, start: Int64, end: Int64, attrs: [(String, JSON)] = [],
              status: JSON = "UNSET") -> JSON {
    .obj([
        ("trace_id", "0xabc"), ("span_id", .string(id)), ("parent_span_id", .from(parent)), ("name", .string(name)),
        ("start_time", .int(start)), ("end_time", .int(end)), ("attributes", .obj(attrs)), ("events", []),
        ("status", .obj([("code", status), ("description", .null)])), ("kind", "INTERNAL"),
    ])
}

func trace(_ spans: [JSON]) -> Trace {
    Trace(json: JSONObject([("trace_id", "0xabc"), ("spans", .array(spans))]))
}
