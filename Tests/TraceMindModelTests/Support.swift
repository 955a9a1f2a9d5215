import Foundation
import TestSupport
import Testing
import TraceMindFormats
@testable import TraceMindModel

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
